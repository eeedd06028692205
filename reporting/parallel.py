"""One living documentation from many behave processes (behavex's workers share one sandbox and run a scenario
per behave process). Each process leaves its part of the run as JSON in its worker folder; the coordinator joins
the parts into one page, as if one process had run every scenario. Their Cucumber Messages join the same way
(`merge_messages`, for CI's shards too)."""

from __future__ import annotations

import json
import shutil
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reporting.render import FeatureDoc, RunDoc, ScenarioDoc, StepDoc

PARTS = "parts"
WORKERS = "worker-*"
DETECTIONS = "detections.json"
JUNIT = "junit"  # a worker's behave processes each write theirs in a folder of its own under it


def junit_folder(reports: Path, run_id: str) -> Path:
    """Where one of a worker's behave processes writes its JUnit (behavex turns behave's off: the process turns it
    back on), for the coordinator to join."""
    return reports / JUNIT / run_id


def in_worker(userdata: Any) -> bool:
    """Whether this behave process is one of behavex's workers (behavex passes `-D worker_id=N`)."""
    return userdata.get("worker_id") is not None


def save_part(folder: Path, doc: RunDoc) -> None:
    """Leave this process's features for the coordinator (the catalog and history are the coordinator's)."""
    part = folder / PARTS / f"{doc.run_id}.json"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_text(json.dumps(asdict(doc) | {"catalog": [], "history": []}), encoding="utf-8")


def clear(reports: Path) -> None:
    """Before the workers start: no part of an earlier run may be joined into this one, nor its JUnit kept."""
    for worker in [*reports.glob(WORKERS), reports / JUNIT]:
        shutil.rmtree(worker, ignore_errors=True)


def add_detections(folder: Path, detections: list[dict[str, Any]]) -> None:
    """A worker's behave processes run one after another: each adds its outcomes to the worker's file."""
    path = folder / DETECTIONS
    earlier = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps([*earlier, *detections], indent=1) + "\n")


def join(reports: Path, started: float) -> RunDoc | None:
    """The parts of every worker as one run; None when no worker left one (nothing ran)."""
    parts = [(p.parent.parent.name, json.loads(p.read_text(encoding="utf-8")))
             for p in sorted(reports.glob(f"{WORKERS}/{PARTS}/*.json"))]
    if not parts:
        return None
    detections = [d for path in sorted(reports.glob(f"{WORKERS}/{DETECTIONS}")) for d in json.loads(path.read_text())]
    (reports / DETECTIONS).write_text(json.dumps(detections, indent=1) + "\n")
    for metrics in reports.glob(f"{WORKERS}/metrics.json"):
        shutil.copy(metrics, reports / "metrics.json")
    merge_junit(sorted(reports.glob(f"{WORKERS}/{JUNIT}/*")), reports / JUNIT)
    run_ids = [part["run_id"] for _, part in parts]
    return merge(parts, f"{len(run_ids)} behave processes in {len({w for w, _ in parts})} workers: {' '.join(run_ids)}",
                 started, time.time() - started)


def merge(parts: list[tuple[str, dict[str, Any]]], run_id: str, started: float, duration_s: float) -> RunDoc:
    """Runs' documents (run.json or a worker's part, each with the folder its files are under, relative to the
    joined page's) as one run: each scenario that ran once, in file and line order; the features' verdicts anew.
    For behavex's processes and CI's shards alike."""
    features: dict[str, FeatureDoc] = {}
    for folder, part in parts:
        for f in part["features"]:
            feature = features.setdefault(f["name"], FeatureDoc(f["name"], f["description"], f["tags"], "passed", []))
            # A part holds the whole feature, the scenarios other processes ran as "skipped" without a reason.
            ran = [s for s in f["scenarios"] if s["status"] != "skipped" or s.get("reason")]
            feature.scenarios += [_scenario(s, folder) for s in ran]
    for feature in features.values():
        feature.scenarios.sort(key=lambda s: _line(s.location))
        statuses = {s.status for s in feature.scenarios}
        feature.status = next((s for s in ("error", "hook_error", "failed") if s in statuses), "passed")
    return RunDoc(
        target=parts[0][1]["target"],
        run_id=run_id,
        started=datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        duration_s=duration_s,
        features=list(features.values()),
        judged=parts[0][1].get("judged", ""),
        instructions=parts[0][1].get("instructions", []),
    )


def _scenario(s: dict[str, Any], folder: str) -> ScenarioDoc:
    evidence = dict(s["evidence"])
    # A screenshot's path is relative to its part's folder; the joined page sits one folder up.
    evidence["screenshots"] = [shot | ({"file": f"{folder}/{shot['file']}"} if "file" in shot else {})
                               for shot in evidence.get("screenshots", [])]
    steps = [StepDoc(**step) for step in s["steps"]]
    return ScenarioDoc(**(s | {"steps": steps, "evidence": evidence}))


def _line(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 0)


# -- Cucumber Messages: many runs' NDJSON as one run's -------------------------------------------------------------
FILE_KINDS = ("source", "parseError", "gherkinDocument", "pickle")
DEFINITION_KINDS = ("stepDefinition", "hook", "parameterType", "undefinedParameterType")
UNIQUE = ("testCase", "testCaseStarted", "testRunHookStarted", "suggestion")  # what happened: its ids are its own


