"""A warm awscli for the stand-in containers' `aws s3 sync`: one Python process that has imported the awscli and
forks, for each command, a process that runs the awscli's own `main` with that command's arguments, environment and
output pipes, as the `aws` script does. Each command is still its own process: it exits with the awscli's code, and
SIGINT stops it as it stops a fresh `aws` (the awscli's own KeyboardInterrupt handling: a sync under way says
"cancelled: ctrl-c received" and exits 1). A fresh `aws` spends about 0.5 s CPU importing the awscli and botocore
before it sends a request: a small sync here costs 0.90 CPU s fresh, 0.36 s forked.

Run as `python -m sandbox.awscli_server <socket>`; it imports nothing but the standard library and the awscli."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # for `-m sandbox.awscli_server`
STARTED = "ready\n"
_MOST_REQUEST_BYTES = 1 << 20
REAP_EVERY_S = 1.0
STOP_GRACE_S = 5.0


class ForkedCommand:
    """One awscli command run by the server: what an Interrupt needs of a child process (poll, send_signal,
    communicate, returncode). Its process is the server's grandchild, so the server reports how it exited."""

    def __init__(self, server: AwsCliServer, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.returncode: int | None = None
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._conn.connect(str(server.socket_path))
            request = json.dumps({"args": args, "env": env, "cwd": os.getcwd()}).encode() + b"\n"
            socket.send_fds(self._conn, [request], [stdout_w, stderr_w])
        finally:
            os.close(stdout_w)
            os.close(stderr_w)
        self._stdout = os.fdopen(stdout_r, encoding="utf-8", errors="replace")
        self._stderr = os.fdopen(stderr_r, encoding="utf-8", errors="replace")
        self._replies = self._conn.makefile("r", encoding="utf-8")
        self.pid = int(self._replies.readline() or 0)  # 0: the server is gone

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.pid and self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def communicate(self) -> tuple[str, str]:
        errors: list[str] = []
        reading = threading.Thread(target=lambda: errors.append(self._stderr.read()), daemon=True)
        reading.start()
        output = self._stdout.read()
        reading.join()
        status = self._replies.readline().strip()
        self.returncode = int(status) if status else 1
        for stream in (self._stdout, self._stderr, self._replies, self._conn):
            stream.close()
        error = errors[0] if errors else ""
        if not status:
            error += "the awscli server exited before the command did\n"
        return output, error


class AwsCliServer:
    """The server process, started on the first command and stopped with `close`; its socket in a folder of its own
    (a socket's path is at most 107 bytes, so not under a workspace's)."""

    def __init__(self) -> None:
        self.socket_path = Path()
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def run(self, args: list[str], env: dict[str, str]) -> ForkedCommand:
        """Start `aws <args>` with exactly `env`; it is under way when this returns."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
        return ForkedCommand(self, args, env)

    def _start(self) -> None:
        self._stop()
        self.socket_path = Path(tempfile.mkdtemp(prefix="awscli-")) / "socket"
        # It ends when its stdin does: with the sandbox, however the sandbox ends.
        self._process = subprocess.Popen([sys.executable, "-m", "sandbox.awscli_server", str(self.socket_path)],
                                         cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        if self._process.stdout.readline() != STARTED:
            code = self._process.wait()
            raise RuntimeError(f"the awscli server exited with code {code} before it was ready (its error is in the "
                               "sandbox's log; without the awscli: pip install -r requirements.txt)")

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.close()  # it ends once the commands under way have
            try:
                process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
            shutil.rmtree(self.socket_path.parent, ignore_errors=True)


def serve(socket_path: str) -> None:
    # The imports a fresh `aws` pays for: the driver, and the customizations it loads when a driver is made.
    import awscli.clidriver
    import awscli.handlers  # noqa: F401

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C reaches the commands (they restore it), not the server
    sys.stdout.write(STARTED)
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nobody reads the sandbox's end any more
    os.close(devnull)
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [], REAP_EVERY_S)
        _reap(block=False)
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            _reap(block=True)  # its sandbox closed our stdin, or is gone: the commands under way end first
            return
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        message, fds, _, _ = socket.recv_fds(conn, _MOST_REQUEST_BYTES, 2)
        while message and not message.endswith(b"\n"):
            message += conn.recv(_MOST_REQUEST_BYTES)
        if os.fork() == 0:
            listener.close()
            _monitor(conn, json.loads(message), fds)
        for fd in fds:
            os.close(fd)
        conn.close()


def _reap(block: bool) -> None:
    """Wait for the ended monitors (each waits for its command): a child waited for adds its CPU to its parent's
    children's, so that a run's CPU (`make bench`, by rusage) counts every command's."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass


def _monitor(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In a fork: start the command's process, tell its pid, wait for it and tell how it exited."""
    try:
        worker = os.fork()
        if worker == 0:
            conn.close()
            _command(request, fds)
        for fd in fds:
            os.close(fd)
        conn.sendall(f"{worker}\n".encode())
        _, status = os.waitpid(worker, 0)
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    finally:
        os._exit(0)


def _command(request: dict, fds: list[int]) -> None:
    """In the monitor's fork: become `aws <args>` and exit as it does."""
    code = 255
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (devnull, *fds):
            os.close(fd)
        os.chdir(request["cwd"])
        import awscli.clidriver

        env: dict[str, str] = request["env"]
        os.environ.clear()
        os.environ.update(env)
        # The awscli's import (awscli/__init__.py) adds its data folder to AWS_DATA_PATH, the only environment it
        # reads then: a fresh `aws` would have done so to this command's environment.
        given = env["AWS_DATA_PATH"].split(os.pathsep) if "AWS_DATA_PATH" in env else []
        own = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data")
        os.environ["AWS_DATA_PATH"] = os.pathsep.join(
            [*(os.path.expanduser(os.path.expandvars(path)) for path in given), own])
        sys.argv = ["aws", *request["args"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)

        code = awscli.clidriver.main()
    except SystemExit as exited:
        code = exited.code if isinstance(exited.code, int) else 1
    except KeyboardInterrupt:
        code = 128 + signal.SIGINT
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
