"""A scenario's verdict, by the one rule for known faults (lib/expect/known_faults.judge): after each step, a failed
check that shows a tagged fault's evidence is marked as that known fault and the scenario goes on; after the
scenario, red if any check failed otherwise, a known fault if some did and everything else held, else green; and
the evidence the living documentation shows. An endpoint that fails beyond its retries ends the run."""

from __future__ import annotations

from behave.model import Scenario, Step
from behave.model_type import Status
from behave.runner import Context

from features.support.console import console
from lib.expect import known_faults
from lib.observe import infrastructure, visitor
from lib.scenario import evidence, verdicts
from lib.scenario.world import World, world
from reporting.notes import NOTES


def judge_step(context: Context, step: Step) -> None:
    fault = infrastructure.fault_in(step.exception) if step.status in (Status.failed, Status.error) else None
    if fault:
        _stop(context, fault)
        return
    if step.status != Status.failed or not isinstance(step.exception, AssertionError):
        return  # only a check that fails can be a known fault; an error (a broken step, a bad input) still fails
    w = world(context)
    message = " ".join(str(step.exception).split())  # all of it: a problem on a later line is judged too
    seen = known_faults.judge(f"{step.keyword} {step.name}", message,
                              verdicts.accepted_faults(w, context.scenario.effective_tags))
    if seen is None:
        point_the_way(context.scenario, message)
        return
    # Known: the step is marked so (behave then goes on with the next step, which gets its own verdict).
    w.scenario.known_faults.append(seen)
    step.status = Status.skipped
    step.error_message = f"known fault {seen.describe()}"
    NOTES.mark_step_known(step, seen.describe())


def judge_scenario(context: Context, scenario: Scenario) -> None:
    w = world(context)
    if w.infrastructure_fault:
        # The reason the living documentation shows (behave sets a step's message only after after_step). No
        # evidence: reading it through a broken endpoint would only wait out the retries.
        for step in scenario.steps:
            if step.status == Status.error:
                step.error_message = f"infrastructure, not WebOrdinary: {w.infrastructure_fault}"
        return
    try:
        _verdict(scenario, w)
    except Exception as error:  # the loose ends are read here too, through the same endpoints
        fault = infrastructure.fault_in(error)
        if fault is None:
            raise
        _stop(context, fault)
        scenario.set_status(Status.error)
        return
    finally:
        if not w.infrastructure_fault:
            # Read by reporting.formatter when behave closes: the living documentation's evidence section.
            browser = visitor.unavailable(w.target.settings.system.browser) is None
            NOTES.of(scenario).evidence = evidence.collect(w, w.reports_dir / "screenshots" if browser else None)


def _stop(context: Context, fault: str) -> None:
    """Not WebOrdinary's fault: no verdict, and nothing more is read or judged through a broken endpoint."""
    world(context).infrastructure_fault = fault
    console(f"INFRASTRUCTURE ERROR: {fault}. The run stops: no verdict on WebOrdinary")
    context.abort(reason=f"infrastructure: {fault}")


def _verdict(scenario: Scenario, w: World) -> None:
    if not w.scenario.known_faults and all(s.status in (Status.skipped, Status.untested) for s in scenario.all_steps):
        return  # not run (no browser, another target's scenario): no verdict, and no @known-fault to miss
    red = next((s.status for s in scenario.all_steps if s.status.has_failed()), None)
    if red is not None:
        scenario.set_status(red)  # behave would report the first step that is not green: a known fault's skip
        return
    if not any(step.step_type == "then" for step in scenario.all_steps):
        raise AssertionError("the scenario checks nothing: add a Then step that says what should have happened")
    problems = verdicts.left_behind(w)
    if problems:
        message = "; ".join(problems)
        seen = known_faults.judge("after the scenario", message, verdicts.accepted_faults(w, scenario.effective_tags))
        if seen is None:
            point_the_way(scenario, message)
            raise AssertionError("the scenario passed its checks, but " + message)
        w.scenario.known_faults.append(seen)
        # The check after the steps has a verdict of its own in the Cucumber Messages (after_scenario's test step).
        NOTES.of(scenario).known_fault_after_steps = seen.describe()
    if w.scenario.known_faults:
        reason = known_faults.summary(w.scenario.known_faults)
        NOTES.of(scenario).known_fault = reason  # the one verdict the console, JUnit and the page show
        scenario.skip_reason = reason
        scenario.set_status(Status.skipped)
    elif known_faults.STRICT_TAG in scenario.effective_tags:
        raise AssertionError(f"@{known_faults.STRICT_TAG} scenario passed: the real system's known fault did not "
                             f"show. Fixed? Remove the @{known_faults.STRICT_TAG} tag")


def point_the_way(scenario: Scenario, message: str) -> None:
    """A failure that shows a known fault of the real system the scenario's tags do not name: say which tag records
    it (the failure stays red until the tag is there, and on the sandbox's stand-ins, which must not have it)."""
    untagged = [f for f in known_faults.explaining(message, list(known_faults.FAULTS.values()))
                if f not in known_faults.tagged(scenario.effective_tags)]
    if untagged:
        hint = "; ".join(f"@{known_faults.TAG}{f.name}" for f in untagged)
        NOTES.of(scenario).hint = (f"this failure shows the real system's known fault {hint.replace('@', '')}: where "
                                   f"that is the real system's, tag the scenario {hint} to record it")
        console(NOTES.of(scenario).hint)
