"""The oracle: a scenario's whole history, as the readers saw it, against the reference model (lib/expect/model.py).

Every scenario ends with it, so every feature gets the checks nobody wrote a step for: how each session ended, every
field of its callback, the lines its log must and must not hold, its thread, its commit to the character (message,
author, committer, files), the secrets nothing may show, and each client's rows and queues once quiet. Each mismatch
is one problem that says what the model expected, what was observed and where, in words a known fault's signature
(lib/expect/known_faults.py) can recognise, so a known fault stays scoped to its own evidence."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from lib.expect import commit_message, contract
from lib.expect.instructions import Grammar
from lib.expect.known_faults import one_line
from lib.expect.model import (
    CHOICES,
    COMMIT_AUTHOR,
    FLAGS,
    OUTPUT_KEYS,
    PREEMPTED,
    Email,
    Model,
    Prediction,
    in_order,
    secrets_in,
)
from lib.records import CommitInfo, History, LogLine, Session, SessionLog
from lib.settings import Phrases

CLOCK_SKEW_MS = 2000
LOUD = ("WARN", "ERROR", "FATAL")  # the levels a healthy session never logs (CHOICES['healthy-is-quiet'])
OWNERSHIP_TTL_S = 3600
RELEASE_WITHIN_MS = 5000  # a release's one DeleteItem, and its error line if it fails


def problems(history: History, phrases: Phrases, user_id: str, grammar: Grammar, boot: Sequence[str] = ()
             ) -> list[str]:
    """Every way the history differs from the model's predictions (empty when it agrees in everything), each one
    problem (the words it quotes, the model's reasons among them, never split it in two for the known faults' rule).
    `boot`: the lines a container must log as it starts (lib.expect.model.boot_lines), judged on each container of
    these sessions whose start is in the history."""
    predictions = predict(history.sessions, user_id, grammar)
    words = asdict(phrases)
    found: list[str] = []
    for session in history.sessions:
        prediction = predictions[session.email_key]
        found += _execution_name(session, history)
        if session.outcome is None:
            continue  # how it could not end is said where its wait failed
        found += (_outcome(session, prediction) + _output(session, prediction)
                  + _log(session, prediction, words, history) + _opening(session, prediction, history, words))
    found += (_threads(history.sessions, predictions) + _commits(history, predictions, words) + _secrets(history)
              + _quiet(history, predictions) + _releases(history, words, user_id) + _boots(history, boot)
              + _machine(history.machine)
              + _preemptions(history, predictions))
    return [one_line(problem) for problem in found]


def predict(sessions: list[Session], user_id: str, grammar: Grammar) -> dict[str, Prediction]:
    emails = [Email(s.email_key, s.email_key.rsplit("/", 1)[-1], s.client.name, s.client.project, user_id,
                    s.instruction, s.sent_at_ms, s.replying_to.email_key if s.replying_to else None,
                    s.client.has_site, grammar.outcome(s.instruction) == contract.BUILD_FAILED,
                    grammar.outcome(s.instruction) == contract.FAILED)
              for s in sessions]
    ended = {s.email_key: s.outcome.ended_at_ms if s.outcome else None for s in sessions}
    return Model(emails, ended).predictions()


def _outcome(session: Session, prediction: Prediction) -> list[str]:
    assert session.outcome is not None
    error = session.outcome.detail.split(": ")[1] if session.outcome.detail.startswith("FAILED: ") else None
    if contract.engine_error(error):
        return [f"{session.describe()} ended {session.outcome.describe()}: an error no state of the email-processor "
                "raises on AWS, a path production cannot take (the engine running the state machine failed)"]
    if session.outcome.kind in prediction.outcomes:
        return []
    expected = " or ".join(contract.ENDED[o] for o in prediction.outcomes)
    return [f"the model expects {session.describe()} to end {expected} ({prediction.why}), but it ended "
            f"{session.outcome.describe()}"]


def _output(session: Session, prediction: Prediction) -> list[str]:
    """A success callback holds exactly the contract's fields, with the values it fixes."""
    outcome = session.outcome
    assert outcome is not None
    if outcome.kind not in FLAGS or outcome.execution_status != "SUCCEEDED":
        return []
    who, output = session.describe(), outcome.output
    found = []
    missing = [k for k in OUTPUT_KEYS if k not in output]
    extra = sorted(k for k in output if k not in OUTPUT_KEYS)
    if missing or extra:
        found.append(f"{who}'s callback has the fields {sorted(output)}, but the contract fixes exactly "
                     f"{list(OUTPUT_KEYS)}" + (f" (missing {missing})" if missing else "")
                     + (f" (not in the contract: {extra})" if extra else ""))
    for key, value in prediction.output(outcome.kind).items():
        if key in output and output[key] != value:
            found.append(f"{who}'s callback says {key} {one_line(json.dumps(output[key]))}, but the model expects "
                         f"{json.dumps(value)} for a session that ended {contract.ENDED[outcome.kind]}")
    files = output.get("filesChanged")
    if "filesChanged" in output and not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
        found.append(f"{who}'s callback says filesChanged {one_line(json.dumps(files))}: not a list of paths")
    if "summary" in output and not isinstance(output["summary"], str):
        found.append(f"{who}'s callback says summary {one_line(json.dumps(output['summary']))}: not text")
    return found


