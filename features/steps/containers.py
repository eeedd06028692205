"""Steps about the edit containers: how a session ended, and whether the container stayed up."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib.containers import LIVE_STATUSES
from lib.logs import SYNC_FAILED


@then("the container reports that the S3 sync failed")
def step_sync_failure_reported(context: Context) -> None:
    """The latest session's log says `S3 sync failed` (and not that the site was updated)."""
    session = context.sessions[-1]
    log = context.pipeline.wait_for_outcome(session)
    context.outcomes[session.thread_id] = log
    assert log.outcome == SYNC_FAILED, (
        f"{session.name}'s thread {session.thread_id} ended {log.outcome!r} instead of reporting a failed "
        f"S3 sync; its log: {log.summary()}"
    )


@then("the container that handled it is still running")
def step_container_still_running(context: Context) -> None:
    """The container that handled the latest session finished it and is still up (`running` or `starting`)."""
    session = context.sessions[-1]
    container_id = context.outcomes[session.thread_id].container_id
    log, status = context.pipeline.wait_until_finished_or_down(session, container_id)
    assert status in LIVE_STATUSES, f"container {container_id} is {status!r} after {session.name}'s session"
    assert log.finished, f"container {container_id} never finished the session: {log.summary()}"
