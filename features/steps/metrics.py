"""Steps about deployment times."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib.scenario import plan, verdicts
from lib.scenario.inputs import takes
from lib.scenario.world import world


@then("the deployment times are within their limits")
@takes(needs=(plan.an_email,))
def step_times_within_limits(context: Context) -> None:
    """Build, sync and total time of every deployment of the scenario, with their averages, are shown and written
    to `reports/metrics.json`, with the sessions it could not time and why (preempted, a failed build or sync);
    each average must be within its limit (`metrics_*_limit_s`), and at least one edit must have deployed."""
    problems = verdicts.deployment_times(world(context))
    assert not problems, "; ".join(problems)