def unsettled(sessions: list[Session], lines: list[LogLine], phrases: Phrases, user_id: str, grammar: Grammar
              ) -> list[str]:
    """The ended sessions whose container has not yet logged the last line the contract promises for how they
    ended (it writes some after its callback, and a log shows a line some time after it was written): each as
    "<session> (<line awaited>)"."""
    predictions, words = predict(sessions, user_id, grammar), asdict(phrases)
    waiting = []
    for session in sessions:
        if session.outcome is None or not session.outcome.log.lines or not session.thread_id:
            continue
        window = _window(session, lines, words)
        promised = _promised(session, predictions[session.email_key], window, words)
        if promised and not any(line.message.startswith(promised[-1]) for line in window):
            waiting.append(f"{session.describe()} ({promised[-1]!r})")
    return waiting


def _window(session: Session, lines: list[LogLine], phrases: Mapping[str, str]) -> list[LogLine]:
    """The session's lines as the whole log holds them now: from its `Switched to thread` line to the next switch on
    the same stream (its outcome's log was read as it ended, before the lines written after the callback).

    A preempted session's window runs on past the next switch to its `Interrupt handling complete`: the interrupt
    handler unblocks the FIFO queue before it reports and clears the job (message-processor.service.ts:174-187), so
    the next message's switch may come between (CHOICES['preempted-tail'])."""
    assert session.outcome is not None
    first = session.outcome.log.lines[0]
    switch_prefix = _switch_prefix(phrases)
    preempted, passed_a_switch = session.outcome.kind == PREEMPTED, False
    window = [first]
    for line in lines:
        if line.stream != first.stream or line.timestamp_ms < first.timestamp_ms or line == first:
            continue
        if line.message.startswith(switch_prefix):
            if not preempted or passed_a_switch or not any(
                    seen.message.startswith(phrases["interrupt"]) for seen in window):
                break
            passed_a_switch = True
        window.append(line)
        if preempted and line.message.startswith(phrases["interrupted"]):
            break
    return window if len(window) >= len(session.outcome.log.lines) else session.outcome.log.lines


def _promised(session: Session, prediction: Prediction, window: list[LogLine], phrases: Mapping[str, str]
              ) -> list[str]:
    """The lines the contract promises for how the session ended, given whether its window shows a commit."""
    assert session.outcome is not None and session.thread_id is not None
    committed = any(line.message.startswith(phrases["committing"]) for line in window)
    return prediction.promised_lines(session.outcome.kind, session.thread_id, committed, phrases)


def _switch_prefix(phrases: Mapping[str, str]) -> str:
    """What every `Switched to thread` line begins with: where a container starts a session."""
    return phrases["switched"].split("{thread_id}")[0]


