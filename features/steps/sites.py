"""Steps that check what the clients' sites show. Each waits until the client's latest edit has ended, and
reads the site only if it was deployed, so a check never passes on an older build."""

from __future__ import annotations

from behave import then
from behave.runner import Context

from lib.scenario import plan, verdicts
from lib.scenario.inputs import takes
from lib.scenario.world import world


@then('the site of "{client}" shows the heading "{text}"')
@takes(needs=(plan.emailed, plan.told_apart), reads=plan.the_writer)
def step_site_shows_heading(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, its home page has a heading (h1-h3) reading exactly this text."""
    problems = verdicts.site_shows_heading(world(context), client, text)
    assert not problems, "; ".join(problems)


@then('the site of "{client}" is titled "{title}"')
@then('the page title of "{client}" is "{title}"')
@takes(needs=(plan.emailed, plan.told_apart), reads=plan.the_writer)
def step_site_titled(context: Context, client: str, title: str) -> None:
    """Once the client's latest edit is deployed, its home page has exactly this title."""
    problems = verdicts.site_titled(world(context), client, title)
    assert not problems, "; ".join(problems)


@then('the site of "{client}" shows "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.told_apart), reads=plan.the_writer)
def step_site_shows(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, the text is in the element the client's edit wrote it to (a
    heading, the title, a config entry, the timestamp), not merely somewhere on the page."""
    problems = verdicts.site_shows(world(context), client, text)
    assert not problems, "; ".join(problems)


@then('the site of "{client}" shows the last timestamp it sent')
@takes(needs=(plan.marked("timestamps", "no timestamp update is sent before this step"),),
       reads=plan.marked_emails("timestamps"))
def step_site_shows_last_timestamp(context: Context, client: str) -> None:
    """After timestamp updates, the client's home page shows the last timestamp sent in its timestamp element (not
    an older build's)."""
    problems = verdicts.site_shows_last_timestamp(world(context), client)
    assert not problems, "; ".join(problems)


@then('the site of "{client}" still shows the heading "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.later_email), reads=plan.the_clients_emails)
def step_site_still_shows_heading(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit has ended without deploying (a failed build or sync), its home page still
    has the heading (h1-h3) its last deployed edit wrote: the failure changed nothing a visitor sees."""
    problems = verdicts.site_still_shows_heading(world(context), client, text)
    assert not problems, "; ".join(problems)


@then('the site of "{client}" still shows "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.later_email), reads=plan.the_clients_emails)
def step_site_still_shows(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit has ended without deploying, the text is still in the element its last
    deployed edit wrote it to (a heading, the title, a config entry, the timestamp)."""
    problems = verdicts.site_still_shows(world(context), client, text)
    assert not problems, "; ".join(problems)


@then('the site of "{client}" does not show "{text}"')
@takes(needs=(plan.emailed, plan.written_by_some), reads=plan.the_carriers)
def step_site_does_not_show(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, the text appears nowhere on its home page."""
    problems = verdicts.site_does_not_show(world(context), client, text)
    assert not problems, "; ".join(problems)


@then('no site but the site of "{client}" shows "{text}"')
@then('only the site of "{client}" shows "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client, plan.two_sites), reads=plan.the_carriers)
def step_only_one_site_shows(context: Context, client: str, text: str) -> None:
    """The text is in the element the client's edit wrote it to on its deployed home page, and nowhere on any other
    client's home page of this scenario."""
    problems = verdicts.only_one_site_shows(world(context), client, text)
    assert not problems, "; ".join(problems)


@then('no site shows "{text}"')
@takes(needs=(plan.a_site_emailed, plan.written_by_some), reads=plan.the_carriers)
def step_no_site_shows(context: Context, text: str) -> None:
    """Once each client's latest edit has ended, the text is on no deployed home page of this scenario (a client
    whose latest edit was not deployed has no page of this scenario to show it)."""
    problems = verdicts.no_site_shows(world(context), text)
    assert not problems, "; ".join(problems)


@then("every client has edit pages of its own")
@takes(needs=(plan.two_sites,))
def step_every_client_has_own_pages(context: Context) -> None:
    """Besides the home page, no two clients' sites of this scenario share a file, and each has pages of its own."""
    problems = verdicts.separate_edit_pages(world(context))
    assert not problems, "; ".join(problems)


@then('"{client}" and "{other}" have separate edit pages')
@takes(needs=(plan.emailed, plan.two_sites), reads=plan.the_clients_emails)
def step_separate_edit_pages(context: Context, client: str, other: str) -> None:
    """Besides the home page, the two clients' sites share no file, and each has pages of its own."""
    problems = verdicts.separate_edit_pages(world(context), [client, other])
    assert not problems, "; ".join(problems)


@then("each client's site shows its latest deployed edit")
@takes(needs=(plan.an_email,))
def step_latest_edits_show(context: Context) -> None:
    """Once every session has ended, each client's site shows, in the element it writes, what the last of its edits
    to be deployed wrote (a heading, the title, a config value, the timestamp), and nothing that only an edit on
    another of the client's threads wrote."""
    problems = verdicts.latest_edits_show(world(context))
    assert not problems, "; ".join(problems)
