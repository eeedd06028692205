"""behavex's workers share one sandbox started by its coordinator, and their parts make one living documentation
(what `make acceptance` does on 4 or more cores)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import cucumber_messages as cm
import pytest

from tests.test_cucumber_messages import of, outline, read

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.sandbox


def test_two_workers_share_one_sandbox_one_page_and_one_stream_of_messages(tmp_path: Path) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "steps").symlink_to(ROOT / "features" / "steps")
    (features / "environment.py").symlink_to(ROOT / "features" / "environment.py")
    shutil.copy(Path(__file__).parent / "fixtures" / "parallel.feature", features)
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBORDINARY_SANDBOX_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "behavex"), str(features), "--parallel-processes", "2",
         "--parallel-scheme", "scenario", "-o", str(tmp_path / "behavex"), "-D", f"reports_dir={reports}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # One sandbox, started by the coordinator; both scenarios' projects were served by it.
    log = (reports / "sandbox.log").read_text()
    assert log.count("WebOrdinary sandbox is up") == 1
    assert "-una" in log and "-vic" in log
    page = (reports / "living-documentation.html").read_text()
    assert "all green" in page and "2 behave processes in" in page
    assert page.count('class="scenario passed"') == 2 and "Una&#x27;s edit" in page and "Vic&#x27;s edit" in page
    # Each behave process wrote its Cucumber Messages; the coordinator joined them into one valid stream.
    assert len(list(reports.glob("worker-*/messages/*.ndjson"))) == 2
    items = read((reports / "cucumber-messages.ndjson").read_text())
    kinds = [next(iter(item)) for item in items]
    assert kinds.count("meta") == kinds.count("testRunStarted") == kinds.count("testRunFinished") == 1
    assert kinds.count("source") == 1 and kinds.count("pickle") == kinds.count("testCase") == 2
    for item in items:
        cm.message_converter.from_dict(item, cm.Envelope)
    assert of(items, "testRunFinished")[0]["success"] is True
    workers = {path.parent.parent.name.removeprefix("worker-") for path in reports.glob("worker-*/messages/*")}
    assert {s["workerId"] for s in of(items, "testCaseStarted")} == workers  # behavex's own worker ids
    names = {name for name, statuses, _ in outline((reports / "cucumber-messages.ndjson").read_text())
             if set(statuses) == {"PASSED", "[PASSED]"}}
    assert names == {"Una's edit reaches her site", "Vic's edit reaches his site"}
    assert [e["name"] for e in json.loads((reports / "cucumber.json").read_text())[0]["elements"]] == sorted(names)
    # behavex turns behave's JUnit off: each process writes its own, and the coordinator joins them per feature.
    junit = sorted((reports / "junit").glob("*.xml"))
    assert len(junit) == 1, junit
    suite = ET.parse(junit[0]).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "0", "0"), suite.attrib
    assert {case.get("name") for case in suite.iter("testcase")} == names
