"""Steps about deployment times."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import metrics
from lib.world import world


@then("the deployment times are within their limits")
def step_times_within_limits(context: Context) -> None:
    """Build, sync and total time of every deployment in the scenario, with their averages, are shown and
    written to `reports/metrics.json`; each average must be within its limit (`metrics_*_limit_s`)."""
    w = world(context)
    if not w.scenario.sessions:
        raise ValueError("no email was sent in this scenario, so there is nothing to measure")
    w.observer.await_outcomes(w.scenario.sessions)
    measured = [metrics.measure(s, w.target.settings) for s in w.scenario.sessions]
    limits = metrics.Limits.from_settings(w.target.settings)
    w.target.say("deployment metrics:\n" + metrics.table(measured, limits))
    w.scenario.metrics = metrics.write_json(context.reports_dir / "metrics.json", measured, limits)
    problems = metrics.over_limits(measured, limits)
    assert not problems, "; ".join(problems)
