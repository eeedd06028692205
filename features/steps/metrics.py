"""Steps about deployment times."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib.scenario import plan, verdicts
from lib.scenario.inputs import at_least, takes
from lib.scenario.world import world

_LIMIT = at_least(0.1, "a time limit", "seconds")


@then("the deployment times are within their limits")
@takes(needs=(plan.an_email,))
def step_times_within_limits(context: Context) -> None:
    """Build, sync and total time of every deployment of the scenario, with their averages, are shown and written
    to `reports/metrics.json`, with the sessions it could not time and why (preempted, a failed build or sync);
    each average must be within its limit (`metrics_*_limit_s`), and at least one edit must have deployed."""
    problems = verdicts.deployment_times(world(context))
    assert not problems, "; ".join(problems)


@then("the deployment times are within {build:g} seconds to build, {sync:g} to sync and {total:g} in all")
@then("the deployment times are within {build:g} s to build, {sync:g} s to sync and {total:g} s in all")
@takes(needs=(plan.an_email, plan.believable_limits), build=_LIMIT, sync=_LIMIT, total=_LIMIT)
def step_times_within_stated_limits(context: Context, build: float, sync: float, total: float) -> None:
    """As "the deployment times are within their limits", with the limits the scenario states: the average build,
    sync and total (email to deployment seen) times of its deployments. A limit many times what the target takes
    could not fail: the plan refuses it."""
    problems = verdicts.deployment_times_within(world(context), build, sync, total)
    assert not problems, "; ".join(problems)
