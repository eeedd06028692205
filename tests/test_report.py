"""The living documentation, built from a real run of the suite on the sandbox."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
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
def test_the_page_opens_with_the_promises_and_shows_each_client_s_site(report_run: tuple, tmp_path: Path) -> None:
    """Rendered in the real browser: the promises list first, and each screenshot a real image of a site whose
    heading is visible (dark pixels where a page's first heading is drawn)."""
    from playwright.sync_api import sync_playwright

    from lib.observe.visitor import CHROMIUM_ARGS

    # Served over HTTP as a reader's browser would get it (a file:// page may not read its own images' pixels).
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(report_run[0]))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/living-documentation.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(url)
            first = page.locator("main > section").first
            assert first.get_attribute("id") == "promises" and first.is_visible()
            rows = page.locator("table.promises tr").all_inner_texts()
            assert len(rows) == 3 and "Two clients editing at once" in " ".join(rows)
            page.screenshot(path=str(tmp_path / "first-screen.png"))
            shots = page.eval_on_selector_all(".shots img", """images => images.map(img => {
                const canvas = document.createElement('canvas');
                canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
                const context = canvas.getContext('2d'); context.drawImage(img, 0, 0);
                const band = context.getImageData(0, 0, Math.min(400, img.naturalWidth), 60).data;
                let dark = 0; for (let i = 0; i < band.length; i += 4) if (band[i] < 100) dark++;
                return {alt: img.alt, width: img.naturalWidth, dark: dark};
            })""")
        finally:
            browser.close()
            server.shutdown()
    # isolation: amelia and bruno; metrics: jonas. Each a 1000 px wide page with its heading drawn at the top.
    assert sorted(shot["alt"] for shot in shots) == ["the site of amelia", "the site of bruno", "the site of jonas"]
    assert all(shot["width"] == 1000 and shot["dark"] > 200 for shot in shots), shots
