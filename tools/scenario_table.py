"""A scenario x target table from the runs' own data: `python tools/scenario_table.py reports/run.json
reports/real-container/run.json` prints one markdown row per scenario, one column per run, each cell the scenario's
verdict and time; in a known-fault cell also the faults seen and every other step's verdict. A comparison worth
keeping goes into docs/measurements.json as records, with its date, machine and command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

KNOWN = "known fault"


def cell(scenario: dict) -> str:
    status, seconds = scenario["status"], f'{scenario["duration_s"]:.1f} s'
    if status == "passed":
        return f"green {seconds}"
    steps: dict[str, int] = {}
    for step in scenario["steps"]:
        if step["status"] != KNOWN:
            steps[step["status"]] = steps.get(step["status"], 0) + 1
    others = ", ".join(f"{n} {s}" for s, n in sorted(steps.items()))
    if status == KNOWN:
        faults = scenario["reason"].removeprefix("known fault ").split(":", 1)[0]
        known = sum(1 for step in scenario["steps"] if step["status"] == KNOWN)
        return f"known fault {faults} {seconds} ({known} check(s) known, the other steps: {others})"
    return f"{status.upper()} {seconds}: {scenario['reason'][:160]}"


def main(paths: list[str]) -> int:
    runs = [json.loads(Path(p).read_text()) for p in paths]
    rows: dict[str, list[str]] = {}
    for index, run in enumerate(runs):
        for feature in run["features"]:
            for scenario in feature["scenarios"]:
                if scenario["status"] == "skipped" and not scenario["reason"]:
                    continue  # not selected in this run
                tag = next((t for t in scenario["tags"] if t not in ("s3", "known-fault") and ":" not in t), "?")
                name = f'`@{tag}` {scenario["name"]}'
                rows.setdefault(name, [""] * len(runs))[index] = cell(scenario)
    print("| scenario | " + " | ".join(run.get("judged", "?") for run in runs) + " |")
    print("|---" * (len(runs) + 1) + "|")
    for name, cells in rows.items():
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| the run | " + " | ".join(f'{run["duration_s"]:.0f} s' for run in runs) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
