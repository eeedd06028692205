"""behave's console summary and JUnit reporters, saying "known fault" where behave can only say "skipped".

The hooks give a scenario that failed only as known faults the status skipped and its reason in its notes
(reporting/notes.py; one rule, lib/expect/known_faults.judge); these reporters and the living documentation read
those same notes, so all three agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from behave.model import Scenario
from behave.reporter.junit import JUnitReporter
from behave.reporter.summary import SummaryReporter

from reporting.notes import NOTES


def known_fault(scenario: Any) -> str:
    return NOTES.of(scenario).known_fault


def refused(scenario: Any) -> str:
    return NOTES.of(scenario).refused


class KnownFaultSummary(SummaryReporter):
    """behave's summary, then one line per known fault (which scenario, which fault, the check's words) and per
    refusal (which scenario, and why nothing of it was sent)."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.known: list[Scenario] = []
        self.refused: list[Scenario] = []

    def on_scenario(self, scenario: Scenario) -> None:
        super().on_scenario(scenario)
        if known_fault(scenario):
            self.known.append(scenario)
        if refused(scenario):
            self.refused.append(scenario)

    def print_summary(self, stream: Any = None, with_duration: bool | None = None) -> None:
        stream = stream or self.stream
        super().print_summary(stream, with_duration)
        stream.write(known_faults_summary([(str(s.location), s.name, known_fault(s)) for s in self.known]))
        stream.write(refusals_summary([(str(s.location), s.name, refused(s)) for s in self.refused], NOTES.refusals))


def refusals_summary(scenarios: list[tuple[str, str, str]], others: list[str]) -> str:
    """The console's lines for what was refused before anything was sent: the run ends non-zero for them."""
    if not scenarios and not others:
        return ""
    lines = [f"  refused  {where}  {name}: {why}\n" for where, name, why in scenarios]
    lines += [f"  refused  {why}\n" for why in others]
    return (f"{len(lines)} refused before anything was sent (nothing of them ran; the run fails until they are "
            "mended):\n" + "".join(lines))


def known_faults_summary(known: list[tuple[str, str, str]]) -> str:
    """The console's lines for the scenarios that failed only as known faults ((location, name, reason) each), the
    same after one behave process and after a run joined from many."""
    if not known:
        return ""
    lines = [f"  known fault  {where}  {name}: {reason}\n" for where, name, reason in known]
    return (f"{len(known)} of the skipped scenario(s) failed as known faults (the run stays green; every other check "
            "of theirs held):\n" + "".join(lines))


class KnownFaultJUnit(JUnitReporter):
    """behave's JUnit, with a known fault's `<skipped>` carrying `type="known fault"` and its reason."""

    def _process_scenario(self, scenario: Scenario, report: Any) -> None:
        before = len(report.testcases)
        super()._process_scenario(scenario, report)
        if len(report.testcases) == before:
            return
        case = report.testcases[-1]
        if refused(scenario):
            # Not skipped: a refused scenario fails the run, and CI tools count a <failure>.
            for skipped in list(case.iter("skipped")):
                case.remove(skipped)
            failure = ElementTree.SubElement(case, "failure", type="refused", message=refused(scenario))
            failure.text = f"refused before anything was sent: {refused(scenario)}"
            report.counts_failed += 1
            report.counts_skipped = max(0, report.counts_skipped - 1)
            return
        reason = known_fault(scenario)
        if reason:
            for skipped in case.iter("skipped"):
                skipped.set("type", "known fault")
                skipped.set("message", reason)


def install(config: Any) -> None:
    """Replace behave's own summary and JUnit reporters of this run by these."""
    replacements = {SummaryReporter: KnownFaultSummary, JUnitReporter: KnownFaultJUnit}
    config.reporters = [replacements[type(r)](config) if type(r) in replacements else r for r in config.reporters]


def add_junit(config: Any, folder: Path) -> None:
    """JUnit for a process whose runner turned it off (behavex's workers), into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    config.junit, config.junit_directory = True, str(folder)
    if not any(isinstance(r, JUnitReporter) for r in config.reporters):
        config.reporters.append(KnownFaultJUnit(config))
