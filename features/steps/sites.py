"""Steps that check what the clients' sites show. Each reads a site only once the client's latest edit has
ended deployed, so a check never passes on an older build."""

from __future__ import annotations

from behave import then
from behave.runner import Context
from hamcrest import assert_that, is_not

from lib import assess
from lib.matchers import has_heading, has_title, shows_text
from lib.observe import sites
from lib.world import world


@then('the site of "{client}" shows the heading "{text}"')
def step_site_shows_heading(context: Context, client: str, text: str) -> None:
    """The client's deployed home page has a heading (h1-h3) reading exactly this text."""
    assert_that(assess.site_page(world(context), client), has_heading(text), f"home page of {client}")


@then('the site of "{client}" is titled "{title}"')
def step_site_titled(context: Context, client: str, title: str) -> None:
    """The client's deployed home page has exactly this title."""
    assert_that(assess.site_page(world(context), client), has_title(title), f"home page of {client}")


@then('the site of "{client}" shows "{text}"')
def step_site_shows(context: Context, client: str, text: str) -> None:
    """The text appears on the client's deployed home page."""
    assert_that(assess.site_page(world(context), client), shows_text(text), f"home page of {client}")


@then('the site of "{client}" shows the last timestamp it sent')
def step_site_shows_last_timestamp(context: Context, client: str) -> None:
    """After timestamp updates, the client's home page shows the last timestamp sent (not an older build)."""
    w = world(context)
    if w.scenario.last_timestamp is None:
        raise ValueError(f"{client!r} sent no timestamp update in this scenario")
    assert_that(assess.site_page(w, client), shows_text(w.scenario.last_timestamp), f"home page of {client}")


@then('the site of "{client}" does not show "{text}"')
def step_site_does_not_show(context: Context, client: str, text: str) -> None:
    """The text appears nowhere on the client's deployed home page."""
    w = world(context)
    bucket = w.scenario.client(client).bucket
    assert_that(assess.site_page(w, client), is_not(shows_text(text)), f"{bucket} still contains {text!r}")


@then('"{client}" and "{other}" have separate edit pages')
def step_separate_edit_pages(context: Context, client: str, other: str) -> None:
    """Besides the home page, the two clients' sites share no file, and each has pages of its own."""
    w = world(context)
    for name in (client, other):
        assess.site_page(w, name)
    comparison = sites.compare_s3_objects(w.target.aws.s3, w.scenario.client(client).bucket,
                                          w.scenario.client(other).bucket)
    shared = [key for key in comparison.common if key != "index.html"]
    assert not shared, f"the sites of {client} and {other} share {shared}"
    assert comparison.unique1 and comparison.unique2, (
        f"each site should have edit pages of its own: only {client}: {comparison.unique1}, "
        f"only {other}: {comparison.unique2}")
