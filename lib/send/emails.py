"""Send a client's instruction the way production receives it: an email object in the email bucket, where SES
would have written it. The suite never sends queue messages, claim requests or task tokens."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from lib import naming
from lib.expect import contract
from lib.records import Client, Session
from lib.settings import Settings

# How mail clients send a plain-text body: its charset and transfer encoding (RFC 2045). "" lets Python choose as most
# clients do (UTF-8, 7bit or 8bit); the others are what Gmail, Outlook and older clients are seen to send.
ENCODINGS: dict[str, tuple[str, str | None]] = {
    "": ("utf-8", None),
    "quoted-printable": ("utf-8", "quoted-printable"),
    "base64": ("utf-8", "base64"),
    "Latin-1": ("iso-8859-1", "quoted-printable"),
}


class EncodingError(ValueError):
    """An encoding no mail client sends, or one that cannot carry the instruction."""


def check_encoding(encoding: str, instruction: str) -> None:
    if encoding not in ENCODINGS:
        raise EncodingError(f"{encoding!r} is not an encoding this suite sends; use one of "
                            f"{', '.join(repr(e) for e in ENCODINGS if e)}")
    charset = ENCODINGS[encoding][0]
    try:
        instruction.encode(charset)
    except UnicodeEncodeError as error:
        raise EncodingError(f"{encoding} cannot carry {instruction[error.start:error.end]!r} of the instruction "
                            f"{instruction!r}; send it with quoted-printable or base64 (UTF-8)") from None


def compose(settings: Settings, client: Client, instruction: str, replying_to: Session | None = None,
            encoding: str = "") -> EmailMessage:
    """A plain-text email from the product owner to the client's edit address, its body in the charset and
    transfer encoding a mail client would use (`encoding`, one of ENCODINGS); a reply carries In-Reply-To and
    References, as a mail client writes them."""
    message = EmailMessage()
    message["From"] = settings.run.sender
    message["To"] = contract.recipient(settings.stack.recipient_pattern, client.project, settings.run.user_id)
    message["Subject"] = ("Re: " if replying_to else "") + f"Edit for {client.name}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{settings.run.sender.split('@')[-1]}>"
    message["Date"] = formatdate(localtime=False)
    if replying_to is not None:
        message["In-Reply-To"] = replying_to.message_id
        message["References"] = " ".join(_references(replying_to))
    check_encoding(encoding, instruction)
    charset, transfer = ENCODINGS[encoding]
    message.set_content(instruction + "\n", charset=charset, cte=transfer)
    return message


def _references(session: Session) -> list[str]:
    chain = [session.message_id]
    while session.replying_to is not None:
        session = session.replying_to
        chain.insert(0, session.message_id)
    return chain


def deliver(s3: Any, settings: Settings, client: Client, instruction: str, *, label: str = "",
            replying_to: Session | None = None, encoding: str = "") -> Session:
    """Put the email into the email bucket, tagged with the run (so that cleanup knows it for the suite's)."""
    message = compose(settings, client, instruction, replying_to, encoding)
    key = naming.email_key(settings, client.project)
    sent_at_ms = int(time.time() * 1000)
    s3.put_object(Bucket=settings.stack.email_bucket, Key=key, Body=message.as_bytes(), ContentType="message/rfc822",
                  Tagging=f"{settings.run.tag_key}={settings.run.run_id}")
    return Session(client=client, instruction=instruction, email_key=key, message_id=str(message["Message-ID"]),
                   sent_at_ms=sent_at_ms, label=label, replying_to=replying_to)


def sent_at(session: Session) -> datetime:
    return datetime.fromtimestamp(session.sent_at_ms / 1000, UTC)


