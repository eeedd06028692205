"""Starts the target, gives each scenario fresh clients and removes them after it, checks that nothing was left
running or waiting, and gathers the evidence the living documentation shows for each scenario.

The default target `local` is the embedded sandbox, run as a child process and reached over HTTP like AWS and
GitHub; `aws` is a real WebOrdinary test stack.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from behave.model import Feature, Scenario, Step
from behave.model_type import Status
from behave.runner import Context

from lib import evidence, infrastructure, known_faults, plan, preflight, verdicts
from lib.instructions import Grammar
from lib.observe import visitor
from lib.scenario import ScenarioState
from lib.settings import Settings, SettingsError
from lib.target import Target
from lib.world import World, world
from reporting import parallel, reporters
from reporting.formatter import reports_folder, write_page
from sandbox.process import ATTACH_ENV, SandboxProcess, SandboxStartError


def console(message: str) -> None:
    """Progress for a person watching: straight to the terminal, past behave's output capture."""
    print(f"    ... {message}", file=sys.__stderr__, flush=True)


def before_all(context: Context) -> None:
    try:
        _start(context)
    except (SettingsError, preflight.PreflightError, SandboxStartError) as error:
        # A setting or target the suite cannot use: one clear message and exit 2. behave turns any exception
        # here, SystemExit included, into "HOOK-ERROR ... ABORTED: By user"; nothing has run, so leave at once.
        process = getattr(context, "sandbox_process", None)
        if process is not None:
            process.stop()
        print(f"\nwebordinary-acceptance cannot start: {error}", file=sys.__stderr__, flush=True)
        sys.__stdout__.flush()
        os._exit(2)


def _start(context: Context) -> None:
    reporters.install(context.config)  # "known fault" in the console summary and JUnit, as in the page
    userdata = context.config.userdata
    defines = dict(context.config.userdata_defines or [])
    ini = {key: value for key, value in userdata.items() if key not in defines}
    settings = Settings.load(ini=ini, environ=os.environ, defines=defines)
    # The formatter finds the reports where the settings (WEBORDINARY_REPORTS_DIR included) put them.
    userdata["reports_dir"] = settings.reports_dir
    context.reports_dir = reports_folder(userdata)
    context.reports_dir.mkdir(parents=True, exist_ok=True)
    # JUnit goes with the other reports when reports_dir moves them (unless --junit-directory said otherwise).
    if "--junit-directory" not in " ".join(sys.argv):
        context.config.junit_directory = str(context.reports_dir / "junit")
    grammar = Grammar()
    judged = (f"the WebOrdinary stack of state machine {settings.state_machine} at "
              f"{settings.aws_endpoint_url or 'AWS ' + settings.region}")
    real_system = settings.target == "aws"
    if settings.target == "local":
        settings, grammar, judged, real_system = _start_sandbox(context, settings)
    preflight.require(settings)
    context.world = World.start(Target(settings, progress=console, grammar=grammar, real_system=real_system))
    context.config.webordinary_run = {"target": settings.target, "run_id": settings.run_id, "judged": judged,
                                      "instructions": grammar.catalog()}
    console(f"target {settings.target}, run {settings.run_id}: judging {judged}")
    missing = visitor.unavailable(settings.browser)
    if missing:
        console(f"{missing}; scenarios tagged @browser are skipped and no screenshots are taken")


def _start_sandbox(context: Context, settings: Settings) -> tuple[Settings, Grammar, str, bool]:
    # Only this file imports the sandbox, to start it: the suite talks to it over HTTP like to AWS and GitHub,
    # and takes the instructions it understands from what it publishes.

    endpoints = getattr(context, "sandbox_endpoints", None) or _endpoints_of_a_running_sandbox()
    if endpoints is None:
        process = context.sandbox_process = SandboxProcess(context.reports_dir / "sandbox.log")
        context.add_cleanup(process.stop)  # registered first, so it runs last: after every scenario's cleanup
        endpoints = process.start()
    settings = settings.on_local_endpoints(endpoints)
    # Which edit containers this sandbox runs: its own stand-ins, or a checkout of the real one (and its commit).
    container = endpoints.get("edit_container", {})
    judged = container.get("describe", "the sandbox's stand-in edit containers")
    return settings, Grammar.from_published(endpoints.get("instructions")), judged, container.get("kind") == "real"


