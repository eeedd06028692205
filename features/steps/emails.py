"""Steps that send clients' edit instructions (each email thread is one session)."""

from __future__ import annotations

import time

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


@when('"{client}" emails these edits on new threads, {gap:g} seconds apart:')
def step_emails_paced(context: Context, client: str, gap: float) -> None:
    """Each row's `instruction` starts a new thread for the client, the given number of seconds after the last."""
    instructions = [row["instruction"] for row in context.table]
    context.sessions += context.pipeline.send_paced(client, instructions, gap)


@when('"{client}" emails these edits on new threads, each after the last is deployed:')
def step_emails_in_turn(context: Context, client: str) -> None:
    """Each row's `instruction` starts a new thread for the client once the previous edit is deployed."""
    instructions = [row["instruction"] for row in context.table]
    for session, log in context.pipeline.send_one_after_another(client, instructions):
        context.sessions.append(session)
        context.outcomes[session.thread_id] = log


@when('"{client}" emails {count:d} timestamp updates, each after the last is deployed')
def step_emails_timestamps(context: Context, client: str, count: int) -> None:
    """The client sends `count` "Update timestamp to <now>" edits on new threads, one after the other."""
    if count < 1:
        raise ValueError(f"the number of timestamp updates must be at least 1, got {count}")
    for _ in range(count):
        context.last_timestamp = str(time.time_ns() // 1_000_000)
        instruction = f"Update timestamp to {context.last_timestamp}"
        for session, log in context.pipeline.send_one_after_another(client, [instruction]):
            context.sessions.append(session)
            context.outcomes[session.thread_id] = log
