"""Each scenario: fresh clients (a name is a new client in every scenario) removed after it, what it asks refused
before anything is sent when a run would refuse it, and the tags that say where and with what it runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from behave.fixture import fixture, use_fixture_by_tag
from behave.model import Scenario, Step
from behave.runner import Context
from behave.tag_matcher import ActiveTagMatcher

from features.support.console import console
from lib.expect import known_faults
from lib.observe import visitor
from lib.scenario import plan
from lib.scenario.world import World, world


@fixture
def fresh_clients(context: Context) -> Iterator[World]:
    """A new scenario state; after the scenario (even one that failed), what it created is removed."""
    w = world(context)
    # On the World, not on behave's context: what a hook sets on the context is undone after the scenario, which
    # once made every scenario "s1" and let one scenario's project carry over to the next.
    w.new_scenario()
    yield w
    if w.infrastructure_fault:
        # Every call would wait out its retries on the broken endpoint; what is left carries the run's tag.
        console(f"not cleaning up run {w.target.settings.run.run_id}: {w.infrastructure_fault}; `make sweep` removes "
                "what it left")
        return
    report(w.clean_up())


def report(cleanup: object) -> None:
    errors = getattr(cleanup, "errors", [])
    if errors:
        console("could not remove: " + "; ".join(errors))


def refuse_what_cannot_be_checked(context: Context, scenario: Scenario) -> None:
    """Unknown fault names, every input a run would refuse and every check that could not fail given the
    scenario's own emails (lib/scenario/plan.py): refused in one sentence before any email is sent."""
    wrong = known_faults.tag_problems(scenario.effective_tags)
    if wrong:
        raise known_faults.UnknownFaultError("; ".join(wrong))
    steps = context._runner.step_registry  # the run's own (behave may give it one of its own)
    target = world(context).target
    plan.refuse(plan.scenario_problems([_planned(steps, step) for step in scenario.all_steps], target.grammar,
                                       target.settings))


def _planned(steps: Any, step: Step) -> plan.PlannedStep:
    match = steps.find_match(step)
    values = {argument.name: argument.value for argument in match.arguments} if match else {}
    return plan.planned(f"{step.filename}:{step.line}", f"{step.keyword} {step.name.rstrip(':')}",
                        match.func if match else None, values, step.table)


def skip_where_it_cannot_run(context: Context, scenario: Scenario) -> None:
    """behave's active tags: `@use.with_target=local` runs only on the embedded AWS (where the sandbox stands in
    for Claude, so an edit can break a build on purpose), skipped on target=aws; `@use.with_idle_release=short`
    only where an idle container releases its project within `longest_idle_wait_s`."""
    settings = world(context).target.settings
    short = settings.system.idle_release_s <= settings.timing.longest_idle_wait_s
    why = {
        "target": "runs only where the sandbox stands in for Claude (target local): the real system cannot be made "
                  "to do this on purpose",
        "idle_release": f"this target releases an idle container's project after {settings.system.idle_release_s:.0f}"
                        f" s, longer than longest_idle_wait_s ({settings.timing.longest_idle_wait_s:.0f} s): raise it "
                        "to run this scenario",
    }
    values = {"target": settings.system.target, "idle_release": "short" if short else "long"}
    for name, value in values.items():
        if ActiveTagMatcher({name: value}).should_skip_with_tags(scenario.effective_tags):
            scenario.skip(why[name])
            return


@fixture
def a_browser(context: Context) -> Iterator[None]:
    """`@fixture.browser`: the scenario looks through a real Chromium, skipped with why when there is none."""
    missing = visitor.unavailable(world(context).target.settings.system.browser)
    if missing:
        context.scenario.skip(missing)
    yield


FIXTURE_TAGS = {"fixture.browser": a_browser}


def use_fixture_tag(context: Context, tag: str) -> None:
    if tag.startswith("fixture."):
        use_fixture_by_tag(tag, context, FIXTURE_TAGS)
