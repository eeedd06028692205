"""Prove that every check can go red: run the suite with a fault in what it judges, and print the fault x scenario
matrix.

Two modes:
- the sandbox (default): the @s3 suite on the faithful sandbox, then once per fault switch of its stand-in
  containers (`tools/expected_catches.toml`);
- the real edit container (`--real-container CHECKOUT`, `make selftest-real`): the scenarios the faults must be
  caught by, on the unchanged checkout, then once per fault of `tools/real_faults.toml`, each a search-and-replace
  edit of a scratch copy of the checkout, rebuilt; and the repairs (`[fix.*]`), whose scenarios must turn green.

Exit status 0 only when the clean run has nothing red and every fault turns red every scenario that must catch
it, with a named reason (a time-out alone does not count). Judging the real container, a fault whose scenario
ends "known fault" is not caught either: a fault of the code must never pass as one the real system is known for.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tools import real_faults

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = ROOT / "tools" / "expected_catches.toml"
STRICT = "known-fault"  # a scenario that must end as a known fault (lib/expect/known_faults.py)
NOT_NAMES = {"s3", STRICT}
RED = ("failed", "error", "hook_error", "cleanup_error", "undefined")
KNOWN = "known fault"


@dataclass
class Run:
    fault: str
    seconds: float
    status: dict[str, str] = field(default_factory=dict)  # scenario tag -> green / red / known / skipped
    reasons: dict[str, str] = field(default_factory=dict)  # scenario tag -> first failure message
    problem: str = ""  # the run could not be made (the checkout changed, it does not build)


def name_tag(tags: list[str]) -> str | None:
    """A scenario's name tag (e.g. "isolation"): its first tag that names no kind, no fault, no active or fixture
    tag (`@use.with_target=local`, `@fixture.browser`)."""
    return next((t for t in tags if t not in NOT_NAMES and ":" not in t and "." not in t), None)


def results(run: Run, reports: Path, only: list[str] | None) -> Run:
    """The verdict of each scenario from the run's `run.json` (the verdicts its living documentation shows)."""
    document = json.loads((reports / "run.json").read_text()) if (reports / "run.json").exists() else {}
    for feature in document.get("features", []):
        for scenario in feature["scenarios"]:
            tag = name_tag(scenario["tags"])
            unselected = scenario["status"] == "skipped" and not scenario["reason"]
            if tag is None or (only and tag not in only) or unselected:
                continue  # a scenario this run did not select
            status = scenario["status"]
            if STRICT in scenario["tags"]:  # it must fail as known; passing is the fault ("Fixed? Remove the tag")
                state = "green" if status == KNOWN else "red"
            else:
                state = {"passed": "green", KNOWN: "known", "skipped": "skipped"}.get(status, "red")
            if state != "green":
                run.reasons.setdefault(tag, scenario["reason"] or status)
            if tag not in run.status or WORST.index(state) > WORST.index(run.status[tag]):
                run.status[tag] = state  # an outline's examples: the worst of them
    return run


WORST = ["green", "skipped", "known", "red"]


def behave_command(tags: list[str] | None, reports: Path, defines: dict[str, str]) -> list[str]:
    # One v2 expression: several --tags options are ANDed only by behave's deprecated v1 sequence mode.
    selection = "@s3" + (" and (" + " or ".join(f"@{tag}" for tag in tags) + ")" if tags else "")
    command = [str(Path(sys.executable).parent / "behave"), f"--tags={selection}", "--no-junit", "--no-capture",
               "-f", "null", "-D", f"reports_dir={reports}"]
    return command + [arg for key, value in defines.items() for arg in ("-D", f"{key}={value}")]


def run_sandbox(fault: str, defines: dict[str, str], out_dir: Path, only: list[str] | None = None) -> Run:
    """The @s3 suite (or, with `only`, the scenarios with those tags) on a sandbox with `fault` switched on."""
    reports = out_dir / (fault or "clean")
    shutil.rmtree(reports, ignore_errors=True)  # an earlier self-test's run.json is not this run's verdict
    env = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": fault}
    started = time.monotonic()
    ran = subprocess.run(behave_command(only, reports, defines), cwd=ROOT, env=env, capture_output=True, text=True)
    run = results(Run(fault or "clean", time.monotonic() - started), reports, only)
    if not (reports / "run.json").exists():
        run.problem = f"behave wrote no report (exit {ran.returncode}): {(ran.stderr.strip().splitlines() or [''])[-1]}"
    return run


