"""Steps that check what the clients' sites show. Each waits until the client's latest edit has ended, and
reads the site only if it was deployed, so a check never passes on an older build."""

from __future__ import annotations

from behave import then
from behave.runner import Context
from hamcrest import assert_that, is_not

from lib import assess, expectations, plan
from lib.inputs import takes
from lib.matchers import has_heading, has_title, shows_in, shows_text
from lib.observe import sites
from lib.world import World, world


@then('the site of "{client}" shows the heading "{text}"')
@takes(needs=(plan.emailed,))
def step_site_shows_heading(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, its home page has a heading (h1-h3) reading exactly this text."""
    assert_that(assess.site_page(world(context), client), has_heading(text), f"home page of {client}")


@then('the site of "{client}" is titled "{title}"')
@takes(needs=(plan.emailed,))
def step_site_titled(context: Context, client: str, title: str) -> None:
    """Once the client's latest edit is deployed, its home page has exactly this title."""
    assert_that(assess.site_page(world(context), client), has_title(title), f"home page of {client}")


@then('the site of "{client}" shows "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client))
def step_site_shows(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, the text is in the element the client's edit wrote it to (a
    heading, the title, a config entry, the timestamp), not merely somewhere on the page."""
    w = world(context)
    assert_that(assess.site_page(w, client), shows_in(assess.element_for(w, client, text), text),
                f"home page of {client}")


@then('the site of "{client}" shows the last timestamp it sent')
@takes(needs=(plan.marked("timestamps", "no timestamp update is sent before this step"),))
def step_site_shows_last_timestamp(context: Context, client: str) -> None:
    """After timestamp updates, the client's home page shows the last timestamp sent in its timestamp element (not
    an older build's)."""
    w = world(context)
    assert w.scenario.last_timestamp is not None
    assert_that(assess.site_page(w, client), shows_in(expectations.TIMESTAMP, w.scenario.last_timestamp),
                f"home page of {client}")


@then('the site of "{client}" still shows the heading "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.later_email))
def step_site_still_shows_heading(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit has ended without deploying (a failed build or sync), its home page still
    has the heading (h1-h3) its last deployed edit wrote: the failure changed nothing a visitor sees."""
    assert_that(assess.site_page_left(world(context), client), has_heading(text), f"home page of {client}")


@then('the site of "{client}" still shows "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.later_email))
def step_site_still_shows(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit has ended without deploying, the text is still in the element its last
    deployed edit wrote it to (a heading, the title, a config entry, the timestamp)."""
    w = world(context)
    page = assess.site_page_left(w, client)
    assert_that(page, shows_in(assess.element_left_for(w, client, text), text), f"home page of {client}")


@then('the site of "{client}" does not show "{text}"')
@takes(needs=(plan.emailed, plan.carried))
def step_site_does_not_show(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, the text appears nowhere on its home page."""
    w = world(context)
    bucket = w.scenario.client(client).bucket
    assert_that(assess.site_page(w, client), is_not(shows_text(text)), f"{bucket} still contains {text!r}")


@then('no site but the site of "{client}" shows "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.two_sites))
def step_only_one_site_shows(context: Context, client: str, text: str) -> None:
    """The text is in the element the client's edit wrote it to on its deployed home page, and nowhere on any other
    client's home page of this scenario."""
    w = world(context)
    assert_that(assess.site_page(w, client), shows_in(assess.element_for(w, client, text), text),
                f"home page of {client}")
    others = [name for name in w.scenario.clients if name != client]
    leaking = [name for name in others if w.scenario.clients[name].has_site
               and shows_text(text).matches(assess.site_page(w, name))]
    assert not leaking, f"{text!r} of {client} also shows on the site of {', '.join(leaking)}"


@then('no site shows "{text}"')
@takes(needs=(plan.an_email, plan.carried))
def step_no_site_shows(context: Context, text: str) -> None:
    """Once each client's latest edit has ended, the text is on no deployed home page of this scenario (a client
    whose latest edit was not deployed has no page of this scenario to show it)."""
    w = world(context)
    checked = [name for name, client in w.scenario.clients.items() if client.has_site and w.scenario.sessions_of(name)
               and w.observer.await_outcome(w.scenario.latest_session(name)).kind == expectations.DEPLOYED]
    if not checked:
        raise ValueError("no client of this scenario has a deployed edit, so no site can be checked")
    showing = [name for name in checked if shows_text(text).matches(assess.site_page(w, name))]
    assert not showing, f"{text!r} shows on the site of {', '.join(showing)}"


@then("every client has edit pages of its own")
@takes(needs=(plan.two_sites,))
def step_every_client_has_own_pages(context: Context) -> None:
    """Besides the home page, no two clients' sites of this scenario share a file, and each has pages of its own."""
    w = world(context)
    names = [name for name, client in w.scenario.clients.items() if client.has_site]
    problems = []
    for i, name in enumerate(names):
        assess.site_page(w, name)
        for other in names[i + 1:]:
            problems += _separation_problems(w, name, other)
    assert not problems, "; ".join(problems)


@then('"{client}" and "{other}" have separate edit pages')
@takes(needs=(plan.emailed, plan.two_sites))
def step_separate_edit_pages(context: Context, client: str, other: str) -> None:
    """Besides the home page, the two clients' sites share no file, and each has pages of its own."""
    w = world(context)
    for name in (client, other):
        assess.site_page(w, name)
    problems = _separation_problems(w, client, other)
    assert not problems, "; ".join(problems)


def _separation_problems(w: World, client: str, other: str) -> list[str]:
    comparison = sites.compare_s3_objects(w.target.aws.s3, w.scenario.client(client).bucket,
                                          w.scenario.client(other).bucket)
    shared = [key for key in comparison.common if key != "index.html"]
    problems = [f"the sites of {client} and {other} share {shared}"] if shared else []
    if not (comparison.unique1 and comparison.unique2):
        problems.append(f"each site should have edit pages of its own: only {client}: {comparison.unique1}, "
                        f"only {other}: {comparison.unique2}")
    return problems
