"""What one edit container does with one instruction, in the real container's order (message-processor.service.ts):
switch to the thread's branch, apply the instruction, commit, build, sync to S3, push. Long steps run as child
processes that an interrupt sends SIGINT to; the build runs in a warm build server (BuildServer) and, as
`npm run build` did, to its end; the sync in a warm awscli (sandbox/awscli_server.py)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sandbox import commits, interpreter, names
from sandbox.awscli_server import AwsCliServer
from sandbox.faults import LATE_WORK_SECONDS, LEAKED_TOKEN, SLOW_BUILD_SECONDS
from sandbox.gitutil import git, out


class Log(Protocol):
    def __call__(self, context: str, message: str, level: str = "LOG") -> None: ...


MESSAGE_PROCESSOR = "MessageProcessor"
CLAUDE_EXECUTOR = "ClaudeExecutorService"
GIT_SERVICE = "GitService"
S3_SYNC = "S3SyncService"


class WorkflowFailed(RuntimeError):
    """A step of the workflow threw; the container reports it with SendTaskFailure under a JavaScript Error's name
    (message-processor.service.ts:135-143)."""

    error_name = "Error"


class SyncCrash(RuntimeError):
    """Raised under the `crash-on-sync-failure` fault: the container dies."""


class Interrupted(Exception):
    """An interrupt stopped the session; `new_thread_id` is the thread of the message that caused it."""

    def __init__(self, new_thread_id: str) -> None:
        super().__init__(f"interrupted by a new message in thread {new_thread_id}")
        self.new_thread_id = new_thread_id


@dataclass(frozen=True)
class Instruction:
    message_id: str
    thread_id: str
    project_id: str
    user_id: str
    text: str
    repo_url: str | None = None
    branch: str | None = None

    @classmethod
    def parse(cls, data: object) -> Instruction:
        """From a queue message's JSON body; raises ValueError naming what is missing."""
        if not isinstance(data, dict):
            raise ValueError("message body is not a JSON object")
        text = data.get("text") or data.get("instruction") or data.get("content")
        missing = [k for k in ("taskToken", "messageId", "threadId", "projectId", "userId") if not data.get(k)]
        if not text:
            missing.append("text|instruction|content")
        if missing:
            raise ValueError(f"message lacks {', '.join(missing)}")
        return cls(data["messageId"], data["threadId"], data["projectId"], data["userId"], text,
                   data.get("repoUrl") or None, data.get("branch") or None)


@dataclass
class Result:
    """What the session did: the callback's fields, as message-processor.service.ts:123-131 fills them."""

    summary: str = ""
    files_changed: list[str] = field(default_factory=list)
    build_success: bool = False
    deploy_success: bool = False
    branch: str = ""
    # The thread its container switched to last (message-processor.service.ts's currentSessionId: the process's,
    # None in a container that has not switched yet), whose leftovers a switch commits first.
    previous_thread: str | None = None
    # Sends the success callback; the done-before-done and push-after-callback faults call it before the work is
    # done (before the sync, or before the push), and the container calls it at the end if nobody has.
    report: Callable[[], None] | None = None
    reported: bool = False

    def report_now(self) -> None:
        if self.report is not None and not self.reported:
            self.reported = True
            self.report()


class Child(Protocol):
    """A child process as an Interrupt stops it: a Popen, or a command of the warm awscli."""
    args: list[str]
    returncode: int | None

    def poll(self) -> int | None: ...
    def send_signal(self, signum: int) -> None: ...
    def communicate(self) -> tuple[str, str]: ...


class Interrupt:
    """Set by the container's interrupt watcher; stops the running child process with SIGINT."""

    def __init__(self) -> None:
        self.new_thread_id: str | None = None
        self._lock = threading.Lock()
        self._process: Child | None = None
        self._closed = False

    def trigger(self, new_thread_id: str, announce: Callable[[], None] = lambda: None) -> bool:
        """Interrupt the session (announcing it first), unless it is closed: then it is over, and the interrupt is
        for whoever comes next (False)."""
        with self._lock:
            if self._closed:
                return False
            announce()
            self.new_thread_id = new_thread_id
            if self._process and self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)
            return True

    def check(self) -> None:
        if self.new_thread_id is not None:
            raise Interrupted(self.new_thread_id)

    def close(self) -> None:
        """The session's last point of interruption: raise if an interrupt came, else refuse every later one, so an
        interrupt can never land between this check and the session's report and be lost with it."""
        with self._lock:
            self._closed = True
            self.check()

    def run(self, start: Callable[[], Child]) -> subprocess.CompletedProcess[str]:
        """Start a child process that an interrupt can stop, and wait for its end."""
        with self._lock:
            self.check()
            process = start()
            self._process = process
        try:
            stdout, stderr = process.communicate()
        finally:
            with self._lock:
                self._process = None
        return subprocess.CompletedProcess(process.args, process.returncode or 0, stdout, stderr)


