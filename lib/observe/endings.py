"""Why a session ended as its execution says, in the evidence's own words: the container's log, the execution's
history and the queues, read once the execution has ended. What this adds to an outcome is what a failure message
quotes, and what a known fault's signature (lib/expect/known_faults.py) asks for, so a verdict rests on what was read.

Each explanation is a list of clauses joined by ", ": a check joins its problems with "; ", so a clause never
holds one (quoted log text has its own "; " replaced).
"""

from __future__ import annotations

import time

from lib import aws, naming
from lib.expect import contract
from lib.expect.known_faults import CARRIED_ON_EVIDENCE, INTERRUPT_EVIDENCE, STRANDED_EVIDENCE, one_line
from lib.observe import queues
from lib.observe.readers import Readers
from lib.records import Execution, LogLine, Session, SessionLog

QUOTE_CHARS = 240
CLOCK_SKEW_MS = 500  # the container's clock and the state machine's may differ a little


def quote(line: LogLine | None) -> str:
    """A log line as evidence: its task, its time and its words (cut, and free of the problem separator)."""
    if line is None:
        return "(no such line)"
    text = one_line(line.message)
    text = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "..."
    return f"task {line.task_id} logged {text!r} at {clock(line.timestamp_ms)}"


def clock(ms: int) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}"


def explain(target: Readers, session: Session, execution: Execution, outcome: str, log: SessionLog,
            peers: list[Session], ended_ms: int) -> list[str]:
    """What the evidence says of this ending, as clauses for the outcome's detail (none when it adds nothing)."""
    settings = target.settings
    clauses: list[str] = []
    if outcome == contract.BUILD_FAILED:
        interrupt = log.first(settings.phrases.interrupt)
        if interrupt:
            clauses.append(INTERRUPT_EVIDENCE + quote(interrupt))
        failed = log.first(settings.phrases.build_failed)
        clauses.append(f"then {quote(failed)}" if failed else "its log has no failed build line")
    elif outcome == contract.SYNC_FAILED:
        interrupt = log.first(settings.phrases.interrupt)
        if interrupt:
            clauses.append(INTERRUPT_EVIDENCE + quote(interrupt))
        failed = log.first(settings.phrases.sync_failed)
        clauses.append(quote(failed) if failed else "its log has no failed sync line")
        bucket = session.client.bucket
        exists = session.client.has_site and aws.bucket_exists(target.aws.s3, bucket)
        clauses.append(f"its client's bucket {bucket} {'exists' if exists else 'does not exist'}")
        site = execution_site(execution)
        if site:
            clauses.append(f"its output's siteUrl is {site}")
    elif outcome == contract.PREEMPTED:
        # Whose email preempted it: the container's cause, which the execution's own end may not repeat.
        cause = target.executions.task_failure_cause(execution.arn, contract.PREEMPTED_ERROR)
        if cause and cause not in (execution.cause or "") + (execution.output or ""):
            clauses.append(f"its container's cause: {one_line(cause)!r}")
        # Preempted means stopped: work its container still did for it after its execution ended is evidence.
        later = [line for line in log.lines if line.timestamp_ms > ended_ms + CLOCK_SKEW_MS and any(
            line.message.startswith(p) for p in (settings.phrases.committing, settings.phrases.building,
                                                 settings.phrases.deploying))]
        if later:
            clauses.append(f"{CARRIED_ON_EVIDENCE}{quote(later[0])}, "
                           f"{(later[0].timestamp_ms - ended_ms) / 1000:.1f} s after its execution ended")
    elif outcome == contract.FAILED and not log.lines and contract.machine_error(execution.error):
        clauses += unreceived(target, session, execution, peers, ended_ms)
    elif outcome == contract.FAILED and not log.lines:
        clauses.append(f"a container failed it ({execution.error}) before logging a line of its own for thread "
                       f"{session.thread_id}")
    elif outcome == contract.FAILED:
        failed = log.first(settings.phrases.failed)
        if failed:
            clauses.append(quote(failed))
    return clauses


def stash_before(target: Readers, session: Session, log: SessionLog) -> list[LogLine]:
    """The lines with which the container that ran this session, before it switched to the thread, stashed what its
    workspace held and applied it on the thread's branch (git.service.ts:505-557): work another session left."""
    if not log.lines:
        return []
    first = log.lines[0]
    since = session.sent_at_ms - CLOCK_SKEW_MS
    return [line for line in target.logs.refresh() if line.stream == first.stream
            and since <= line.timestamp_ms <= first.timestamp_ms
            and line.message.startswith((contract.LINE_STASHED, contract.LINE_STASH_APPLIED))]


def execution_site(execution: Execution) -> str:
    output = contract.verdict(execution.status, execution.output, execution.error, execution.cause).output
    return str(output.get("siteUrl") or "")


def unreceived(target: Readers, session: Session, execution: Execution, peers: list[Session],
               ended_ms: int) -> list[str]:
    """For an execution that ended without a word from any container: that none received its message (no log
    line of its own, its queue still holding it), the way it went through the state machine, and the interrupt
    that came before it on a container of the same client, if one did."""
    settings = target.settings
    queue = naming.input_queue_for(settings, session.client.project)
    counts = queues.counts(target.aws.sqs, queue)
    held = f"{queue} held {counts[0]} waiting and {counts[1]} in flight" if counts else f"{queue} does not exist"
    clauses = [f"{STRANDED_EVIDENCE} (no log line of its own for thread {session.thread_id}, {held})",
               f"its path: {target.executions.path(execution.arn)}"]
    race = released_after_routing(target, session)
    if race:
        clauses.append(race)
    interrupt = interrupt_before(target, session, peers, ended_ms)
    if interrupt is None:
        clauses.append("no interrupt reached a container of this client before it")
    else:
        released = next((line for line in target.logs.find(settings.phrases.released, interrupt.timestamp_ms)
                         if line.stream == interrupt.stream), None)
        clauses.append(INTERRUPT_EVIDENCE + quote(interrupt) + (f", then {quote(released)}" if released else ""))
    return clauses


def released_after_routing(target: Readers, session: Session) -> str | None:
    """The race an email loses to its owner's idle release (the real container's too): CheckOwnership found the
    owner, so no claim was sent, and the owner released the project before the message reached its queue."""
    intake = session.intake
    if intake is None or not intake.owner_found or intake.ownership_checked_ms is None:
        return None
    key = naming.project_key(target.settings, session.client.project)
    since = intake.ownership_checked_ms - CLOCK_SKEW_MS
    released = next((line for line in target.logs.find(f"{target.settings.phrases.released} {key}", since)), None)
    if released is None:
        return None
    return (f"it lost the race to its owner's release: CheckOwnership found an owner at "
            f"{clock(intake.ownership_checked_ms)} (so no claim was sent), then {quote(released)}")


def interrupt_before(target: Readers, session: Session, peers: list[Session], until_ms: int) -> LogLine | None:
    """The last interrupt logged, before `until_ms`, by a container that handled one of this client's sessions."""
    settings = target.settings
    since = min(s.sent_at_ms for s in [session, *peers])
    opening = settings.phrases.switched.split("{thread_id}")[0]
    streams = {line.stream for peer in peers if peer.thread_id
               for line in target.logs.find(opening + peer.thread_id, since)}
    found = [line for line in target.logs.find(settings.phrases.interrupt, since)
             if line.stream in streams and line.timestamp_ms <= until_ms]
    return found[-1] if found else None

