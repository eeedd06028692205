from __future__ import annotations

import pytest

from sandbox import faults


def test_known_faults_parse() -> None:
    assert faults.parse("no-delete, carry-over") == {"no-delete", "carry-over"}
    assert faults.parse("") == frozenset()


def test_an_unknown_fault_is_a_clear_error() -> None:
    with pytest.raises(faults.UnknownFaultError, match="unknown fault 'no-delet'; known faults: carry-over"):
        faults.parse("no-delet")
