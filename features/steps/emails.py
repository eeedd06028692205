"""Steps that send clients' edit instructions (each email thread is one session)."""

from __future__ import annotations

from behave import when
from behave.runner import Context


@when("these emails arrive at the same time:")
def step_emails_at_once(context: Context) -> None:
    """Each row (`client`, `instruction`) starts a new thread for that client; all are sent at once."""
    for row in context.table:
        context.sessions.append(context.pipeline.start_session(row["client"], row["instruction"]))


@when('"{client}" emails: {instruction}')
def step_client_emails(context: Context, client: str, instruction: str) -> None:
    """The client starts a new thread with this instruction, e.g. `"amelia" emails: Add header with text "Hi"`."""
    context.sessions.append(context.pipeline.start_session(client, instruction))
