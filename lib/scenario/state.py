"""The typed state of one scenario: its clients, the sessions they started (emails), and how each ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lib import naming
from lib.expect.known_faults import Seen
from lib.records import Client, Session

if TYPE_CHECKING:
    from lib.observe.reading_visitor import ReadingVisitor
    from lib.records import Visit


class ScenarioError(ValueError):
    """A scenario that asks for something it has not set up (an unknown client, an unknown thread label)."""


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
    readers: dict[str, ReadingVisitor] = field(default_factory=dict)  # client -> a visitor rereading its site
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
