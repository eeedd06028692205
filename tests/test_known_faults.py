"""Known faults of the real system: a failed check counts as one only when every problem it names is that fault."""

from __future__ import annotations

import pytest

from lib import known_faults

# Read off a run of the real container (163a3ef) on the embedded AWS, scenario @switching.
STRANDED = ("carla's thread thread-1796090950054-bkrlfd ('Update page title to \"Version 2\"') ended in failure "
            "(FAILED: ProcessingTimeout: no callback in time), neither deployed nor preempted; the last edit, carla's "
            "thread thread-1796090952275-bxt85o ('Update page title to \"Version 5\"'), ended in failure (FAILED: "
            "States.Runtime: ValueError(Custom Error Names MUST NOT begin with the prefix 'States.', got "
            "'States.Timeout'.))")
SWITCHING = ["switching", "real-fault:stranded-after-interrupt", "real-fault:interrupted-build-succeeds"]


def test_a_failure_made_only_of_the_tagged_fault_is_that_fault() -> None:
    shown = known_faults.explaining(STRANDED, known_faults.tagged(SWITCHING))
    assert [f.name for f in shown] == ["stranded-after-interrupt"]


def test_any_other_problem_beside_it_keeps_the_check_red() -> None:
    mixed = STRANDED + "; the site of carla is titled 'Version 3', not 'Version 5'"
    assert known_faults.explaining(mixed, known_faults.tagged(SWITCHING)) == []


def test_a_fault_the_scenario_does_not_name_is_not_excused() -> None:
    assert known_faults.explaining(STRANDED, known_faults.tagged(["real-fault:claims-while-owning"])) == []
    assert known_faults.explaining(STRANDED, []) == []


def test_an_owner_that_claimed_another_project_later_is_the_claims_while_owning_fault() -> None:
    stuck = ("dora's thread thread-1 ('Create site for client 1') cannot end: dora's owner container-1-abc claimed "
             "wat-1-s7-emil#acceptance after it: a container polls the queue of the project it claimed last, so "
             "this one's is no longer served")
    assert [f.name for f in known_faults.explaining(stuck, known_faults.tagged(
        ["real-fault:claims-while-owning"]))] == ["claims-while-owning"]


def test_an_unknown_fault_name_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(known_faults.UnknownFaultError, match="known: claims-while-owning, interrupted-build"):
        known_faults.tagged(["real-fault:flaky-moon"])
