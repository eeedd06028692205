"""How sessions ended: the execution's word, cross-checked with what the container logged."""

from __future__ import annotations

import itertools
import re
import time

from lib.expect import contract
from lib.expect.known_faults import one_line
from lib.judge import deployments
from lib.records import Session, SessionLog
from lib.settings import Phrases


def cross_check(session: Session, phrases: Phrases) -> list[str]:
    """Where the container's log contradicts what the execution reports (empty when they agree)."""
    outcome = session.outcome
    assert outcome is not None
    log = outcome.log
    who = session.describe()
    problems: list[str] = []
    if outcome.kind == contract.DEPLOYED:
        if not log.has(phrases.sync_ok):
            problems.append(f"{who} reports deploySuccess: true, but its log has no completed sync: {log.summary()}")
        if log.has(phrases.sync_failed):
            problems.append(f"{who} reports deploySuccess: true, but its log says the S3 sync failed: "
                            f"{log.first(phrases.sync_failed)}")
    elif outcome.kind == contract.SYNC_FAILED and not log.has(phrases.sync_failed):
        problems.append(f"{who} reports deploySuccess: false, but the container's log does not say the sync "
                        f"failed: {log.summary()}")
    elif outcome.kind == contract.BUILD_FAILED and log.has(phrases.deploying):
        problems.append(f"{who} reports buildSuccess: false, yet its log shows a deployment: {log.summary()}")
    return (problems + _output_problems(session, phrases) + _callback_order_problems(session, phrases)
            + at_end_problems(session, phrases))


def _output_problems(session: Session, phrases: Phrases) -> list[str]:
    """A success callback's fields say what happened (docs/contract.md#execution-outputs): the client's own site,
    the email's message id, and files changed exactly when the container committed."""
    outcome = session.outcome
    if outcome is None or outcome.kind not in (contract.DEPLOYED, contract.SYNC_FAILED,
                                               contract.BUILD_FAILED):
        return []
    who, output, problems = session.describe(), outcome.output, []
    site, own = output.get("siteUrl"), f"https://{session.client.bucket}"
    if site != own:
        said = f"siteUrl {one_line(str(site))!r}" if site else "no siteUrl"
        problems.append(f"{who} reports {said}, but its client's site is {own}")
    sent = session.intake.input_message_id if session.intake else ""
    if sent and output.get("messageId") != sent:
        problems.append(f"{who} reports messageId {one_line(str(output.get('messageId')))!r}, but its email's "
                        f"message is {sent!r}")
    files, committed = output.get("filesChanged") or [], outcome.log.has(phrases.committing)
    if committed and not files:
        problems.append(f"{who} reports no filesChanged, but its container committed changes "
                        f"({outcome.log.first(phrases.committing)})")
    elif files and not committed:
        problems.append(f"{who} reports filesChanged {sorted(files)}, but its container committed nothing")
    return problems


def _callback_order_problems(session: Session, phrases: Phrases) -> list[str]:
    """The success callback is sent once the workflow has returned: after the sync and the push
    (docs/contract.md#callbacks, #log-lines-in-order). Read by order in the log, so it holds however soon or late
    the log is read, and however quick the late work was."""
    outcome = session.outcome
    if outcome is None or outcome.kind not in (contract.DEPLOYED, contract.SYNC_FAILED):
        return []  # a failed build's workflow ends before the sync and the push
    log = outcome.log
    done = log.first(phrases.done)
    if done is None:
        return []
    later = [line for phrase in (phrases.deploying, phrases.sync_ok, phrases.sync_failed, phrases.pushed)
             if (line := log.first(phrase)) is not None and log.lines.index(line) > log.lines.index(done)]
    if not later:
        return []
    return [f"{session.describe()} sent its success callback ({clock(done.timestamp_ms)}) before its work was "
            f"done: its log has {one_line(later[0].message)!r} at {clock(later[0].timestamp_ms)}, after the callback"]


# S3 and the suite's clock keep whole seconds or drift a little.
CLOCK_SKEW_MS = 1000


