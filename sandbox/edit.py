"""What one edit container does with one instruction, in the contract's order:
switch to the thread's branch, interpret, commit, build, sync to S3, push, report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lib import contract
from sandbox import interpreter
from sandbox.faults import SLOW_BUILD_SECONDS
from sandbox.gitutil import git, out

Log = Callable[[str], None]


class SyncCrash(RuntimeError):
    """Raised under the `crash-on-sync-failure` fault: the container dies."""


@dataclass(frozen=True)
class Instruction:
    message_id: str
    thread_id: str
    project_id: str
    user_id: str
    text: str
    branch: str | None = None

    @classmethod
    def parse(cls, body: str) -> Instruction:
        """Parse a queue message body; raises ValueError naming what is wrong."""
        try:
            data = json.loads(body)
        except json.JSONDecodeError as error:
            raise ValueError(f"message body is not JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise ValueError("message body is not a JSON object")
        text = data.get("text") or data.get("instruction") or data.get("content")
        missing = [k for k in ("messageId", "threadId", "projectId", "userId") if not data.get(k)]
        if not text:
            missing.append("text|instruction|content")
        if missing:
            raise ValueError(f"message lacks {', '.join(missing)}")
        return cls(data["messageId"], data["threadId"], data["projectId"], data["userId"], text, data.get("branch"))


@dataclass
class Outcome:
    build_ok: bool = False
    deploy_ok: bool = False
    pushed: bool = False


class Workspace:
    """One project+user's clone of the site, as the container keeps it between messages."""

    def __init__(self, root: Path, origin: Path, node_modules: Path, aws_endpoint: str,
                 faults: frozenset[str], log: Log, shared_bucket: Callable[[str], str]) -> None:
        self.path = root
        self.origin = origin
        self.node_modules = node_modules
        self.aws_endpoint = aws_endpoint
        self.faults = faults
        self.log = log
        self.shared_bucket = shared_bucket
        self.current_thread: str | None = None

    # -- git -------------------------------------------------------------------------------------------
    def prepare(self) -> None:
        if not (self.path / ".git").is_dir():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            git(self.path.parent, "clone", "--quiet", str(self.origin), self.path.name)
            # The real container runs `npm install` after cloning; the sandbox links the modules that
            # `npm ci` installed from the fixture's lockfile, which is the same tree, in milliseconds.
            (self.path / "node_modules").symlink_to(self.node_modules)
        else:
            git(self.path, "fetch", "--quiet", "--prune", "origin")

    def switch_to(self, instruction: Instruction) -> str:
        branch = contract.branch_for_thread(instruction.thread_id, instruction.branch)
        if "same-branch" in self.faults:
            branch = "thread-sandbox-shared"
        current = out(self.path, "rev-parse", "--abbrev-ref", "HEAD")
        carried: str | None = None
        if current != branch:
            if "carry-over" in self.faults:
                carried = (self.path / interpreter.SITE_DATA).read_text()
            elif out(self.path, "status", "--porcelain") and self.current_thread:
                git(self.path, "add", "-A")
                subject = contract.PHRASE_SWITCH_COMMIT.format(tag=contract.commit_tag(self.current_thread))
                git(self.path, "commit", "--quiet", "-m", subject)
            git(self.path, "checkout", "--quiet", "--force", *self._checkout_args(branch))
        if carried is not None:
            (self.path / interpreter.SITE_DATA).write_text(carried)
        self.current_thread = instruction.thread_id
        return branch

    def _checkout_args(self, branch: str) -> list[str]:
        if git(self.path, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False).returncode == 0:
            return [branch]
        if git(self.path, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}",
               check=False).returncode == 0:
            return ["-b", branch, f"origin/{branch}"]
        return ["-b", branch, f"origin/{contract.DEFAULT_BRANCH}"]

    def commit(self, instruction: Instruction, summary: str) -> bool:
        changed = [line[3:] for line in out(self.path, "status", "--porcelain").splitlines()]
        if not changed:
            return False
        files = f"{len(changed)} file" + ("s" if len(changed) != 1 else "")
        subject = f"{interpreter.normalise(instruction.text)} ({files}) [{contract.commit_tag(instruction.thread_id)}]"
        body = f"{summary}\n\nSession: {instruction.thread_id}\nUser: {instruction.user_id}"
        git(self.path, "add", "-A")
        git(self.path, "commit", "--quiet", "-m", subject[:72], "-m", body)
        return True

    def push(self, branch: str) -> None:
        if "no-push" not in self.faults:
            git(self.path, "push", "--quiet", "origin", branch)

    # -- build and deploy -----------------------------------------------------------------------------------
    def build(self) -> subprocess.CompletedProcess[str] | None:
        """Run `npm run build`; returns None when the `stale-build` fault skips it (once a dist/ exists)."""
        if "stale-build" in self.faults and (self.path / "dist").is_dir():
            return None
        if "slow-build" in self.faults:
            time.sleep(SLOW_BUILD_SECONDS)
        env = {**os.environ, "NODE_ENV": "production", "ASTRO_TELEMETRY_DISABLED": "1"}
        return subprocess.run(["npm", "run", "build"], cwd=self.path, env=env, capture_output=True, text=True)

    def sync(self, project_id: str) -> subprocess.CompletedProcess[str]:
        bucket = contract.BUCKET_PATTERN.format(client=project_id)
        if "shared-bucket" in self.faults:
            bucket = self.shared_bucket(bucket)
        command = [aws_cli(), "s3", "sync", str(self.path / "dist"), f"s3://{bucket}", "--no-progress",
                   "--endpoint-url", self.aws_endpoint]
        if "no-delete" not in self.faults:
            command.append("--delete")
        return subprocess.run(command, capture_output=True, text=True, env=aws_cli_env())


