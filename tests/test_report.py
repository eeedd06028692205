"""The living documentation, built from a real run of the suite on the sandbox."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_behave

FAKE_TOKEN = "ghp_FAKEtoken0123456789abcdefSECRET"


@pytest.fixture(scope="module")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    reports = tmp_path_factory.mktemp("reports")
    result = run_behave("--tags=@isolation or @metrics", reports=reports, env={"GITHUB_TOKEN": FAKE_TOKEN})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return reports, result


def test_the_page_shows_scenarios_steps_statuses_and_the_run_summary(report_run: tuple) -> None:
    page = (report_run[0] / "living-documentation.html").read_text()
    assert "Feature: Every editing session deploys its own site to S3" in page
    assert "WebOrdinary lets clients edit their websites by email" in page  # the feature's description
    assert "Two clients editing at once each get only their own site" in page
    assert "Deployment times stay within their limits" in page
    assert page.count('class="scenario passed"') == 2
    assert "all green" in page and "target: local" in page and "scenarios: 2 passed" in page
    assert "filterTag('@isolation')" not in page and "filterTag('isolation')" in page
    assert 'id="catalog"' in page and "Each row (`client`, `instruction`) is an email starting a new thread" in page


def test_the_page_holds_the_evidence_of_each_scenario(report_run: tuple) -> None:
    page = (report_run[0] / "living-documentation.html").read_text()
    assert "Deployed files of amelia" in page and "changes/" in page and "index.html" in page
    assert "Head commit of each thread's branch" in page
    assert "Container log of amelia" in page and "Step 4/5: Deploying to S3..." in page
    assert "Deployment metrics" in page and "<td>average</td>" in page and "<td>limit</td>" in page


def test_metrics_and_junit_are_written_for_ci(report_run: tuple) -> None:
    metrics = json.loads((report_run[0] / "metrics.json").read_text())
    assert len(metrics["deployments"]) == 3
    assert set(metrics["averages"]) == {"build_s", "sync_s", "total_s"}
    assert metrics["limits"] == {"build_s": 45.0, "sync_s": 15.0, "total_s": 90.0}
    assert list((report_run[0] / "junit").glob("TESTS-*.xml"))


def test_no_secret_reaches_any_report_or_the_console(report_run: tuple) -> None:
    reports, result = report_run
    assert FAKE_TOKEN not in result.stdout + result.stderr
    for path in reports.rglob("*"):
        if path.is_file():
            assert FAKE_TOKEN not in path.read_text(errors="replace"), path


def test_a_failed_scenario_says_why_at_its_top(tmp_path: Path) -> None:
    result = run_behave("--tags=@isolation", fault="shared-bucket", reports=tmp_path)
    assert result.returncode != 0
    page = (tmp_path / "living-documentation.html").read_text()
    assert 'class="scenario failed"' in page and "NOT all green" in page
    reason = page.split('<div class="reason"><strong>Why it failed:</strong> ', 1)[1].split("</div>", 1)[0]
    # The first failing check's words: the moment bruno's execution ended, its bucket held nothing of its build.
    assert "reports deploySuccess: true, but when its execution ended edit.wat-" in reason
    assert "was not yet its build: the bucket is empty" in reason


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_page_renders_in_headless_chromium(report_run: tuple, tmp_path: Path) -> None:
    png = tmp_path / "living-documentation.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000", f"--screenshot={png}",
         (report_run[0] / "living-documentation.html").as_uri()],
        capture_output=True, timeout=120, check=False,
    )
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000  # a blank page compresses to a few KB
