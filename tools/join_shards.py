"""Join the reports of a suite split over machines (tools/shards.py) into one run, as if one machine had run every
scenario: one living documentation (with the run added to the out folder's history), one stream of Cucumber
Messages and its Cucumber JSON, one JUnit folder, the detections and metrics. Its exit status is the joined run's
verdict (0 green, 1 red, 2 when a shard left nothing to join)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from reporting import messages, parallel
from reporting.formatter import RUN_FILE, write_page

SHOTS = "screenshots"


def join(folders: list[Path], out: Path) -> int:
    missing = [str(f) for f in folders if not (f / RUN_FILE).exists()]
    if missing:
        print(f"join: no {RUN_FILE} in {', '.join(missing)}: did that shard run? (tools/shards.py run --shard i/n)",
              file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    parts = []
    for folder in folders:
        name = folder.resolve().name
        if (folder / SHOTS).is_dir():  # the evidence's screenshots, beside the joined page under the shard's name
            shutil.copytree(folder / SHOTS, out / name / SHOTS, dirs_exist_ok=True)
        parts.append((name, json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))))
    started = min(_epoch(doc["started"]) for _, doc in parts)
    # The shards ran side by side: the run took as long as its longest shard.
    wall = max(doc["duration_s"] for _, doc in parts)
    run_id = f"{len(parts)} shards: " + " ".join(f"{name}={doc['run_id']}" for name, doc in parts)
    doc = parallel.merge(parts, run_id, started, wall)
    _side_files(folders, out)
    write_page(out, doc)
    streams = [f / messages.NDJSON for f in folders if (f / messages.NDJSON).exists()]
    if streams:
        messages.write(out, parallel.merge_messages(s.read_text(encoding="utf-8") for s in streams))
    parallel.merge_junit([f / "junit" for f in folders], out / "junit")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(doc.counts().items()))
    print(f"joined {len(parts)} shards into {out / 'living-documentation.html'}: {counts}")
    return 0 if doc.green() else 1


def _epoch(started: str) -> float:
    return datetime.strptime(started, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC).timestamp()


def _side_files(folders: list[Path], out: Path) -> None:
    detections = [d for f in folders if (f / parallel.DETECTIONS).exists()
                  for d in json.loads((f / parallel.DETECTIONS).read_text())]
    (out / parallel.DETECTIONS).write_text(json.dumps(detections, indent=1) + "\n")
    for folder in folders:  # one shard measures the metrics scenario
        if (folder / "metrics.json").exists():
            shutil.copy(folder / "metrics.json", out / "metrics.json")