def merge_messages(parts: Iterable[str]) -> str:
    """Several runs' Cucumber Messages (NDJSON texts) as one run's stream: one meta, one testRunStarted (the
    earliest), one testRunFinished (the latest; a success only when every part was one), each feature file's source,
    gherkinDocument and pickles once, and every test case of every part. For behavex's processes and CI's shards
    alike: parts written by reporting.messages share the ids of what the files hold (the same file gives the same
    ids) and never the ids of what happened (random); any other repeated id is refused rather than joined into a
    stream that lies."""
    runs = sorted((run for run in ([json.loads(line) for line in part.splitlines() if line.strip()] for part in parts)
                   if run), key=lambda run: _when(next(iter(_of(run, "testRunStarted")), {})))
    if not runs:
        raise ValueError("no Cucumber Messages to merge")
    run_id = next((m["id"] for m in _of(runs[0], "testRunStarted") if m.get("id")), str(uuid.uuid4()))
    files: dict[str, dict[str, list[dict[str, Any]]]] = {}  # uri -> kind -> messages
    definitions: dict[tuple[str, str], dict[str, Any]] = {}
    cases: list[dict[str, Any]] = []
    happened: list[dict[str, Any]] = []
    seen: set[str] = set()
    for run in runs:
        for item in run:
            [(kind, message)] = item.items()
            if kind in FILE_KINDS:
                _add_file_message(files, kind, message)
            elif kind in DEFINITION_KINDS:
                definitions.setdefault((kind, message["id"]), item)
            elif kind not in ("meta", "testRunStarted", "testRunFinished"):
                if kind in UNIQUE:
                    _claim(message["id"], seen)
                for step in message.get("testSteps", []) if kind == "testCase" else []:
                    _claim(step["id"], seen)
                if "testRunStartedId" in message:
                    message["testRunStartedId"] = run_id
                (cases if kind == "testCase" else happened).append(item)
    out: list[dict[str, Any]] = [{"meta": m} for m in _of(runs[0], "meta")][:1]
    for kinds in files.values():
        out += [{kind: m} for kind in FILE_KINDS for m in kinds.get(kind, [])]
    out += definitions.values()
    started = min((_when(m) for run in runs for m in _of(run, "testRunStarted")), default=(0, 0))
    out.append({"testRunStarted": {"id": run_id, "timestamp": {"seconds": started[0], "nanos": started[1]}}})
    out += cases + happened
    out.append({"testRunFinished": _finished(runs, run_id)})
    return "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in out)


def _of(run: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item[kind] for item in run if kind in item]


def _when(message: dict[str, Any]) -> tuple[int, int]:
    stamp = message.get("timestamp", {})
    return int(stamp.get("seconds", 0)), int(stamp.get("nanos", 0))


def _claim(identifier: str, seen: set[str]) -> None:
    if identifier in seen:
        raise ValueError(f"two parts use the id {identifier!r} for different things: not parts of one run")
    seen.add(identifier)


def _add_file_message(files: dict[str, dict[str, list[dict[str, Any]]]], kind: str, message: dict[str, Any]) -> None:
    uri = message["source"]["uri"] if kind == "parseError" else message["uri"]
    kinds = files.setdefault(uri, {})
    known = kinds.setdefault(kind, [])
    if kind == "source" and known and known[0]["data"] != message["data"]:
        raise ValueError(f"{uri}: the parts ran two different versions of this file")
    if kind in ("source", "gherkinDocument", "parseError"):
        if not known:
            known.append(message)
    elif all(m["id"] != message["id"] for m in known):
        known.append(message)
        known.sort(key=lambda pickle: (pickle.get("location") or {}).get("line", 0))


def _finished(runs: list[list[dict[str, Any]]], run_id: str) -> dict[str, Any]:
    ends = [m for run in runs for m in _of(run, "testRunFinished")]
    latest = max((_when(m) for m in ends), default=(int(time.time()), 0))
    success = len(ends) == len(runs) and all(m.get("success") for m in ends)
    notes = [m["message"] for m in ends if m.get("message")]
    if len(ends) < len(runs):
        notes.append(f"{len(runs) - len(ends)} part(s) never finished")
    finished: dict[str, Any] = {"success": success, "timestamp": {"seconds": latest[0], "nanos": latest[1]},
                                "testRunStartedId": run_id}
    if notes:
        finished["message"] = "; ".join(notes)
    return finished


# behave's JUnit marks a scenario a run did not select as skipped: the verdict of the run that ran it wins.
NOT_RUN = ("skipped", "untested")


def merge_junit(folders: list[Path], out: Path) -> None:
    """behave's JUnit files (one per feature) of several runs as one (CI's shards, behavex's behave processes): per
    feature, each scenario's verdict from the run that ran it, the suite's counts summed anew."""
    suites: dict[str, list[ET.Element]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.xml")):
            suites.setdefault(path.name, []).append(ET.parse(path).getroot())
    out.mkdir(parents=True, exist_ok=True)
    for name, roots in suites.items():
        cases: dict[str, ET.Element] = {}
        for root in roots:
            for case in root.iter("testcase"):
                key = case.get("name", "")
                if key not in cases or (_ran(case) and not _ran(cases[key])):
                    cases[key] = case
        suite = ET.Element("testsuite", dict(roots[0].attrib))
        suite.extend(cases.values())
        suite.set("tests", str(len(cases)))
        suite.set("errors", str(sum(1 for c in cases.values() if c.find("error") is not None)))
        suite.set("failures", str(sum(1 for c in cases.values() if c.find("failure") is not None)))
        suite.set("skipped", str(sum(1 for c in cases.values() if not _ran(c))))
        suite.set("time", f"{sum(float(c.get('time', 0)) for c in cases.values()):.6f}")
        ET.ElementTree(suite).write(out / name, encoding="utf-8", xml_declaration=True)


def _ran(case: ET.Element) -> bool:
    return case.get("status", "") not in NOT_RUN and case.find("skipped") is None
