"""The run's target, as a fixture: settings (behave.ini, WEBORDINARY_*, -D), the report folders, the embedded
sandbox (started, or attached to a running one) or an AWS stack, the read-only preflight, and the World every step
shares. Its cleanup closes the browser and writes the detections; the sandbox stops last."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from behave.fixture import fixture
from behave.runner import Context

from features.support import coordinator
from features.support.console import console
from lib.expect.instructions import Grammar
from lib.observe import visitor
from lib.scenario import preflight
from lib.scenario.target import Target
from lib.scenario.world import World
from lib.settings import Settings, SettingsError
from reporting import parallel, reporters
from reporting.formatter import reports_folder
from reporting.notes import NOTES, RunNotes
from sandbox.process import ATTACH_ENV, SandboxProcess, SandboxStartError

_STARTED: list[SandboxProcess] = []  # the sandbox this process started, if any (stopped last, or on a refusal)


@fixture
def the_target(context: Context) -> Iterator[World]:
    try:
        world = _start(context)
    except (SettingsError, preflight.PreflightError, SandboxStartError) as error:
        # A setting or target the suite cannot use: one clear message and exit 2. behave turns any exception
        # here, SystemExit included, into "HOOK-ERROR ... ABORTED: By user"; nothing has run, so leave at once.
        for process in _STARTED:
            process.stop()
        print(f"\nwebordinary-acceptance cannot start: {error}", file=sys.__stderr__, flush=True)
        sys.__stdout__.flush()
        os._exit(2)
    yield world  # the browser, shared by every run of this process, closes when the process ends
    if parallel.in_worker(context.config.userdata):
        parallel.add_detections(world.reports_dir, world.target.detections)
    else:
        (world.reports_dir / "detections.json").write_text(json.dumps(world.target.detections, indent=1) + "\n")


def _start(context: Context) -> World:
    reporters.install(context.config)  # "known fault" in the console summary and JUnit, as in the page
    userdata = context.config.userdata
    defines = dict(context.config.userdata_defines or [])
    ini = {key: value for key, value in userdata.items() if key not in defines}
    settings = Settings.load(ini=ini, environ=os.environ, defines=defines)
    # The formatter finds the reports where the settings (WEBORDINARY_REPORTS_DIR included) put them.
    userdata["reports_dir"] = settings.reports.reports_dir
    reports = reports_folder(userdata)
    reports.mkdir(parents=True, exist_ok=True)
    if parallel.in_worker(userdata):
        reporters.add_junit(context.config, parallel.junit_folder(reports, settings.run.run_id))
    elif "--junit-directory" not in " ".join(sys.argv):
        # JUnit goes with the other reports when reports_dir moves them (unless --junit-directory said otherwise).
        context.config.junit_directory = str(reports / "junit")
    grammar = Grammar()
    judged = (f"the WebOrdinary stack of state machine {settings.stack.state_machine} at "
              f"{settings.system.aws_endpoint_url or 'AWS ' + settings.system.region}")
    real_system = settings.system.target == "aws"
    if settings.system.target == "local":
        settings, grammar, judged, real_system = _start_sandbox(context, settings, reports)
    preflight.require(settings)
    world = context.world = World.start(Target(settings, progress=console, grammar=grammar,
                                                real_system=real_system), reports)
    NOTES.run = RunNotes(settings.system.target, settings.run.run_id, judged, grammar.catalog())
    console(f"target {settings.system.target}, run {settings.run.run_id}: judging {judged}")
    missing = visitor.unavailable(settings.system.browser)
    if missing:
        console(f"{missing}; scenarios tagged @fixture.browser are skipped and no screenshots are taken")
    return world


def _start_sandbox(context: Context, settings: Settings, reports: Path) -> tuple[Settings, Grammar, str, bool]:
    # Only the run's fixture imports the sandbox, to start it: the suite talks to it over HTTP like to AWS and
    # GitHub, and takes the instructions it understands from what it publishes.
    endpoints = coordinator.shared_endpoints(context) or _endpoints_of_a_running_sandbox()
    if endpoints is None:
        process = SandboxProcess(reports / "sandbox.log")
        _STARTED.append(process)
        context.add_cleanup(process.stop)  # registered first, so it runs last: after every scenario's cleanup
        endpoints = process.start()
    settings = settings.on_local_endpoints(endpoints)
    # Which edit containers this sandbox runs: its own stand-ins, or a checkout of the real one (and its commit).
    container = endpoints.get("edit_container", {})
    judged = container.get("describe", "the sandbox's stand-in edit containers")
    return settings, Grammar.from_published(endpoints.get("instructions")), judged, container.get("kind") == "real"


def _endpoints_of_a_running_sandbox() -> dict[str, str] | None:
    """One sandbox for many behave processes (a test's runs, a benchmark): the endpoints file a running
    `python -m sandbox up --endpoints-file F` wrote. Every process still gets its own run id, so none shares a
    client."""
    path = os.environ.get(ATTACH_ENV)
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SandboxStartError(f"{ATTACH_ENV}={path}: not the endpoints file of a running sandbox ({error}); "
                                "unset it to start a sandbox for this run") from error
