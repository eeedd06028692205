"""Steps about how sessions ended: each session's outcome is its Step Functions execution, cross-checked with
the container's log and the client's bucket."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import assess, expectations, plan
from lib.checks import outcomes
from lib.inputs import takes
from lib.world import World, world


@then("every edit is deployed to its client's site")
@takes(needs=(plan.an_email,))
def step_every_edit_deployed(context: Context) -> None:
    """Waits for each session of the scenario to end; fails when one ends otherwise than deployed (a failed build
    or sync, preempted, failed), when the container's log contradicts its execution, and when a client's bucket
    is not exactly its latest deployed build."""
    w = world(context)
    w.observer.await_outcomes(w.scenario.sessions)
    failed = outcomes.not_deployed(w.scenario.sessions)
    assert not failed, "not deployed: " + "; ".join(failed)
    problems = [p for s in w.scenario.sessions for p in outcomes.cross_check(s, w.target.settings)]
    assert not problems, "; ".join(problems)
    problems = assess.exact_build_problems(w, w.scenario.sessions)
    assert not problems, "a bucket is not exactly its latest build: " + "; ".join(problems)


@then("every session ended deployed or preempted, and the last one deployed")
@takes(needs=(plan.an_email,))
def step_last_wins(context: Context) -> None:
    """For rapid switching: each client's last edit is deployed; every earlier one was either deployed or
    preempted by a newer email (never failed, never left running); the log agrees with each execution, and the
    bucket is exactly the latest build. The console says which sessions were preempted."""
    w = world(context)
    w.observer.await_outcomes(w.scenario.sessions)
    preempted = [s.describe() for s in w.scenario.sessions if s.outcome and s.outcome.kind == expectations.PREEMPTED]
    total = len(w.scenario.sessions)
    w.target.say(f"{len(preempted)} of {total} sessions preempted: " + ("; ".join(preempted) or "none"))
    problems = outcomes.last_wins_problems(w.scenario.sessions)
    problems += [p for s in w.scenario.sessions for p in outcomes.cross_check(s, w.target.settings)]
    problems += assess.exact_build_problems(w, w.scenario.sessions)
    assert not problems, "; ".join(problems)


@then('the edit of "{client}" is deployed')
@takes(needs=(plan.emailed,))
def step_edit_deployed(context: Context, client: str) -> None:
    """Waits for the client's latest session to end; fails when it ended otherwise than deployed."""
    w = world(context)
    session = w.scenario.latest_session(client)
    outcome = w.observer.await_outcome(session)
    assert outcome.kind == expectations.DEPLOYED, (
        f"{session.describe()} ended {outcome.describe()}: {outcome.log.summary()}")
    problems = outcomes.cross_check(session, w.target.settings)
    assert not problems, "; ".join(problems)


@then("the edits were deployed in the order they were sent")
@takes(needs=(plan.two_of_a_client,))
def step_deployed_in_order(context: Context) -> None:
    """No client's edit was deployed after an edit the same client sent later (of those that were deployed)."""
    w = world(context)
    w.observer.await_outcomes(w.scenario.sessions)
    problems = outcomes.deployment_order_problems(w.scenario.sessions, w.target.settings)
    assert not problems, "; ".join(problems)


@then("each edit sent while the last was building interrupted it before it was deployed")
@takes(needs=(plan.marked("while-building", "no email is sent while another is building before this step, so "
                          "nothing can have interrupted a build"),))
def step_builds_interrupted(context: Context) -> None:
    """For every email sent while the client's previous edit was building: that edit's log shows the interrupt
    (`Processing interrupt`) after its build began and before any completed sync, so the scenario did test an
    interrupted build. How the interrupted session then ended is for the other checks."""
    problems = assess.interrupted_build_problems(world(context))
    assert not problems, "; ".join(problems)


@then("all of them were deployed within the concurrent deployment limit")
@takes(needs=(plan.at_once,))
def step_within_concurrency_limit(context: Context) -> None:
    """From the first email to the last deployment seen took at most `concurrency_limit_s` (default 180 s). Needs
    at least two emails sent at the same time."""
    w = world(context)
    sessions = w.scenario.sessions
    w.observer.await_outcomes(sessions)
    took = (max(s.outcome.detected_at_ms for s in sessions if s.outcome) - min(s.sent_at_ms for s in sessions)) / 1000
    limit = w.target.settings.concurrency_limit_s
    w.target.say(f"{len(sessions)} concurrent deployments took {took:.1f}s (limit {limit:.0f}s)")
    assert took <= limit, f"{len(sessions)} deployments at once took {took:.1f}s, over {limit:.0f}s"


@then("the container reports that the S3 sync failed")
@takes(needs=(plan.an_email,))
def step_sync_failure_reported(context: Context) -> None:
    """The latest session's execution ended with `deploySuccess: false` (its sync failed, nothing was deployed),
    and the container's log says `S3 sync failed`."""
    w = world(context)
    _sync_failed(w, w.scenario.last_email().client.name)


@then('the container reports that the S3 sync of "{client}" failed')
@takes(needs=(plan.emailed,))
def step_client_sync_failure_reported(context: Context, client: str) -> None:
    """The client's latest session ended with `deploySuccess: false`, and the container's log says `S3 sync
    failed` for it."""
    _sync_failed(world(context), client)


def _sync_failed(w: World, client: str) -> None:
    session = w.scenario.latest_session(client)
    outcome = w.observer.await_outcome(session)
    assert outcome.kind == expectations.SYNC_FAILED, (
        f"{session.describe()} ended {outcome.describe()} instead of reporting a failed S3 sync "
        f"(deploySuccess: false); its log: {outcome.log.summary()}")
    problems = outcomes.cross_check(session, w.target.settings)
    assert not problems, "; ".join(problems)


@then('the edit of "{client}" fails to build, and its site is unchanged')
@takes(needs=(plan.emailed,))
def step_build_fails_site_unchanged(context: Context, client: str) -> None:
    """The client's latest session ended with `buildSuccess: false`; nothing was synced (its bucket is, object for
    object, what it was before that email) and nothing was pushed (its thread's branch head did not move)."""
    w = world(context)
    session = w.scenario.latest_session(client)
    w.observer.await_outcome(session)
    problems = outcomes.failed_build_problems(session, w.target.settings)
    assert not problems, "; ".join(problems)
