"""Steps about deployment times."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import metrics


@then("the deployment times are within their limits")
def step_times_within_limits(context: Context) -> None:
    """Build, sync and total time of every deployment in the scenario, with their averages, are shown and
    written to `reports/metrics.json`; each average must be within its limit (`metrics_*_limit_s`)."""
    measured = [metrics.measure(s, context.outcomes[s.thread_id], context.settings) for s in context.sessions]
    limits = metrics.Limits.from_settings(context.settings)
    context.pipeline.say("deployment metrics:\n" + metrics.table(measured, limits))
    context.metrics = metrics.write_json(context.reports_dir / "metrics.json", measured, limits)
    problems = metrics.over_limits(measured, limits)
    assert not problems, "; ".join(problems)
