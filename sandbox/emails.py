"""Reading an email as the ParseEmail lambda does: project and user from the recipient, the thread from the
headers, the instruction from the plain-text body."""

from __future__ import annotations

import re
import secrets
import string
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

# Replies to WebOrdinary's own mail carry the thread in a Message-ID such as `<thread-1755742052528-7eim6l@...>`
# (jscotthorn/webordinary, docs/TERMINOLOGY_GUIDE.md: "Pattern match: thread-([a-zA-Z0-9-]+)@ in headers").
_THREAD_IN_HEADER = re.compile(r"<(thread-[a-zA-Z0-9-]+)@")
_MESSAGE_ID = re.compile(r"<[^<>]+>")


class EmailError(ValueError):
    """An email the pipeline cannot turn into an instruction; the message says why."""


@dataclass(frozen=True)
class ParsedEmail:
    project: str
    user: str
    thread_id: str
    message_id_header: str
    subject: str
    sender: str
    body: str


def recipient_pattern(rule: str) -> re.Pattern[str]:
    """`{user}@{project}.webordinary.com` -> a regex with named groups user and project."""
    if "{user}" not in rule or "{project}" not in rule:
        raise ValueError(f"recipient rule {rule!r} must contain {{user}} and {{project}}")
    escaped = re.escape(rule).replace(r"\{user\}", "(?P<user>[^@+]+)").replace(r"\{project\}", "(?P<project>[^@+.]+)")
    return re.compile(f"^{escaped}$", re.IGNORECASE)


class ThreadBook:
    """Which thread each Message-ID belongs to, so that a reply joins its thread (the stack keeps this in
    its own store; the sandbox keeps it in memory)."""

    def __init__(self) -> None:
        self._threads: dict[str, str] = {}
        self._lock = threading.Lock()

    def thread_for(self, message: EmailMessage, follow_replies: bool = True) -> str:
        own = (message.get("Message-ID") or "").strip()
        headers = ("References", "In-Reply-To") if follow_replies else ()
        related = " ".join(str(message.get(h) or "") for h in headers)
        referenced = _MESSAGE_ID.findall(related)
        with self._lock:
            found = _THREAD_IN_HEADER.search(related)
            thread = found[1] if found else next(
                (self._threads[m] for m in [own, *referenced] if m in self._threads), None)
            thread = thread or new_thread_id()
            # Executions parse in any order: a reply read before the email it answers names the thread for
            # both, and that email takes it when its turn comes.
            for message_id in (own, *referenced):
                if message_id:
                    self._threads.setdefault(message_id, thread)
            return thread


def new_thread_id() -> str:
    """`thread-<epoch ms>-<6 base-36 chars>`, the shape seen in the real system's logs."""
    alphabet = string.ascii_lowercase + string.digits
    return f"thread-{int(time.time() * 1000)}-{''.join(secrets.choice(alphabet) for _ in range(6))}"


def parse(raw: bytes, rule: re.Pattern[str], threads: ThreadBook, follow_replies: bool = True,
          decode: bool = True) -> ParsedEmail:
    """`decode`: the body's transfer encoding and charset undone (off: the `intake-ignores-charset` fault)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    recipients = [address for _, address in getaddresses([str(v) for v in message.get_all("To", [])])]
    match = next((m for m in (rule.match(a) for a in recipients) if m), None)
    if match is None:
        raise EmailError(f"no recipient of {recipients or 'the email'} matches the recipient rule {rule.pattern}")
    part = message.get_body(preferencelist=("plain",))
    content = (part.get_content() if decode else str(part.get_payload())) if part is not None else ""
    body = content.strip()
    if not body:
        raise EmailError("the email has no plain-text body to take the instruction from")
    return ParsedEmail(
        project=match["project"].lower(), user=match["user"].lower(),
        thread_id=threads.thread_for(message, follow_replies),
        message_id_header=str(message.get("Message-ID") or ""), subject=str(message.get("Subject") or ""),
        sender=str(message.get("From") or ""), body=body,
    )
