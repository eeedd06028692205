"""The real edit container (the NestJS `claude-code-container` of jscotthorn/webordinary), from the user's own
checkout, run unchanged as the edit service's ECS tasks on the embedded AWS.

What ECS and its awslogs driver do on AWS, this module does here: each task is an ECS task record in moto
(RUNNING while its process lives, STOPPED with the reason when it exits, then replaced, as a service keeps its
desired count) and a `node dist/main.js` process whose stdout and stderr become the CloudWatch stream
`edit/edit-container/<task id>`, one event per line. So the suite reads the container's own NestJS lines and
its liveness exactly where it reads them on AWS.

Around the unchanged source, every workaround is listed in docs/real-container.md ("Workarounds"): the Claude
stand-in and the SQS endpoint preloads (`sandbox/preload/`), the origin named `amelia-astro.git`, a scratch HOME and
workspace per task, npm's cache for the clone's `npm install`, and path-style addressing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sandbox import names
from sandbox.awsclients import Clients
from sandbox.edit import AWSCLI_CONFIG

PRELOADS = Path(__file__).resolve().parent / "preload"
ROOT = Path(__file__).resolve().parent.parent
# The real container releases an idle project after 5 minutes, a literal (generic-container.service.ts:46): no
# setting shortens it.
IDLE_RELEASE_S = 300.0
PROJECT_POLL_WAIT_S = 20.0  # its long poll of the project's queue (generic-container.service.ts:189), a literal too
TASKS = 3  # the service's desired count (the real service scales between 0 and 3-5: tasks/sprint-1 in its repo)
STOP_GRACE_S = 10.0
LOG_FLUSH_S = 0.05
# The source files that say a folder is the edit container's checkout.
MARKERS = ("package.json", "tsconfig.json", "src/main.ts", "src/services/message-processor.service.ts")


class CheckoutError(RuntimeError):
    """The folder given is not a checkout of the edit container, or it does not build."""


@dataclass(frozen=True)
class Checkout:
    """The edit container's source as the user pointed at it, and the commit it is at."""

    path: Path
    commit: str  # short hash, or "" when the folder is not in a git work tree
    modified: bool
    content: str = ""  # a hash of its src/ (what runs is built from it): names a checkout that has no commit

    def describe(self) -> str:
        at = (f"commit {self.commit}{' with local changes' if self.modified else ''}" if self.commit
              else "no commit")
        return f"the real edit container at {self.path} ({at}, src/ sha256 {self.content})"

    def published(self) -> dict[str, object]:
        return {"kind": "real", "source": str(self.path), "commit": self.commit, "modified": self.modified,
                "content": self.content, "describe": self.describe()}


def parse_environment(pairs: list[str]) -> dict[str, str]:
    """`K=V` pairs (`--container-env`) as a mapping; a clear error for one without a name or an `=`."""
    found = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"--container-env {pair!r}: write it as NAME=value")
        found[name] = value
    return found


def describe_environment(environment: dict[str, str]) -> str:
    """` with NAME=value, ...` for the log and the living documentation, or nothing."""
    return " with " + ", ".join(f"{k}={v}" for k, v in sorted(environment.items())) if environment else ""


def content_hash(path: Path) -> str:
    """The first 12 hex digits of a sha256 over every file of `path/src` (its name and its bytes), in order."""
    digest = hashlib.sha256()
    for file in sorted(p for p in (path / "src").rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def checkout(path: Path) -> Checkout:
    """The checkout at `path`, checked: a clear error when it is not the edit container's source."""
    path = path.expanduser().resolve()
    missing = [marker for marker in MARKERS if not (path / marker).is_file()]
    if missing:
        raise CheckoutError(f"{path} is not a checkout of the edit container (claude-code-container of "
                            f"jscotthorn/webordinary): it lacks {', '.join(missing)}")
    commit = _git(path, "rev-parse", "--short=7", "HEAD")
    modified = bool(commit) and bool(_git(path, "status", "--porcelain", "--", "."))
    return Checkout(path, commit, modified, content_hash(path))


def build(source: Checkout, say: IO[str] = sys.stdout) -> None:
    """`npm ci` when its lockfile is newer than its modules, then `tsc` when a source file is newer than
    `dist/main.js`, as the container's Dockerfile builds it."""
    path = source.path
    installed = path / "node_modules" / ".package-lock.json"
    lock = path / "package-lock.json"
    if not installed.exists() or (lock.exists() and lock.stat().st_mtime > installed.stat().st_mtime):
        print(f"building {path}: npm ci", file=say, flush=True)
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], path)
    main = path / "dist" / "main.js"
    newest = max(p.stat().st_mtime for p in (path / "src").rglob("*.ts"))
    if not main.exists() or newest > main.stat().st_mtime:
        print(f"building {path}: tsc", file=say, flush=True)
        _run(["npx", "--no-install", "tsc"], path)
    if not main.exists():
        raise CheckoutError(f"tsc in {path} did not write dist/main.js")