def at_end_problems(session: Session, phrases: Phrases) -> list[str]:
    """What the execution reported as done but was not yet true the moment its end was seen: the bucket holding
    its build, its commit at the head of its branch, its project's ownership row moved by its message."""
    outcome = session.outcome
    assert outcome is not None
    moment, log, who = outcome.at_end, outcome.log, session.describe()
    if moment is None or outcome.kind not in (contract.DEPLOYED, contract.SYNC_FAILED):
        return []
    problems: list[str] = []
    when = "when its execution ended"
    if outcome.kind == contract.DEPLOYED:
        if moment.objects is None:
            problems.append(f"{who} reports deploySuccess: true, but {when} its bucket did not exist")
        else:
            problems += [f"{who} reports deploySuccess: true, but {when} {session.client.bucket} was not yet its "
                         f"build: {p}" for p in deployments.latest_build_problems(moment.objects, log, phrases)]
    if log.has(phrases.committing) and session.thread_id:
        branch = contract.branch_for_thread(session.thread_id)
        if moment.head is None:
            pushed = (f"the branches naming its thread are {', '.join(moment.thread_branches)}"
                      if moment.thread_branches else "no branch on GitHub names its thread")
            problems.append(f"{who} committed, but {when} its branch {branch} was not on GitHub ({pushed})")
        elif contract.commit_session(moment.head.message) != session.thread_id:
            problems.append(f"{who} committed, but {when} the head of {branch} was {moment.head.sha[:8]} "
                            f"{moment.head.subject!r}, not its commit")
        elif moment.head_files is not None and (files := outcome.output.get("filesChanged")) and sorted(
                files) != list(moment.head_files):
            problems.append(f"{who} reports filesChanged {sorted(files)}, but its commit {moment.head.sha[:8]} "
                            f"changed {list(moment.head_files)}")
    building = session.owner_while_building
    if building is not None and building.ownership is None:
        # docs/contract.md#claiming-and-bookkeeping: released after 5 minutes idle or on an interrupt, never while
        # a message is worked on; a session that ended by its own callback was not interrupted.
        problems.append(f"{who}: while it was building ({clock(building.taken_ms)}), nobody owned "
                        f"{session.client.project}: its container released the project while working on it")
    owner = moment.ownership
    if owner is not None:
        if owner.last_activity_ms < session.sent_at_ms - CLOCK_SKEW_MS:
            problems.append(f"{who}: {when}, the ownership row of {session.client.project} was last active at "
                            f"{clock(owner.last_activity_ms)}, before its email was sent "
                            f"({clock(session.sent_at_ms)}): lastActivity does not move with each message")
        if owner.ttl_s * 1000 < owner.last_activity_ms:
            problems.append(f"{who}: the ownership row's ttl ({owner.ttl_s}) is before its lastActivity")
    return problems


def clock(ms: int) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}"


def overlap_problems(sessions: list[Session], phrases: Phrases) -> list[str]:
    """A client's sessions never overlap in time: one container handles one of its messages at a time. A session
    whose container started another before logging this one's end was handled at once with it, whatever lines
    came later."""
    ends = (phrases.done, phrases.failed, phrases.interrupted)
    problems = [f"{s.describe()} was still being worked on when its container started another session "
                f"({one_line(s.outcome.log.cut_by.message)} at {clock(s.outcome.log.cut_by.timestamp_ms)})"
                for s in sessions if s.outcome and s.outcome.log.cut_by is not None
                and not any(s.outcome.log.has(phrase) for phrase in ends)]
    for name, group in itertools.groupby(sorted(sessions, key=lambda s: s.client.name), key=lambda s: s.client.name):
        # A session's span ends at its end line: what its container logs later may be for another client.
        spans = sorted((s.outcome.log.lines[0].timestamp_ms, _ended_ms(s.outcome.log, ends), s)
                       for s in group if s.outcome and s.outcome.log.lines)
        for (_, first_end, first), (second_start, _, second) in itertools.pairwise(spans):
            if second_start < first_end:
                problems.append(f"{first.describe()} and {second.describe()} of {name} were handled at the same time "
                                f"({clock(second_start)} < {clock(first_end)})")
    return problems


