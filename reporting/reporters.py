"""behave's console summary and JUnit reporters, saying "known fault" where behave can only say "skipped".

The hooks give a scenario that failed only as known faults the status skipped and its reason in its notes
(reporting/notes.py; one rule, lib/expect/known_faults.judge); these reporters and the living documentation read
those same notes, so all three agree.
"""

from __future__ import annotations

from typing import Any

from behave.model import Scenario
from behave.reporter.junit import JUnitReporter
from behave.reporter.summary import SummaryReporter

from reporting.notes import NOTES


def known_fault(scenario: Any) -> str:
    return NOTES.of(scenario).known_fault


class KnownFaultSummary(SummaryReporter):
    """behave's summary, then one line per known fault: which scenario, which fault, the check's words."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.known: list[Scenario] = []

    def on_scenario(self, scenario: Scenario) -> None:
        super().on_scenario(scenario)
        if known_fault(scenario):
            self.known.append(scenario)

    def print_summary(self, stream: Any = None, with_duration: bool | None = None) -> None:
        stream = stream or self.stream
        super().print_summary(stream, with_duration)
        stream.write(known_faults_summary([(str(s.location), s.name, known_fault(s)) for s in self.known]))


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
        reason = known_fault(scenario)
        if not reason or len(report.testcases) == before:
            return
        for skipped in report.testcases[-1].iter("skipped"):
            skipped.set("type", "known fault")
            skipped.set("message", reason)


def install(config: Any) -> None:
    """Replace behave's own summary and JUnit reporters of this run by these."""
    replacements = {SummaryReporter: KnownFaultSummary, JUnitReporter: KnownFaultJUnit}
    config.reporters = [replacements[type(r)](config) if type(r) in replacements else r for r in config.reporters]