# One sandbox for many behave processes (a test's runs, a benchmark): the endpoints file a running
# `python -m sandbox up --endpoints-file F` wrote. Every process still gets its own run id, so none shares a client.


def _endpoints_of_a_running_sandbox() -> dict[str, str] | None:
    path = os.environ.get(ATTACH_ENV)
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SandboxStartError(f"{ATTACH_ENV}={path}: not the endpoints file of a running sandbox ({error}); "
                                "unset it to start a sandbox for this run") from error


# behavex runs these two in its coordinator, before the first worker starts and after the last one ends: the
# workers attach to one sandbox instead of starting one each (settings from behave.ini and WEBORDINARY_*).
class _Coordinator:
    # Not a dataclass: behavex loads this file as a module it does not register, and dataclasses look it up.
    def __init__(self, reports: Path, started: float) -> None:
        self.reports = reports
        self.started = started
        self.sandbox: SandboxProcess | None = None


_COORDINATOR: list[_Coordinator] = []


def before_all_workers(context: Any) -> None:
    from behavex.conf_mgr import get_param  # only behavex calls this hook

    defines = dict(d.split("=", 1) for d in get_param("define") or [] if "=" in d)
    settings = Settings.from_ini_file(Path("behave.ini"), defines)
    run = _Coordinator(Path(settings.reports_dir), time.time())
    _COORDINATOR.append(run)
    parallel.clear(run.reports)
    if settings.target == "local" and not os.environ.get(ATTACH_ENV):
        run.sandbox = SandboxProcess(run.reports / "sandbox.log")
        context.sandbox_endpoints = run.sandbox.start()


def after_all_workers(context: Any) -> None:
    run = _COORDINATOR.pop()
    if run.sandbox:
        run.sandbox.stop()
    doc = parallel.join(run.reports, run.started)
    if doc is not None:
        write_page(run.reports, doc)
        console(f"living documentation of {doc.run_id.split(':')[0]}: {run.reports / 'living-documentation.html'}")


def before_feature(context: Context, feature: Feature) -> None:
    # Like ceph's s3-tests: also clean before, in case an interrupted attempt of this run id left something.
    _report(world(context).remove_leftovers())


def before_scenario(context: Context, scenario: Scenario) -> None:
    w = world(context)
    # Counted on the World, not on behave's context: what a hook sets on the context is undone after the
    # scenario, which once made every scenario "s1" and let one scenario's project carry over to the next.
    w.scenarios_started += 1
    w.scenario = ScenarioState(scope=f"s{w.scenarios_started}")
    # Registered at once, so the clients go even when a step or a later hook fails.
    context.add_cleanup(_clean_up, w)
    wrong = known_faults.tag_problems(scenario.effective_tags)  # an unknown fault's name fails at once
    if wrong:
        raise known_faults.UnknownFaultError("; ".join(wrong))
    # Every input, and every check that could not fail given the scenario's own emails, refused before any is sent.
    steps = context._runner.step_registry  # the run's own (behave may give it one of its own)
    plan.refuse(plan.scenario_problems([_planned(steps, step) for step in scenario.all_steps], w.target.grammar))
    if "sandbox-only" in scenario.effective_tags and w.target.settings.target != "local":
        scenario.skip("sandbox only: the real system cannot be made to do this on purpose")
    missing = visitor.unavailable(w.target.settings.browser)
    if "browser" in scenario.effective_tags and missing:
        scenario.skip(missing)


def _planned(steps: Any, step: Step) -> plan.PlannedStep:
    match = steps.find_match(step)
    values = {argument.name: argument.value for argument in match.arguments} if match else {}
    return plan.planned(f"{step.filename}:{step.line}", f"{step.keyword} {step.name.rstrip(':')}",
                        match.func if match else None, values, step.table)


def _clean_up(w: World) -> None:
    if w.infrastructure_fault:
        # Every call would wait out its retries on the broken endpoint; what is left carries the run's tag.
        console(f"not cleaning up run {w.target.settings.run_id}: {w.infrastructure_fault}; `make sweep` removes "
                "what it left")
        return
    _report(w.clean_up())


def _report(report: object) -> None:
    errors = getattr(report, "errors", [])
    if errors:
        console("could not remove: " + "; ".join(errors))


