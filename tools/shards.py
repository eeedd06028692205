"""Split the suite over CI machines, as Playwright's `--shard i/n` does, and join the shards' reports into one run.

    python tools/shards.py plan --shard 1/2            the scenarios shard 1 of 2 runs (file:line), with seconds
    python tools/shards.py run --shard 1/2 [--runner behavex]
                                                       run them: behave (or behavex) with its own sandbox, its
                                                       reports under reports/shards/1-of-2/
    python tools/shards.py join reports/shards/*-of-2 --out reports
                                                       one living documentation, Cucumber Messages and JUnit
    python tools/shards.py record                      keep the last run's scenario durations for the next split
    python tools/shards.py order                       the feature files, longest scenario first (make acceptance
                                                       hands them to behavex in this order, so that its workers
                                                       start the long scenarios first and end together)

The split is deterministic (the same scenarios, durations and n give the same shards on every machine) and balanced
by the scenarios' recorded durations: the longest first, each to the shard with the least so far (ties: the lower
shard). Durations come from `--durations` (a run.json or a durations file), else the last run's
reports/run.json, else tools/durations.json (kept by `record`); a scenario none of them knows counts as their
median. A scenario outline is one unit: its examples run together.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tools" / "durations.json"
LAST_RUN = ROOT / "reports" / "run.json"
DEFAULT_TAGS = "@s3"


class ShardError(ValueError):
    """A shard argument or a durations file the tool cannot use; the message says what would do."""


@dataclass(frozen=True)
class Unit:
    location: str  # features/x.feature:12
    seconds: float


def parse_shard(text: str) -> tuple[int, int]:
    """`i/n` with 1 <= i <= n."""
    try:
        index, total = (int(part) for part in text.split("/"))
    except ValueError:
        raise ShardError(f"--shard {text!r}: write it as i/n, e.g. 1/2") from None
    if not 1 <= index <= total:
        raise ShardError(f"--shard {text!r}: i must be between 1 and n, e.g. 1/{max(total, 2)}")
    return index, total


def selected(tags: str, features: Path = ROOT / "features") -> list[str]:
    """The locations of the scenarios (outlines whole) that `tags` selects, in file and line order."""
    from behave.parser import parse_file
    from behave.tag_expression import make_tag_expression

    expression = make_tag_expression(tags)
    found = []
    for path in sorted(features.glob("*.feature")):
        feature = parse_file(str(path))
        for scenario in feature.scenarios:
            if expression.check(scenario.effective_tags):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{scenario.line}")
    return found


def durations_from(path: Path) -> dict[str, float]:
    """Scenario durations by location, from a run.json (a run's scenarios) or a durations file (a mapping)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ShardError(f"durations file {path}: {error}") from None
    if isinstance(document, dict) and "features" in document:
        found: dict[str, float] = {}
        for feature in document["features"]:
            for scenario in feature["scenarios"]:
                # A known fault's scenario ends "skipped" having run; one that never ran took no time.
                if scenario.get("duration_s", 0) > 0 and scenario.get("location"):
                    # An outline's examples share its location: the unit takes their sum.
                    found[scenario["location"]] = found.get(scenario["location"], 0.0) + scenario["duration_s"]
        return found
    if isinstance(document, dict) and all(isinstance(v, int | float) for v in document.values()):
        return {str(k): float(v) for k, v in document.items()}
    raise ShardError(f"durations file {path}: neither a run.json nor a mapping of location to seconds")


def known_durations(explicit: Path | None) -> dict[str, float]:
    if explicit is not None:
        return durations_from(explicit)
    for path in (LAST_RUN, RECORDED):
        if path.exists():
            found = durations_from(path)
            if found:
                return found
    return {}


def units(locations: list[str], durations: dict[str, float]) -> list[Unit]:
    """Each selected scenario with its recorded seconds. A recorded location counts for the selected scenario it
    falls in (the last one starting at or before its line in its file): an outline's examples are recorded by
    their own rows' lines and count for their outline."""
    starts: dict[str, list[int]] = {}
    for location in locations:
        file, line = _order(location)
        starts.setdefault(file, []).append(line)
    seconds: dict[str, float] = {}
    for location, value in durations.items():
        file, line = _order(location)
        before = [start for start in starts.get(file, []) if start <= line]
        if before:
            unit = f"{file}:{max(before)}"
            seconds[unit] = seconds.get(unit, 0.0) + value
    fallback = statistics.median(seconds.values()) if seconds else 1.0
    return [Unit(location, round(seconds.get(location, fallback), 1)) for location in locations]


def split(work: list[Unit], total: int) -> list[list[Unit]]:
    """Longest first, each to the least loaded shard (ties to the lower one): deterministic and balanced."""
    shards: list[list[Unit]] = [[] for _ in range(total)]
    loads = [0.0] * total
    for unit in sorted(work, key=lambda u: (-u.seconds, u.location)):
        lightest = min(range(total), key=lambda i: (loads[i], i))
        shards[lightest].append(unit)
        loads[lightest] += unit.seconds
    return [sorted(shard, key=lambda u: _order(u.location)) for shard in shards]


def _order(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 0)


def plan(index: int, total: int, tags: str, durations: Path | None = None) -> list[Unit]:
    return split(units(selected(tags), known_durations(durations)), total)[index - 1]


def longest_first(tags: str, durations: Path | None = None) -> list[str]:
    """The feature files `tags` selects, by their longest scenario's recorded seconds, longest first (ties in file
    order): a pool of workers handed them in this order ends its scenarios at about the same time."""
    from behave.parser import parse_file

    longest: dict[str, float] = {}
    for unit in units(selected(tags), known_durations(durations)):
        file, line = _order(unit.location)
        # An outline's unit is its examples' sum; behavex runs each example on its own.
        scenario = next(s for s in parse_file(str(ROOT / file)).scenarios if s.line == line)
        runs = len(getattr(scenario, "scenarios", None) or [scenario])
        longest[file] = max(longest.get(file, 0.0), unit.seconds / runs)
    return sorted(longest, key=lambda file: -longest[file])


def shard_folder(index: int, total: int) -> Path:
    return ROOT / "reports" / "shards" / f"{index}-of-{total}"


def run(index: int, total: int, tags: str, runner: str, durations: Path | None, workers: int) -> int:
    """Run one shard with its own sandbox (each behave or behavex run starts one) into its own reports folder."""
    mine = plan(index, total, tags, durations)
    folder = shard_folder(index, total)
    if not mine:
        print(f"shard {index}/{total}: no scenario (the {total} shards outnumber the {len(selected(tags))} "
              "scenarios selected)")
        folder.mkdir(parents=True, exist_ok=True)
        return 0
    print(f"shard {index}/{total}: {len(mine)} scenario(s), about {sum(u.seconds for u in mine):.0f} s recorded")
    env = {k: v for k, v in os.environ.items() if k != "WEBORDINARY_SANDBOX_ATTACH"}  # its own sandbox
    return subprocess.run(shard_command(mine, folder, tags, runner, workers), cwd=ROOT, env=env).returncode


def shard_command(mine: list[Unit], folder: Path, tags: str, runner: str, workers: int) -> list[str]:
    """behave (or behavex) on exactly these scenarios, its reports in the shard's folder."""
    bin_dir = Path(sys.executable).parent
    defines = ["-D", f"reports_dir={folder.relative_to(ROOT)}"]
    if runner == "behavex":
        # An expression with a v2 keyword makes behavex add its exclusions in v2 syntax too.
        return [str(bin_dir / "behavex"), "-t", f"({tags}) and not @MANUAL", "--parallel-processes", str(workers),
                "--parallel-scheme", "scenario", "-o", str(folder / "behavex"), *defines,
                "-ip", *[u.location for u in mine]]
    return [str(bin_dir / "behave"), f"--tags={tags}", "--junit-directory", str(folder / "junit"), *defines,
            *[u.location for u in mine]]


def record(source: Path) -> None:
    found = durations_from(source)
    if not found:
        raise ShardError(f"{source} holds no scenario that ran")
    RECORDED.write_text(json.dumps(dict(sorted(found.items())), indent=1) + "\n", encoding="utf-8")
    print(f"recorded {len(found)} scenario durations in {RECORDED.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("plan", "run"):
        sub = commands.add_parser(name)
        sub.add_argument("--shard", required=True, help="i/n: this machine's shard of n")
        sub.add_argument("--tags", default=DEFAULT_TAGS, help="the run's tag expression (behave's v2 syntax)")
        sub.add_argument("--durations", type=Path, help="a run.json or durations file to balance by")
        if name == "run":
            sub.add_argument("--runner", choices=("behave", "behavex"), default="behave")
            sub.add_argument("--workers", type=int, default=2, help="behavex's parallel processes")
    joining = commands.add_parser("join")
    joining.add_argument("folders", nargs="+", type=Path, help="the shards' reports folders")
    joining.add_argument("--out", type=Path, default=ROOT / "reports")
    ordering = commands.add_parser("order")
    ordering.add_argument("--tags", default=DEFAULT_TAGS, help="the run's tag expression (behave's v2 syntax)")
    ordering.add_argument("--durations", type=Path, help="a run.json or durations file to order by")
    recording = commands.add_parser("record")
    recording.add_argument("--from", dest="source", type=Path, default=LAST_RUN)
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            index, total = parse_shard(args.shard)
            for unit in plan(index, total, args.tags, args.durations):
                print(f"{unit.location}\t{unit.seconds:.1f} s")
            return 0
        if args.command == "run":
            index, total = parse_shard(args.shard)
            return run(index, total, args.tags, args.runner, args.durations, args.workers)
        if args.command == "record":
            record(args.source)
            return 0
        if args.command == "order":
            print(" ".join(longest_first(args.tags, args.durations)))
            return 0
        from tools.join_shards import join

        return join(args.folders, args.out)
    except ShardError as error:
        print(f"shards: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