def prepare(path: Path) -> Checkout:
    """The checkout at `path`, checked and built: what `--container-src` and `make real-container` run."""
    found = checkout(path)
    build(found)
    return found


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = " ".join((result.stderr or result.stdout).split())[-600:]
        raise CheckoutError(f"`{' '.join(command)}` in {cwd} failed with code {result.returncode}: {tail}")


def _git(path: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


@functools.cache
def npm_cache() -> str:
    """The machine's npm cache (where `make setup` put the fixture site's packages), as npm itself says."""
    found = subprocess.run(["npm", "config", "get", "cache"], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else str(Path.home() / ".npm")


def origin_url(bare: Path) -> str:
    """The repository URL to give the real container: every step after its clone uses the hard-coded checkout
    name `amelia-astro` (git.service.ts:320-325), and the clone is named after the URL, so the origin is reached
    through a link of that name beside the real one."""
    link = bare.parent / f"{names.REPO_DIR}.git"
    if not link.exists():
        link.symlink_to(bare.name)
    return f"file://{link}"


class LogDriver:
    """The awslogs driver of one task: each line of the container's stdout and stderr is one event of its stream
    (timestamps strictly increasing, so lines keep their order), shipped in batches every ~50 ms, and echoed
    to the sandbox's own output."""

    def __init__(self, clients: Clients, task_id: str) -> None:
        self.clients = clients
        self.stream = names.log_stream(task_id)
        self._pending: list[dict] = []
        self._last_ms = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        clients.logs.create_log_stream(logGroupName=names.LOG_GROUP, logStreamName=self.stream)
        self._shipper = threading.Thread(target=self._ship, name=f"awslogs {task_id}", daemon=True)
        self._shipper.start()

    def follow(self, pipe: IO[bytes]) -> threading.Thread:
        def read() -> None:
            for raw in pipe:
                self.line(raw.decode("utf-8", errors="replace").rstrip("\n"))

        reader = threading.Thread(target=read, name=f"read {self.stream}", daemon=True)
        reader.start()
        return reader

    def line(self, text: str) -> None:
        if not text.strip():
            return
        with self._lock:
            now = max(int(time.time() * 1000), self._last_ms + 1)
            self._last_ms = now
            self._pending.append({"timestamp": now, "message": text})
        print(f"{self.stream} {text}", flush=True)

    def close(self) -> None:
        self._closed.set()
        self._shipper.join(timeout=5)

    def _ship(self) -> None:
        while True:
            closed = self._closed.wait(LOG_FLUSH_S)
            with self._lock:
                batch, self._pending = self._pending, []
            if batch:
                try:
                    self.clients.logs.put_log_events(logGroupName=names.LOG_GROUP, logStreamName=self.stream,
                                                     logEvents=batch)
                except Exception as error:  # moto going down at the end of a run
                    print(f"[awslogs] {self.stream}: {len(batch)} lines not shipped: {error}", flush=True)
            if closed:
                return


class Task(threading.Thread):
    """One ECS task of the edit service: the real container as a process, with its own scratch HOME; its
    workspace is the service's, as the EFS volume its entrypoint requires at /workspace is shared by every task
    (scripts/entrypoint.sh:71-76): a task finds what the one before it left there."""

    def __init__(self, clients: Clients, source: Checkout, scratch: Path, workspace: Path, on_exit: threading.Event,
                 extra_env: dict[str, str] | None = None) -> None:
        self.task_arn = clients.run_edit_task()["taskArn"]
        self.task_id = self.task_arn.rsplit("/", 1)[-1]
        super().__init__(name=f"task {self.task_id}", daemon=True)
        self.clients = clients
        self.source = source
        self.scratch = scratch / self.task_id
        self.workspace = workspace
        self.on_exit = on_exit
        self.extra_env = dict(extra_env or {})  # what `--container-env` adds, as a task definition's environment
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.stopped_through_ecs = False
        self._starting = threading.Lock()

    def environment(self) -> dict[str, str]:
        home, workspace = self.scratch / "home", self.workspace
        home.mkdir(parents=True, exist_ok=True)
        workspace.mkdir(parents=True, exist_ok=True)
        # A clean environment, as a task definition gives: nothing of the developer's AWS, git or npm settings.
        kept = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TMPDIR", "TZ")}
        preloads = " ".join(f"--require {PRELOADS / name}" for name in ("claude_standin.cjs", "sqs_local_endpoint.cjs"))
        return {
            **kept,
            # The awscli the container's `aws s3 sync` runs: the project's own (requirements.txt).
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")]),
            "HOME": str(home),  # it runs `git config --global` and writes ~/.git-credentials
            "WORKSPACE_PATH": str(workspace),
            "AWS_ENDPOINT_URL": self.clients.endpoint,
            "AWS_REGION": names.REGION,
            "AWS_DEFAULT_REGION": names.REGION,
            "AWS_ACCOUNT_ID": names.ACCOUNT_ID,  # the queue URLs it builds itself
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            # Bucket names have dots: path-style addressing, as the sandbox's own awscli uses.
            "AWS_CONFIG_FILE": str(AWSCLI_CONFIG),
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "UNCLAIMED_QUEUE_URL": self.clients.queue_url(names.UNCLAIMED_QUEUE),
            "GITHUB_TOKEN": "sandbox-token",  # without one it throws before setting its git identity
            "GIT_PUSH_ENABLED": "true",
            "GIT_TERMINAL_PROMPT": "0",
            "NODE_OPTIONS": preloads,
            "WEBORDINARY_STANDIN_PYTHON": sys.executable,
            "WEBORDINARY_STANDIN_ROOT": str(ROOT),
            # The clone's `npm install` takes the fixture site's packages from the machine's npm cache.
            "npm_config_cache": npm_cache(),
            "npm_config_prefer_offline": "true",
            "npm_config_audit": "false",
            "npm_config_fund": "false",
            "npm_config_update_notifier": "false",
            "ASTRO_TELEMETRY_DISABLED": "1",
            **self.extra_env,
        }

    def run(self) -> None:
        driver = LogDriver(self.clients, self.task_id)
        reason = "Essential container in task exited"
        try:
            with self._starting:  # a stop that came first is not outlived by a process started after it
                if self.stopping:
                    return
                self.process = subprocess.Popen(
                    [shutil.which("node") or "node", str(self.source.path / "dist" / "main.js")],
                    # No .env here: Nest's ConfigModule would load one from the working directory.
                    cwd=self.scratch, env=self.environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    start_new_session=True,
                )
            readers = [driver.follow(self.process.stdout), driver.follow(self.process.stderr)]  # type: ignore[arg-type]
            code = self.process.wait()
            for reader in readers:
                reader.join(timeout=5)
            reason = f"Essential container in task exited (exit code {code})"
        except Exception as error:
            reason = f"CannotStartContainerError: {error}"
            print(f"[edit-service] task {self.task_id}: {reason}", flush=True)
        finally:
            driver.close()
            if not self.stopped_through_ecs:  # ECS keeps the reason it was given
                with contextlib.suppress(Exception):
                    self.clients.ecs.stop_task(cluster=names.CLUSTER, task=self.task_arn,
                                               reason="Stopped by the sandbox" if self.stopping else reason)
            self.on_exit.set()

    def stop(self) -> None:
        """As ECS stops a task: SIGTERM (the container releases its project and exits), SIGKILL after a grace."""
        with self._starting:
            self.stopping = True
            process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


class RealService(threading.Thread):
    """The ECS service `webordinary-edit-service` with the real container as its task: keeps `desired` tasks
    running, replacing any that exits. The containers read the claim queue themselves."""

    def __init__(self, clients: Clients, source: Checkout, scratch: Path, stopping: threading.Event,
                 desired: int = TASKS, environment: dict[str, str] | None = None) -> None:
        super().__init__(name="edit-service", daemon=True)
        self.clients = clients
        self.source = source
        self.scratch = scratch
        self.stopping = stopping
        self.desired = desired
        self.environment = dict(environment or {})
        self.tasks: list[Task] = []
        self._changed = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self.stopping.is_set():
            with self._lock:
                self.tasks = [task for task in self.tasks if task.is_alive()]
                for _ in range(self.desired - len(self.tasks)):
                    if self.stopping.is_set():
                        break
                    task = Task(self.clients, self.source, self.scratch, self.scratch / "workspace", self._changed,
                                self.environment)
                    print(f"[edit-service] started task {task.task_id}: {self.source.describe()}"
                          f"{describe_environment(self.environment)}", flush=True)
                    self.tasks.append(task)
                    task.start()
            self._changed.wait(1.0)
            self._changed.clear()
            self._stop_what_ecs_stopped()

    def _stop_what_ecs_stopped(self) -> None:
        """A StopTask from outside (an operator, a deployment, a scale-in) stops its task's container, as the ECS
        agent does; the service then starts a task in its place."""
        with self._lock:
            running = {task.task_arn: task for task in self.tasks if task.is_alive() and not task.stopping}
        for arn in self.clients.stopped_tasks(list(running)):
            print(f"[edit-service] task {running[arn].task_id} was stopped through ECS: stopping its container",
                  flush=True)
            running[arn].stopped_through_ecs = True
            threading.Thread(target=running[arn].stop, name=f"stop {running[arn].task_id}", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            tasks = list(self.tasks)
        stoppers = [threading.Thread(target=task.stop) for task in tasks]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for task in tasks:
            task.join(timeout=5)

