"""Starts the target, creates and removes the clients' buckets around each feature, and gathers the
evidence the living documentation shows for each scenario.

The default target `local` is the embedded sandbox, run as a child process; `aws` is the real system.
"""

from __future__ import annotations

import json
import os
import sys

from behave.model import Feature, Scenario
from behave.runner import Context

from lib import evidence, preflight
from lib.pipeline import Pipeline, TargetHooks
from lib.settings import Settings
from reporting.formatter import reports_folder


def console(message: str) -> None:
    """Progress for a person watching: straight to the terminal, past behave's output capture."""
    print(f"    ... {message}", file=sys.__stderr__, flush=True)


def before_all(context: Context) -> None:
    userdata = context.config.userdata
    defines = dict(context.config.userdata_defines or [])
    ini = {key: value for key, value in userdata.items() if key not in defines}
    settings = Settings.load(ini=ini, environ=os.environ, defines=defines)
    context.reports_dir = reports_folder(userdata)
    context.reports_dir.mkdir(parents=True, exist_ok=True)
    hooks = TargetHooks()
    if settings.target == "local":
        settings, hooks = _start_sandbox(context, settings)
    preflight.require(settings)
    context.settings = settings
    context.pipeline = Pipeline(settings, hooks, progress=console)
    context.config.webordinary_run = {"target": settings.target, "run_id": settings.run_id}
    console(f"target {settings.target}, run {settings.run_id}")


def _start_sandbox(context: Context, settings: Settings) -> tuple[Settings, TargetHooks]:
    # Only this file imports the sandbox: the suite itself talks to it over HTTP like to AWS and GitHub.
    from sandbox import interpreter
    from sandbox.process import SandboxProcess

    process = SandboxProcess(context.reports_dir / "sandbox.log")
    context.add_cleanup(process.stop)
    endpoints = process.start()
    settings = settings.replace(
        aws_endpoint_url=endpoints["aws_endpoint_url"], github_api_url=endpoints["github_api_url"]
    )
    return settings, TargetHooks(validate_instruction=interpreter.find_form)


def before_feature(context: Context, feature: Feature) -> None:
    # Registered first, so the buckets go even when a step or a later hook fails.
    context.add_cleanup(_clean_up, context)
    # Like ceph's s3-tests: also clean before, in case an interrupted attempt of this run id left something.
    _report(context.pipeline.remove_leftovers())


def _clean_up(context: Context) -> None:
    _report(context.pipeline.clean_up())


def _report(report: object) -> None:
    errors = getattr(report, "errors", [])
    if errors:
        console("could not remove: " + "; ".join(errors))


def before_scenario(context: Context, scenario: Scenario) -> None:
    context.clients = []
    context.sessions = []
    context.outcomes = {}
    context.metrics = None
    context.last_timestamp = None


def after_scenario(context: Context, scenario: Scenario) -> None:
    # Read by reporting.formatter when behave closes: the living documentation's evidence section.
    clients = context.clients + [s.name for s in context.sessions]
    scenario.webordinary_evidence = evidence.collect(
        context.pipeline, clients, context.sessions, context.outcomes, context.metrics
    )


def after_all(context: Context) -> None:
    if hasattr(context, "pipeline"):
        (context.reports_dir / "detections.json").write_text(json.dumps(context.pipeline.detections, indent=1) + "\n")