def _log(session: Session, prediction: Prediction, phrases: Mapping[str, str], history: History) -> list[str]:
    """The lines the contract promises for how it ended, in their order, and none that claims what did not
    happen."""
    outcome = session.outcome
    assert outcome is not None
    if not outcome.log.lines or not session.thread_id:
        return []  # no container logged it (the state machine ended it): its ending says so
    window = _window(session, history.lines, phrases)
    lines = [(line.timestamp_ms, line.message, line.level) for line in window]
    promised = _promised(session, prediction, window, phrases)
    found = []
    gap = in_order(lines, promised)
    if gap is not None:
        count, missing = gap
        after = f"after {promised[count - 1]!r} " if count else ""
        found.append(f"{session.describe()} ended {outcome.describe()}, but its log lacks {missing!r} "
                     f"{after}(the contract's lines for that ending, in order); its log: "
                     f"{SessionLog(session.thread_id, window).summary(8)}")
    for phrase, claim in prediction.forbidden_lines(outcome.kind, phrases).items():
        line = outcome.log.first(phrase)
        if line is not None:
            # The ending with its evidence: a known fault's signature recognises the failure by what the log said.
            found.append(f"{session.describe()} ended {outcome.describe()}, yet its log claims {claim}: "
                         f"{one_line(line.message)!r} at {_clock(line.timestamp_ms)}")
    if prediction.quiet(outcome.kind):
        # Up to its own last line: what follows before the next switch is the next message's opening, whose
        # `Received interrupt` may come before its switch (that session's, not this one's).
        last = next((i for i, line in enumerate(window) if promised and line.message.startswith(promised[-1])),
                    len(window) - 1)
        loud = next((line for line in window[:last + 1] if line.level in LOUD), None)
        if loud is not None:
            found.append(f"{session.describe()} ended {outcome.describe()} with nothing newer to interrupt it, yet "
                         f"its log holds a {loud.level} line: [{loud.context}] {one_line(loud.message)!r} at "
                         f"{_clock(loud.timestamp_ms)} ({CHOICES['healthy-is-quiet']})")
    return found


def _opening(session: Session, prediction: Prediction, history: History, phrases: Mapping[str, str]) -> list[str]:
    """Before it switches to the thread, the container took this message, registered its job and started its
    heartbeat: the lines on the same stream since the thread's previous switch there, from the last that names
    this message's project+user on."""
    outcome = session.outcome
    assert outcome is not None
    if not outcome.log.lines or not session.thread_id:
        return []
    switched = outcome.log.lines[0]
    switch_prefix = _switch_prefix(phrases)
    before = [line for line in history.lines if line.stream == switched.stream
              and line.timestamp_ms <= switched.timestamp_ms and line != switched]
    starts = [i for i, line in enumerate(before) if line.message.startswith(switch_prefix)]
    since = before[starts[-1] + 1:] if starts else before
    promised = prediction.opening_lines()
    taken = [i for i, line in enumerate(since) if line.message.startswith(promised[0])]
    lines = [(line.timestamp_ms, line.message, line.level) for line in since[taken[-1]:]] if taken else []
    gap = in_order(lines, promised)
    if gap is None:
        return []
    count, missing = gap
    after = f"after {promised[count - 1]!r} " if count else ""
    return [f"{session.describe()}'s container logged no {missing!r} {after}before it switched to the thread "
            f"(the contract's lines as a container takes a message, in order, at {_clock(switched.timestamp_ms)})"]


def _releases(history: History, words: Mapping[str, str], user_id: str) -> list[str]:
    """Each release of a project of these sessions deleted its ownership row: a container that says it releases the
    project (after an interrupt or idle) must not then say it could not (generic-container.service.ts:347-368), for
    the row it leaves names it the owner of a project it no longer serves."""
    keys = {contract.project_key(s.client.project, user_id) for s in history.sessions}
    found = []
    for index, release in enumerate(history.lines):
        key = release.message.removeprefix(words["released"]).strip()
        if not release.message.startswith(words["released"]) or key not in keys:
            continue
        failed = next((line for line in history.lines[index + 1:] if line.stream == release.stream
                       and line.timestamp_ms - release.timestamp_ms <= RELEASE_WITHIN_MS
                       and line.message.startswith(contract.LINE_RELEASE_FAILED)), None)
        if failed is not None:
            found.append(f"task {release.task_id} released {key} at {_clock(release.timestamp_ms)} but could not "
                         f"delete its ownership row: {one_line(failed.message)!r}; the row still names it the owner")
    return found


