"""behavex's coordinator: before the first worker starts, one sandbox all workers attach to; after the last one
ends, the workers' parts of the run joined into one living documentation and one stream of Cucumber Messages."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from features.support.console import console
from lib.settings import Settings
from reporting import messages, parallel
from reporting.formatter import write_page
from reporting.render import KNOWN_FAULT, REFUSED
from reporting.reporters import known_faults_summary, refusals_summary
from sandbox.process import ATTACH_ENV, SandboxProcess


class Coordinator:
    # Not a dataclass: behavex loads environment.py as a module it does not register, and dataclasses look it up.
    def __init__(self, reports: Path, started: float) -> None:
        self.reports = reports
        self.started = started
        self.sandbox: SandboxProcess | None = None


_RUNS: list[Coordinator] = []  # behavex calls the two hooks as plain functions: the run between them is kept here


def start(context: Any) -> None:
    from behavex.conf_mgr import get_param  # only behavex calls this hook

    defines = dict(d.split("=", 1) for d in get_param("define") or [] if "=" in d)
    settings = Settings.from_ini_file(Path("behave.ini"), defines)
    run = Coordinator(Path(settings.reports.reports_dir), time.time())
    _RUNS.append(run)
    parallel.clear(run.reports)
    if settings.system.target == "local" and not os.environ.get(ATTACH_ENV):
        run.sandbox = SandboxProcess(run.reports / "sandbox.log")
        context.sandbox_endpoints = run.sandbox.start()


def shared_endpoints(context: Any) -> dict[str, Any] | None:
    """In a behavex worker, the endpoints of the coordinator's sandbox: behavex hands what `start` set on its shared
    context to every worker's behave context (its own API for sharing values between the two)."""
    found = getattr(context, "sandbox_endpoints", None)
    return found if isinstance(found, dict) else None


def finish(context: Any) -> None:
    run = _RUNS.pop()
    if run.sandbox:
        run.sandbox.stop()
    doc = parallel.join(run.reports, run.started)
    if doc is not None:
        write_page(run.reports, doc)
        console(f"living documentation of {doc.run_id.split(':')[0]}: {run.reports / 'living-documentation.html'}")
        known = [(s.location, s.name, s.reason) for s in doc.ran() if s.status == KNOWN_FAULT]
        refused = [(s.location, s.name, s.reason) for s in doc.ran() if s.status == REFUSED]
        print("\n" + known_faults_summary(known) + refusals_summary(refused, []), end="", flush=True)
    joined = messages.join_parts(run.reports)
    if joined is not None:
        console(f"Cucumber Messages of the run: {joined} (and {joined.parent / messages.CUCUMBER_JSON})")