def run_real(name: str, checkout: Path, out_dir: Path, only: list[str], tasks: int) -> Run:
    """The scenarios `only` against a build of `checkout` (the user's, or a scratch copy of it with edits)."""
    reports = out_dir / name
    shutil.rmtree(reports, ignore_errors=True)
    started = time.monotonic()
    tags = " or ".join(f"@{tag}" for tag in only)
    ran = subprocess.run([sys.executable, str(ROOT / "tools" / "real_container.py"), "--src", str(checkout),
                          "--tags", tags, "--tasks", str(tasks), "--reports", str(reports), "--", "-f", "null"],
                         cwd=ROOT, capture_output=True, text=True)
    run = results(Run(name, time.monotonic() - started), reports, only)
    if ran.returncode == 2:  # it did not start: its checkout does not build, or the sandbox did not come up
        run.problem = (ran.stderr.strip().splitlines() or ["real-container exited 2"])[-1]
    return run


def verdict(clean: Run | None, runs: list[Run], must: dict[str, list[str]], real: bool) -> tuple[list[str], int]:
    problems = []
    if clean is not None and (any(v == "red" for v in clean.status.values()) or not clean.status or clean.problem):
        problems.append(f"clean run is not green: {clean.problem or clean.status or 'no scenario ran'}")
    caught = 0
    for run in runs:
        tags = must[run.fault]
        missed = [tag for tag in tags if run.status.get(tag) != "red"]
        known = [tag for tag in tags if run.status.get(tag) == "known"]
        timeouts = [tag for tag in tags if "timed out" in run.reasons.get(tag, "")]
        if run.problem:
            problems.append(f"{run.fault}: {run.problem}")
        elif known and real:
            problems.append(f"{run.fault}: filed as a known fault by {', '.join(known)}: "
                            f"{run.reasons[known[0]][:300]}")
        elif missed:
            problems.append(f"{run.fault}: not caught by {', '.join(missed)}")
        elif timeouts and len(timeouts) == len(tags):
            problems.append(f"{run.fault}: caught only by time-outs ({', '.join(timeouts)})")
        else:
            caught += 1
    return problems, caught


