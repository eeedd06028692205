"""Steps about clients and their edit sites (S3 buckets). Every scenario starts from fresh clients."""

from __future__ import annotations

from behave import given
from behave.runner import Context

from lib.scenario import actions
from lib.scenario.inputs import CLIENTS, Row, takes
from lib.scenario.world import world


@given("these clients have edit sites:")
@takes(CLIENTS, gives_clients=True)
def step_clients_have_sites(context: Context, rows: list[Row]) -> None:
    """Each client in the table's `client` column is a new client of this scenario, onboarded (its queues) with
    an empty edit bucket (`edit.{client}.webordinary.com`), all removed again when the scenario ends."""
    actions.onboard(world(context), [row["client"] for row in rows])


@given('client "{client}" has an edit site')
@takes(gives_clients=True)
def step_client_has_site(context: Context, client: str) -> None:
    """The client is a new client of this scenario, onboarded with an empty edit bucket."""
    actions.onboard(world(context), [client])


@given('client "{client}" has no edit site')
@takes(gives_clients=True, with_site=False)
def step_client_has_no_site(context: Context, client: str) -> None:
    """The client is onboarded (it has its queues) but its edit bucket does not exist."""
    actions.onboard(world(context), [client], with_site=False)
