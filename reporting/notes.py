"""What the hooks tell the reporters, as one typed object. behave's own objects carry nothing of ours: the hooks
write the run's identity and, for each scenario and step, its verdict by the one rule for known faults and its
evidence here; the console summary, JUnit, the living documentation and the Cucumber Messages read it here, so all
of them agree.

One per process (`NOTES`): behave runs its hooks and its formatters in one process, and each behavex worker is a
process of its own whose reports are joined from their files, never from these notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunNotes:
    target: str = "?"
    run_id: str = ""
    judged: str = ""  # what the run judged, in words: the sandbox's stand-ins, a checkout of the real container, ...
    instructions: list[dict[str, str]] = field(default_factory=list)  # the instructions the target understands


@dataclass
class ScenarioNotes:
    known_fault: str = ""  # the scenario failed only as known faults: the one verdict every reporter shows
    known_fault_after_steps: str = ""  # the check after the steps (loose ends) failed as a known fault
    refused: str = ""  # refused before anything was sent, and why (its own status: neither failed nor an error)
    hint: str = ""  # a failure that shows a known fault its scenario does not tag: which tag records it
    evidence: dict[str, Any] = field(default_factory=dict)  # plain data: sites, branches, sessions, screenshots
    attached: set[str] = field(default_factory=set)  # digests of what was attached already through behave


class Notes:
    def __init__(self) -> None:
        self.run = RunNotes()
        self.refusals: list[str] = []  # refused as written with no scenario to carry it (an outline with no rows)
        self._scenarios: dict[int, tuple[Any, ScenarioNotes]] = {}
        self._steps: dict[int, tuple[Any, str]] = {}

    def of(self, scenario: Any) -> ScenarioNotes:
        """The notes of one behave scenario (made on first use). Keyed by the object itself, held, so that an id
        is never reused by another scenario during the run."""
        found = self._scenarios.get(id(scenario))
        if found is None or found[0] is not scenario:
            found = self._scenarios[id(scenario)] = (scenario, ScenarioNotes())
        return found[1]

    def mark_step_known(self, step: Any, reason: str) -> None:
        self._steps[id(step)] = (step, reason)

    def step_known_fault(self, step: Any) -> str:
        """Why the step failed as a known fault ("" when it did not)."""
        found = self._steps.get(id(step))
        return found[1] if found is not None and found[0] is step else ""


NOTES = Notes()
