"""The evidence the living documentation shows, attached through behave too (`context.attach`), so that every
formatter that takes attachments has it: the Cucumber Messages (reporting/messages.py) and behave's JSON. A
screenshot a visitor step took (a real Chromium) is attached during that step; each session's container log, and
the screenshots the evidence takes after the steps, from after_scenario, once the evidence is collected (the
messages file them under that hook; behave's JSON, as this project registers it, under the last step that ran)."""

from __future__ import annotations

import hashlib

from behave.model import Scenario
from behave.runner import Context

from lib.scenario.world import world
from reporting.notes import NOTES

PNG = "image/png"
LOG = "text/plain"


def _attach(context: Context, media_type: str, data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    seen = NOTES.of(context.scenario).attached  # by content: a step's screenshot is the evidence's too
    if digest not in seen:
        seen.add(digest)
        context.attach(media_type, data)


def of_step(context: Context) -> None:
    """After a step: the screenshot of each visit it made (a visitor's step looks through the browser)."""
    w = world(context)
    if w.infrastructure_fault:
        return
    for _, seen in w.scenario.visits.values():
        if seen.screenshot:
            _attach(context, PNG, seen.screenshot)


def of_scenario(context: Context, scenario: Scenario) -> None:
    """After the scenario's verdict: each session's container log and each screenshot of its evidence, as the
    living documentation shows them."""
    evidence = NOTES.of(scenario).evidence
    reports = world(context).reports_dir
    for shot in evidence.get("screenshots", []):
        path = reports / shot["file"] if "file" in shot else None
        if path is not None and path.is_file():
            _attach(context, PNG, path.read_bytes())
    for session in evidence.get("sessions", []):
        lines = "\n".join(session["lines"]) or "(no log line)"
        heading = (f"Container log of {session['client']}, thread {session['thread_id']} "
                   f"({session['outcome'] or 'no outcome'})")
        _attach(context, LOG, f"{heading}\n{lines}\n".encode())
