"""Everything the readers can see of a scenario once its sessions have ended, gathered for the oracle: each thread's
branch with every commit's message, author, committer and files; each client's active-job and ownership rows and
its queues (input, dead-letter, interrupts); every container log line of its time, of any stream; and the secrets the
system holds (the run's GitHub token, each execution's task token), so that nothing it emitted can show one. Read
only."""

from __future__ import annotations

import json
from typing import Any

from lib import naming
from lib.expect import contract
from lib.observe import containers, queues
from lib.observe.readers import Readers
from lib.records import History, QuietState, Session

CLOCK_SKEW_MS = 1000


def collect(target: Readers, sessions: list[Session], clients: list[Any]) -> History:
    """What the readers see now of these sessions (each ended, or given up on) and clients."""
    settings = target.settings
    threads = {s.thread_id for s in sessions if s.thread_id}
    main = target.repository.main_shas()
    branches = {branch: target.repository.commits_since_main(branch, main=main)
                for branch in sorted({contract.branch_for_thread(t) for t in threads})}
    own = [c for commits in branches.values() for c in commits or []
           if contract.commit_session(c.message) in threads]
    commit_files = {c.sha: target.repository.commit_files(c.sha) for c in own}
    since = min((s.sent_at_ms for s in sessions), default=0) - CLOCK_SKEW_MS
    lines = [line for line in target.logs.refresh() if line.timestamp_ms >= since]
    secrets = {"the run's GitHub token": settings.system.github_token}
    names: dict[str, str] = {}
    interruptions: dict[str, dict[str, Any]] = {}
    for session in sessions:
        if session.execution_arn:
            names[session.email_key] = session.execution_arn.rsplit(":", 1)[-1]
            events = target.executions.history(session.execution_arn)
            for token in task_tokens(events):
                secrets[f"a task token of {session.describe()}"] = token
            record = interruption_record(events)
            if record is not None:
                interruptions[session.email_key] = record
    return History(sessions, branches, commit_files, [quiet(target, client) for client in clients], lines, secrets,
                   names, target.executions.definition, interruptions)


def interruption_record(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What HandleInterruption recorded of a caught preemption (its result at $.interruptionRecord), if it ran."""
    for event in history:
        exited = event.get("stateExitedEventDetails") or {}
        if exited.get("name") == contract.STATE_HANDLE_INTERRUPTION:
            try:
                record = json.loads(exited.get("output") or "{}").get("interruptionRecord")
            except (ValueError, AttributeError):
                return None
            if isinstance(record, dict) and isinstance(record.get("Payload"), dict):  # lambda:invoke's wrapping
                record = record["Payload"]
            return record if isinstance(record, dict) else None
    return None


def quiet(target: Readers, client: Any) -> QuietState:
    """A client's rows and queues as they are now."""
    aws, settings = target.aws, target.settings
    names = (naming.input_queue_for(settings, client.project), naming.dead_letter_queue_for(settings, client.project),
             naming.interrupt_queue_for(settings, client.project))
    return QuietState(client, containers.active_job(aws.dynamodb, settings, client.project),
                      containers.ownership(aws.dynamodb, settings, client.project),
                      {name: queues.counts(aws.sqs, name) for name in names})


def task_tokens(history: list[dict[str, Any]]) -> list[str]:
    """The task tokens an execution handed out (its `waitForTaskToken` states' messages)."""
    found: list[str] = []
    for event in history:
        details = event.get("taskScheduledEventDetails") or {}
        found += _tokens(details.get("parameters"))
    return list(dict.fromkeys(found))


def _tokens(value: object) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
        return _tokens(value) if isinstance(value, dict | list) else []
    if isinstance(value, dict):
        return [v for k, v in value.items() if k.lower() == "tasktoken" and isinstance(v, str)] + [
            t for k, v in value.items() if k.lower() != "tasktoken" for t in _tokens(v)]
    if isinstance(value, list):
        return [t for v in value for t in _tokens(v)]
    return []
