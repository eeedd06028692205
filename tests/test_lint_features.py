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


def test_every_check_that_could_not_fail_is_refused_with_its_line() -> None:
    """The vacuous patterns (issue: no vacuous check), each refused by the rule the run applies too (lib/plan.py)."""
    result = lint(FIXTURES / "vacuous.feature")
    assert result.returncode == 1
    for line, message in [
        (7, 'no email of this scenario sends "Bruno\'s Bikes" before this step, so a check that it does not show'),
        (11, "the table has 1 row(s); this step needs at least 2: one email arrives with nothing else"),
        (14, "no two emails of this scenario are sent at the same time before this step"),
        (22, "no two emails of this scenario are sent at the same time before this step"),
        (27, "'nina' has no thread 'B' before this step (its named threads: A)"),
        (32, "no client sends two emails before this step, so no order of deployments can be wrong"),
        (37, "fewer than two threads start before this step, so none can share a tag"),
        (43, "'omar' sends no email before this step"),
        (48, "this check compares clients' sites, and before it only 'nina' has a site and an email"),
        (54, "no email of the client follows the visitor's first read, so no redeploy is watched"),
        (59, "no email is sent while another is building before this step"),
        (64, "'nina' sends fewer than two emails before this step, so nothing can still show"),
        (68, "client(s) 'burno' used before a Given step of this scenario gives them a site (given so far: bruno); "
             "did you mean 'bruno'?"),
    ]:
        assert any(f"vacuous.feature:{line}:" in row and message in row for row in result.stdout.splitlines()), (
            f"line {line}: {message!r} not in:\n{result.stdout}")


def test_a_product_owners_feature_from_the_catalog_is_clean() -> None:
    result = lint(FIXTURES / "new_phrasings.feature")
    assert result.returncode == 0, result.stdout
