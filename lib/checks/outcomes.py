"""How sessions ended: the execution's word, cross-checked with what the container logged."""

from __future__ import annotations

import itertools

from lib import expectations
from lib.scenario import Session
from lib.settings import Settings


def cross_check(session: Session, settings: Settings) -> list[str]:
    """Where the container's log contradicts what the execution reports (empty when they agree)."""
    outcome = session.outcome
    assert outcome is not None
    log = outcome.log
    who = session.describe()
    problems: list[str] = []
    if outcome.kind == expectations.DEPLOYED:
        if not log.has(settings.phrase_sync_ok):
            problems.append(f"{who} reports deploySuccess: true, but its log has no completed sync: {log.summary()}")
        if log.has(settings.phrase_sync_failed):
            problems.append(f"{who} reports deploySuccess: true, but its log says the S3 sync failed: "
                            f"{log.first(settings.phrase_sync_failed)}")
    elif outcome.kind == expectations.SYNC_FAILED and not log.has(settings.phrase_sync_failed):
        problems.append(f"{who} reports deploySuccess: false, but the container's log does not say the sync "
                        f"failed: {log.summary()}")
    elif outcome.kind == expectations.BUILD_FAILED and log.has(settings.phrase_deploying):
        problems.append(f"{who} reports buildSuccess: false, yet its log shows a deployment: {log.summary()}")
    return problems


def not_deployed(sessions: list[Session]) -> list[str]:
    return [f"{s.describe()} ended {s.outcome.describe()}; its log: {s.outcome.log.summary()}"
            for s in sessions if s.outcome and s.outcome.kind != expectations.DEPLOYED]


def last_wins_problems(sessions: list[Session]) -> list[str]:
    """For rapid switching (contract: interrupts): each client's last session is deployed; every earlier one
    ended deployed or preempted, never failed and never left running."""
    problems: list[str] = []
    for _, group in itertools.groupby(sorted(sessions, key=lambda s: s.client.name), key=lambda s: s.client.name):
        mine = sorted(group, key=lambda s: s.sent_at_ms)
        for session in mine[:-1]:
            assert session.outcome is not None
            if session.outcome.kind not in (expectations.DEPLOYED, expectations.PREEMPTED):
                problems.append(f"{session.describe()} ended {session.outcome.describe()}, neither deployed nor "
                                f"preempted")
        last = mine[-1]
        assert last.outcome is not None
        if last.outcome.kind != expectations.DEPLOYED:
            problems.append(f"the last edit, {last.describe()}, ended {last.outcome.describe()}")
    return problems


def deployment_order_problems(sessions: list[Session], settings: Settings) -> list[str]:
    """Which of a client's deployed sessions were deployed before one it sent earlier."""
    problems = []
    for _, group in itertools.groupby(sorted(sessions, key=lambda s: s.client.name), key=lambda s: s.client.name):
        deployed = [(s, s.outcome.log.first(settings.phrase_sync_ok)) for s in sorted(group, key=lambda s: s.sent_at_ms)
                    if s.outcome and s.outcome.kind == expectations.DEPLOYED]
        for (earlier, first), (later, second) in itertools.pairwise(deployed):
            if first and second and second.timestamp_ms < first.timestamp_ms:
                problems.append(f"{later.instruction!r} (sent after {earlier.instruction!r}) was deployed before it")
    return problems
