"""Steps about the edit containers (ECS tasks)."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib import assess, plan
from lib.inputs import takes
from lib.observe import containers
from lib.world import World, world


@then("the container that handled it is still running")
@takes(needs=(plan.an_email,))
def step_container_still_running(context: Context) -> None:
    """The container (ECS task) that handled the latest session finished it and is still RUNNING."""
    w = world(context)
    _still_running(w, w.scenario.last_email().client.name)


@then('the container that handled the edit of "{client}" is still running')
@takes(needs=(plan.emailed,))
def step_client_container_still_running(context: Context, client: str) -> None:
    """The container (ECS task) that handled the client's latest session finished it and is still RUNNING."""
    _still_running(world(context), client)


def _still_running(w: World, client: str) -> None:
    session = w.scenario.latest_session(client)
    outcome = w.observer.await_outcome(session)
    task = outcome.log.task_id
    assert task, f"no container logged {session.describe()}, so none can be checked: {outcome.log.summary()}"
    status = containers.task_status(w.target.aws.ecs, w.target.settings, task)
    assert status == containers.RUNNING, (
        f"the container (ECS task {task}) that handled {session.describe()} is {status}: "
        f"{containers.stopped_reason(w.target.aws.ecs, w.target.settings, task)}")


@then("each client's next email would still be served")
@takes(needs=(plan.an_email,))
def step_next_emails_still_served(context: Context) -> None:
    """Once every session has ended, no client that sent an email is owned by a container that has since claimed
    another project: a container reads only the queue of the project it claimed last, so such a client's next
    email would wait for a claim that never comes."""
    problems = assess.unserved_clients(world(context))
    assert not problems, "; ".join(problems)