def matrix(rows: list[Run], must: dict[str, list[str]], mark_must: str) -> list[str]:
    columns = list(dict.fromkeys(t for r in rows for t in r.status))
    width = max(len(r.fault) for r in [*rows, Run("fault", 0)])
    lines = ["fault".ljust(width) + " | " + " | ".join(columns) + " | wall"]
    for run in rows:
        cells = []
        for tag in columns:
            state = run.status.get(tag, "-")
            mark = {"red": "RED", "green": "green", "known": "known", "skipped": "skip"}.get(state, "-")
            cells.append((mark + ("*" if tag in must.get(run.fault, []) else "")).ljust(len(tag)))
        lines.append(run.fault.ljust(width) + " | " + " | ".join(cells) + f" | {run.seconds:.0f} s")
    lines.append(f"(* = {mark_must}; RED = the scenario failed; known = failed only as known faults; "
                 "- = not run under that fault)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", help="only these faults (and repairs), comma-separated (default: all)")
    parser.add_argument("--out", type=Path, help="where the runs' reports and the matrix go")
    parser.add_argument("--no-clean", action="store_true",
                        help="skip the clean run (CI: `make test` has just run the same suite on the faithful sandbox)")
    parser.add_argument("--jobs", type=int, help="fault runs at once, each on its own sandbox (default: two per "
                                                 "core, as a run mostly waits on builds; 1 with --real-container)")
    parser.add_argument("--full", action="store_true",
                        help="sandbox: every scenario under every fault (by default a fault run has only the "
                             "scenarios that must catch it, and the clean run has all)")
    parser.add_argument("--real-container", type=Path, metavar="CHECKOUT",
                        help="judge faults of this checkout of the real edit container (its claude-code-container "
                             "folder) instead of the sandbox's fault switches")
    parser.add_argument("--tasks", type=int, default=3, help="real container: tasks of the edit service")
    args = parser.parse_args(argv)
    real = args.real_container is not None
    jobs = args.jobs or (1 if real else 2 * (os.cpu_count() or 1))
    out = args.out or ROOT / "reports" / ("real-container/selftest" if real else "selftest")
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    if real:
        try:
            catalogue = real_faults.load(real_faults.FAULTS_FILE)
        except real_faults.EditError as error:
            print(f"selftest: {error}", file=sys.stderr)
            return 2
        chosen = [f for f in catalogue if not args.faults or f.name in args.faults.split(",")]
        must = {f.name: f.scenarios for f in chosen}
        try:
            # The user's checkout, built once: every scratch copy shares its node_modules.
            source = real_faults.real_container.prepare(args.real_container).path
        except real_faults.real_container.CheckoutError as error:
            print(f"selftest: {error}", file=sys.stderr)
            return 2
        union = list(dict.fromkeys(t for f in chosen for t in f.scenarios))
        clean = None if args.no_clean else run_real("clean", source, out, union, args.tasks)

        # Scratch copies live outside this repository (and outside the user's): nothing of the source is kept.
        scratch = Path(tempfile.mkdtemp(prefix="webordinary-real-faults-"))

        def under(fault: real_faults.Fault) -> Run:
            try:
                copy = real_faults.apply(fault, source, scratch / fault.name)
            except real_faults.EditError as error:
                return Run(fault.name, 0.0, problem=str(error))
            run = run_real(fault.name, copy, out, fault.scenarios, args.tasks)
            print(f"{fault.name}: {run.seconds:.0f}s", flush=True)
            return run

        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                runs = list(pool.map(under, chosen))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        faults = [r for r, f in zip(runs, chosen, strict=True) if not f.repair]
        repairs = [r for r, f in zip(runs, chosen, strict=True) if f.repair]
    else:
        expected = tomllib.loads(EXPECTED.read_text())
        names = args.faults.split(",") if args.faults else list(expected)
        must = {name: expected[name]["must_catch"] for name in names}
        clean = None if args.no_clean else run_sandbox("", {}, out)

        def under_switch(fault: str) -> Run:
            only = None if args.full else must[fault]
            run = run_sandbox(fault, expected[fault].get("defines", {}), out, only)
            print(f"{fault}: {run.seconds:.0f}s", flush=True)
            return run

        # Each fault has a sandbox of its own, so runs under different faults can share the machine.
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            faults = list(pool.map(under_switch, names))
        repairs = []
    if clean:
        print(f"clean run: {clean.seconds:.0f}s", flush=True)

    rows = [r for r in (clean, *faults) if r is not None]
    lines = matrix(rows, must, "must catch")
    if repairs:
        lines += ["", "repairs (each must turn its scenarios green):", *matrix(repairs, must, "must pass")]
    lines.append("")
    for run in [*faults, *repairs]:
        for tag in must[run.fault]:
            if tag in run.reasons:
                lines.append(f"{run.fault} / {tag}: {run.reasons[tag][:400]}")
    print("\n" + "\n".join(lines))
    problems, caught = verdict(clean, faults, must, real)
    for repair in repairs:
        failing = [t for t in must[repair.fault] if repair.status.get(t) != "green"]
        if repair.problem or failing:
            problems.append(f"repair {repair.fault}: {repair.problem or 'not green: ' + ', '.join(failing)}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    clean_state = ("no clean run (--no-clean)" if clean is None else "clean run green"
                   if not any(p.startswith("clean") for p in problems) else "clean run RED")
    what = "faults of the real container's code" if real else "faults"
    summary = f"selftest: {caught}/{len(faults)} {what} caught, {clean_state}"
    if repairs:
        summary += f", {sum(1 for r in repairs if not any(p.startswith('repair ' + r.fault) for p in problems))}" \
                   f"/{len(repairs)} repairs green"
    print(summary)
    seconds = time.monotonic() - started
    judged = f"judged: {source} (each fault a scratch copy)" if real else "judged: the sandbox's fault switches"
    # The living documentation shows the last matrices (reporting.formatter.selftest_matrices).
    (out / "matrix.txt").write_text("\n".join([judged, *lines, *(f"PROBLEM: {p}" for p in problems), summary,
                                               f"({seconds:.0f} s wall, {jobs} at once)"]) + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
