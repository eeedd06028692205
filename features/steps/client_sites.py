"""Steps about clients and their edit sites (S3 buckets)."""

from __future__ import annotations

from behave import given
from behave.runner import Context


@given("these clients have edit sites:")
def step_clients_have_sites(context: Context) -> None:
    """Each client in the table's `client` column is onboarded and gets an empty edit bucket
    (`edit.{client}.webordinary.com`), removed again after the feature."""
    for row in context.table:
        context.pipeline.give_edit_site(row["client"])
        context.clients.append(row["client"])


@given('client "{client}" has an edit site')
def step_client_has_site(context: Context, client: str) -> None:
    """The client is onboarded and gets an empty edit bucket, removed again after the feature."""
    context.pipeline.give_edit_site(client)
    context.clients.append(client)


@given('client "{client}" has no edit site')
def step_client_has_no_site(context: Context, client: str) -> None:
    """The client is onboarded (it has an input queue) but its edit bucket does not exist."""
    context.pipeline.onboard_without_site(client)
    context.clients.append(client)