BUILD_SERVER = "build-server.mjs"  # beside the node_modules the workspaces link to: sandbox/site/
BUILD_ENV = {"NODE_ENV": "production", "ASTRO_TELEMETRY_DISABLED": "1"}
# Builds at once (one per server, ~250-300 MB each): as many as cores; more would only share them.
MOST_BUILD_SERVERS = max(2, os.cpu_count() or 2)
STOP_GRACE_S = 5.0


class BuildServer:
    """One warm Node process (sandbox/site/build-server.mjs) that runs `astro build` in the project root each request
    names, one at a time, and answers with what that build would exit with and print. A cold `npm run build` spends
    about 5.7 s CPU, most of it loading Astro, Vite and Rollup; a warm build 0.1-0.3 s, since after its first it
    leaves Astro's runtime out of the prerender bundle (build-server.mjs says why the site is the same)."""

    def __init__(self, script: Path) -> None:
        replies, reply_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["node", str(script), "--reply-fd", str(reply_end)], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, pass_fds=(reply_end,), cwd=script.parent, text=True,
                env={**os.environ, **BUILD_ENV})
        finally:
            os.close(reply_end)
        self._replies = os.fdopen(replies, encoding="utf-8")
        self.last_root: Path | None = None
        self.builds = 0

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def build(self, root: Path) -> subprocess.CompletedProcess[str]:
        self.last_root = root
        self.builds += 1
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps({"root": str(root)}) + "\n")
            self.process.stdin.flush()
            line = self._replies.readline()
        except (OSError, ValueError):  # it is gone (or being stopped)
            line = ""
        if not line:  # it died (its own error went to the sandbox's log) or was stopped: a failed build
            code = self.process.wait() or 1
            return subprocess.CompletedProcess(["astro", "build"], code, "",
                                               f"the build server exited with code {code} before answering\n")
        reply = json.loads(line)
        return subprocess.CompletedProcess(["astro", "build"], reply["code"], reply["stdout"], reply["stderr"])

    def cpu_s(self) -> float | None:
        """The CPU seconds its process has spent so far (user and system), or None where /proc does not say."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15

    def stop(self) -> None:
        """Close its stdin, on which it ends once any build under way is done; kill it if that takes too long."""
        with contextlib.suppress(OSError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._replies.close()


class BuildServers:
    """The warm builds of the containers that share a Workspace: each build takes an idle server, preferably the one
    that built its root last, or starts one while fewer than `most` run, or waits for one; builds of containers at
    once run side by side, up to one per core. After `close`, a build still works, on a server stopped after it.

    A warm build lasts as long as the quickest cold one (a new server's first, about a cold `npm run build` on this
    machine): emails sent while a session builds are timed against a build's length, as against the real
    container's, and would otherwise arrive after the deployment. A cold build's length is the CPU its server spent
    to start and build (on an idle machine, its wall time), not its wall time: the first builds run while the
    sandbox, the browser and the suite start, and a wall time measured then (14 s against 3 s idle, seen here) held
    every build of the run to it, doubling the suite's time and the CPU its polling spends."""

    def __init__(self, script: Path, most: int = MOST_BUILD_SERVERS) -> None:
        self.script = script
        self.most = most
        self._idle: list[BuildServer] = []
        self._busy: list[BuildServer] = []
        self._lock = threading.Condition()
        self._closed = False
        self._cold_s: float | None = None  # the quickest successful first build of a server, in its CPU seconds

    @property
    def running(self) -> list[BuildServer]:
        """Every server it has started and not yet stopped."""
        with self._lock:
            return [*self._idle, *self._busy]

    @property
    def busy(self) -> int:
        """How many builds are under way."""
        with self._lock:
            return len(self._busy)

    def build(self, root: Path) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        server = self._take(root)
        cold = server.builds == 0
        try:
            built = server.build(root)
        finally:
            self._give_back(server)
        took = time.monotonic() - started
        with self._lock:
            if cold and built.returncode == 0:
                spent = server.cpu_s() or took
                self._cold_s = min(self._cold_s or spent, spent)
            lasts = self._cold_s or 0.0
        time.sleep(max(0.0, lasts - took))  # the build's length, not a wait for anything
        return built

    @property
    def lasts_s(self) -> float:
        """How long each build lasts at least: the quickest cold build's (0 before the first)."""
        with self._lock:
            return self._cold_s or 0.0

    def _take(self, root: Path) -> BuildServer:
        with self._lock:
            self._lock.wait_for(lambda: self._idle or len(self._busy) < self.most or self._closed)
            same = [s for s in self._idle if s.last_root == root]
            server = (same or self._idle or [None])[-1]
            if server is None:
                server = BuildServer(self.script)
            else:
                self._idle.remove(server)
            self._busy.append(server)
            return server

    def _give_back(self, server: BuildServer) -> None:
        with self._lock:
            self._busy.remove(server)
            keep = server.alive and not self._closed
            if keep:
                self._idle.append(server)
            self._lock.notify()
        if not keep:
            server.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            servers, self._idle = [*self._idle, *self._busy], []
            self._lock.notify_all()
        for server in servers:
            server.stop()