def after_step(context: Context, step: Step) -> None:
    fault = infrastructure.fault_in(step.exception) if step.status in (Status.failed, Status.error) else None
    if fault:
        # Not WebOrdinary's fault: no verdict, and nothing more is read or judged through a broken endpoint.
        world(context).infrastructure_fault = fault
        console(f"INFRASTRUCTURE ERROR: {fault}. The run stops: no verdict on WebOrdinary")
        context.abort(reason=f"infrastructure: {fault}")
        return
    if step.status != Status.failed or not isinstance(step.exception, AssertionError):
        return  # only a check that fails can be a known fault; an error (a broken step, a bad input) still fails
    message = str(step.exception).strip().splitlines()[0]
    seen = known_faults.judge(f"{step.keyword} {step.name}", message, _accepted(context))
    if seen is None:
        return
    # Known: the step is marked so (behave then goes on with the next step, which gets its own verdict).
    world(context).scenario.known_faults.append(seen)
    step.status = Status.skipped
    step.error_message = f"known fault {seen.describe()}"
    step.webordinary_known_fault = seen.describe()


def _accepted(context: Context) -> list[known_faults.KnownFault]:
    w = world(context)
    refused = ["mixed-builds"] if w.target.settings.mixed_builds == "fail" else []
    return known_faults.accepted(context.scenario.effective_tags, real_system=w.target.real_system, refused=refused)


def after_scenario(context: Context, scenario: Scenario) -> None:
    w = world(context)
    if w.infrastructure_fault:
        # The reason the living documentation shows (behave sets a step's message only after after_step). No
        # evidence: reading it through a broken endpoint would only wait out the retries.
        for step in scenario.steps:
            if step.status == Status.error:
                step.error_message = f"infrastructure, not WebOrdinary: {w.infrastructure_fault}"
        return
    try:
        _judge_scenario(context, scenario, w)
    finally:
        # Read by reporting.formatter when behave closes: the living documentation's evidence section.
        browser = visitor.unavailable(w.target.settings.browser) is None
        scenario.webordinary_evidence = evidence.collect(w, context.reports_dir / "screenshots" if browser else None)


def _judge_scenario(context: Context, scenario: Scenario, w: World) -> None:
    """The scenario's verdict from its steps' (one rule, lib/known_faults.judge): red when any check failed
    otherwise than as a known fault; a known fault when some did and the rest held; else green."""
    red = next((s.status for s in scenario.all_steps if s.status.has_failed()), None)
    if red is not None:
        scenario.set_status(red)  # behave would report the first step that is not green: a known fault's skip
        return
    if not any(step.step_type == "then" for step in scenario.all_steps):
        raise AssertionError("the scenario checks nothing: add a Then step that says what should have happened")
    # Checks of what the scenario left behind: work done twice or at once, and loose ends.
    w.observer.await_outcomes(w.scenario.sessions, failures_allowed=bool(w.scenario.known_faults))
    problems = [f"work done twice or at once: {p}" for p in verdicts.work_done_problems(w)]
    problems += [f"a loose end: {p}" for p in verdicts.loose_ends(w)]
    if problems:
        message = "; ".join(problems)
        seen = known_faults.judge("after the scenario", message, _accepted(context))
        if seen is None:
            raise AssertionError("the scenario passed its checks, but " + message)
        w.scenario.known_faults.append(seen)
    if w.scenario.known_faults:
        reason = known_faults.summary(w.scenario.known_faults)
        scenario.webordinary_known_fault = reason  # the one verdict the console, JUnit and the page show
        scenario.skip_reason = reason
        scenario.set_status(Status.skipped)
    elif known_faults.STRICT_TAG in scenario.effective_tags:
        raise AssertionError(f"@{known_faults.STRICT_TAG} scenario passed: the real system's known fault did not "
                             f"show. Fixed? Remove the @{known_faults.STRICT_TAG} tag")


def after_all(context: Context) -> None:
    if hasattr(context, "world"):
        world(context).target.browser.close()
        detections = world(context).target.detections
        if parallel.in_worker(context.config.userdata):
            parallel.add_detections(context.reports_dir, detections)
        else:
            (context.reports_dir / "detections.json").write_text(json.dumps(detections, indent=1) + "\n")
