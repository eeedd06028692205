"""The living documentation, built from a real run on the sandbox (marked `sandbox`)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import run_feature_files

pytestmark = pytest.mark.sandbox
FIXTURES = Path(__file__).parent / "fixtures"
FAKE_TOKEN = "ghp_FAKEtoken0123456789abcdefSECRET"


@pytest.fixture(scope="module")
def report_run(tmp_path_factory: pytest.TempPathFactory, attach: dict[str, str]
               ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Scenarios a product owner wrote from `make catalog` alone (a helper who never saw the steps' code), run
    as written on the shared sandbox: the page of that run is what these tests read."""
    tmp = tmp_path_factory.mktemp("product-owner")
    result = run_feature_files([FIXTURES / "product_owner.feature"], tmp, env={**attach, "GITHUB_TOKEN": FAKE_TOKEN})
    return tmp / "reports", result


def test_the_catalog_is_enough_to_write_scenarios_that_run(report_run: tuple) -> None:
    result = report_run[1]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 scenarios passed, 0 failed" in result.stdout


def test_the_page_shows_scenarios_steps_statuses_and_the_run_summary(report_run: tuple) -> None:
    page = (report_run[0] / "living-documentation.html").read_text()
    assert "Feature: Clients keep editing their own sites by email" in page
    assert "As the owner of WebOrdinary I want each client" in page  # the feature's description
    assert "A reply on a thread updates only the sender" in page
    assert "Rapid edits for a client without an edit site fail to sync" in page
    assert page.count('class="scenario passed"') == 2
    assert "all green" in page and "target: local" in page and "scenarios: 2 passed" in page
    assert "filterTag('@product-owner')" not in page and "filterTag('product-owner')" in page
    assert 'id="catalog"' in page and "Each row (`client`, `instruction`) is an email starting a new thread" in page


def test_the_page_holds_the_evidence_of_each_scenario(report_run: tuple) -> None:
    page = (report_run[0] / "living-documentation.html").read_text()
    assert "Deployed files of petra" in page and "changes/" in page and "index.html" in page
    assert "Head commit of each thread's branch" in page
    assert "Container log of petra" in page and "Step 4/5: Deploying to S3..." in page


def test_junit_is_written_for_ci(report_run: tuple) -> None:
    assert list((report_run[0] / "junit").glob("TESTS-*.xml"))


def test_no_secret_reaches_any_report_or_the_console(report_run: tuple) -> None:
    reports, result = report_run
    assert FAKE_TOKEN not in result.stdout + result.stderr
    for path in reports.rglob("*"):
        if path.is_file():
            assert FAKE_TOKEN not in path.read_text(errors="replace"), path


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_page_opens_with_the_checklist_and_the_promises_and_shows_each_client_s_site(report_run: tuple,
                                                                                          tmp_path: Path) -> None:
    """Rendered in the real browser: the task's checklist, then the promises list, and each screenshot a real image
    of a site whose heading is visible (dark pixels where a page's first heading is drawn)."""
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
            assert first.get_attribute("id") == "checklist" and first.is_visible()  # the task's checklist first
            assert page.locator("main > section").nth(1).get_attribute("id") == "promises"
            rows = page.locator("table.promises tr").all_inner_texts()
            assert len(rows) == 3 and "A reply on a thread updates only the sender" in " ".join(rows)
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
    # petra and quentin; rosa (sol has no site, so no screenshot). Each a 1000 px wide page, its heading at the top.
    assert sorted(shot["alt"] for shot in shots) == ["the site of petra", "the site of quentin", "the site of rosa"]
    assert all(shot["width"] == 1000 and shot["dark"] > 200 for shot in shots), shots
