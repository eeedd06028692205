"""One living documentation from many behave processes (behavex's workers share one sandbox and run a scenario
per behave process). Each process leaves its part of the run as JSON in its worker folder; the coordinator joins
the parts into one page, as if one process had run every scenario."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reporting.render import FeatureDoc, RunDoc, ScenarioDoc, StepDoc

PARTS = "parts"
WORKERS = "worker-*"
DETECTIONS = "detections.json"


def in_worker(userdata: Any) -> bool:
    """Whether this behave process is one of behavex's workers (behavex passes `-D worker_id=N`)."""
    return userdata.get("worker_id") is not None


def save_part(folder: Path, doc: RunDoc) -> None:
    """Leave this process's features for the coordinator (the catalog and history are the coordinator's)."""
    part = folder / PARTS / f"{doc.run_id}.json"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_text(json.dumps(asdict(doc) | {"catalog": [], "history": []}), encoding="utf-8")


def clear(reports: Path) -> None:
    """Before the workers start: no part of an earlier run may be joined into this one."""
    for worker in reports.glob(WORKERS):
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
    features: dict[str, FeatureDoc] = {}
    for worker, part in parts:
        for f in part["features"]:
            feature = features.setdefault(f["name"], FeatureDoc(f["name"], f["description"], f["tags"], "passed", []))
            # A part holds the whole feature, the scenarios other processes ran as "skipped" without a reason.
            ran = [s for s in f["scenarios"] if s["status"] != "skipped" or s.get("reason")]
            feature.scenarios += [_scenario(s, worker) for s in ran]
    for feature in features.values():
        feature.scenarios.sort(key=lambda s: _line(s.location))
        statuses = {s.status for s in feature.scenarios}
        feature.status = next((s for s in ("error", "hook_error", "failed") if s in statuses), "passed")
    run_ids = [part["run_id"] for _, part in parts]
    detections = [d for path in sorted(reports.glob(f"{WORKERS}/{DETECTIONS}")) for d in json.loads(path.read_text())]
    (reports / DETECTIONS).write_text(json.dumps(detections, indent=1) + "\n")
    for metrics in reports.glob(f"{WORKERS}/metrics.json"):
        shutil.copy(metrics, reports / "metrics.json")
    return RunDoc(
        target=parts[0][1]["target"],
        run_id=f"{len(run_ids)} behave processes in {len({w for w, _ in parts})} workers: {' '.join(run_ids)}",
        started=datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        duration_s=time.time() - started,
        features=list(features.values()),
        judged=parts[0][1].get("judged", ""),
        instructions=parts[0][1].get("instructions", []),
    )


def _scenario(s: dict[str, Any], worker: str) -> ScenarioDoc:
    evidence = dict(s["evidence"])
    # A screenshot's path is relative to its worker's folder; the joined page sits one folder up.
    evidence["screenshots"] = [shot | ({"file": f"{worker}/{shot['file']}"} if "file" in shot else {})
                               for shot in evidence.get("screenshots", [])]
    steps = [StepDoc(**step) for step in s["steps"]]
    return ScenarioDoc(**(s | {"steps": steps, "evidence": evidence}))


def _line(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 0)
