"""Shards' reports joined into one run: every scenario once with the verdict of the shard that ran it, its evidence
reachable from the joined page, JUnit counts summed anew, and the run's verdict as the exit status."""

from __future__ import annotations

import json
from pathlib import Path

from tools import join_shards


def scenario(line: int, status: str, shot: str = "") -> dict:
    evidence = {"screenshots": [{"file": f"screenshots/{shot}", "client": "ada", "url": "http://x/"}]} if shot else {}
    return {"name": f"scenario at {line}", "tags": ["s3"], "status": status, "duration_s": 2.0,
            "location": f"features/a.feature:{line}", "steps": [], "reason": "", "evidence": evidence}


def shard(folder: Path, started: str, duration_s: float, scenarios: list[dict], junit: str) -> Path:
    (folder / "junit").mkdir(parents=True)
    (folder / "screenshots").mkdir()
    for s in scenarios:
        for shot in s["evidence"].get("screenshots", []):
            (folder / shot["file"]).write_bytes(b"\x89PNG")
    doc = {"target": "local", "run_id": folder.name, "started": started, "duration_s": duration_s,
           "judged": "", "instructions": [],
           "features": [{"name": "A", "description": [], "tags": [], "status": "passed", "scenarios": scenarios}]}
    (folder / "run.json").write_text(json.dumps(doc))
    (folder / "junit" / "TESTS-a.xml").write_text(junit)
    return folder


def case(name: str, body: str = "", status: str = "passed") -> str:
    return f'<testcase classname="a.A" name="{name}" status="{status}" time="2.0">{body}</testcase>'


def test_two_shards_are_one_run_with_every_scenario_once(tmp_path: Path) -> None:
    first = shard(tmp_path / "1-of-2", "2026-12-01 10:00:00 UTC", 100.0,
                  [scenario(3, "passed", "a.png"), scenario(9, "skipped")],
                  f'<testsuite name="a.A" tests="2">{case("x")}{case("y", "<skipped/>", "skipped")}</testsuite>')
    failed = case("y", '<failure message="m"/>', "failed")
    second = shard(tmp_path / "2-of-2", "2026-12-01 10:00:05 UTC", 140.0,
                   [scenario(3, "skipped"), scenario(9, "known fault")],
                   f'<testsuite name="a.A" tests="2">{case("x", "<skipped/>", "skipped")}{failed}</testsuite>')
    out = tmp_path / "joined"
    assert join_shards.join([first, second], out) == 0  # a known fault keeps the run green
    doc = json.loads((out / "run.json").read_text())
    scenarios = doc["features"][0]["scenarios"]
    assert [(s["location"], s["status"]) for s in scenarios] == [
        ("features/a.feature:3", "passed"), ("features/a.feature:9", "known fault")]
    shot = scenarios[0]["evidence"]["screenshots"][0]["file"]
    assert shot == "1-of-2/screenshots/a.png" and (out / shot).exists()
    assert doc["duration_s"] == 140.0 and doc["started"] == "2026-12-01 10:00:00 UTC"
    junit = (out / "junit" / "TESTS-a.xml").read_text()
    assert 'tests="2"' in junit and 'failures="1"' in junit and 'skipped="0"' in junit
    assert (out / "living-documentation.html").exists() and json.loads((out / "history.json").read_text())


def test_a_red_shard_makes_the_run_red_and_a_shard_that_left_nothing_is_named(tmp_path: Path, capsys) -> None:
    red = shard(tmp_path / "1-of-2", "2026-12-01 10:00:00 UTC", 10.0, [scenario(3, "failed")], "<testsuite/>")
    assert join_shards.join([red], tmp_path / "joined") == 1
    assert join_shards.join([red, tmp_path / "2-of-2"], tmp_path / "joined") == 2
    assert "no run.json in" in capsys.readouterr().err
