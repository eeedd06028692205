"""Benchmark the acceptance suite: wall time, per-scenario times, and detection latency
(an execution's end -> the suite's waiter returning), p50 and max."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "bench"
TARGET_SUITE_S = 90.0
TARGET_P50_MS = 250.0


def main() -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    results = REPORTS / "suite.json"
    detections = REPORTS / "detections.json"
    env = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": ""}
    command = [str(Path(sys.executable).parent / "behave"), "--tags=@s3", "--no-junit",
               "-f", "json", "-o", str(results), "-D", f"reports_dir={REPORTS}"]
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    verdict = "" if run.returncode == 0 else "  SUITE FAILED"
    print(f"suite wall time: {wall:.1f}s (target {TARGET_SUITE_S:.0f}s){verdict}")
    print("per scenario:")
    for feature in json.loads(results.read_text()):
        for scenario in feature.get("elements", []):
            if scenario.get("type") == "background":
                continue
            took = sum(step.get("result", {}).get("duration", 0.0) for step in scenario.get("steps", []))
            print(f"  {took:6.1f}s  {scenario['status']:<7} {scenario['name']}")
    seen = json.loads(detections.read_text()) if detections.exists() else []
    latencies = [d["detected_ms"] - d["ended_ms"] for d in seen]
    if latencies:
        p50 = statistics.median(latencies)
        print(f"detection latency over {len(latencies)} outcomes: p50 {p50:.0f} ms, max {max(latencies):.0f} ms "
              f"(target p50 {TARGET_P50_MS:.0f} ms)")
    else:
        print("detection latency: no outcome was awaited")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