def _ended_ms(log: SessionLog, ends: tuple[str, ...]) -> int:
    found = [line.timestamp_ms for line in log.lines if line.message.startswith(ends)]
    return min(found) if found else log.lines[-1].timestamp_ms


def not_deployed(sessions: list[Session]) -> list[str]:
    return [f"{s.describe()} ended {s.outcome.describe()}, its log: {s.outcome.log.summary()}"
            for s in sessions if s.outcome and s.outcome.kind != contract.DEPLOYED]


def last_wins_problems(sessions: list[Session]) -> list[str]:
    """For rapid switching (docs/contract.md#what-rapid-switching-promises): each client's last session is
    deployed; every earlier one ended deployed or preempted, never failed and never left running."""
    problems: list[str] = []
    for _, group in itertools.groupby(sorted(sessions, key=lambda s: s.client.name), key=lambda s: s.client.name):
        mine = sorted(group, key=lambda s: s.sent_at_ms)
        for session in mine[:-1]:
            assert session.outcome is not None
            if session.outcome.kind not in (contract.DEPLOYED, contract.PREEMPTED):
                problems.append(f"{session.describe()} ended {session.outcome.describe()}, neither deployed nor "
                                f"preempted")
        last = mine[-1]
        assert last.outcome is not None
        if last.outcome.kind != contract.DEPLOYED:
            problems.append(f"the last edit, {last.describe()}, ended {last.outcome.describe()}")
    return problems


# Whose email preempted a session: its interrupt's reason as its container logs it ("Processing interrupt: New
# message in thread ..."), and the cause of its PREEMPTED failure when the system keeps one (moto drops it;
# docs/contract.md#callbacks).
PREEMPTED_BY = re.compile(r"""new message in thread ([^\s,;)'"]+)""", re.IGNORECASE)


def preemption_problems(sessions: list[Session], phrases: Phrases) -> list[str]:
    """A session is preempted only by a newer email of its own client: each thread its preemption names must
    have an email sent after it (a reply on the same thread counts)."""
    problems = []
    for session in sessions:
        outcome = session.outcome
        if outcome is None or outcome.kind != contract.PREEMPTED:
            continue
        mine = [s for s in sessions if s.client.name == session.client.name]
        interrupt = outcome.log.first(phrases.interrupt)
        named = dict.fromkeys(PREEMPTED_BY.findall(outcome.detail + " " + (interrupt.message if interrupt else "")))
        for thread in named:
            if any(s.thread_id == thread and s.sent_at_ms > session.sent_at_ms for s in mine):
                continue
            whose = ("its own thread" if thread == session.thread_id else
                     "a thread of its client" if any(s.thread_id == thread for s in mine) else
                     f"no thread of {session.client.name}'s")
            problems.append(f"{session.describe()} was preempted by a new message in thread {thread} ({whose}), "
                            f"but no email of {session.client.name} in that thread was sent after it: only a newer "
                            "email may preempt a session")
    return problems


def deployment_order_problems(sessions: list[Session], phrases: Phrases) -> list[str]:
    """Which of a client's deployed sessions were deployed before one it sent earlier."""
    problems = []
    for _, group in itertools.groupby(sorted(sessions, key=lambda s: s.client.name), key=lambda s: s.client.name):
        deployed = [(s, s.outcome.log.first(phrases.sync_ok)) for s in sorted(group, key=lambda s: s.sent_at_ms)
                    if s.outcome and s.outcome.kind == contract.DEPLOYED]
        for (earlier, first), (later, second) in itertools.pairwise(deployed):
            if first and second and second.timestamp_ms < first.timestamp_ms:
                problems.append(f"{later.instruction!r} (sent after {earlier.instruction!r}) was deployed before it")
    return problems


