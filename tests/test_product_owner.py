"""A product owner's feature written from `make catalog` alone is green on the sandbox, and a feature of checks
that could not fail is refused scenario by scenario before any email is sent (issue: no vacuous check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib.scenario.world import World
from sandbox.process import SandboxProcess
from tests.conftest import run_feature_files

pytestmark = pytest.mark.sandbox
FIXTURES = Path(__file__).parent / "fixtures"


def scenarios(reports: Path) -> dict[str, dict]:
    run = json.loads((reports / "run.json").read_text())
    return {s["name"]: s for f in run["features"] for s in f["scenarios"]}


def test_every_vacuous_check_is_refused_before_anything_is_sent(tmp_path: Path, attach: dict[str, str],
                                                                 shared_sandbox: tuple[World, SandboxProcess]
                                                                 ) -> None:
    s3 = shared_sandbox[0].target.aws.s3
    emails = s3.list_objects_v2(Bucket="webordinary-ses-emails").get("KeyCount", 0)
    result = run_feature_files([FIXTURES / "vacuous.feature"], tmp_path, "-f", "plain", env=attach)
    found = scenarios(tmp_path / "reports")
    assert len(found) == 12 and result.returncode != 0
    for name, scenario in found.items():
        assert scenario["status"] == "refused", (name, scenario["status"])
        assert "vacuous.feature:" in scenario["reason"], (name, scenario["reason"])
        assert all(step["status"] in ("untested", "skipped") for step in scenario["steps"]), name
    assert s3.list_objects_v2(Bucket="webordinary-ses-emails").get("KeyCount", 0) == emails  # nothing was sent


REPORTS = ("living-documentation.html", "cucumber-messages.ndjson", "cucumber.json", "run.json", "junit")


def test_a_product_owners_mistakes_are_each_refused_and_every_report_is_written(
        tmp_path: Path, attach: dict[str, str], shared_sandbox: tuple[World, SandboxProcess]) -> None:
    """The traps of tests/fixtures/traps: one sentence each, no email sent, a non-zero exit, every report written."""
    s3 = shared_sandbox[0].target.aws.s3
    emails = s3.list_objects_v2(Bucket="webordinary-ses-emails").get("KeyCount", 0)
    files = sorted((FIXTURES / "traps").glob("*.feature"))
    result = run_feature_files(files, tmp_path, "-f", "plain", env=attach)
    reports = tmp_path / "reports"
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr, (result.stdout + result.stderr)[-3000:]
    assert all((reports / name).exists() for name in REPORTS), sorted(p.name for p in reports.iterdir())
    found = scenarios(reports)
    assert found and all(s["status"] == "refused" for s in found.values()), {n: s["status"] for n, s in found.items()}
    assert "the outline '<client> gets its heading' has an Examples table with no rows" in result.stdout
    assert "is not a step of the catalog; the closest: the site of \"{client}\" shows the heading" in result.stdout
    junit = "".join(p.read_text() for p in (reports / "junit").glob("*.xml"))
    assert junit.count('type="refused"') == len(found)
    assert s3.list_objects_v2(Bucket="webordinary-ses-emails").get("KeyCount", 0) == emails  # nothing was sent


def test_a_product_owners_feature_with_the_new_phrasings_is_green(tmp_path: Path, attach: dict[str, str]) -> None:
    result = run_feature_files([FIXTURES / "new_phrasings.feature"], tmp_path, "-f", "plain", env=attach)
    [scenario] = scenarios(tmp_path / "reports").values()
    assert result.returncode == 0, result.stdout[-3000:]
    assert scenario["status"] in ("passed", "skipped"), scenario  # skipped: no browser on this machine
