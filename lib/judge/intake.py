"""What the pipeline made of an email, against what the scenario sent (docs/contract.md#entry-by-email): read from the
execution's history seconds after the email was put, so that an email read wrongly is named at once instead of
waiting out a deadline for a deployment that cannot come."""

from __future__ import annotations

from dataclasses import dataclass, field

from lib.expect import contract
from lib.expect.known_faults import one_line
from lib.judge.outcomes import clock
from lib.records import Intake, Ownership

# The state machine's clock and the container's (which stamps claimedAt) may differ a little.
CLOCK_SKEW_MS = 1000


@dataclass(frozen=True)
class Sent:
    """What the scenario's email says, as the intake must read it."""

    project: str
    user: str
    queue: str  # the name of the project+user's input queue
    replied_thread: str | None = None  # the thread of the email it answers, when it is a reply and that is known
    others: dict[str, str] = field(default_factory=dict)  # threads of the client's other threads -> whose


def problems(who: str, sent: Sent, intake: Intake, owner: Ownership | None) -> list[str]:
    """Each difference between what the email says and what the pipeline understood or chose, as a sentence;
    `owner` is the project's ownership row read after the execution routed the email."""
    parsed = intake.parsed
    found: list[str] = []
    for name, want in (("projectId", sent.project), ("userId", sent.user)):
        if parsed.get(name) != want:
            found.append(f"the pipeline read {name} {_said(parsed.get(name))} from {who}, whose recipient names "
                         f"{want!r}")
    queue = str(parsed.get("queueUrl") or "").rstrip("/").rsplit("/", 1)[-1]
    if queue != sent.queue:
        found.append(f"the pipeline routed {who} to the queue {_said(queue or None)}, not its project's "
                     f"{sent.queue!r}")
    thread = parsed.get("threadId")
    if sent.replied_thread is not None and thread != sent.replied_thread:
        found.append(f"the pipeline gave {who}, a reply, the thread {_said(thread)}, not the thread of the email "
                     f"it answers ({sent.replied_thread})")
    elif isinstance(thread, str) and thread in sent.others:
        found.append(f"the pipeline put {who}, a new email, in the thread {thread}, which is {sent.others[thread]}'s")
    if intake.input_message_id and parsed.get("messageId") != intake.input_message_id:
        found.append(f"the pipeline parsed {who} as message {_said(parsed.get('messageId'))}, but its "
                     f"execution was started for {intake.input_message_id!r}")
    return found + _route_problems(who, sent, intake, owner)


def _route_problems(who: str, sent: Sent, intake: Intake, owner: Ownership | None) -> list[str]:
    routed = f"routed {who} by {intake.route}"
    if intake.owner_found is True and intake.route != contract.ROUTE_OWNED:
        return [f"the pipeline found an owner of {sent.project} and still {routed} (a new claim)"]
    if intake.owner_found is False and intake.route != contract.ROUTE_UNOWNED:
        return [f"the pipeline found no owner of {sent.project} and {routed}, as if it were owned"]
    checked = intake.ownership_checked_ms
    # A row that exists now and was claimed before CheckOwnership looked existed when it looked: a container
    # that re-claims writes a new claimedAt.
    if (intake.owner_found is False and owner is not None and checked is not None and owner.claimed_at_ms
            and owner.claimed_at_ms < checked - CLOCK_SKEW_MS):
        return [f"the pipeline {routed} (a new claim) as if {sent.project} had no owner, but {owner.container_id} "
                f"had owned it since {clock(owner.claimed_at_ms)}, before CheckOwnership looked at {clock(checked)}"]
    return []


def _said(value: object) -> str:
    return repr(one_line(str(value))) if value else "nothing"