def failed_build_problems(session: Session, phrases: Phrases) -> list[str]:
    """A session whose edit broke the build: its execution says buildSuccess: false, nothing was synced (the
    bucket is object for object what it was before the email) and nothing was pushed (the branch head is too)."""
    outcome = session.outcome
    assert outcome is not None
    who = session.describe()
    if outcome.kind != contract.BUILD_FAILED:
        return [f"{who} ended {outcome.describe()} instead of failing to build (buildSuccess: false); its log: "
                f"{outcome.log.summary()}"]
    problems = cross_check(session, phrases)
    before, after = session.before, outcome.at_end
    if before is None or after is None:
        return [*problems, f"{who}: the bucket and branch were not read before and after it"]
    was = {(o.key, o.etag, o.size, o.last_modified) for o in before.objects or []}
    now = {(o.key, o.etag, o.size, o.last_modified) for o in after.objects or []}
    if was != now:
        changed = sorted({key for key, *_ in was ^ now})
        problems.append(f"{who} failed to build, yet its bucket changed: {', '.join(changed[:8])}")
    heads = [m.head.sha[:8] if m.head else "no branch" for m in (before, after)]
    if heads[0] != heads[1]:
        problems.append(f"{who} failed to build, yet its branch was pushed: its head was {heads[0]}, "
                        f"then {heads[1]} ({after.head.subject if after.head else ''!r})")
    return problems


def interrupted_build_problems(pairs: list[tuple[Session, Session]], phrases: Phrases) -> list[str]:
    """For each (session, the client's next email, sent once the session's build had begun): the session's log
    shows the interrupt arriving after its build began and before it deployed: an interrupt stops the running
    build or sync (docs/contract.md#what-the-container-does-on-an-interrupt). When the session was already over
    as the next email was checked for an active job, or had deployed before the interrupt was sent, no interrupt
    could reach it in time: the problem says the race was lost, which is no fault of the system."""
    problems = []
    for earlier, later in pairs:
        assert earlier.outcome is not None
        log = earlier.outcome.log
        building, interrupt = log.first(phrases.building), log.first(phrases.interrupt)
        synced = log.first(phrases.sync_ok)
        who = f"{earlier.describe()}, building when {later.instruction!r} arrived,"
        if interrupt is None:
            problems.append(_race_lost(earlier, later, synced.timestamp_ms if synced else None) or (
                f"{who} was never interrupted (it ended {earlier.outcome.ended()}): {log.summary()}"))
        elif building is None or interrupt.timestamp_ms < building.timestamp_ms:
            problems.append(f"{who} was interrupted before its build began: {interrupt.message!r}")
        elif synced is not None and synced.timestamp_ms <= interrupt.timestamp_ms:
            problems.append(_race_lost(earlier, later, synced.timestamp_ms) or (
                f"{who} deployed before the interrupt reached it ({synced.message!r}, then {interrupt.message!r})"))
    return problems


def _race_lost(earlier: Session, later: Session, deployed_ms: int | None) -> str | None:
    """Why no interrupt could stop `earlier` in time, from the later email's CheckActiveJob (its result and when it
    ended), if that is so; None when an interrupt was sent for it while it had not yet deployed."""
    intake = later.intake
    if intake is None or intake.active_job is None or intake.active_job_checked_ms is None:
        return None
    check, at = intake.active_job, clock(intake.active_job_checked_ms)
    mine = (earlier.intake.parsed.get("messageId") if earlier.intake else None) or None
    lost = f"race lost, not a fault: {later.describe()} was checked for an active job at {at}"
    if not check.get("hasActiveJob") or not check.get("interruptSent"):
        return f"{lost}, when no interrupt was sent ({check}): {earlier.describe()} had ended by then"
    if mine is not None and check.get("activeMessageId") not in (None, mine):
        return f"{lost}, when the active job was another ({check.get('activeMessageId')}), not {earlier.describe()}"
    if deployed_ms is not None and deployed_ms <= intake.active_job_checked_ms:
        return f"{lost}, after {earlier.describe()} had deployed at {clock(deployed_ms)}"
    return None
