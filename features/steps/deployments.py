"""Steps that check what the clients' sites show after their edits were deployed."""

from __future__ import annotations

from behave import then
from behave.runner import Context
from hamcrest import assert_that, is_not

from lib.logs import DEPLOYED
from lib.matchers import has_heading, has_title, shows_text


@then("every edit is deployed to its client's site")
def step_every_edit_deployed(context: Context) -> None:
    """Waits for each session of the scenario to be deployed; fails when one ends otherwise (build or
    sync failure), and when a client's bucket is not exactly its latest deployed build."""
    context.pipeline.await_outcomes(context.sessions, context.outcomes)
    failed = context.pipeline.not_deployed(context.sessions, context.outcomes)
    assert not failed, "not deployed: " + "; ".join(failed)
    problems = context.pipeline.exact_build_problems(context.sessions, context.outcomes)
    assert not problems, "a bucket is not exactly its latest build: " + "; ".join(problems)


@then('the site of "{client}" shows the heading "{text}"')
def step_site_shows_heading(context: Context, client: str, text: str) -> None:
    """The client's deployed home page has a heading (h1-h3) reading exactly this text."""
    assert_that(context.pipeline.page(client), has_heading(text), f"home page of {client}")


@then('the site of "{client}" is titled "{title}"')
def step_site_titled(context: Context, client: str, title: str) -> None:
    """The client's deployed home page has exactly this title."""
    assert_that(context.pipeline.page(client), has_title(title), f"home page of {client}")


@then('the site of "{client}" shows "{text}"')
def step_site_shows(context: Context, client: str, text: str) -> None:
    """The text appears on the client's deployed home page."""
    assert_that(context.pipeline.page(client), shows_text(text), f"home page of {client}")


@then('the site of "{client}" shows the last timestamp it sent')
def step_site_shows_last_timestamp(context: Context, client: str) -> None:
    """After timestamp updates, the client's home page shows the last timestamp sent (not an older build)."""
    assert_that(context.pipeline.page(client), shows_text(context.last_timestamp), f"home page of {client}")


@then('the site of "{client}" does not show "{text}"')
def step_site_does_not_show(context: Context, client: str, text: str) -> None:
    """The text appears nowhere on the client's deployed home page."""
    bucket = context.pipeline.bucket_of(client)
    assert_that(context.pipeline.page(client), is_not(shows_text(text)), f"{bucket} still contains {text!r}")


@then('the edit of "{client}" is deployed')
def step_edit_deployed(context: Context, client: str) -> None:
    """Waits for the client's latest session to be deployed; fails when it ends otherwise."""
    session = next(s for s in reversed(context.sessions) if s.name == client)
    log = context.pipeline.wait_for_outcome(session)
    context.outcomes[session.thread_id] = log
    assert log.outcome == DEPLOYED, f"{client}'s thread {session.thread_id} ended {log.outcome!r}: {log.summary()}"


@then("the edits were deployed in the order they were sent")
def step_deployed_in_order(context: Context) -> None:
    """No client's edit was deployed before an edit the same client sent earlier."""
    problems = context.pipeline.deployment_order_problems(context.sessions, context.outcomes)
    assert not problems, "; ".join(problems)


@then("all of them were deployed within the concurrent deployment limit")
def step_within_concurrency_limit(context: Context) -> None:
    """From the first email to the last deployment seen took at most `concurrency_limit_s` (default 180 s)."""
    took = context.pipeline.time_to_deploy_all(context.sessions, context.outcomes)
    limit = context.settings.concurrency_limit_s
    context.pipeline.say(f"{len(context.sessions)} concurrent deployments took {took:.1f}s (limit {limit:.0f}s)")
    assert took <= limit, f"{len(context.sessions)} deployments at once took {took:.1f}s, over {limit:.0f}s"


@then('"{client}" and "{other}" have separate edit pages')
def step_separate_edit_pages(context: Context, client: str, other: str) -> None:
    """Besides the home page, the two clients' sites share no file, and each has pages of its own."""
    comparison = context.pipeline.compare_sites(client, other)
    shared = [key for key in comparison.common if key != "index.html"]
    assert not shared, f"the sites of {client} and {other} share {shared}"
    assert comparison.unique1 and comparison.unique2, (
        f"each site should have edit pages of its own: only {client}: {comparison.unique1}, "
        f"only {other}: {comparison.unique2}"
    )
