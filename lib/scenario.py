"""The typed state of one scenario: its clients, the sessions they started (emails), and how each ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lib import naming
from lib.expectations import ENDED
from lib.known_faults import Seen
from lib.observe.logs import SessionLog

if TYPE_CHECKING:
    from lib.observe.moments import Moment
    from lib.observe.reader import Reader
    from lib.observe.visitor import Visit


class ScenarioError(ValueError):
    """A scenario that asks for something it has not set up (an unknown client, an unknown thread label)."""


@dataclass(frozen=True)
class Client:
    name: str  # as the scenario names it, e.g. "amelia"
    project: str  # its project id, e.g. "wat-3f9a1c-s2-amelia"
    bucket: str
    has_site: bool = True


@dataclass(frozen=True)
class Outcome:
    """How a session ended, from its execution (the system's own statement), with the evidence read beside it."""

    kind: str  # lib.expectations: deployed, sync failed, build failed, preempted, failed
    detail: str
    execution_status: str
    output: dict[str, Any]
    ended_at_ms: int  # the execution's stop time (the system's clock)
    detected_at_ms: int  # when the suite saw it (its own clock)
    log: SessionLog
    at_end: Moment | None = None  # the bucket, branch head and ownership read the moment the end was seen

    def describe(self) -> str:
        """How it ended, as the end of a sentence: "with a failed sync (deploySuccess: false ...)"."""
        return f"{ENDED.get(self.kind, self.kind)} ({self.detail})"


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
    before: Moment | None = None  # the bucket and the replied thread's branch head, read just before sending

    @property
    def name(self) -> str:
        return self.client.name

    def describe(self) -> str:
        thread = f"thread {self.thread_id}" if self.thread_id else f"email {self.email_key}"
        return f"{self.client.name}'s {thread} ({self.instruction!r})"


@dataclass
class ScenarioState:
    scope: str  # makes this scenario's client names its own, e.g. "s2"
    clients: dict[str, Client] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    last_timestamp: str | None = None
    metrics: dict[str, Any] | None = None
    known_faults: list[Seen] = field(default_factory=list)  # its failed checks that count as known faults
    # (a session, the client's next email, sent once the container logged that the first one's build had begun)
    sent_while_building: list[tuple[Session, Session]] = field(default_factory=list)
    visits: dict[str, tuple[Session, Visit]] = field(default_factory=dict)  # client -> its latest edit, seen
    readers: dict[str, Reader] = field(default_factory=dict)  # client -> a visitor reading its site over and over
    atomicity: dict[str, int] | None = None  # what such a visitor saw: reads, mixed reads, mixed ms, builds

    def client(self, name: str) -> Client:
        if name not in self.clients:
            close = naming.did_you_mean(name, self.clients)
            if close:
                raise ScenarioError(f"client {name!r} is not a client of this scenario{close}")
            known = ", ".join(self.clients) or "none yet"
            raise ScenarioError(
                f"client {name!r} has no edit site in this scenario (clients so far: {known}); give it one first "
                f'with: Given client "{name}" has an edit site')
        return self.clients[name]

    def sessions_of(self, name: str) -> list[Session]:
        return [s for s in self.sessions if s.client.name == name]

    def last_email(self) -> Session:
        if not self.sessions:
            raise ScenarioError("no email was sent in this scenario yet")
        return self.sessions[-1]

    def latest_session(self, name: str) -> Session:
        mine = self.sessions_of(self.client(name).name)
        if not mine:
            raise ScenarioError(f"{name!r} has sent no email in this scenario yet")
        return mine[-1]

    def same_thread(self, session: Session) -> list[Session]:
        """The scenario's sessions on the session's thread (replies share their root's label), itself included."""
        if not session.label:
            return [session]
        return [s for s in self.sessions if s.client is session.client and s.label == session.label] or [session]