def _boots(history: History, boot: Sequence[str]) -> list[str]:
    """Each container that worked for these sessions and started within the history says, as it starts, what it
    was configured with, in the context Bootstrap: the lines of `boot`, in order."""
    if not boot:
        return []
    streams = {s.outcome.log.lines[0].stream for s in history.sessions if s.outcome and s.outcome.log.lines}
    found = []
    for stream in sorted(streams):
        lines = [line for line in history.lines if line.stream == stream]
        # Found by its words wherever they stand: a line that lost its context does not match the log line pattern,
        # and is kept whole.
        start = next((i for i, line in enumerate(lines) if boot[0] in line.message), None)
        if start is None:
            continue  # it started before this history: its start was judged where it was seen
        task = lines[start].task_id
        told = [line for line in lines[start:] if line.context == contract.BOOT_CONTEXT]
        gap = in_order([(line.timestamp_ms, line.message, line.level) for line in told], list(boot))
        if gap is not None:
            missing = gap[1]
            found.append(f"task {task} started without logging {missing!r} in the context {contract.BOOT_CONTEXT} "
                         f"(the configuration a container states as it starts, in order); it said: "
                         f"{' | '.join(one_line(line.message) for line in lines[start:start + 8])}")
    return found


def _preemptions(history: History, predictions: Mapping[str, Prediction]) -> list[str]:
    """A preempted session: a newer email's CheckActiveJob sent an interrupt (where its result says so; the
    interrupt is the project+user's, not one job's, so it may have been sent while an earlier job was active), and
    its interruption is recorded at a moment of its own session."""
    by_key = {s.email_key: s for s in history.sessions}
    found = []
    for session in history.sessions:
        outcome = session.outcome
        if outcome is None or outcome.kind != PREEMPTED:
            continue
        checks = [p.intake.active_job for key in predictions[session.email_key].preemptors
                  if (p := by_key.get(key)) and p.intake and p.intake.active_job]
        told = [c for c in checks if "interruptSent" in c]
        if told and not any(c.get("interruptSent") for c in told):
            found.append(f"{session.describe()} ended preempted, but no newer email's CheckActiveJob says it sent "
                         f"an interrupt ({' | '.join(one_line(json.dumps(c)) for c in told)})")
        at = history.interruptions.get(session.email_key, {}).get("interruptedAt")
        if isinstance(at, int | float) and not (session.sent_at_ms - CLOCK_SKEW_MS <= at
                                                <= outcome.ended_at_ms + CLOCK_SKEW_MS):
            found.append(f"{session.describe()}'s interruption was recorded with interruptedAt {at}, outside its "
                         f"session ({_clock(session.sent_at_ms)} to {_clock(outcome.ended_at_ms)}, epoch ms)")
    return found


def _machine(definition: Mapping[str, Any]) -> list[str]:
    """The state machine as deployed sends each message to its project's queue with a task token, waits for a
    heartbeat every 60 s and an hour at most, and catches a time-out and a preemption
    (docs/contract.md#state-machine-states)."""
    if not definition:
        return []
    sends = [(name, state, around) for name, state, around in _states(definition)
             if state.get("Resource") == contract.QUEUE_SEND_RESOURCE
             and (state.get("Parameters") or {}).get("QueueUrl.$") == contract.QUEUE_SEND_QUEUE]
    if not sends:
        return ["the state machine has no state that sends to a project's queue and waits for the task token "
                f"({contract.QUEUE_SEND_RESOURCE} with QueueUrl.$ {contract.QUEUE_SEND_QUEUE})"]
    found = []
    for name, state, around in sends:
        for field, value in (("HeartbeatSeconds", contract.QUEUE_SEND_HEARTBEAT_S),
                             ("TimeoutSeconds", contract.QUEUE_SEND_TIMEOUT_S)):
            if state.get(field) != value:
                found.append(f"the state machine's {name} waits with {field} {state.get(field)}, but the contract "
                             f"has {value}")
        caught = around | _caught(state)
        missing = [error for error in contract.QUEUE_SEND_CATCHES if error not in caught and "States.ALL" not in caught]
        if missing:
            found.append(f"the state machine's {name} does not catch {', '.join(missing)} (it catches "
                         f"{', '.join(sorted(caught)) or 'nothing'})")
    return found


