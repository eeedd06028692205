"""Each way a scenario once passed without checking the thing it names now fails (or errors) with its message;
the ways that were right keep passing. One behave run of tests/fixtures/silent_passes.feature on the sandbox."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from lib.scenario.world import World
from sandbox.process import SandboxProcess
from tests.conftest import run_feature_files, scenario_results

pytestmark = pytest.mark.sandbox


def test_no_scenario_passes_without_checking(tmp_path: Path, attach: dict[str, str],
                                            shared_sandbox: tuple[World, SandboxProcess]) -> None:
    report = tmp_path / "results.json"
    result = run_feature_files([Path(__file__).parent / "fixtures" / "silent_passes.feature"], tmp_path,
                               "-f", "json", "-o", str(report), "-f", "plain", "-f", "living-docs", env=attach)
    results = scenario_results(report)
    output = result.stdout + result.stderr

    assert results["An earlier scenario deploys olga's site"][0] == "passed", output[-3000:]
    # A name is a new, empty client in each scenario: the earlier scenario's olga and site are not this one's.
    # It is refused before it starts: the check could not fail, since this scenario's olga sends nothing.
    assert results["A later scenario's olga is a new client whose site has no edit yet"][0] == "skipped"
    sandbox_log = shared_sandbox[1].log_path.read_text()
    assert "-s1-olga" in sandbox_log and "-s3-olga" in sandbox_log  # each scenario's olga is its own project
    assert "'olga' sends no email before this step, so no edit of olga's can be checked" in output
    # A site is read only once the latest edit is deployed, never an older build.
    assert results["A site check right after an email waits for that email's edit"][0] == "passed", output[-3000:]
    status, error = results["A site whose latest edit failed to sync is not read"]
    assert status in ("failed", "error")
    assert "hana's latest edit" in error and "has not been deployed: it ended with a failed sync" in error
    # Emails and no Then: refused before anything is sent, as no check reads them.
    assert results["Emails sent and nothing checked"][0] == "skipped"
    assert "is read by no check after it" in output and "refused before anything was sent" in output
    # Each failing client is checked by its name, not only the latest session.
    assert results["Two clients whose syncs fail are each checked by name"][0] == "passed", output[-3000:]
    # A known fault that shows counts as skipped; one that no longer shows fails the run.
    assert results["A known fault that shows does not fail the run"][0] == "skipped"
    # One verdict for console, JUnit and page: the console and JUnit call it a known fault and give its reason.
    assert "known fault  " in output and "A known fault that shows does not fail the run: known fault " \
        "shared-commit-tag: threads" in output, output[-3000:]
    junit = "".join(p.read_text() for p in (tmp_path / "reports" / "junit").glob("*.xml"))
    assert '<skipped type="known fault" message="known fault shared-commit-tag: threads' in junit, junit[-3000:]
    assert results["A known fault that no longer shows fails the run"][0] in ("hook_error", "error", "failed")
    assert "Fixed? Remove the @known-fault tag" in output
    assert result.returncode != 0
    # The living documentation says why at the top of a failed scenario: the failing check's own words.
    page = (tmp_path / "reports" / "living-documentation.html").read_text()
    assert 'class="scenario failed"' in page and "NOT all green" in page
    prefixes = ("Why it failed", "Refused before anything was sent")
    reasons = [html.unescape(r.split("</div>", 1)[0]) for prefix in prefixes
               for r in page.split(f'<div class="reason"><strong>{prefix}:</strong> ')[1:]]
    assert any("'olga' sends no email before this step, so no edit of olga's can be checked" in r
               for r in reasons), reasons
