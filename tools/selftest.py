"""Run the @s3 suite on the faithful sandbox and once per fault switch; print the fault x scenario matrix.

Exit status 0 only when the clean run is green and every fault turns red every scenario that
`tools/expected_catches.toml` says must catch it, each with a failure message that is not a time-out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tools" / "expected_catches.toml"
KNOWN_FAULT = "known-fault"  # features/environment.py: such a scenario is green when it fails as known (skipped)
NOT_NAMES = {"s3", KNOWN_FAULT, "sandbox-only"}


@dataclass
class Run:
    fault: str
    seconds: float
    status: dict[str, str] = field(default_factory=dict)  # scenario tag -> green/red, in the feature's order
    reasons: dict[str, str] = field(default_factory=dict)  # scenario tag -> first failure message


def run_suite(fault: str, defines: dict[str, str], out_dir: Path, only: list[str] | None = None) -> Run:
    """The @s3 suite (or, with `only`, the scenarios with those tags) on a sandbox with `fault` switched on."""
    out = out_dir / f"{fault or 'clean'}.json"
    reports = out_dir / (fault or "clean")
    command = [str(Path(sys.executable).parent / "behave"), "--tags=@s3", "--no-junit", "--no-capture",
               "-f", "json", "-o", str(out), "-D", f"reports_dir={reports}"]
    if only:
        command.append("--tags=" + ",".join(f"@{tag}" for tag in only))
    for key, value in defines.items():
        command += ["-D", f"{key}={value}"]
    env = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": fault}
    started = time.monotonic()
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True).stdout
    run = Run(fault or "clean", time.monotonic() - started)
    # A check in an after-scenario hook (work done twice, loose ends) is not in the JSON: take its words from
    # the console, in the order the scenarios ran.
    hook_errors = iter(line.split(": ", 1)[-1] for line in output.splitlines() if line.startswith("HOOK-ERROR"))
    for feature in json.loads(out.read_text()) if out.exists() else []:
        for scenario in feature.get("elements", []):
            tags = scenario.get("tags", [])
            tag = next((t for t in tags if t not in NOT_NAMES), None)  # a scenario's name tag, e.g. "isolation"
            if tag is None or (only and tag not in only):
                continue  # a scenario this run did not select
            failed = scenario.get("status") != ("skipped" if KNOWN_FAULT in tags else "passed")
            if failed:
                message = next((" ".join(s["result"].get("error_message", [""])) if isinstance(
                    s["result"].get("error_message"), list) else s["result"].get("error_message", "")
                    for s in scenario.get("steps", []) if s.get("result", {}).get("status") == "failed"), "")
                if not message.strip() and scenario.get("status") == "hook_error":
                    message = next(hook_errors, "")
                if not message.strip() and KNOWN_FAULT in tags:
                    message = f"the @{KNOWN_FAULT} scenario passed: fixed? remove the tag"
                run.reasons.setdefault(tag, message.strip().splitlines()[-1] if message.strip() else "")
            if run.status.get(tag) != "red":
                run.status[tag] = "red" if failed else "green"
    return run


def verdict(clean: Run | None, runs: list[Run], expected: dict) -> tuple[list[str], int]:
    problems = []
    if clean is not None and (any(v == "red" for v in clean.status.values()) or not clean.status):
        problems.append(f"clean run is not green: {clean.status or 'no scenario ran'}")
    caught = 0
    for run in runs:
        must = expected[run.fault]["must_catch"]
        missed = [tag for tag in must if run.status.get(tag) != "red"]
        timeouts = [tag for tag in must if "timed out" in run.reasons.get(tag, "")]
        if missed:
            problems.append(f"{run.fault}: not caught by {', '.join(missed)}")
        elif timeouts and len(timeouts) == len(must):
            problems.append(f"{run.fault}: caught only by time-outs ({', '.join(timeouts)})")
        else:
            caught += 1
    return problems, caught


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--faults", help="only these faults, comma-separated (default: all in the table)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "selftest")
    parser.add_argument("--no-clean", action="store_true",
                        help="skip the clean run (CI: `make test` has just run the same suite on the faithful sandbox)")
    parser.add_argument("--jobs", type=int, default=2, help="fault runs at once, each on its own sandbox")
    parser.add_argument("--full", action="store_true",
                        help="run every scenario under every fault (the full matrix); by default a fault run has only "
                             "the scenarios that must catch it, and the clean run has all")
    args = parser.parse_args(argv)
    expected = tomllib.loads(EXPECTED.read_text())
    faults = args.faults.split(",") if args.faults else list(expected)
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    clean = None if args.no_clean else run_suite("", {}, args.out)
    if clean:
        print(f"clean run: {clean.seconds:.0f}s", flush=True)

    def under(fault: str) -> Run:
        only = None if args.full else expected[fault]["must_catch"]
        run = run_suite(fault, expected[fault].get("defines", {}), args.out, only)
        print(f"{fault}: {run.seconds:.0f}s", flush=True)
        return run

    # Each fault has a sandbox of its own, so runs under different faults can share the machine.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(under, faults))

    rows = [clean, *runs] if clean else runs
    columns = list(dict.fromkeys(t for r in rows for t in r.status))
    width = max(len(f) for f in ["fault", *faults, "clean"])
    lines = ["fault".ljust(width) + " | " + " | ".join(columns)]
    for run in rows:
        must = set(expected.get(run.fault, {}).get("must_catch", []))
        cells = []
        for tag in columns:
            state = run.status.get(tag, "-")
            mark = "RED" if state == "red" else "green" if state == "green" else "-"
            cells.append((mark + ("*" if tag in must else "")).ljust(len(tag)))
        lines.append(run.fault.ljust(width) + " | " + " | ".join(cells))
    lines.append("(* = must catch; RED = the scenario failed; - = not run under that fault)")
    lines.append("")
    for run in runs:
        for tag in expected[run.fault]["must_catch"]:
            if tag in run.reasons:
                lines.append(f"{run.fault} / {tag}: {run.reasons[tag][:220]}")
    print("\n" + "\n".join(lines))
    problems, caught = verdict(clean, runs, expected)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    clean_state = ("no clean run (--no-clean)" if clean is None else "clean run green"
                   if not any(p.startswith("clean") for p in problems) else "clean run RED")
    summary = f"selftest: {caught}/{len(runs)} faults caught, {clean_state}"
    print(summary)
    seconds = time.monotonic() - started
    # The living documentation shows the last matrix (reports/selftest/matrix.txt).
    (args.out / "matrix.txt").write_text("\n".join([*lines, *(f"PROBLEM: {p}" for p in problems), summary,
                                                     f"({seconds:.0f} s wall, {args.jobs} at once)"]) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
