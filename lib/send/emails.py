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


def compose(settings: Settings, client: Client, instruction: str, replying_to: Session | None = None) -> EmailMessage:
    """A plain-text email from the product owner to the client's edit address; a reply carries In-Reply-To and
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
    message.set_content(instruction + "\n")
    return message


def _references(session: Session) -> list[str]:
    chain = [session.message_id]
    while session.replying_to is not None:
        session = session.replying_to
        chain.insert(0, session.message_id)
    return chain


def deliver(s3: Any, settings: Settings, client: Client, instruction: str, *, label: str = "",
            replying_to: Session | None = None) -> Session:
    """Put the email into the email bucket, tagged with the run (so that cleanup knows it for the suite's)."""
    message = compose(settings, client, instruction, replying_to)
    key = naming.email_key(settings, client.project)
    sent_at_ms = int(time.time() * 1000)
    s3.put_object(Bucket=settings.stack.email_bucket, Key=key, Body=message.as_bytes(), ContentType="message/rfc822",
                  Tagging=f"{settings.run.tag_key}={settings.run.run_id}")
    return Session(client=client, instruction=instruction, email_key=key, message_id=str(message["Message-ID"]),
                   sent_at_ms=sent_at_ms, label=label, replying_to=replying_to)


def sent_at(session: Session) -> datetime:
    return datetime.fromtimestamp(session.sent_at_ms / 1000, UTC)


