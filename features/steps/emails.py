"""Steps that send clients' edit instructions as emails (each email thread is one conversation).

Every email starts a new thread unless the step says it is a reply; a thread's name (e.g. "A") is the scenario's
own, for replying on it later."""

from __future__ import annotations

from behave import when
from behave.runner import Context

from lib.scenario import actions, plan
from lib.scenario.inputs import (
    EMAILS_AT_ONCE,
    INSTRUCTIONS,
    INTERRUPTING_INSTRUCTIONS,
    THREADED_INSTRUCTIONS,
    Row,
    at_least,
    takes,
)
from lib.scenario.world import world

_GAP = at_least(0, "the gap between emails", "seconds")


@when("these emails arrive at the same time:")
@takes(EMAILS_AT_ONCE, sends=plan.email_rows, at_once=True)
def step_emails_at_once(context: Context, rows: list[Row]) -> None:
    """Each row (`client`, `instruction`) is an email starting a new thread for that client; all are sent at once.
    At least two rows."""
    actions.send_at_once(world(context), [(row["client"], row["instruction"]) for row in rows])


@when('"{client}" emails: {instruction}')
@takes(sends=plan.one_email)
def step_client_emails(context: Context, client: str, instruction: str) -> None:
    """The client starts a new thread with this instruction, e.g. `"amelia" emails: Add header with text "Hi"`."""
    actions.send(world(context), client, instruction)


@when('"{client}" emails with {encoding} encoding: {instruction}')
@takes(sends=plan.one_email, needs=(plan.encodable,))
def step_client_emails_encoded(context: Context, client: str, encoding: str, instruction: str) -> None:
    """The client starts a new thread from a mail client that encodes the body so: `quoted-printable` or `base64`
    (UTF-8, as Gmail and Outlook send text outside ASCII), or `Latin-1` (quoted-printable, as older clients do)."""
    actions.send(world(context), client, instruction, encoding=encoding)


@when('"{client}" emails these edits on new threads, {gap:g} seconds apart:')
@when('"{client}" emails these edits on new threads, {gap:g} second apart:')
@takes(INSTRUCTIONS, gap=_GAP, sends=plan.instruction_rows)
def step_emails_paced(context: Context, client: str, gap: float, rows: list[Row]) -> None:
    """Each row's `instruction` starts a new thread for the client, the given number of seconds after the last."""
    actions.send_paced(world(context), client, [r["instruction"] for r in rows], gap)


@when('"{client}" emails on a new thread "{thread}": {instruction}')
@takes(sends=plan.one_email, needs=(plan.thread_new,))
def step_client_emails_on_named_thread(context: Context, client: str, thread: str, instruction: str) -> None:
    """The client starts a new thread, which later steps call by the given name (e.g. "A")."""
    actions.send(world(context), client, instruction, thread=thread)


@when('"{client}" replies on thread "{thread}": {instruction}')
@takes(sends=plan.one_email, needs=(plan.thread_started,))
def step_client_replies(context: Context, client: str, thread: str, instruction: str) -> None:
    """The client replies to the latest email of one of its named threads; the reply joins that thread."""
    actions.send(world(context), client, instruction, thread=thread)


@when('"{client}" emails these edits on new threads, each while the last is building:')
@takes(INTERRUPTING_INSTRUCTIONS, sends=plan.instruction_rows, marks=plan.mark("while-building"), serial=True)
def step_emails_while_building(context: Context, client: str, rows: list[Row]) -> None:
    """Each row's `instruction` starts a new thread for the client as soon as the container logs that the previous
    edit's build has begun (`Step 3/5: Building Astro site...`), so every email after the first arrives during a
    build. At least two rows."""
    actions.send_while_building(world(context), client, [r["instruction"] for r in rows])


@when('"{client}" emails these edits on new threads, each after the last is deployed:')
@takes(INSTRUCTIONS, sends=plan.instruction_rows, serial=True)
def step_emails_in_turn(context: Context, client: str, rows: list[Row]) -> None:
    """Each row's `instruction` starts a new thread for the client once the previous edit is deployed."""
    actions.send_in_turn(world(context), client, [("", r["instruction"]) for r in rows])


@when('"{client}" emails these edits, each after the last is deployed:')
@takes(THREADED_INSTRUCTIONS, sends=plan.instruction_rows, serial=True)
def step_emails_on_threads(context: Context, client: str, rows: list[Row]) -> None:
    """Each row is an email once the previous edit is deployed. The `thread` column names threads: a name's
    first row starts a new thread, a later row with the same name replies on that thread."""
    actions.send_in_turn(world(context), client, [(r["thread"], r["instruction"]) for r in rows])


@when('"{client}" emails {count:d} timestamp updates, each after the last is deployed')
@when('"{client}" emails {count:d} timestamp update, each after the last is deployed')
@takes(count=at_least(1, "the number of timestamp updates"), sends=plan.made_up, marks=plan.mark("timestamps"),
       serial=True)
def step_emails_timestamps(context: Context, client: str, count: int) -> None:
    """The client sends `count` "Update timestamp to <now>" edits on new threads, one after the other."""
    actions.send_timestamps(world(context), client, count)
