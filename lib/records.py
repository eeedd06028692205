"""The plain records of the suite: what the readers produce from the system (executions, log lines, deployed
objects, commits, moments, visits, readings) and what the checks consume, with the scenario's clients and sessions
that tie them together. Data only: nothing here reads, sends or waits, and this module imports no reader and no
stimulus, so every layer of lib/ can use it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lib.expect.contract import ENDED
from lib.expect.known_faults import one_line


@dataclass(frozen=True)
class Client:
    name: str  # as the scenario names it, e.g. "amelia"
    project: str  # its project id, e.g. "wat-3f9a1c-s2-amelia"
    bucket: str
    has_site: bool = True


@dataclass(frozen=True)
class Execution:
    arn: str
    name: str
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    started: datetime
    stopped: datetime | None
    input: dict[str, Any]
    output: str | None
    error: str | None
    cause: str | None

    @property
    def running(self) -> bool:
        return self.status == "RUNNING"


@dataclass(frozen=True)
class LogLine:
    timestamp_ms: int
    message: str  # without colour codes and NestJS prefix
    stream: str
    context: str = ""
    event_id: str = ""
    level: str = ""  # LOG, WARN, ERROR, ...; "" when the log line pattern does not say

    @property
    def task_id(self) -> str:
        """The ECS task id at the end of an awslogs stream name `edit/<container>/<task id>`."""
        return self.stream.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return f"{self.stream} @{self.timestamp_ms}: {self.message}"


@dataclass
class SessionLog:
    """The lines one container wrote for one session of a thread, from `Switched to thread ...` on."""

    thread_id: str
    lines: list[LogLine] = field(default_factory=list)
    # The next session's `Switched to thread` line on the same stream, where this session's lines stop.
    cut_by: LogLine | None = None

    @property
    def task_id(self) -> str | None:
        return self.lines[0].task_id if self.lines else None

    def first(self, phrase: str) -> LogLine | None:
        return next((line for line in self.lines if line.message.startswith(phrase)), None)

    def has(self, phrase: str) -> bool:
        return self.first(phrase) is not None

    def summary(self, last: int = 6) -> str:
        if not self.lines:
            return f"no log line for thread {self.thread_id} yet"
        return " | ".join(one_line(line.message) for line in self.lines[-last:])


@dataclass(frozen=True)
class DeployedObject:
    key: str
    size: int
    last_modified: datetime
    etag: str


@dataclass(frozen=True)
class BucketComparison:
    unique1: list[str]
    unique2: list[str]
    common: list[str]


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    subject: str
    message: str
    author: str
    date: datetime
    committer: str = ""


@dataclass(frozen=True)
class Ownership:
    container_id: str
    last_activity_ms: int
    ttl_s: int
    claimed_at_ms: int = 0


@dataclass(frozen=True)
class OwnerReading:
    """The project's ownership row as read at one instant (None: nobody owned it then)."""

    taken_ms: int
    ownership: Ownership | None


@dataclass(frozen=True)
class ActiveJob:
    """A project+user's row in the active-jobs table: the message a container says it is working on."""

    message_id: str
    thread_id: str
    container_id: str


@dataclass(frozen=True)
class Intake:
    """What the state machine made of an email before it routed it (docs/contract.md#entry-by-email), from the
    execution's history: ParseEmail's result, whether CheckOwnership found an owner and when it looked, the routing
    state."""

    input_message_id: str  # the execution's input, as the intake started it
    parsed: dict[str, Any]  # ParseEmail's result: projectId, userId, threadId, queueUrl, messageId, ...
    owner_found: bool | None  # None: no CheckOwnership result in the history
    ownership_checked_ms: int | None
    route: str  # the routing state entered
    # CheckActiveJob's result (hasActiveJob, interruptSent, activeMessageId) and when it ended; None: not in the history
    active_job: dict[str, Any] | None = None
    active_job_checked_ms: int | None = None


@dataclass(frozen=True)
class Moment:
    taken_ms: int
    objects: list[DeployedObject] | None  # None: the client has no bucket
    head: CommitInfo | None  # the thread's branch head; None: no branch (or the thread is not known yet)
    ownership: Ownership | None  # None: nobody owns the project
    active_thread: str | None  # the thread of the project's active job, if one is recorded
    # When the thread's branch is missing: the branches on GitHub whose name holds the thread id (what was pushed)
    thread_branches: tuple[str, ...] = ()
    head_files: tuple[str, ...] | None = None  # the paths the branch head changed; None: no head read


@dataclass(frozen=True)
class Outcome:
    """How a session ended, from its execution (the system's own statement), with the evidence read beside it."""

    kind: str  # lib.expect.contract: deployed, sync failed, build failed, preempted, failed
    detail: str
    execution_status: str
    output: dict[str, Any]
    ended_at_ms: int  # the execution's stop time (the system's clock)
    detected_at_ms: int  # when the suite saw it (its own clock)
    log: SessionLog
    at_end: Moment | None = None  # the bucket, branch head and ownership read the moment the end was seen
    evidence: tuple[str, ...] = ()  # what the log, the history and the queues said of this ending (in `detail` too)

    def describe(self) -> str:
        """How it ended, as the end of a sentence: "with a failed sync (deploySuccess: false ...)"."""
        return f"{ENDED.get(self.kind, self.kind)} ({self.detail})"

    def ended(self) -> str:
        """How it ended, in words only ("with a failed build"): for a problem that is not about this ending, so
        that the ending's evidence does not make that problem look like the ending's known fault."""
        return ENDED.get(self.kind, self.kind)