def _states(definition: Mapping[str, Any], around: frozenset[str] = frozenset()
            ) -> list[tuple[str, dict[str, Any], frozenset[str]]]:
    """Every state of a definition, those of its Parallel branches and Map processors too, each with the errors
    that the states holding it catch (a branch's error is the Parallel state's to catch)."""
    found = []
    for name, state in (definition.get("States") or {}).items():
        found.append((name, state, around))
        inner = [*state.get("Branches", []), state.get("ItemProcessor") or state.get("Iterator") or {}]
        for branch in inner:
            found += _states(branch, around | _caught(state))
    return found


def _caught(state: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(error for catch in state.get("Catch") or [] for error in catch.get("ErrorEquals") or [])


def _execution_name(session: Session, history: History) -> list[str]:
    """The intake names an execution after the email's message id (idempotent: a repeated event is ignored)."""
    name = history.execution_names.get(session.email_key)
    expected = contract.execution_name(session.email_key.rsplit("/", 1)[-1])
    if name is None or name == expected:
        return []
    return [f"{session.describe()}'s execution is named {name!r}, but the intake names it after its message id: "
            f"{expected!r}"]


def _threads(sessions: list[Session], predictions: Mapping[str, Prediction]) -> list[str]:
    """A reply joins the thread of the email it answers; an email that answers none starts a thread of its own."""
    by_key = {s.email_key: s for s in sessions}
    found = []
    firsts: dict[str, str] = {}  # thread id -> the root email that holds it
    for session in sessions:
        root = by_key[predictions[session.email_key].thread_root]
        if not session.thread_id:
            continue
        if root is not session and root.thread_id and root.thread_id != session.thread_id:
            found.append(f"{session.describe()} answers {root.describe()}, so the model expects their thread to be "
                         f"one, but the pipeline gave it {session.thread_id}")
        holder = firsts.setdefault(session.thread_id, root.email_key)
        if holder != root.email_key:
            found.append(f"{session.describe()} starts a thread of its own, but the pipeline gave it the thread "
                         f"{session.thread_id} of {by_key[holder].describe()}")
    return found


def _commits(history: History, predictions: Mapping[str, Prediction], phrases: Mapping[str, str]) -> list[str]:
    """Each committing session's commit, on its thread's branch once a push followed it, is the model's message to
    the character (its trailer's time within the session), by the container's identity, of the files it reported."""
    found = []
    for thread_id, sessions in _by_thread(history.sessions).items():
        branch = contract.branch_for_thread(thread_id)
        commits = history.branches.get(branch)
        pushed_ms = max((line.timestamp_ms for line in history.lines
                         if line.message.startswith(f"{phrases['pushed']} {branch} ")), default=None)
        made = sorted(((line.timestamp_ms, s) for s in sessions if s.outcome
                       and (line := s.outcome.log.first(phrases["committing"])) is not None), key=lambda m: m[0])
        expected = [s for at, s in made if pushed_ms is not None and at <= pushed_ms]
        if commits is None:
            continue  # a missing branch is the branch checks' to name, with what was pushed instead
        own = [c for c in reversed(commits) if contract.commit_session(c.message) == thread_id]
        if len(own) != len(expected):
            found.append(f"{branch} holds {len(own)} commit(s) of thread {thread_id}, but the model expects "
                         f"{len(expected)}: one for each email of it whose container committed before the "
                         f"thread's last push")
        for commit, session in zip(own, expected, strict=False):
            found += _commit(commit, session, predictions[session.email_key], history, branch)
    return found


def _commit(commit: CommitInfo, session: Session, prediction: Prediction, history: History, branch: str
            ) -> list[str]:
    assert session.outcome is not None and session.thread_id is not None
    where = f"{commit.sha[:8]} on {branch} ({session.describe()})"
    found = [f"{where} is {who} {name}, not {COMMIT_AUTHOR}" for who, name in
             (("authored by", commit.author), ("committed by", commit.committer)) if name and name != COMMIT_AUTHOR]
    files = history.commit_files.get(commit.sha, ())
    reported = session.outcome.output.get("filesChanged")
    if isinstance(reported, list) and sorted(reported) != sorted(files):
        found.append(f"{where} changed {list(files)}, but its callback reported filesChanged {sorted(reported)}")
    when = commit_message.stamped(commit.message)
    if when is None:
        return [*found, f"{where} has no `Time:` line in its trailer: {one_line(commit.message)!r}"]
    started, ended = session.sent_at_ms - CLOCK_SKEW_MS, session.outcome.ended_at_ms + CLOCK_SKEW_MS
    if not started <= when.timestamp() * 1000 <= ended:
        found.append(f"{where}'s trailer says Time: {commit_message.iso(when)}, outside its session "
                     f"({_clock(session.sent_at_ms)} to {_clock(session.outcome.ended_at_ms)})")
    listed = reported if isinstance(reported, list) and sorted(reported) == sorted(files) else sorted(files)
    expected = prediction.commit_message(list(listed), session.thread_id, when)
    if commit.message.strip("\n") != expected:
        found.append(f"{where}'s message differs from the model's {_first_difference(expected, commit.message)}")
    return found


def _first_difference(expected: str, observed: str) -> str:
    wanted, got = expected.split("\n"), observed.strip("\n").split("\n")
    for number, (a, b) in enumerate(zip(wanted, got, strict=False), start=1):
        if a != b:
            return f"at line {number}: expected {a!r}, found {b!r}"
    longer, which = (wanted, "lacks") if len(wanted) > len(got) else (got, "adds")
    return f"at line {min(len(wanted), len(got)) + 1}: the commit {which} {longer[min(len(wanted), len(got))]!r}"


def _secrets(history: History) -> list[str]:
    """No log line, commit or callback holds a secret: the run's tokens, a task token, or a credential's shape."""
    found = []
    texts: list[tuple[str, str]] = [(f"a log line of {line.stream} at {_clock(line.timestamp_ms)}", line.message)
                                    for line in history.lines]
    texts += [(f"commit {c.sha[:8]} on {branch}", c.message) for branch, commits in history.branches.items()
              for c in commits or []]
    texts += [(f"the callback of {s.describe()}", json.dumps(s.outcome.output)) for s in history.sessions
              if s.outcome]
    for where, text in texts:
        for what in secrets_in(text, history.secrets):
            found.append(f"{where} holds {what}: nothing the system emits may show a secret")
    return found


def _quiet(history: History, predictions: Mapping[str, Prediction]) -> list[str]:
    """Once every session has ended: each client's interrupts read (but the stale ones the model allows), and its
    ownership row, if any, consistent with itself."""
    found = []
    for state in history.quiet:
        client = state.client
        mine = [s for s in history.sessions if s.client is client]
        # CHOICES['stale-interrupt']: an interrupt for a session that ended before it was read stays unread.
        stale = sum(1 for s in mine if predictions[s.email_key].preemptors and not (
            s.outcome and s.outcome.kind == PREEMPTED))
        for name, counts in state.queues.items():
            if counts is None or not name.startswith(contract.INTERRUPT_QUEUE_PATTERN.split("{")[0]):
                continue
            waiting, in_flight = counts
            if waiting > stale or in_flight:
                found.append(f"{name} still holds {waiting} waiting and {in_flight} in-flight interrupt(s) once "
                             f"{client.name}'s sessions have ended; the model allows {stale} unread (interrupts "
                             f"sent as the session they meant was ending)")
        owner = state.ownership
        if owner is not None:
            if abs(owner.ttl_s - (owner.last_activity_ms // 1000 + OWNERSHIP_TTL_S)) > 2:
                found.append(f"the ownership row of {client.project} has ttl {owner.ttl_s}, but the contract keeps it "
                             f"lastActivity + {OWNERSHIP_TTL_S} s ({owner.last_activity_ms // 1000 + OWNERSHIP_TTL_S})")
            if owner.claimed_at_ms and owner.claimed_at_ms > owner.last_activity_ms:
                found.append(f"the ownership row of {client.project} was claimed at {_clock(owner.claimed_at_ms)}, "
                             f"after its lastActivity {_clock(owner.last_activity_ms)}")
    return found


def _by_thread(sessions: list[Session]) -> dict[str, list[Session]]:
    threads: dict[str, list[Session]] = {}
    for session in sessions:
        if session.thread_id:
            threads.setdefault(session.thread_id, []).append(session)
    return threads


def _clock(ms: int) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}"

