"""The suite's hooks, as a table of contents: each job is a fixture or a function of its own in features/support/.

- the run: its target (the embedded sandbox, started or attached, or an AWS test stack), settings, reports and the
  World the steps share (support/run.py); behavex's coordinator, one sandbox for all its workers
  (support/coordinator.py);
- each feature: a pre-clean of what an interrupted attempt of this run id left;
- each scenario: fresh clients removed after it; what it asks refused before anything is sent when it could not be
  checked; behave's active tags (`@use.with_target=local`) and fixture tags (`@fixture.browser`)
  (support/scenarios.py);
- each step and scenario: the verdict, by the one rule for known faults, and the evidence (support/judging.py),
  attached through behave too: screenshots and container logs (support/attachments.py).
"""

from __future__ import annotations

from typing import Any

from behave.fixture import use_fixture
from behave.model import Feature, Scenario, Step
from behave.runner import Context

from features.support import attachments, coordinator, judging, run, scenarios
from lib.scenario.world import world


def before_all(context: Context) -> None:
    use_fixture(run.the_target, context)


def before_all_workers(context: Any) -> None:
    coordinator.start(context)


def after_all_workers(context: Any) -> None:
    coordinator.finish(context)


def before_feature(context: Context, feature: Feature) -> None:
    # Like ceph's s3-tests: also clean before, in case an interrupted attempt of this run id left something.
    scenarios.report(world(context).remove_leftovers())
    scenarios.refuse_what_a_feature_cannot_run(context, feature)


def before_tag(context: Context, tag: str) -> None:
    scenarios.use_fixture_tag(context, tag)


def before_scenario(context: Context, scenario: Scenario) -> None:
    use_fixture(scenarios.fresh_clients, context)
    scenarios.refuse_what_cannot_be_checked(context, scenario)
    scenarios.skip_where_it_cannot_run(context, scenario)


def after_step(context: Context, step: Step) -> None:
    judging.judge_step(context, step)
    attachments.of_step(context)  # during the step: every formatter files it under the step that looked


def after_scenario(context: Context, scenario: Scenario) -> None:
    try:
        judging.judge_scenario(context, scenario)
    finally:
        attachments.of_scenario(context, scenario)  # a red verdict (a raise) keeps its evidence too
