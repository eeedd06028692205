"""Steps about what a visitor sees: a client's site through its website address, in a real headless browser."""

from __future__ import annotations

from behave import then, when
from behave.runner import Context

from lib import assess, plan
from lib.inputs import takes
from lib.world import world


@then('a visitor to the site of "{client}" sees the heading "{text}"')
@takes(needs=(plan.emailed,))
def step_visitor_sees_heading(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, its site's address shows a rendered page (served as HTML) with
    a heading (h1-h3) reading exactly this text."""
    visit = assess.visit(world(context), client)
    problems = visit.problems()
    assert not problems, "; ".join(problems)
    assert text in visit.headings, f"a visitor to the site of {client} sees the headings {visit.headings}, not {text!r}"


@then('a visitor to the site of "{client}" sees the title "{title}"')
@takes(needs=(plan.emailed,))
def step_visitor_sees_title(context: Context, client: str, title: str) -> None:
    """Once the client's latest edit is deployed, its site's address shows a rendered page titled exactly this."""
    visit = assess.visit(world(context), client)
    problems = visit.problems()
    assert not problems, "; ".join(problems)
    assert visit.title == title, f"a visitor to the site of {client} sees the title {visit.title!r}, not {title!r}"


@then('a visitor to the site of "{client}" sees "{text}"')
@takes(needs=(plan.emailed, plan.written_by_client))
def step_visitor_sees_text(context: Context, client: str, text: str) -> None:
    """Once the client's latest edit is deployed, its site's address shows a rendered page (served as HTML) on
    which this text is visible to a person: anywhere on the page as the browser renders it."""
    visit = assess.visit(world(context), client)
    problems = visit.problems()
    assert not problems, "; ".join(problems)
    assert text in visit.text, f"a visitor to the site of {client} does not see {text!r}: the page reads " \
                               f"{' '.join(visit.text.split())[:300]!r}"


@then('a visitor finds no broken link or missing asset on the site of "{client}"')
@takes(needs=(plan.emailed,))
def step_visitor_no_broken_links(context: Context, client: str) -> None:
    """Once the client's latest edit is deployed, its home page is served as HTML, and every page and asset it
    loads or links to on the same site answers, pages as HTML."""
    problems = assess.visit(world(context), client).problems()
    assert not problems, "; ".join(problems)


@when('a visitor keeps reading the site of "{client}"')
@takes(needs=(plan.emailed,), marks=plan.mark("reading"))
def step_visitor_keeps_reading(context: Context, client: str) -> None:
    """Once the client's latest edit is deployed, a visitor reads its site over and over (the home page and every
    page it links to, noting which build each came from) until a later step asks what they saw."""
    assess.start_reading(world(context), client)


@then('the visitor never saw a mix of two builds on the site of "{client}"')
@takes(needs=(plan.marked("reading", "no visitor reads the site before this step"), plan.emailed_after_mark(
    "reading", "no email of the client follows the visitor's first read, so no redeploy is watched")))
def step_no_mixed_builds(context: Context, client: str) -> None:
    """Once the client's latest edit has ended, stops the visitor and says how many reads they made, how many
    mixed two builds (or met a page not uploaded yet) and for how long. The visitor must have seen the old build
    and the new one. A mix fails the check; the real system's `aws s3 sync` is not atomic, so a scenario tagged
    `@real-fault:mixed-builds` records it as that known fault (unless the setting `mixed_builds` is `fail`)."""
    w = world(context)
    readings = assess.stop_reading(w, client)
    seen = readings.summary()
    w.target.say(f"a visitor of {client} made {seen['reads']} reads of {seen['builds_seen']} builds; "
                 f"{seen['mixed_reads']} mixed two builds, for {seen['mixed_ms']} ms")
    assert seen["builds_seen"] >= 2, (f"the visitor of {client} saw {seen['builds_seen']} build(s) in {seen['reads']} "
                                      "reads, so this check did not watch a redeploy")
    if readings.mixed:
        example = readings.mixed[0]
        raise AssertionError(f"a visitor saw a mix of two builds on the site of {client} for {seen['mixed_ms']} ms "
                             f"({seen['mixed_reads']} of {seen['reads']} reads; e.g. builds {sorted(example.builds)}, "
                             f"missing {list(example.missing)})")