class Workspace:
    """One project+user's checkout, as the container keeps it between messages:
    `{workspaces}/{project}/{user}/amelia-astro` (the real container's hard-coded name)."""

    def __init__(self, root: Path, node_modules: Path, aws_endpoint: str, faults: frozenset[str],
                 shared_bucket: Callable[[str], str]) -> None:
        self.root = root
        self.node_modules = node_modules
        self.aws_endpoint = aws_endpoint
        self.faults = faults
        self.shared_bucket = shared_bucket
        self.builds = BuildServers(node_modules.parent / BUILD_SERVER)
        self.awscli = AwsCliServer()

    def path_for(self, project: str, user: str) -> Path:
        return self.root / project / user / names.REPO_DIR

    # -- git -------------------------------------------------------------------------------------------
    def prepare(self, path: Path, repo_url: str | None) -> None:
        if (path / ".git").is_dir():
            git(path, "fetch", "--quiet", "--prune", "origin")
            return
        if not repo_url:
            raise RuntimeError(f"Repository not initialized at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        git(path.parent, "clone", "--quiet", repo_url, path.name)
        # The real container runs `npm install` after cloning; the sandbox links the modules that `npm ci`
        # installed from the fixture's lockfile: the same tree, in milliseconds.
        (path / "node_modules").symlink_to(self.node_modules)

    def switch_to(self, path: Path, instruction: Instruction, previous_thread: str | None) -> str:
        branch = instruction.branch or (instruction.thread_id if instruction.thread_id.startswith("thread-")
                                        else f"thread-{instruction.thread_id}")
        if "same-branch" in self.faults:
            branch = "thread-sandbox-shared"
        current = out(path, "rev-parse", "--abbrev-ref", "HEAD")
        carried: str | None = None
        if "carry-over" in self.faults and current != branch:
            carried = (path / interpreter.SITE_DATA).read_text()
        elif out(path, "status", "--porcelain"):
            # message-processor.service.ts:264-272: what the last message left uncommitted (Claude failed partway) is
            # committed on the branch it was made on before any switch, even back to the same thread. A container
            # that has not switched yet does it too, tagged by that branch, as the contract says: the real one
            # stashes it onto the new branch instead (docs/contract.md#work-carried-across-threads).
            git(path, "add", "-A")
            git(path, "commit", "--quiet", "-m", commits.switching_subject(previous_thread or current))
        if current != branch:
            git(path, "checkout", "--quiet", "--force", *self._checkout_args(path, branch))
        if carried is not None:
            (path / interpreter.SITE_DATA).write_text(carried)
        return branch

    @staticmethod
    def _checkout_args(path: Path, branch: str) -> list[str]:
        if git(path, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False).returncode == 0:
            return [branch]
        if git(path, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{branch}",
               check=False).returncode == 0:
            return ["-b", branch, f"origin/{branch}"]
        return ["-b", branch, f"origin/{names.DEFAULT_BRANCH}"]

    @staticmethod
    def changed_files(path: Path) -> list[str]:
        tracked = out(path, "diff", "--name-only", "HEAD").splitlines()
        untracked = out(path, "ls-files", "--others", "--exclude-standard").splitlines()
        return [f for f in dict.fromkeys(tracked + untracked) if f]

    def commit(self, path: Path, instruction: Instruction, files: list[str]) -> str:
        """Commit what changed with the real container's message; its subject."""
        git(path, "add", "-A")
        own_tag = "fixed-commit-tag" in self.faults
        subject = commits.subject(instruction.text, files, instruction.thread_id, own_tag)
        if "subject-ascii-only" in self.faults:
            subject = subject.encode("ascii", "ignore").decode()
        body = commits.body(instruction.text, files, instruction.thread_id, instruction.user_id)
        if "trailer-drops-generated-by" in self.faults:
            body = body.rsplit("\n", 1)[0]
        message = subject + "\n\n" + body
        as_root = "commit-as-root" in self.faults
        identity = ["-c", "user.name=root", "-c", "user.email=root@localhost"] if as_root else []
        git(path, *identity, "commit", "--quiet", "-m", message, author_env=not as_root)
        return subject

    def save_partial_work(self, path: Path, branch: str, thread_id: str) -> bool:
        """After an interrupt: commit what is uncommitted as `WIP: Session interrupted [...]`, push the branch."""
        if "preempted-work-lost" in self.faults:
            return False
        if out(path, "status", "--porcelain"):
            git(path, "add", "-A")
            git(path, "commit", "--quiet", "-m", commits.interrupted_subject(thread_id))
        return self.push(path, branch)

    def push(self, path: Path, branch: str) -> bool:
        if "no-push" not in self.faults:
            git(path, "push", "--quiet", "origin", branch)
        return True

    # -- build and deploy -----------------------------------------------------------------------------------
    def build(self, path: Path, interrupt: Interrupt) -> subprocess.CompletedProcess[str] | None:
        """`npm run build`, run by a warm build server; None when the `stale-build` fault skips it (once a dist/
        exists)."""
        if "stale-build" in self.faults and (path / "dist").is_dir():
            return None
        if "slow-build" in self.faults:
            deadline = time.monotonic() + SLOW_BUILD_SECONDS
            while time.monotonic() < deadline:
                interrupt.check()
                time.sleep(0.1)
        interrupt.check()
        built = self.builds.build(path)
        if interrupt.new_thread_id is not None:
            # npm, sent SIGINT with its output piped, lets `astro build` run to its end, then dies of the signal.
            built.returncode = -signal.SIGINT
        return built

    def stop_servers(self) -> None:
        """Stop the warm build servers and awscli (the edit service's end): none outlives the sandbox."""
        self.builds.close()
        self.awscli.close()

    def sync(self, path: Path, project_id: str, interrupt: Interrupt) -> subprocess.CompletedProcess[str]:
        bucket = names.bucket(project_id)
        if "shared-bucket" in self.faults:
            bucket = self.shared_bucket(bucket)
        command = ["s3", "sync", str(path / "dist"), f"s3://{bucket}", "--no-progress",
                   "--region", names.REGION, "--endpoint-url", self.aws_endpoint]
        if "no-delete" not in self.faults:
            command.insert(4, "--delete")
        if "partial-sync" in self.faults:
            command += ["--exclude", "changes/*"]
        if "wrong-content-type" in self.faults:
            command += ["--content-type", "application/octet-stream"]
        if "cached-pages" in self.faults:
            command += ["--cache-control", "max-age=31536000, immutable"]

        def aws(args: list[str]) -> subprocess.CompletedProcess[str]:
            return interrupt.run(lambda: self.awscli.run(args, aws_cli_env()))

        if "staggered-sync" in self.faults:
            # The home page first, the pages it links to a while later (a slow, large upload).
            first = aws([*command, "--exclude", "changes/*"])
            deadline = time.monotonic() + LATE_WORK_SECONDS
            while time.monotonic() < deadline:
                interrupt.check()
                time.sleep(0.1)
            rest = aws(command)
            return subprocess.CompletedProcess(rest.args, rest.returncode or first.returncode,
                                               first.stdout + rest.stdout, first.stderr + rest.stderr)
        return aws(command)


def process(instruction: Instruction, ws: Workspace, log: Log, interrupt: Interrupt, result: Result) -> None:
    """Handle one instruction end to end, writing the real container's log lines; fills `result` as it goes
    (so that an interrupt handler knows the branch)."""
    path = ws.path_for(instruction.project_id, instruction.user_id)
    if instruction.repo_url:
        repo = (f"https://x-access-token:{LEAKED_TOKEN}@github.com/{names.REPOSITORY}.git"
                if "leaks-token" in ws.faults else instruction.repo_url)
        log(MESSAGE_PROCESSOR, f"Initializing repository from: {repo}")
    ws.prepare(path, instruction.repo_url)
    result.branch = ws.switch_to(path, instruction, result.previous_thread)
    log(MESSAGE_PROCESSOR, f"Switched to thread {instruction.thread_id} (branch: {result.branch})")
    # Like the real container's Claude run, applying the instruction is not interruptible; the build and sync are.
    log(MESSAGE_PROCESSOR, "Step 1/5: Executing Claude command...")
    try:
        result.summary = interpreter.apply(instruction.text, path, instruction.thread_id,
                                           summary_only="summary-only" in ws.faults,
                                           escaped="html-escaped-twice" in ws.faults)
    except (interpreter.InstructionError, interpreter.AssistantFailed) as error:
        # Claude failed: claude-executor.service.ts:182 and message-processor.service.ts:340 each log it, rethrow;
        # what it wrote stays uncommitted in the workspace
        reason = str(error)
        if "claude-error-swallowed" in ws.faults:
            reason = "Cannot read properties of undefined (reading 'output')"
        else:
            log(CLAUDE_EXECUTOR, f"Claude Code SDK execution failed: {reason}", "ERROR")
        log(MESSAGE_PROCESSOR, f"Workflow failed: {reason}", "ERROR")
        raise WorkflowFailed(reason) from error
    result.files_changed = ws.changed_files(path)
    if result.files_changed:
        log(MESSAGE_PROCESSOR, "Step 2/5: Committing changes...")
        subject = ws.commit(path, instruction, result.files_changed)
        log(GIT_SERVICE, f"Committed: {subject}")
    log(MESSAGE_PROCESSOR, "Step 3/5: Building Astro site...")
    build = ws.build(path, interrupt)
    interrupt.check()
    if build is not None and build.returncode != 0:
        error = _first_error(build.stderr or build.stdout)
        log(MESSAGE_PROCESSOR, f"Build failed with code {build.returncode}: {error}")
        if "deploy-failed-build" not in ws.faults:
            return
    else:
        result.build_success = True
        log(MESSAGE_PROCESSOR, "✅ Astro build successful")
    if "done-before-done" in ws.faults:
        result.deploy_success = True
        result.report_now()
        time.sleep(LATE_WORK_SECONDS)
    log(MESSAGE_PROCESSOR, "Step 4/5: Deploying to S3...")
    sync = ws.sync(path, instruction.project_id, interrupt)
    interrupt.check()
    if sync.returncode == 0:
        uploaded = len(re.findall(r"^upload:", sync.stdout, flags=re.MULTILINE))
        deleted = len(re.findall(r"^delete:", sync.stdout, flags=re.MULTILINE))
        log(MESSAGE_PROCESSOR, f"✅ S3 sync complete: {uploaded} uploaded, {deleted} deleted")
        log(MESSAGE_PROCESSOR, f"🌐 Site updated at https://{names.bucket(instruction.project_id)}")
        result.deploy_success = True
    else:
        if "silent-sync-failure" not in ws.faults:
            log(MESSAGE_PROCESSOR, f"S3 sync failed with code {sync.returncode}: {_tail(sync.stderr)}")
        if "crash-on-sync-failure" in ws.faults:
            raise SyncCrash(f"S3 sync exited with code {sync.returncode}")
        if "success-despite-failure" in ws.faults:
            result.deploy_success = True
    if "push-after-callback" in ws.faults:
        result.report_now()
    log(MESSAGE_PROCESSOR, "Step 5/5: Pushing to GitHub...")
    ws.push(path, result.branch)
    log(GIT_SERVICE, f"Pushed branch {result.branch} successfully")


# Astro's CLI colours its output when `CI` is set (picocolors), even into a pipe; a log line carries the words.
_COLOUR_CODES = re.compile(r"\x1b\[[0-9;]*m")


def _first_error(text: str) -> str:
    plain = _COLOUR_CODES.sub("", text)
    lines = [line.strip() for line in plain.splitlines() if line.strip() and not line.startswith("npm warn")]
    return " ".join(lines[:2])[:300]


def _tail(text: str, limit: int = 300) -> str:
    return " ".join(text.strip().split())[-limit:]


def aws_cli() -> str:
    """The awscli installed beside this interpreter (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "aws"
    found = str(beside) if beside.exists() else shutil.which("aws")
    if not found:
        raise FileNotFoundError("the aws command line is not installed: pip install -r requirements.txt")
    return found


# Path-style addressing for the awscli: bucket names contain dots.
AWSCLI_CONFIG = Path(__file__).resolve().parent / "awscli.cfg"


def aws_cli_env() -> dict[str, str]:
    # moto accepts any credentials; fixed fake ones keep a developer's real keys away from the sandbox.
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "AWS_DEFAULT_REGION": names.REGION,
        "AWS_CONFIG_FILE": str(AWSCLI_CONFIG),
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