@dataclass(eq=False)
class Session:
    """One email and the work it caused. The suite chooses the email; the system tells the rest."""

    client: Client
    instruction: str
    email_key: str
    message_id: str  # the email's Message-ID header, for replies
    sent_at_ms: int
    label: str = ""  # the scenario's name for the thread (e.g. "A"), if it gave one
    replying_to: Session | None = None
    execution_arn: str | None = None
    thread_id: str | None = None
    outcome: Outcome | None = None
    unended: str = ""  # why its end could not be seen, once a wait for it failed (said again at once after)
    before: Moment | None = None  # the bucket and the replied thread's branch head, read just before sending
    intake: Intake | None = None  # what the pipeline made of the email, once its execution had routed it
    owner_while_building: OwnerReading | None = None  # read once its container logged its build's start

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def sent_at(self) -> datetime:
        return datetime.fromtimestamp(self.sent_at_ms / 1000, UTC)

    def describe(self) -> str:
        thread = f"thread {self.thread_id}" if self.thread_id else f"email {self.email_key}"
        return f"{self.client.name}'s {thread} ({self.instruction!r})"


@dataclass(frozen=True)
class ThreadWork:
    thread_id: str
    branch: str
    committed: list[str]  # the instructions of its sessions that logged `Committing changes`, in order
    commits: list[CommitInfo] | None  # the branch's commits since main, newest first; None: branch missing
    ended: str = ""  # how its last committing session ended, as a sentence's end ("preempted by a newer email")


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    cache_control: str = ""  # of the page itself
    title: str = ""
    headings: list[str] = field(default_factory=list)
    text: str = ""  # what a person reads on the rendered page
    broken: list[str] = field(default_factory=list)  # links and assets that did not answer 2xx/3xx, or not as HTML
    screenshot: bytes = b""

    def problems(self) -> list[str]:
        """Why a visitor would not see a working page (empty when they would)."""
        problems = []
        if self.status >= 400:
            problems.append(f"{self.url} answers {self.status}")
        elif not self.content_type.startswith("text/html"):
            problems.append(f"{self.url} is served as {self.content_type or 'no Content-Type'}, so a browser "
                            "downloads it instead of showing a page")
        elif kept := page_kept_s(self.cache_control):
            problems.append(f"{self.url} is served with Cache-Control {self.cache_control!r}, so a browser that "
                            f"saw it keeps it for {kept} without asking again and does not see the next edit")
        return problems + [f"{self.url} has a broken link or asset: {item}" for item in self.broken]


# An edit is deployed within a minute or so of its email; a page a browser may keep longer than this hides the
# next one from a visitor who looked before it.
PAGE_MAX_AGE_S = 60


def page_kept_s(cache_control: str) -> str:
    """How long a browser keeps a page served with this Cache-Control, when that is longer than PAGE_MAX_AGE_S
    (as words: "3600 s"); "" when it asks again soon enough."""
    directives = [d.strip().lower() for d in cache_control.split(",") if d.strip()]
    if "no-cache" in directives or "no-store" in directives:
        return ""
    ages = [int(d.split("=", 1)[1]) for d in directives
            if d.split("=", 1)[0] == "max-age" and d.split("=", 1)[1].isdigit()]
    if "immutable" in directives:
        kept = f"{max(ages)} s" if ages else "as long as it holds it"
        return f"{kept} (immutable: not even on a reload)"
    return f"{max(ages)} s" if ages and max(ages) > PAGE_MAX_AGE_S else ""


@dataclass(frozen=True)
class Read:
    started_ms: int
    ended_ms: int
    builds: frozenset[str]  # the builds its pages came from
    missing: tuple[str, ...]  # linked pages that did not answer

    @property
    def mixed(self) -> bool:
        return len(self.builds) > 1 or bool(self.missing)


@dataclass
class Readings:
    reads: list[Read] = field(default_factory=list)

    @property
    def mixed(self) -> list[Read]:
        return [read for read in self.reads if read.mixed]

    def mixed_ms(self) -> int:
        """From the start of the first mixed read to the end of the last (0 when none was mixed)."""
        mixed = self.mixed
        return mixed[-1].ended_ms - mixed[0].started_ms if mixed else 0

    def builds_seen(self) -> int:
        return len({build for read in self.reads for build in read.builds})

    def summary(self) -> dict[str, int]:
        return {"reads": len(self.reads), "mixed_reads": len(self.mixed), "mixed_ms": self.mixed_ms(),
                "builds_seen": self.builds_seen()}


@dataclass(frozen=True)
class QuietState:
    """A client's bookkeeping once every session of its scenario has ended: its rows and its queues."""

    client: Client
    active_job: ActiveJob | None
    ownership: Ownership | None
    queues: dict[str, tuple[int, int] | None]  # queue name -> (waiting, in flight); None: no such queue


@dataclass
class History:
    """Everything a run's readers saw of a scenario, for the oracle (lib/judge/oracle.py): its sessions as they
    ended, each thread's branch, each client's rows and queues once quiet, every log line of its time, and the
    secrets the system holds that nothing it emits may show."""

    sessions: list[Session]
    branches: dict[str, list[CommitInfo] | None]  # branch -> its commits since main, newest first; None: missing
    commit_files: dict[str, tuple[str, ...]]  # sha -> the paths it changed
    quiet: list[QuietState]
    lines: list[LogLine]  # every line of the container log from the scenario's first email on
    secrets: dict[str, str]  # what it is -> its value
    execution_names: dict[str, str] = field(default_factory=dict)  # email key -> its execution's name
    machine: dict[str, Any] = field(default_factory=dict)  # the state machine's definition as deployed
    # email key -> what HandleInterruption recorded of its preemption (interruptedAt, ...), for those that have it
    interruptions: dict[str, dict[str, Any]] = field(default_factory=dict)
