"""Run `python -m sandbox up` as a child process and learn its endpoints (used by features/environment.py and
the tests; it imports nothing of the suite's library)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

START_DEADLINE_S = 60.0
# The time scale of a sandbox a run starts for itself: its idle containers release their projects after seconds, not
# the real five minutes, so that a scenario can have a client come back to a released project; the rate-limited
# claim follows the same clock, as it does on the real stack (one claim per idle release at most).
SHORT_IDLE_S = 10.0
TIME_SCALE = ("--idle-release", str(SHORT_IDLE_S), "--claim-interval", str(SHORT_IDLE_S))
# A behave run attaches to the running sandbox whose endpoints file this names (features/environment.py).
ATTACH_ENV = "WEBORDINARY_SANDBOX_ENDPOINTS"


class SandboxProcess:
    def __init__(self, log_path: Path, environ: dict[str, str] | None = None,
                 extra_args: tuple[str, ...] = ()) -> None:
        self.log_path = log_path
        self.extra_args = extra_args
        self._dir = Path(tempfile.mkdtemp(prefix="webordinary-sandbox-run-"))
        self.endpoints_file = self._dir / "endpoints.json"
        self.state_dir = self._dir / "state"
        self._environ = environ
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> dict[str, str]:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        env = dict(self._environ if self._environ is not None else os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "up", "--endpoints-file", str(self.endpoints_file),
             "--state-dir", str(self.state_dir), *self._time_scale(), *self.extra_args],
            stdout=self._log, stderr=subprocess.STDOUT, env=env,
            # Its own session: a Ctrl-C in the terminal stops behave, whose cleanup then removes the clients
            # while the sandbox still answers, and stops the sandbox last.
            start_new_session=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        deadline = time.monotonic() + START_DEADLINE_S
        while not self._poll():
            if time.monotonic() > deadline:
                raise SandboxStartError(f"the sandbox did not write {self.endpoints_file} within "
                                        f"{START_DEADLINE_S:.0f}s; its log ends: {self.log_tail()}")
            time.sleep(0.05)  # polling a child process's file: no event to wait on
        return json.loads(self.endpoints_file.read_text())

    def _time_scale(self) -> tuple[str, ...]:
        return () if "--idle-release" in self.extra_args else TIME_SCALE

    def attach_environment(self) -> dict[str, str]:
        """The environment that makes a behave run use this sandbox instead of starting one of its own."""
        return {ATTACH_ENV: str(self.endpoints_file)}

    def _poll(self) -> bool:
        assert self._process is not None
        if self._process.poll() is not None:
            raise SandboxStartError(f"the sandbox exited with code {self._process.returncode}: {self.log_tail()}")
        return self.endpoints_file.exists()

    def log_tail(self, lines: int = 8) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log:
            self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)


class SandboxStartError(RuntimeError):
    pass
