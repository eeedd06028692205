"""Wait for a session's outcome: find the execution its email started, learn its thread from the system, wait
for the execution to end, and read the container's log for it. A session that cannot end (its container
stopped, its message dead-lettered, its owner serving another project) ends the wait early, saying where."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lib import naming
from lib.expect import contract, known_faults
from lib.judge import intake as intake_check
from lib.observe import containers, endings, moments, queues
from lib.observe.readers import Readers
from lib.observe.waiters import wait_until
from lib.records import Execution, LogLine, Outcome, OwnerReading, Session, SessionLog

DIAGNOSE_EVERY_S = 2.0
# While a session's container is seen working (its log has lines and no ending yet), its execution cannot end but
# by the state machine's own time-outs, so it is read again only this often; its end is read at once once the log
# says the session is done. Before the log shows anything, and after, the execution is read every tick.
WORKING_EXECUTION_EVERY_S = 1.0


class SessionStuck(AssertionError):
    """A session that cannot end: the message says where it is stuck."""


class PhaseNotReached(AssertionError):
    """A session that ended (or cannot end) before its container reached the phase a step waited for."""


class EmailMisread(AssertionError):
    """An email the pipeline read or routed otherwise than it says: named as soon as its execution routed it."""


class NoOutcome(AssertionError):
    """A session whose end was awaited before and not seen (stuck, or the deadline passed): said again at once,
    so that the checks after a failure still run without waiting out the same deadline again."""


@dataclass
class Seen:
    execution: Execution | None
    log: SessionLog
    stuck: str | None = None
    misread: str | None = None  # what the pipeline made of the email otherwise than it says

    @property
    def cannot_go_on(self) -> bool:
        return self.stuck is not None or self.misread is not None


Siblings = Callable[[Session], list[Session]]


class SessionObserver:
    """`siblings(session)`: the sessions of the scenario on the same thread (the session included), so that a
    thread's log is shared out in the order its sessions ended; `peers(session)`: the scenario's other sessions of
    the same client, whose containers' logs tell what came before a session that no container took."""

    def __init__(self, target: Readers, siblings: Siblings = lambda session: [session],
                 peers: Siblings = lambda session: []) -> None:
        self.target = target
        self.settings = target.settings
        self.siblings = siblings
        self.peers = peers
        self._diagnosed: dict[Session, float] = {}  # keyed by the session itself: an id() can be reused
        self._read: dict[Session, tuple[float, Execution]] = {}  # its execution as last read, and when
        self._suspected: dict[Session, str] = {}  # a stall seen once, named when the next diagnosis sees it again

    # -- one probe -----------------------------------------------------------------------------------------------
    def look(self, session: Session) -> Seen:
        executions = self.target.executions
        log = self._log(session)
        execution = self._execution_now(session, log)
        if execution is not None:
            session.execution_arn = execution.arn
            if session.thread_id is None:
                session.thread_id = executions.thread_id(execution.arn)
                log = self._log(session)
        seen = Seen(execution, log)
        if execution is not None and session.intake is None:
            seen.misread = self._judge_intake(session, execution)
        if (session.owner_while_building is None and execution is not None and execution.running
                and log.has(self.settings.phrases.building) and not log.has(self.settings.phrases.interrupt)):
            # While it works its container must own the project (released only idle or on an interrupt).
            session.owner_while_building = OwnerReading(int(time.time() * 1000), containers.ownership(
                self.target.aws.dynamodb, self.settings, session.client.project))
        if execution is not None and execution.running and self._due(session):
            seen.stuck = self.diagnose(session, log)
        elif execution is None:
            seen.stuck = self._not_taken_in(session)
        return seen

    def _not_taken_in(self, session: Session) -> str | None:
        """The intake starts an email's execution within seconds of its landing (an S3 event, a queue, a Lambda):
        past the intake's deadline with none, the email was not taken in."""
        waited_s = (time.time() * 1000 - session.sent_at_ms) / 1000
        deadline_s = self.settings.timing.intake_deadline_s
        if waited_s < deadline_s:
            return None
        name = contract.execution_name(session.email_key.rsplit("/", 1)[-1])
        return (f"the intake took no notice of its email: {waited_s:.0f} s after it landed in the email bucket "
                f"(the intake's deadline: {deadline_s:.0f} s), {self.settings.stack.state_machine} has no execution "
                f"{name}")

    def _log(self, session: Session) -> SessionLog:
        """The session's log so far. Provisional while it runs: the thread's sessions that have ended came before
        it."""
        if session.thread_id is None:
            return SessionLog("")
        return self.target.logs.session(session.thread_id, self._thread_since(session),
                                        sum(1 for s in self.siblings(session) if s.outcome is not None))

    def _execution_now(self, session: Session, log: SessionLog) -> Execution | None:
        """The session's execution, read again unless its container is seen at work and it was read a moment ago."""
        phrases = self.settings.phrases
        last = self._read.get(session)
        working = bool(log.lines) and not any(log.has(p) for p in (phrases.done, phrases.failed, phrases.interrupted))
        if last is not None and working and last[1].running and time.monotonic() - last[0] < WORKING_EXECUTION_EVERY_S:
            return last[1]
        execution = self._execution(session)
        if execution is not None:
            self._read[session] = (time.monotonic(), execution)
        return execution

    def _judge_intake(self, session: Session, execution: Execution) -> str | None:
        """Once the execution has routed the email: what the pipeline made of it, against what was sent."""
        intake = self.target.executions.intake(execution)
        if intake is None:
            return None
        session.intake = intake
        s = self.settings
        related = {id(sibling) for sibling in self.siblings(session)} | {
            id(peer) for peer in self.peers(session) if _root(peer) is _root(session)}
        others = {p.thread_id: p.describe() for p in self.peers(session) if p.thread_id and id(p) not in related}
        replied = session.replying_to.thread_id if session.replying_to else None
        sent = intake_check.Sent(session.client.project, s.run.user_id,
                                 naming.input_queue_for(s, session.client.project), replied, others)
        owner = containers.ownership(self.target.aws.dynamodb, s, session.client.project)
        found = intake_check.problems(session.describe(), sent, intake, owner)
        if not found:
            return None
        after_s = (time.time() * 1000 - session.sent_at_ms) / 1000
        return "; ".join(found) + f" (seen {after_s:.1f} s after the email was put)"

    def _due(self, session: Session) -> bool:
        now = time.monotonic()
        if now - self._diagnosed.get(session, 0.0) < DIAGNOSE_EVERY_S:
            return False
        self._diagnosed[session] = now
        return True

    def diagnose(self, session: Session, log: SessionLog) -> str | None:
        """Why a running session cannot end, read from the system (never written to), or None."""
        aws = self.target.aws
        if log.task_id:
            status = containers.task_status(aws.ecs, self.settings, log.task_id)
            if status == "STOPPED":
                reason = containers.stopped_reason(aws.ecs, self.settings, log.task_id)
                return (f"the container that took it (ECS task {log.task_id}) is STOPPED ({reason}) while its "
                        f"execution still runs; its last line: {log.summary(1)}")
        dlq = naming.dead_letter_queue_for(self.settings, session.client.project)
        waiting = queues.counts(aws.sqs, dlq)
        if waiting and waiting[0] + waiting[1]:
            return f"its message was moved to the dead-letter queue {dlq}"
        return (containers.unserved(aws.dynamodb, self.settings, session.client.name, session.client.project)
                or self._confirmed(session, self._taken_not_handled(session, log)))

    def _confirmed(self, session: Session, stall: str | None) -> str | None:
        """A stall read from counts and rows that two writes of a container can cross (a message taken, then its
        job recorded): named only when two diagnoses in a row see it."""
        before = self._suspected.pop(session, None)
        if stall is None:
            return None
        if before is None:
            self._suspected[session] = stall
            return None
        return stall

    def _taken_not_handled(self, session: Session, log: SessionLog) -> str | None:
        """A routed message that no container works on although it has left its queue (taken, then deleted or
        left in flight): the contract's container records an active job for the message it takes, at once."""
        if session.intake is None or log.lines:
            return None
        aws, project = self.target.aws, session.client.project
        queue = naming.input_queue_for(self.settings, project)
        counts = queues.counts(aws.sqs, queue)
        job = containers.active_job(aws.dynamodb, self.settings, project)
        message_id = session.intake.parsed.get("messageId")
        if counts is None or counts[0] or (job is not None and job.message_id == message_id):
            return None
        owner = containers.ownership(aws.dynamodb, self.settings, project)
        by = f"its queue's owner {owner.container_id}" if owner else "no container (nobody owns the project now)"
        busy = self._dropped_as_busy(session)
        by += f", {known_faults.DROPPED_BUSY_EVIDENCE}{endings.quote(busy)}" if busy else ""
        if job is None and counts[1]:
            return (f"its message was taken and not handled: {queue} holds it in flight (0 waiting, {counts[1]} in "
                    f"flight), but no active job is recorded and no container logged its thread, taken by {by}")
        if counts[1] == (1 if job else 0):
            working = f"the active job is {job.message_id}'s" if job else "no active job is recorded"
            return (f"its message was taken and not handled: it is no longer in {queue} (0 waiting, {counts[1]} in "
                    f"flight), {working} and no container logged its thread, taken by {by}")
        return None

    def _dropped_as_busy(self, session: Session) -> LogLine | None:
        """The line of a container that took a message of this client's after it was sent and returned at once,
        busy with another: the line right after its `Received Step Functions message for` on the same stream."""
        key = naming.project_key(self.settings, session.client.project)
        lines = self.target.logs.refresh()
        for n, line in enumerate(lines):
            if line.timestamp_ms < session.sent_at_ms or line.message != contract.LINE_RECEIVED.format(key=key):
                continue
            after = [later for later in lines[n + 1:] if later.stream == line.stream][:2]
            busy = next((later for later in after if later.message.startswith(contract.LINE_BUSY)), None)
            if busy is not None:
                return busy
        return None

    def describe(self, session: Session, seen: Seen) -> str:
        if seen.stuck:
            return f"stuck: {seen.stuck}"
        if seen.execution is None:
            return f"no execution has started for {session.email_key} in {self.settings.stack.state_machine} yet"
        parts = [f"execution {seen.execution.name} {seen.execution.status}"]
        if seen.execution.running:
            parts.append(f"at {self.target.executions.current_state(seen.execution.arn)}")
            counts = queues.counts(self.target.aws.sqs, naming.input_queue_for(self.settings, session.client.project))
            if counts is not None:
                parts.append(f"its queue: {counts[0]} waiting, {counts[1]} in flight")
        parts.append(f"thread {session.thread_id or 'not known yet'}")
        parts.append(f"log: {seen.log.summary(2)}")
        return ", ".join(parts)  # one problem: "; " would split it

    # -- waiting -------------------------------------------------------------------------------------------------
    def await_outcome(self, session: Session, deadline_s: float | None = None) -> Outcome:
        """Wait until the session's execution ends (or it is found stuck); its outcome, with the container's log."""
        if session.outcome is not None:
            return session.outcome
        if session.unended:
            raise NoOutcome(session.unended)
        try:
            seen = wait_until(
                f"the outcome of {session.describe()}",
                lambda: self.look(session),
                lambda seen: seen.cannot_go_on or (seen.execution is not None and not seen.execution.running),
                deadline_s or self.settings.timing.deployment_timeout_s,
                describe=lambda seen: self.describe(session, seen),
                **self.target.wait_options(),
            )
        except AssertionError as timed_out:
            session.unended = str(timed_out)
            raise
        detected_ms = int(time.time() * 1000)
        if seen.misread:
            session.unended = seen.misread
            raise EmailMisread(session.unended)
        if seen.stuck:
            state = self.target.executions.current_state(seen.execution.arn) if seen.execution else "?"
            session.unended = f"{session.describe()} cannot end: {seen.stuck} (its execution is at {state})"
            raise SessionStuck(session.unended)
        execution = seen.execution
        assert execution is not None
        verdict = contract.verdict(execution.status, execution.output, execution.error, execution.cause)
        # Read at once, before anything else waits: what the system reports as done must already be true now.
        at_end = moments.take(self.target, session.client, session.thread_id)
        ended_ms = int((execution.stopped.timestamp() if execution.stopped else time.time()) * 1000)
        log = self._final_log(session, execution, seen.log, ended_ms)
        evidence = endings.explain(self.target, session, execution, verdict.outcome, log, self.peers(session),
                                   ended_ms)
        detail = ", ".join([verdict.detail, *evidence])
        session.outcome = Outcome(verdict.outcome, detail, execution.status, verdict.output, ended_ms,
                                  detected_ms, log, at_end, tuple(evidence))
        self.target.detections.append({"thread_id": session.thread_id, "outcome": verdict.outcome,
                                       "ended_ms": ended_ms, "detected_ms": detected_ms})
        return session.outcome

    def await_phase(self, session: Session, phrase: str) -> LogLine:
        """Wait until the session's container logs `phrase` (its build starting, say) while it still works; the
        line. A session that ends, or cannot end, before it does fails the wait, saying how."""
        seen = wait_until(
            f"{session.describe()} to log {phrase!r}",
            lambda: self.look(session),
            lambda seen: seen.log.has(phrase) or seen.cannot_go_on or (
                seen.execution is not None and not seen.execution.running),
            self.settings.timing.deployment_timeout_s,
            describe=lambda seen: self.describe(session, seen),
            **self.target.wait_options(),
        )
        if seen.misread:
            session.unended = seen.misread
            raise EmailMisread(session.unended)
        line = seen.log.first(phrase)
        if line is None:
            raise PhaseNotReached(f"{session.describe()} never logged {phrase!r} while it worked: "
                                  f"{self.describe(session, seen)}")
        return line

    def _thread_since(self, session: Session) -> int:
        return min(s.sent_at_ms for s in self.siblings(session))

    def _rank(self, session: Session, ended_ms: int) -> int:
        """How many of the thread's other sessions ended before this one (a reply can overtake its root)."""
        rank = 0
        for other in self.siblings(session):
            if other is session:
                continue
            stopped = other.outcome.ended_at_ms if other.outcome else self._stopped_ms(other)
            if stopped is not None and (stopped, other.sent_at_ms) < (ended_ms, session.sent_at_ms):
                rank += 1
        return rank

    def _execution(self, session: Session) -> Execution | None:
        """The session's execution: known by its ARN, else found by its email's key."""
        executions = self.target.executions
        return (executions.describe(session.execution_arn) if session.execution_arn
                else executions.for_email(self.settings.stack.email_bucket, session.email_key, session.sent_at))

    def _stopped_ms(self, session: Session) -> int | None:
        execution = self._execution(session)
        if execution is None or execution.running or execution.stopped is None:
            return None
        return int(execution.stopped.timestamp() * 1000)

    def _final_log(self, session: Session, execution: Execution, log: SessionLog, ended_ms: int) -> SessionLog:
        """The session's log up to its last line (CloudWatch may lag the execution by a moment). A log that never
        shows an end is the session's log all the same: the execution has ended, and the checks say what is missing
        (no completed sync for a deployment, say), where a time-out would say nothing."""
        s = self.settings
        if session.thread_id is None or (contract.machine_error(execution.error) and not log.lines):
            return log  # the state machine ended it before any container did
        ends = (s.phrases.done, s.phrases.failed, s.phrases.interrupted)
        since, rank = self._thread_since(session), self._rank(session, ended_ms)
        read = lambda: self.target.logs.session(session.thread_id or "", since, rank)  # noqa: E731
        try:
            return wait_until(
                f"the container's last log line for {session.describe()}",
                read,
                # A log cut by another session's start before its end will not grow: the checks name the overlap.
                lambda log: any(log.has(phrase) for phrase in ends) or log.cut_by is not None,
                s.timing.log_timeout_s,
                describe=lambda log: log.summary(),
                **self.target.wait_options(),
            )
        except AssertionError:
            return read()

    def await_outcomes(self, sessions: list[Session], failures_allowed: bool = False) -> None:
        """Wait for several sessions at once, so each outcome is seen as soon as it happens. With
        `failures_allowed`, a session whose end cannot be seen is left without an outcome instead of failing."""
        pending = [s for s in sessions if s.outcome is None]
        with ThreadPoolExecutor(max_workers=max(1, len(pending))) as pool:
            for future in [pool.submit(self.await_outcome, s) for s in pending]:
                try:
                    future.result()
                except AssertionError:
                    if not failures_allowed:
                        raise


def _root(session: Session) -> Session:
    """The first email of the session's thread, as the scenario sent it (following its replies back)."""
    while session.replying_to is not None:
        session = session.replying_to
    return session
