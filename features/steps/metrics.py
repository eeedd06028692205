"""Steps about deployment times."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import metrics, plan
from lib.inputs import takes
from lib.world import world


@then("the deployment times are within their limits")
@takes(needs=(plan.an_email,))
def step_times_within_limits(context: Context) -> None:
    """Build, sync and total time of every deployment of the scenario, with their averages, are shown and written
    to `reports/metrics.json`, with the sessions it could not time and why (preempted, a failed build or sync);
    each average must be within its limit (`metrics_*_limit_s`), and at least one edit must have deployed."""
    w = world(context)
    w.observer.await_outcomes(w.scenario.sessions, failures_allowed=True)
    measured, untimed = metrics.measure_deployments(w.scenario.sessions, w.target.settings)
    limits = metrics.Limits.from_settings(w.target.settings)
    w.scenario.metrics = metrics.write_json(context.reports_dir / "metrics.json", measured, limits, untimed)
    assert measured, "no edit of this scenario deployed, so no deployment could be timed: " + "; ".join(untimed)
    w.target.say("deployment metrics:\n" + metrics.table(measured, limits)
                 + "".join(f"\nnot timed: {why}" for why in untimed))
    problems = metrics.over_limits(measured, limits)
    assert not problems, "; ".join(problems)
