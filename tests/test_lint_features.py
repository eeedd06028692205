"""`make lint-features` finds, in a second and without starting anything, the mistakes a run would refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "lint_features.py"), *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_project_features_are_clean() -> None:
    result = lint()
    assert result.returncode == 0, result.stdout
    assert "lint-features: 0 problem(s)" in result.stdout


def test_every_mistake_a_run_refuses_is_found_with_its_line() -> None:
    result = lint(FIXTURES / "mistakes.feature")
    output = result.stdout
    assert result.returncode == 1
    for line, message in [
        (6, "cannot interpret instruction 'Make the logo pop'; the target understands: Add header with text"),
        (10, "client(s) 'nobody' used before a Given step of this scenario gives them a site"),
        (14, "the gap between emails must be at least 0 seconds, got -1"),
        (20, "client name 'Olga Smith' is not usable"),
        (24, "the table has a header (client) but no rows"),
        (29, "the table names client(s) 'olga' more than once"),
        (37, "the table has unknown column(s) colour; its columns are: client, instruction"),
        (44, "row(s) 2 of the table leave the 'instruction' column empty"),
        (52, "the number of timestamp updates must be at least 1, got 0"),
        (56, "@real-fault:flaky-moon: no known fault of the real system is called 'flaky-moon'; known: "),
    ]:
        assert any(f"mistakes.feature:{line}:" in row and message in row for row in output.splitlines()), (
            f"line {line}: {message!r} not in:\n{output}")


def test_a_scenario_without_a_then_step_is_found() -> None:
    result = lint(FIXTURES / "silent_passes.feature")
    assert "silent_passes.feature:23: scenario 'Emails sent and nothing checked' has no Then step" in result.stdout