def process(instruction: Instruction, ws: Workspace, log: Log) -> Outcome:
    """Handle one instruction end to end, writing the contract's log lines."""
    outcome = Outcome()
    ws.prepare()
    branch = ws.switch_to(instruction)
    log(contract.PHRASE_SWITCHED.format(thread_id=instruction.thread_id, branch=branch))
    log(contract.PHRASE_EXECUTING)
    summary = interpreter.apply(instruction.text, ws.path, instruction.thread_id)
    log(contract.PHRASE_COMMITTING)
    ws.commit(instruction, summary)
    log(contract.PHRASE_BUILDING)
    build = ws.build()
    if build is not None and build.returncode != 0:
        log(f"{contract.PHRASE_BUILD_FAILED} {build.returncode}: {_first_error(build.stderr or build.stdout)}")
        return outcome
    outcome.build_ok = True
    log(contract.PHRASE_BUILD_OK)
    log(contract.PHRASE_DEPLOYING)
    sync = ws.sync(instruction.project_id)
    if sync.returncode == 0:
        uploaded = len(re.findall(r"^upload:", sync.stdout, flags=re.MULTILINE))
        deleted = len(re.findall(r"^delete:", sync.stdout, flags=re.MULTILINE))
        log(f"{contract.PHRASE_SYNC_OK}: {uploaded} uploaded, {deleted} deleted")
        log(contract.PHRASE_SITE_UPDATED.format(bucket=contract.BUCKET_PATTERN.format(client=instruction.project_id)))
        outcome.deploy_ok = True
    else:
        if "silent-sync-failure" not in ws.faults:
            log(f"{contract.PHRASE_SYNC_FAILED} with code {sync.returncode}: {_tail(sync.stderr)}")
        if "crash-on-sync-failure" in ws.faults:
            raise SyncCrash(f"S3 sync exited with code {sync.returncode}")
    log(contract.PHRASE_PUSHING)
    ws.push(branch)
    outcome.pushed = True
    log(contract.PHRASE_PUSHED.format(branch=branch))
    return outcome


def _first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("npm warn")]
    return " ".join(lines[:2])[:300]


def _tail(text: str, limit: int = 300) -> str:
    text = " ".join(text.strip().split())
    return text[-limit:]


def aws_cli() -> str:
    """The awscli installed beside this interpreter (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "aws"
    found = str(beside) if beside.exists() else shutil.which("aws")
    if not found:
        raise FileNotFoundError("the aws command line is not installed: pip install -r requirements.txt")
    return found


def aws_cli_env() -> dict[str, str]:
    # moto accepts any credentials; fixed fake ones keep a developer's real keys away from the sandbox.
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "AWS_DEFAULT_REGION": contract.REGION,
        "AWS_CONFIG_FILE": str(Path(__file__).resolve().parent / "awscli.cfg"),
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
