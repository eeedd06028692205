"""Steps about the edit containers (ECS tasks)."""

from __future__ import annotations

from behave import then, when
from behave.runner import Context

from lib.scenario import actions, plan, verdicts
from lib.scenario.inputs import takes
from lib.scenario.world import world


@then("the container that handled it is still running")
@takes(needs=(plan.one_latest,), reads=plan.the_latest)
def step_container_still_running(context: Context) -> None:
    """The container (ECS task) that handled the latest session finished it and is still RUNNING."""
    problems = verdicts.container_still_running(world(context))
    assert not problems, "; ".join(problems)


@then('the container that handled the edit of "{client}" is still running')
@takes(needs=(plan.emailed,), reads=plan.the_clients_latest)
def step_client_container_still_running(context: Context, client: str) -> None:
    """The container (ECS task) that handled the client's latest session finished it and is still RUNNING."""
    problems = verdicts.container_still_running(world(context), client)
    assert not problems, "; ".join(problems)


@then("each client's next email would still be served")
@takes(needs=(plan.two_clients_emailed,))
def step_next_emails_still_served(context: Context) -> None:
    """Once every session has ended, no client that sent an email is owned by a container that has since claimed
    another project: a container reads only the queue of the project it claimed last, so such a client's next
    email would wait for a claim that never comes."""
    problems = verdicts.unserved_clients(world(context))
    assert not problems, "; ".join(problems)


@when('the container of "{client}" has released it after being idle')
@takes(needs=(plan.emailed,), marks=plan.mark("released"), serial=True)
def step_released_after_idle(context: Context, client: str) -> None:
    """Once the client's latest edit has ended, waits until its container, left idle, has released the client's
    project (its ownership row is gone), as the real one does after five minutes; the client's next email then
    needs a new claim. Scenarios with it run where the target's idle release is short (tag
    `@use.with_idle_release=short`)."""
    actions.wait_for_idle_release(world(context), client)


@when('the edit service is redeployed after the edit of "{client}"')
@takes(needs=(plan.emailed,), marks=plan.mark("redeployed"), serial=True)
def step_redeployed(context: Context, client: str) -> None:
    """Once the client's latest edit has ended, a deployment replaces the edit containers: the client's, and every
    one that holds no project and has been quiet for a while (those serving other clients' edits are left alone).
    The client's next email is then taken by a new container, on the workspace the stopped one left. Only where the
    suite runs its own AWS (tag `@use.with_target=local`)."""
    actions.redeploy(world(context), client)
