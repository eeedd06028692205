"""A wrong value in a step fails in seconds with a message naming it, never with a time-out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_behave, run_feature_files

pytestmark = pytest.mark.sandbox


def test_mistakes_fail_fast_and_name_the_bad_value(tmp_path: Path, attach: dict[str, str]) -> None:
    result = run_feature_files([Path(__file__).parent / "fixtures" / "mistakes.feature"], tmp_path, timeout=120,
                               env=attach)
    output = result.stdout
    assert result.returncode != 0
    # Every mistake is refused before the scenario starts, so no email is ever sent for it: its own status, no error.
    assert "0 scenarios passed, 0 failed, 10 skipped" in output, output[-3000:]
    assert "10 refused before anything was sent" in output and "hook_error" not in output
    assert "cannot interpret instruction 'Make the logo pop'; the target understands: " in output
    assert "client(s) 'nobody' used before a Given step of this scenario gives them a site" in output
    assert "the table has a header (client) but no rows" in output
    assert "the table names client(s) 'olga' more than once" in output
    assert "the gap between emails must be at least 0 seconds, got -1" in output
    assert "the table has unknown column(s) colour; its columns are: client, instruction" in output
    assert "row(s) 2 of the table leave the 'instruction' column empty" in output
    assert "the number of timestamp updates must be at least 1, got 0" in output
    assert "client name 'Olga Smith' is not usable" in output
    assert "no known fault of the real system is called 'flaky-moon'; known: claims-while-owning" in output
    assert "timed out" not in output


def test_a_bad_setting_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    result = run_behave("--tags=@isolation", "-D", "target=gcp", reports=tmp_path, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert "webordinary-acceptance cannot start: target='gcp' is not a target; use one of local, aws" in output
    assert "ABORTED" not in output and "Traceback" not in output
