"""The run as Cucumber Messages (reporting/messages.py) and Cucumber JSON (reporting/cucumber_json.py), read back
with cucumber-messages' own types, joined from parts, rendered by Cucumber's own HTML formatter in a real browser.

tests/fixtures/cucumber/messages.ndjson is what the formatter wrote for tests/fixtures/cucumber (a feature that ends
every way a scenario of the suite can end, its hooks marking verdicts as features/support/judging.py does); the
marked tests run behave to write it again, and the suite's own scenarios on the sandbox."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import cucumber_messages as cm
import pytest

from reporting import cucumber_json, parallel
from reporting.formatter import JSONFormatter

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "cucumber"
MESSAGES = FIXTURE / "messages.ndjson"
RENDER = ROOT / "tools" / "cucumber-html" / "render.mjs"
SCENARIOS = ["Everything holds", "A check fails as a known fault and the next one holds",
             "Every check holds and the check after the steps fails as a known fault", "A check fails",
             "<client> sees the edit", "Not for this target"]


def read(ndjson: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ndjson.splitlines() if line.strip()]


def of(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item[kind] for item in items if kind in item]


def outline(ndjson: str) -> list[tuple[str, list[str], list[str]]]:
    """Each test case as (pickle name, its test steps' statuses with hooks in brackets, its attachments' types with
    the hook's name for a hook's: `text/plain@after_scenario`)."""
    items = read(ndjson)
    pickles = {p["id"]: p for p in of(items, "pickle")}
    hooks = {h["id"]: h["name"] for h in of(items, "hook")}
    results = {(f["testCaseStartedId"], f["testStepId"]): f["testStepResult"]["status"]
               for f in of(items, "testStepFinished")}
    started = {s["testCaseId"]: s["id"] for s in of(items, "testCaseStarted")}
    attached = {}
    for a in of(items, "attachment"):
        attached.setdefault(a["testStepId"], []).append(a["mediaType"])
    cases = []
    for case in of(items, "testCase"):
        steps = case["testSteps"]
        statuses = [f"[{results[(started[case['id']], s['id'])]}]" if "hookId" in s
                    else results[(started[case["id"]], s["id"])] for s in steps]
        cases.append((pickles[case["pickleId"]]["name"], statuses,
                      [m + (f"@{hooks[s['hookId']]}" if "hookId" in s else "") for s in steps
                       for m in attached.get(s["id"], [])]))
    return cases


# -- the messages, read back with cucumber-messages' own types ------------------------------------------------------
def test_every_line_is_one_message_of_the_protocol_and_every_reference_resolves() -> None:
    items = read(MESSAGES.read_text())
    for item in items:
        envelope = cm.message_converter.from_dict(item, cm.Envelope)
        assert cm.message_converter.to_dict(envelope) == item  # nothing unknown, nothing of the wrong type
        assert len(item) == 1
    kinds = [next(iter(item)) for item in items]
    assert kinds[0] == "meta" and kinds[-1] == "testRunFinished"
    assert kinds.count("meta") == kinds.count("testRunStarted") == kinds.count("testRunFinished") == 1
    assert kinds.index("testRunStarted") < kinds.index("testCase") < kinds.index("testCaseStarted")
    meta = of(items, "meta")[0]
    assert meta["implementation"]["name"] == "behave" and meta["protocolVersion"].startswith("34.")
    ids = {kind: {m["id"] for m in of(items, kind)} for kind in ("pickle", "hook", "stepDefinition", "testCase",
                                                                     "testCaseStarted", "testRunStarted")}
    steps = {s["id"]: s for case in of(items, "testCase") for s in case["testSteps"]}
    pickle_steps = {s["id"] for p in of(items, "pickle") for s in p["steps"]}
    for case in of(items, "testCase"):
        assert case["pickleId"] in ids["pickle"] and case["testRunStartedId"] in ids["testRunStarted"]
        for step in case["testSteps"]:
            assert step.get("hookId") in ids["hook"] or (
                step["pickleStepId"] in pickle_steps and set(step["stepDefinitionIds"]) <= ids["stepDefinition"])
    for kind in ("testStepStarted", "testStepFinished", "attachment"):
        for m in of(items, kind):
            assert m["testCaseStartedId"] in ids["testCaseStarted"] and m["testStepId"] in steps
    assert all(m["testCaseId"] in ids["testCase"] for m in of(items, "testCaseStarted"))
    assert len(steps) == len(of(items, "testStepFinished"))  # every test step has a result, once


def test_each_scenario_and_each_example_row_is_a_pickle_with_the_tags_of_the_feature_file() -> None:
    items = read(MESSAGES.read_text())
    [source] = of(items, "source")
    assert source["uri"] == "features/messages.feature"
    assert source["data"] == (FIXTURE / "features" / "messages.feature").read_text()
    pickles = {p["name"]: p for p in of(items, "pickle")}
    assert list(pickles) == [*SCENARIOS[:4], "ana sees the edit", "ben sees the edit", SCENARIOS[5]]
    assert [t["name"] for t in pickles[SCENARIOS[1]]["tags"]] == ["@cucumber", "@real-fault:shared-commit-tag"]
    assert pickles["ben sees the edit"]["location"]["line"] == 36  # the example row: behave's scenario line
    assert [s["text"] for s in pickles["ben sees the edit"]["steps"]] == [
        "a client with a site", "the client emails \"Ben's edit\"", "the site shows \"Ben's edit\""]


def test_known_faults_are_pending_with_their_words_and_the_rest_keeps_its_own_verdict() -> None:
    cases = dict((name, (statuses, attached)) for name, statuses, attached in outline(MESSAGES.read_text()))
    passed = "PASSED"
    assert cases[SCENARIOS[0]][0] == ["[PASSED]", passed, passed, passed, "[PASSED]"]
    assert cases[SCENARIOS[1]][0] == ["[PASSED]", passed, passed, "PENDING", passed, "[PASSED]"]
    assert cases[SCENARIOS[2]][0] == ["[PASSED]", passed, passed, passed, "[PENDING]"]  # the check after the steps
    assert cases[SCENARIOS[3]][0] == ["[PASSED]", passed, passed, "FAILED", "SKIPPED", "[PASSED]"]
    assert cases[SCENARIOS[5]][0] == ["[SKIPPED]", "SKIPPED", "SKIPPED", "SKIPPED", "[PASSED]"]
    items = read(MESSAGES.read_text())
    messages = [f["testStepResult"].get("message", "") for f in of(items, "testStepFinished")]
    assert "known fault: shared-commit-tag: threads thread-1 and thread-2 share the commit tag [thread-1]" in messages
    assert "known fault: mixed-builds: a visitor saw a mix of two builds" in messages
    assert "runs only where the sandbox stands in for Claude (target local)" in messages  # why it was skipped
    [failed] = [f["testStepResult"] for f in of(items, "testStepFinished") if f["testStepResult"]["status"] == "FAILED"]
    assert failed["exception"]["type"] == "AssertionError" and "not 'another edit'" in failed["message"]
    finished = of(items, "testRunFinished")[0]
    assert finished["success"] is False and finished["message"] == "1 of 7 scenario(s) red"


def test_attachments_belong_to_the_step_or_the_hook_that_made_them() -> None:
    cases = {name: attached for name, _, attached in outline(MESSAGES.read_text())}
    # A screenshot from each "the site shows" step that ran, the container log from after_scenario.
    assert cases[SCENARIOS[0]] == ["image/png", "text/plain@after_scenario"]
    assert cases[SCENARIOS[3]] == ["image/png", "text/plain@after_scenario"]  # the failed step's; none skipped's
    assert cases[SCENARIOS[5]] == ["text/plain@after_scenario"]  # skipped before its steps: after_scenario ran
    items = read(MESSAGES.read_text())
    hooks = {h["id"]: h["name"] for h in of(items, "hook")}
    by_step = {s["id"]: hooks.get(s.get("hookId", ""), "step") for c in of(items, "testCase") for s in c["testSteps"]}
    for attachment in of(items, "attachment"):
        if attachment["mediaType"] == "text/plain":
            assert by_step[attachment["testStepId"]] == "after_scenario"
            assert attachment["contentEncoding"] == "IDENTITY" and attachment["body"].startswith("Container log")
        else:
            assert by_step[attachment["testStepId"]] == "step" and attachment["contentEncoding"] == "BASE64"
            assert base64.b64decode(attachment["body"]).startswith(b"\x89PNG")


# -- parts of one run, joined ---------------------------------------------------------------------------------------
def split(ndjson: str, first: int) -> tuple[str, str]:
    """The run as two processes would have written it: the first `first` test cases, then the others, each part
    with its own meta, run and verdict, and the same feature file."""
    items = read(ndjson)
    cases = of(items, "testCase")
    parts = []
    for mine in (cases[:first], cases[first:]):
        case_ids = {c["id"] for c in mine}
        started = {s["id"] for s in of(items, "testCaseStarted") if s["testCaseId"] in case_ids}
        pickles = {c["pickleId"] for c in mine}
        run_id = f"run-{len(parts)}"
        statuses = [f["testStepResult"]["status"] for f in of(items, "testStepFinished")
                    if f["testCaseStartedId"] in started]
        part = []
        for item in items:
            [(kind, m)] = item.items()
            happened = kind.startswith(("testStep", "attachment", "testCaseStarted", "testCaseFinished"))
            if ((kind == "pickle" and m["id"] not in pickles) or (kind == "testCase" and m["id"] not in case_ids)
                    or (happened and m.get("testCaseStartedId", m.get("id")) not in started)):
                continue
            m = json.loads(json.dumps(m))
            if kind == "testRunStarted":
                m["id"] = run_id
            if "testRunStartedId" in m:
                m["testRunStartedId"] = run_id
            if kind == "testRunFinished":
                m = {**m, "success": "FAILED" not in statuses}
                m.pop("message", None)
            part.append(json.dumps({kind: m}))
        parts.append("\n".join(part) + "\n")
    return parts[0], parts[1]


def test_parts_join_into_one_run_with_one_meta_one_start_one_verdict_and_unique_ids() -> None:
    first, second = split(MESSAGES.read_text(), 3)
    assert of(read(first), "testRunFinished")[0]["success"] is True
    items = read(parallel.merge_messages([second, first]))
    kinds = [next(iter(item)) for item in items]
    assert kinds.count("meta") == kinds.count("testRunStarted") == kinds.count("testRunFinished") == 1
    assert kinds.count("source") == kinds.count("gherkinDocument") == 1 and kinds.count("pickle") == 7
    assert kinds[0] == "meta" and kinds[-1] == "testRunFinished"
    [started] = of(items, "testRunStarted")
    assert all(m["testRunStartedId"] == started["id"] for m in of(items, "testCase") + of(items, "testRunFinished"))
    assert of(items, "testRunFinished")[0]["success"] is False  # the second part had the failed check
    ids = [m["id"] for kind in ("testCase", "testCaseStarted") for m in of(items, kind)]
    assert len(ids) == len(set(ids)) == 14
    assert sorted(outline(parallel.merge_messages([second, first]))) == sorted(outline(MESSAGES.read_text()))
    for item in items:
        cm.message_converter.from_dict(item, cm.Envelope)
    assert of(read(parallel.merge_messages([first])), "testRunFinished")[0]["success"] is True


def test_parts_that_are_not_of_one_run_are_refused() -> None:
    run = MESSAGES.read_text()
    with pytest.raises(ValueError, match="two parts use the id"):
        parallel.merge_messages([run, run])
    other = run.replace("Scenario: Everything holds", "Scenario: Everything still holds")
    with pytest.raises(ValueError, match="two different versions"):
        parallel.merge_messages([run, "\n".join(line for line in other.splitlines() if '"source"' in line)])
    with pytest.raises(ValueError, match="no Cucumber Messages"):
        parallel.merge_messages(["", "\n"])


# -- Cucumber JSON ----------------------------------------------------------------------------------------------
def test_cucumber_json_has_the_features_scenarios_steps_statuses_embeddings_and_known_faults() -> None:
    [feature] = cucumber_json.convert(MESSAGES.read_text())
    assert feature["uri"] == "features/messages.feature" and feature["keyword"] == "Feature"
    assert feature["tags"] == [{"name": "@cucumber", "line": 1}]
    elements = {e["name"]: e for e in feature["elements"]}
    assert list(elements) == [*SCENARIOS[:4], "ana sees the edit", "ben sees the edit", SCENARIOS[5]]
    passes = elements["Everything holds"]
    assert [(s["keyword"], s["name"], s["result"]["status"]) for s in passes["steps"]] == [
        ("Given ", "a client with a site", "passed"), ("When ", 'the client emails "an edit"', "passed"),
        ("Then ", 'the site shows "an edit"', "passed")]
    assert all(isinstance(s["result"]["duration"], int) for s in passes["steps"])  # nanoseconds
    assert passes["steps"][0]["match"]["location"] == "features/steps/steps.py:13"
    [shot] = passes["steps"][2]["embeddings"]
    assert shot["mime_type"] == "image/png" and base64.b64decode(shot["data"]).startswith(b"\x89PNG")
    [log] = passes["after"][0]["embeddings"]
    assert base64.b64decode(log["data"]).decode().startswith("Container log of the client (Everything holds)")
    known = elements[SCENARIOS[1]]
    assert [t["name"] for t in known["tags"]] == ["@cucumber", "@real-fault:shared-commit-tag"]
    assert known["steps"][2]["result"] == {"status": "pending", "duration": known["steps"][2]["result"]["duration"],
                                           "error_message": "known fault: shared-commit-tag: threads thread-1 and "
                                                            "thread-2 share the commit tag [thread-1]"}
    assert known["steps"][3]["result"]["status"] == "passed"  # the scenario went on
    assert elements[SCENARIOS[2]]["after"][0]["result"]["status"] == "pending"
    assert elements[SCENARIOS[3]]["steps"][2]["result"]["status"] == "failed"
    assert elements[SCENARIOS[3]]["steps"][3]["result"]["status"] == "skipped"
    row = elements["ben sees the edit"]
    assert row["keyword"] == "Scenario Outline" and row["line"] == 36
    assert row["id"] == "what-the-cucumber-messages-say-of-a-run;<client>-sees-the-edit;;3"
    assert elements[SCENARIOS[5]]["before"][0]["result"]["error_message"].startswith("runs only where")


def test_the_cucumber_json_written_beside_the_messages_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "cucumber.json"
    cucumber_json.write(path, MESSAGES.read_text())
    assert json.loads(path.read_text()) == cucumber_json.convert(MESSAGES.read_text())


# -- behave's JSON formatter takes the evidence attached after the last step ----------------------------------------
def test_behave_s_json_formatter_files_an_attachment_after_the_last_step_under_it(tmp_path: Path) -> None:
    from behave.formatter.base import StreamOpener
    from behave.formatter.json import JSONFormatter as BehaveJSON
    from behave.model import Status
    from behave.parser import parse_feature

    feature = parse_feature("Feature: F\n  Scenario: S\n    Given one\n    Then two\n", filename="f.feature")
    [scenario] = feature.scenarios

    def run(formatter_class: type) -> Any:
        formatter = formatter_class(StreamOpener(str(tmp_path / f"{formatter_class.__module__}.json")), None)
        formatter.uri("f.feature")
        formatter.feature(feature)
        formatter.scenario(scenario)
        for step in scenario.steps:
            formatter.step(step)
        for step in scenario.steps:
            formatter.match(type("M", (), {"location": "steps.py:1", "arguments": []})())
            step.status = Status.passed
            formatter.embedding("image/png", b"during " + step.name.encode())
            formatter.result(step)
        formatter.embedding("text/plain", b"after the steps")  # after_scenario's evidence
        formatter.eof()
        formatter.close()
        return json.loads((tmp_path / f"{formatter_class.__module__}.json").read_text())

    with pytest.raises(IndexError):  # behave#906: the hook would fail
        run(BehaveJSON)
    steps = run(JSONFormatter)[0]["elements"][0]["steps"]
    assert [base64.b64decode(e["data"]) for e in steps[0]["embeddings"]] == [b"during one"]
    assert [base64.b64decode(e["data"]) for e in steps[1]["embeddings"]] == [b"during two", b"after the steps"]


# -- a real behave run, Cucumber's HTML report in a real browser, the suite itself -----------------------------------
def run_fixture(reports: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "behave"), "-D", f"reports_dir={reports}", *args],
                          cwd=FIXTURE, capture_output=True, text=True, timeout=120)


@pytest.mark.sandbox
def test_a_behave_run_writes_the_messages_and_the_cucumber_json_and_behave_s_json_keeps_working(
        tmp_path: Path) -> None:
    result = run_fixture(tmp_path, "-f", "json", "-o", str(tmp_path / "behave.json"), "-f", "plain")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]  # one scenario fails on purpose
    assert "HOOK-ERROR" not in result.stdout
    written = (tmp_path / "cucumber-messages.ndjson").read_text()
    assert outline(written) == outline(MESSAGES.read_text()), "regenerate tests/fixtures/cucumber/messages.ndjson"
    assert json.loads((tmp_path / "cucumber.json").read_text()) == cucumber_json.convert(written)
    behave_json = json.loads((tmp_path / "behave.json").read_text())
    assert sum(len(s.get("embeddings", [])) for e in behave_json[0]["elements"] for s in e["steps"]) == len(
        of(read(written), "attachment"))


def render(messages: Path, page: Path) -> None:
    done = subprocess.run(["node", str(RENDER), str(messages), str(page)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def dom(page: Path) -> str:
    """The page as Chromium renders it: the report is a React page, drawn once its script has run."""
    from lib.observe.visitor import CHROMIUM_ARGS

    shown = subprocess.run([shutil.which("chromium") or "chromium", "--headless", *CHROMIUM_ARGS,
                            "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr[-2000:]
    return shown.stdout


def shown_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)).split())


needs_the_html_formatter = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("node") is None
    or not (ROOT / "tools" / "cucumber-html" / "node_modules").is_dir(),
    reason="needs Debian's chromium, node and `make setup` (tools/cucumber-html)")


@pytest.mark.sandbox
@needs_the_html_formatter
def test_cucumber_s_html_report_shows_every_scenario_its_attachments_and_its_known_faults(tmp_path: Path) -> None:
    render(MESSAGES, tmp_path / "report.html")
    text = shown_text(dom(tmp_path / "report.html"))
    for name in SCENARIOS:
        assert name.replace("<", "&lt;").replace(">", "&gt;") in text, name
    # The summary counts a known fault as pending: neither failed nor passed.
    assert re.search(r"passed 3 skipped 1 pending 2 failed 1\b", text), text[:400]
    assert text.count("known fault:") == 2
    # The report shows the attachments of the steps and of the hooks that did not pass (passed hooks fold away).
    items = read(MESSAGES.read_text())
    shown_hooks = {s["id"] for c in of(items, "testCase") for s in c["testSteps"] if "hookId" in s} & {
        f["testStepId"] for f in of(items, "testStepFinished") if f["testStepResult"]["status"] != "PASSED"}
    hooks = {s["id"] for c in of(items, "testCase") for s in c["testSteps"] if "hookId" in s}
    on_steps = [a for a in of(items, "attachment") if a["testStepId"] not in hooks]
    on_shown_hooks = [a for a in of(items, "attachment") if a["testStepId"] in shown_hooks]
    assert text.count("Attached Image (image/png)") == len(on_steps) == 6
    assert text.count("Attached Text (text/plain)") == len(on_shown_hooks) == 1


@pytest.mark.sandbox
def test_the_suite_attaches_real_screenshots_and_container_logs_and_keeps_its_known_faults(
        tmp_path: Path, attach: dict[str, str]) -> None:
    """The suite's own scenarios on the shared sandbox: the visitor's (a real Chromium) and the one whose check
    fails as the known fault shared-commit-tag (the stand-ins keep the real container's commit tag)."""
    reports = tmp_path / "reports"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "behave"), "--tags=@visitor or @commit-tags", "--no-junit", "-D",
         f"reports_dir={reports}", "-f", "json", "-o", str(tmp_path / "behave.json"), "-f", "plain"],
        cwd=ROOT, env={**os.environ, **attach}, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    items = read((reports / "cucumber-messages.ndjson").read_text())
    assert of(items, "testRunFinished")[0]["success"] is True
    cases = {name: (statuses, attached) for name, statuses, attached in outline(
        (reports / "cucumber-messages.ndjson").read_text())}
    statuses, attached = cases["Each thread's commits carry a tag of their own"]
    assert statuses[-2] == "PENDING" and attached.count("text/plain@after_scenario") == 2  # a log a session
    pickle = next(p for p in of(items, "pickle") if p["name"] == "Each thread's commits carry a tag of their own")
    assert {"@known-fault", "@real-fault:shared-commit-tag"} <= {t["name"] for t in pickle["tags"]}
    [pending] = [f["testStepResult"] for f in of(items, "testStepFinished")
                 if f["testStepResult"]["status"] == "PENDING"]
    assert pending["message"].startswith("known fault: shared-commit-tag: ")
    visitor = "A visitor to a client's site sees its latest edit on a page that works"
    if shutil.which("chromium"):
        shots = [base64.b64decode(a["body"]) for a in of(items, "attachment") if a["mediaType"] == "image/png"]
        assert shots and all(shot.startswith(b"\x89PNG") and len(shot) > 2000 for shot in shots)
        assert cases[visitor][1][0] == "image/png"  # under the visitor's first look, and only there
        assert "image/png@after_scenario" not in cases[visitor][1]
    assert cases[visitor][1].count("text/plain@after_scenario") == 2
    [feature] = [f for f in cucumber_json.convert((reports / "cucumber-messages.ndjson").read_text())
                 if f["name"] == "Each thread's commits can be told apart"]
    assert feature["elements"][0]["steps"][-1]["result"]["status"] == "pending"
    assert "HOOK-ERROR" not in result.stdout
    embedded = [e for f in json.loads((tmp_path / "behave.json").read_text()) for element in f["elements"]
                for s in element["steps"] for e in s.get("embeddings", [])]
    assert len(embedded) == len(of(items, "attachment"))  # behave's JSON has them all too
    assert "Container log of pia" in (reports / "living-documentation.html").read_text()  # and the page, as before


def test_the_coordinator_joins_the_workers_parts_into_the_run_s_messages_and_cucumber_json(tmp_path: Path) -> None:
    from reporting import messages

    first, second = split(MESSAGES.read_text(), 3)
    for worker, part in (("worker-0", first), ("worker-1", second)):
        (tmp_path / worker / messages.PARTS).mkdir(parents=True)
        (tmp_path / worker / messages.PARTS / "abc123.ndjson").write_text(part)
    assert messages.join_parts(tmp_path) == tmp_path / messages.NDJSON
    assert sorted(outline((tmp_path / messages.NDJSON).read_text())) == sorted(outline(MESSAGES.read_text()))
    assert len(json.loads((tmp_path / messages.CUCUMBER_JSON).read_text())[0]["elements"]) == 7
    parallel.clear(tmp_path)
    assert messages.join_parts(tmp_path) is None
