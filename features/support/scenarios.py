"""Each scenario: fresh clients (a name is a new client in every scenario) removed after it, what it asks refused
before anything is sent when a run would refuse it, and the tags that say where and with what it runs."""

from __future__ import annotations

import re
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
from reporting import parallel
from reporting.notes import NOTES


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


# -- what is refused before anything is sent: one decision for the run and `make lint-features` ---------------------
# behave's active tags this suite knows, with the values each can take, and its fixture tags.
ACTIVE_TAGS = {"target": ("local", "aws"), "idle_release": ("short", "long")}
FIXTURE_TAG_NAMES = ("fixture.browser",)
_PLACEHOLDER = re.compile(r"<([^<>\s][^<>]*)>")


def scenario_problems(registry: Any, scenario: Scenario, grammar: Any, settings: Any) -> list[str]:
    """Why the scenario is refused before anything is sent (empty: it may run), each `file:line: problem`: its tags,
    steps that are not one step of the catalog, inputs a run would refuse, checks that could not fail, emails no
    check reads (lib/scenario/plan.py). The run refuses it in one sentence; `make lint-features` lists the same."""
    where = f"{scenario.filename}:{scenario.line}"
    problems = [f"{where}: {p}" for p in known_faults.tag_problems(scenario.effective_tags) + tag_problems(scenario)]
    return problems + plan.scenario_problems([planned_step(registry, step, f"{step.filename}:{step.line}")
                                              for step in scenario.all_steps], grammar, settings)


def tag_problems(scenario: Scenario) -> list[str]:
    """Active and fixture tags this suite does not know: a misspelt one would skip or break a scenario silently."""
    found = []
    for tag in scenario.effective_tags:
        if tag.startswith("use.with_"):
            name, _, value = tag.removeprefix("use.with_").partition("=")
            values = ACTIVE_TAGS.get(name)
            if values is None or value not in values:
                known = "; ".join(f"@use.with_{n}={'|'.join(v)}" for n, v in ACTIVE_TAGS.items())
                found.append(f"@{tag} is not an active tag of this suite (known: {known}): the scenario would be "
                             "skipped or run where it should not")
        elif tag.startswith("fixture.") and tag not in FIXTURE_TAG_NAMES:
            found.append(f"@{tag} is not a fixture of this suite (known: "
                         f"{', '.join('@' + t for t in FIXTURE_TAG_NAMES)})")
    return found


def feature_problems(feature: Any) -> list[tuple[Any, str]]:
    """What of a feature is refused as written, each with the scenarios it stops (none: nothing would run, as an
    outline whose Examples have no rows): Rule blocks, and outlines with no rows or an unknown placeholder."""
    found: list[tuple[Any, str]] = []
    for rule in getattr(feature, "rules", []):
        found += [(scenario, f"{feature.filename}:{rule.line}: `Rule: {rule.name}` is not used in this suite's "
                             "features (one feature per acceptance criterion): put its scenarios in the feature, or "
                             "in a feature of their own") for scenario in rule.walk_scenarios() or [None]]
    for outline in feature.iter_scenario_outlines() if hasattr(feature, "iter_scenario_outlines") else []:
        where = f"{feature.filename}:{outline.line}"
        headings = {h for examples in outline.examples for h in (examples.table.headings if examples.table else [])}
        empty = [e for e in outline.examples if not e.table or not e.table.rows]
        if empty or not outline.examples:
            found.append((None, f"{where}: the outline {outline.name!r} has an Examples table with no rows, so it "
                                "runs nothing: give each Examples table a row"))
        texts = [step.name for step in outline.steps] + [cell for step in outline.steps if step.table
                                                          for row in step.table.rows for cell in row.cells]
        unknown = sorted({p for text in texts for p in _PLACEHOLDER.findall(text)} - headings)
        if unknown:
            found += [(scenario, f"{where}: the outline uses <{'>, <'.join(unknown)}>, which no Examples column "
                                 f"names (its columns: {', '.join(sorted(headings)) or 'none'})")
                      for scenario in outline.scenarios or [None]]
    return found


def planned_step(registry: Any, step: Step, where: str) -> plan.PlannedStep:
    """A step as the plan sees it, from behave's step registry: the catalog patterns its text matches (none, one or
    several), and every pattern of the catalog for the closest ones. The run and `make lint-features` both plan
    with this."""
    definitions = registry.steps[step.step_type] + registry.steps["step"]
    matches = [(d, m) for d in definitions if (m := d.match(step.name))]
    values = {argument.name: argument.value for argument in matches[0][1].arguments} if len(matches) == 1 else {}
    everything = tuple(d.pattern for kind in ("given", "when", "then", "step") for d in registry.steps[kind])
    return plan.planned(where, f"{step.keyword} {step.name.rstrip(':')}",
                        matches[0][0].func if len(matches) == 1 else None, values, step.table, step.step_type,
                        tuple(d.pattern for d, _ in matches), everything)


def refuse_what_cannot_be_checked(context: Context, scenario: Scenario) -> None:
    """A scenario the one decision above refuses is refused in one sentence before any email is sent: it does not
    run, every report says `refused` and why, and the run ends non-zero."""
    target = world(context).target
    problems = [p for s, p in _FEATURE_PROBLEMS.get(id(scenario.feature), []) if s is scenario]
    problems += scenario_problems(context._runner.step_registry, scenario, target.grammar, target.settings)
    if problems:
        refuse(context, scenario, "; ".join(dict.fromkeys(problems)))


def refuse_what_a_feature_cannot_run(context: Context, feature: Any) -> None:
    """A feature's Rules, and outlines that would run nothing or use an unknown placeholder."""
    found = feature_problems(feature)
    _FEATURE_PROBLEMS[id(feature)] = found
    if parallel.in_worker(context.config.userdata):
        return  # a behavex worker runs one scenario; `make acceptance` lints the features before its workers start
    for scenario, problem in found:
        if scenario is None:  # nothing of it would run: refused on the run's own account
            NOTES.refusals.append(problem)
            context._runner.hook_failures += 1  # the run's count of failures, so that it ends non-zero


_FEATURE_PROBLEMS: dict[int, list[tuple[Any, str]]] = {}


def refuse(context: Context, scenario: Scenario, why: str) -> None:
    NOTES.of(scenario).refused = why
    scenario.skip(f"refused before anything was sent: {why}")
    context._runner.hook_failures += 1  # the run's count of failures, so that it ends non-zero


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
