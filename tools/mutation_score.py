"""Sampled mutation testing, the parts `make mutation-real` and `make mutation-sandbox` share: the mutant list, the
seeded sample and its shards, the equivalence file, each mutant's verdict from the scenarios that judged it, the
score with its confidence interval, and the reports (a markdown table, a mutation-testing-report-schema JSON and
Stryker's own HTML report of it, rendered by tools/mutation/report.mjs).

    python tools/mutation_score.py join reports/mutation/real/shards/*-of-4 --out reports/mutation/real

joins the shards of one sample (CI's matrix machines) into one report (one folder will do: a survivor argued
equivalent since it ran then leaves the score's denominator).

A mutant's verdict:
- killed: a scenario failed with an assertion that says more than a time-out (a named reason);
- timeout: killed only by time-outs (every red scenario's reason says "timed out", or the run hit its limit);
- survived: every scenario that judged it held (green, or failed only as the real system's known faults);
- invalid: the tool's mutant does not compile (cosmic-ray can make such code), so there is no program to judge;
- equivalent: not covered or equivalent, by tools/mutation/equivalent.toml (one sentence: why nothing observable
  can differ), keyed by file, location and replacement; never run;
- error: no verdict (the run could not be made: it did not start, an endpoint failed, the suite raised rather than
  checked, no scenario ran).

Score = killed / (sample - equivalent - invalid), with a 90 % Wilson interval: a time-out or an error is not a kill.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_TOOLS = ROOT / "tools" / "mutation"
EQUIVALENT_FILE = NODE_TOOLS / "equivalent.toml"
REPORTS = ROOT / "reports" / "mutation"

KILLED, TIMEOUT, SURVIVED, EQUIVALENT, ERROR = "killed", "timeout", "survived", "equivalent", "error"
INVALID = "invalid"  # the tool made code that does not compile: no program, so nothing to judge
VERDICTS = (KILLED, TIMEOUT, SURVIVED, EQUIVALENT, INVALID, ERROR)
MEANING = {
    KILLED: "killed by a named reason",
    TIMEOUT: "killed only by a time-out",
    SURVIVED: "survived",
    EQUIVALENT: "not covered / equivalent",
    INVALID: "invalid (does not compile)",
    ERROR: "no verdict",
}
# Stryker's statuses: an equivalent mutant is Ignored (left out of Stryker's score too), no verdict a RuntimeError.
STRYKER_STATUS = {KILLED: "Killed", TIMEOUT: "Timeout", SURVIVED: "Survived", EQUIVALENT: "Ignored",
                  INVALID: "CompileError", ERROR: "RuntimeError"}
TIMED_OUT = "timed out"  # lib/observe/waiters.py's WaitTimeout, and tools/selftest.py's test for a time-out
INFRASTRUCTURE = "infrastructure, not WebOrdinary"  # features/support/judging.py: the run stopped, no verdict
Z_90 = 1.6448536269514722  # the two-sided 90 % normal quantile


class MutationError(RuntimeError):
    """A run that cannot be made as asked; the message says what would do."""


# -- the mutants --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mutant:
    id: str  # what selects it: __STRYKER_ACTIVE_MUTANT__ (real), its index in cosmic-ray's list (sandbox)
    file: str
    mutator: str
    start: tuple[int, int]  # 1-based line and column, as mutation-testing-report-schema has them
    end: tuple[int, int]
    original: str
    replacement: str

    @property
    def key(self) -> str:
        return equivalence_key(self.file, self.start, self.end, self.replacement)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.start[0]}:{self.start[1]}"


def equivalence_key(file: str, start: tuple[int, int], end: tuple[int, int], replacement: str) -> str:
    """A mutant's name that holds across builds and tool versions (ids do not: they number a list): its file, the
    span it replaces and its replacement, whitespace runs as one space. E.g.
    `src/services/commit-message.service.ts:30:14-30:33 -> ""`."""
    return f"{file}:{start[0]}:{start[1]}-{end[0]}:{end[1]} -> {' '.join(replacement.split())}"


@dataclass
class MutantList:
    """Every mutant of one instrumentation (mutants.json), with the files' original text for the report."""

    tool: str  # e.g. "@stryker-mutator/instrumenter 9.6.1"
    language: str  # mutation-testing-report-schema's, e.g. "typescript"
    mutants: list[Mutant]
    sources: dict[str, str]
    carries: dict[str, str] = field(default_factory=dict)  # file -> what behaviour it carries
    excluded: dict[str, str] = field(default_factory=dict)  # file -> why it is not mutated

    def by_id(self) -> dict[str, Mutant]:
        return {m.id: m for m in self.mutants}

    def to_json(self) -> dict:
        return {"tool": self.tool, "language": self.language, "carries": self.carries, "excluded": self.excluded,
                "mutants": [_mutant_json(m) for m in self.mutants], "sources": self.sources}

    @classmethod
    def from_json(cls, document: dict) -> MutantList:
        mutants = [Mutant(str(m["id"]), m["fileName"], m["mutatorName"],
                          (m["location"]["start"]["line"], m["location"]["start"]["column"]),
                          (m["location"]["end"]["line"], m["location"]["end"]["column"]),
                          m.get("original", ""), m["replacement"]) for m in document["mutants"]]
        return cls(document["tool"], document["language"], mutants, document.get("sources", {}),
                   document.get("carries", {}), document.get("excluded", {}))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> MutantList:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def _mutant_json(m: Mutant) -> dict:
    return {"id": m.id, "fileName": m.file, "mutatorName": m.mutator, "original": m.original,
            "replacement": m.replacement, "key": m.key,
            "location": {"start": {"line": m.start[0], "column": m.start[1]},
                         "end": {"line": m.end[0], "column": m.end[1]}}}


# -- the sample ---------------------------------------------------------------------------------------------------
def _natural(mutant_id: str) -> tuple[int, str]:
    return (int(mutant_id), "") if mutant_id.isdigit() else (sys.maxsize, mutant_id)


def draw(ids: Iterable[str], size: int, seed: int) -> list[str]:
    """`size` mutant ids drawn without replacement by a generator seeded with `seed`: the same ids (in the same
    order) for the same seed, size and population, on every machine."""
    population = sorted(set(ids), key=_natural)
    return random.Random(seed).sample(population, min(size, len(population)))


def shard(sample: list[str], index: int, total: int) -> list[str]:
    """Shard `index` of `total` (1-based): every `total`-th id of the sample from the `index`-th on. The shards
    partition the sample, and their sizes differ by at most one."""
    if not 1 <= index <= total:
        raise MutationError(f"shard {index}/{total}: i must be between 1 and n")
    return sample[index - 1::total]


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise MutationError(f"--shard {text!r}: write it as i/n with 1 <= i <= n, e.g. 1/4")
    return int(match[1]), int(match[2])


# -- the equivalence file -----------------------------------------------------------------------------------------
def load_equivalents(path: Path = EQUIVALENT_FILE, kind: str | None = None) -> dict[str, str]:
    """Mutant key -> one sentence saying why no observable behaviour can differ. The file's tables are the kinds
    (`[real]`, `[sandbox]`); `kind` takes one table, None all of them."""
    if not path.exists():
        return {}
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for name, entries in table.items():
        if kind is not None and name != kind:
            continue
        if not isinstance(entries, dict):
            raise MutationError(f"{path.name}: {name!r} must be a table of mutant key = \"why\"")
        for key, why in entries.items():
            if not re.fullmatch(r".+:\d+:\d+-\d+:\d+ -> .*", key):
                raise MutationError(f"{path.name}: [{name}] {key!r} is not a mutant key (file:line:column-line:column "
                                    "-> replacement)")
            if not isinstance(why, str) or not why.strip() or "\n" in why.strip():
                raise MutationError(f"{path.name}: [{name}] {key!r} needs one sentence saying why no observable "
                                    "behaviour can differ")
            found[key] = why.strip()
    return found


# -- a mutant's verdict -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """One scenario's verdict in a run (from its run.json)."""

    tag: str
    status: str  # behave's, or "known fault"
    reason: str = ""

    @property
    def red(self) -> bool:
        return self.status in ("failed", "error", "hook_error", "cleanup_error", "undefined")

    @property
    def timed_out(self) -> bool:
        return TIMED_OUT in self.reason

    @property
    def named(self) -> bool:
        """Red by a check of the suite (an assertion: a step's, or the oracle's after the steps) that says more than
        a time-out."""
        check = self.status == "failed" or (self.status == "hook_error" and "AssertionError" in self.reason)
        return check and not self.timed_out and not self.reason.startswith(INFRASTRUCTURE)


@dataclass
class Result:
    id: str
    key: str
    verdict: str
    reason: str = ""
    killed_by: str = ""  # the scenario (its tag) that killed it
    scenarios: dict[str, str] = field(default_factory=dict)  # tag -> its status, in the order they ran
    seconds: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)  # tag -> why, for each scenario that was not green

    @classmethod
    def from_json(cls, document: dict) -> Result:
        return cls(**{k: document[k] for k in cls.__dataclass_fields__ if k in document})


def classify(scenarios: list[Scenario], limit_s: float | None = None, problem: str = "") -> tuple[str, str, str]:
    """(verdict, reason, killed_by) of a mutant from the scenarios that judged it, in the order they ran;
    `limit_s` when its run hit its time limit, `problem` when the run could not be made."""
    named = next((s for s in scenarios if s.red and s.named), None)
    if named is not None:
        return KILLED, f"@{named.tag}: {named.reason}", named.tag
    timeouts = [s for s in scenarios if s.red and s.timed_out]
    if timeouts:
        return TIMEOUT, f"@{timeouts[0].tag}: {timeouts[0].reason}", timeouts[0].tag
    if limit_s is not None:
        return TIMEOUT, f"the run hit its limit of {limit_s:.0f} s", ""
    red = next((s for s in scenarios if s.red), None)
    if red is not None:  # an error of the suite, or an endpoint that failed: not a check's verdict
        return ERROR, f"@{red.tag} {red.status}, not by a check: {red.reason or 'no reason given'}", ""
    if problem:
        return ERROR, problem, ""
    judged = [s for s in scenarios if s.status in ("passed", "known fault")]
    if not judged:
        ran = ", ".join(f"@{s.tag} {s.status}" for s in scenarios) or "none ran"
        return ERROR, f"no scenario judged it: {ran}", ""
    passed = [f"@{s.tag}" for s in judged if s.status == "passed"]
    # A mutant must never pass as a fault the real system is known for (tools/selftest.py's rule): not a kill.
    known = [f"@{s.tag} ({s.reason[:160]})" for s in judged if s.status == "known fault"]
    parts = ([f"held in {', '.join(passed)}"] if passed else []) + (
        [f"failed only as the real system's known faults in {', '.join(known)}"] if known else [])
    return SURVIVED, "; ".join(parts), ""


def read_run(reports: Path) -> list[Scenario] | None:
    """The scenarios of a behave run (its run.json, which the living documentation's formatter writes), in the
    order they ran; None when the run wrote none. Scenarios the run did not select are left out."""
    from tools.selftest import STRICT, name_tag

    path = reports / "run.json"
    if not path.exists():
        return None
    found = []
    for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
        for scenario in feature["scenarios"]:
            tag = name_tag(scenario["tags"])
            if tag is None or (scenario["status"] in ("skipped", "untested") and not scenario["reason"]):
                continue  # not selected, or not reached after --stop
            status, reason = scenario["status"], scenario["reason"] or ""
            if STRICT in scenario["tags"]:  # it must fail as known: passing is what is wrong
                status = "passed" if status == "known fault" else "failed" if status == "passed" else status
            found.append(Scenario(tag, status, reason))
    return found


# -- judging one mutant -------------------------------------------------------------------------------------------
# Runs behave on these scenario tags (stopping at its first red one when a mutant is active), with its reports in that
# folder, within that many seconds; False when it had to be stopped at the limit.
Runner = Callable[[list[str], Path, float], bool]


def judge(mutant_id: str, key: str, tags: list[str], run: Runner, reports: Path, limit_s: float) -> Result:
    """A mutant's verdict by the scenarios `tags` (one behave run that stops at its first red scenario). A red
    that is only a time-out is not the end: the scenarios that run skipped then run too, for a named reason."""
    started = time.monotonic()
    remaining, seen, part = list(tags), [], 0
    limit, problem = None, ""
    while remaining:
        left = limit_s - (time.monotonic() - started)
        folder = reports / f"part-{part}" if part else reports
        if left <= 0 or not run(remaining, folder, left):
            limit = limit_s
            break
        ran = read_run(folder)
        if ran is None:
            problem = f"behave wrote no report: {folder / BEHAVE_LOG}"
            break
        seen += ran
        judged = {s.tag for s in ran}
        named = any(s.red and s.named for s in ran)
        if named or not any(s.red and s.timed_out for s in ran) or not judged & set(remaining):
            break
        remaining = [t for t in remaining if t not in judged]
        part += 1
    verdict, reason, by = classify(seen, limit, problem)
    statuses: dict[str, str] = {}
    notes: dict[str, str] = {}
    for s in seen:  # an outline's examples: its worst
        if s.tag not in statuses or s.red:
            statuses[s.tag] = s.status
        if s.status != "passed" and (s.tag not in notes or s.red):
            notes[s.tag] = _cell(s.reason, 600)
    return Result(mutant_id, key, verdict, reason, by, statuses, round(time.monotonic() - started, 1), notes)


BEHAVE_LOG = "behave.log"


def behave_command(tags: list[str], reports: Path, stop: bool = True) -> list[str]:
    """behave on the scenarios with these tags, stopping at the first red one (`stop`); its reports (run.json, the
    living documentation) in `reports`, its console in `reports/behave.log`."""
    selection = "@s3 and (" + " or ".join(f"@{tag}" for tag in tags) + ")"
    return [str(Path(sys.executable).parent / "behave"), f"--tags={selection}", *(["--stop"] if stop else []),
            "--no-junit", "--no-capture", "-f", "null", "-D", f"reports_dir={reports}"]


def run_within(command: list[str], cwd: Path, env: dict[str, str], log: Path, seconds: float) -> bool:
    """Run `command` in its own process group; at `seconds` stop the group (SIGTERM, then SIGKILL after a grace).
    False when it had to be stopped."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            process.wait(timeout=max(seconds, 1.0))
            return True
        except subprocess.TimeoutExpired:
            for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                try:
                    process.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
            return False


# -- the score ----------------------------------------------------------------------------------------------------
def wilson(successes: int, trials: int, z: float = Z_90) -> tuple[float, float]:
    """The Wilson score interval of a proportion (90 % by default): sound at 0, at 1 and for small samples."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Score:
    counts: dict[str, int]
    sample: int

    @property
    def denominator(self) -> int:
        return self.sample - self.counts.get(EQUIVALENT, 0) - self.counts.get(INVALID, 0)

    @property
    def value(self) -> float | None:
        return self.counts.get(KILLED, 0) / self.denominator if self.denominator else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.counts.get(KILLED, 0), self.denominator)

    def describe(self) -> str:
        if self.value is None:
            return f"score: none (every one of the {self.sample} sampled mutants is equivalent)"
        low, high = self.interval
        return (f"score {self.value:.1%} = {self.counts.get(KILLED, 0)} killed by a named reason / "
                f"({self.sample} sampled - {self.counts.get(EQUIVALENT, 0)} equivalent"
                + (f" - {self.counts[INVALID]} invalid" if self.counts.get(INVALID) else "") + "); "
                f"90 % Wilson interval {low:.1%} - {high:.1%}")


def score(results: list[Result]) -> Score:
    counts = {verdict: sum(1 for r in results if r.verdict == verdict) for verdict in VERDICTS}
    return Score(counts, len(results))


def walls(results: list[Result]) -> str:
    ran = [r.seconds for r in results if r.verdict not in (EQUIVALENT, INVALID)]
    if not ran:
        return "wall per mutant: none ran"
    return (f"wall per mutant: median {statistics.median(ran):.0f} s, max {max(ran):.0f} s "
            f"({len(ran)} run, {sum(ran) / 60:.1f} min in all)")


# -- the reports --------------------------------------------------------------------------------------------------
@dataclass
class Meta:
    """What a run judged and how it drew its sample: the same for every shard of one sample."""

    kind: str  # "real" or "sandbox"
    judged: str  # what ran, e.g. "the real edit container at ... (commit 163a3ef, src/ sha256 ...)"
    tool: str
    population: int
    sample_size: int
    seed: int
    sample: list[str]  # the whole sample's ids, in drawn order
    shard: str = ""  # "i/n", or "" for the whole sample
    scenarios: dict[str, list[str]] = field(default_factory=dict)  # file -> the scenario tags that judge its mutants
    left_out: dict[str, str] = field(default_factory=dict)  # scenario tag -> why it judged no mutant (the dry run)

    @classmethod
    def from_json(cls, document: dict) -> Meta:
        return cls(**{k: document[k] for k in cls.__dataclass_fields__ if k in document})


def save_results(out: Path, meta: Meta, results: list[Result]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    document = {**asdict(meta), "results": [asdict(r) for r in results]}
    (out / "results.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def load_results(folder: Path) -> tuple[Meta, list[Result]]:
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return Meta.from_json(document), [Result.from_json(r) for r in document["results"]]


def table(mutants: MutantList, meta: Meta, results: list[Result]) -> str:
    by_id = mutants.by_id()
    shown = sorted(results, key=lambda r: (by_id[r.id].file, by_id[r.id].start, _natural(r.id)))
    lines = [f"# Sampled mutation score: {meta.judged}", "",
             f"{meta.sample_size} of {meta.population} mutants ({mutants.tool}), drawn with seed {meta.seed}"
             + (f"; shard {meta.shard}" if meta.shard else "") + ".", ""]
    if mutants.carries or mutants.excluded:
        lines += ["| file | mutants | what it carries |", "|---|---|---|"]
        for file in sorted({m.file for m in mutants.mutants} | set(mutants.carries)):
            count = sum(1 for m in mutants.mutants if m.file == file)
            lines.append(f"| {file} | {count} | {_cell(mutants.carries.get(file, ''))} |")
        for file, why in sorted(mutants.excluded.items()):
            lines.append(f"| {file} | not mutated | {_cell(why)} |")
        lines.append("")
    for tag, why in meta.left_out.items():
        lines.append(f"Left out: @{tag} judged no mutant, being {_cell(why, 400)}")
    if meta.left_out:
        lines.append("")
    lines += ["| id | where | mutator | original -> replacement | verdict | by / why | wall |",
              "|---|---|---|---|---|---|---|"]
    for r in shown:
        m = by_id[r.id]
        change = f"`{_code(m.original)}` -> `{_code(m.replacement)}`"
        lines.append(f"| {r.id} | {m.where} | {m.mutator} | {change} | {MEANING[r.verdict]} | "
                     f"{_cell(r.reason, 300)} | {r.seconds:.0f} s |")
    result_score = score(results)
    lines += ["", ", ".join(f"{MEANING[v]}: {n}" for v, n in result_score.counts.items()), "",
              result_score.describe(), "", walls(results), ""]
    return "\n".join(lines)


def _code(text: str, width: int = 60) -> str:
    flat = " ".join(text.split()).replace("`", "'").replace("|", "\\|")
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def _cell(text: str, width: int = 200) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def schema_report(mutants: MutantList, meta: Meta, results: list[Result]) -> dict:
    """The run as mutation-testing-report-schema 1.0 (what Stryker's HTML report reads): the sampled mutants only,
    each scenario a test, equivalent mutants Ignored with the reason, no verdict a RuntimeError."""
    by_id = mutants.by_id()
    tests: dict[str, str] = {}

    def test_id(tag: str) -> str:
        return tests.setdefault(tag, str(len(tests)))

    files: dict[str, dict] = {}
    for r in sorted(results, key=lambda r: _natural(r.id)):
        m = by_id[r.id]
        entry = files.setdefault(m.file, {"language": mutants.language, "source": mutants.sources.get(m.file, ""),
                                          "mutants": []})
        mutant = {"id": m.id, "mutatorName": m.mutator, "replacement": m.replacement,
                  "location": {"start": {"line": m.start[0], "column": m.start[1]},
                               "end": {"line": m.end[0], "column": m.end[1]}},
                  "status": STRYKER_STATUS[r.verdict], "statusReason": f"{MEANING[r.verdict]}: {r.reason}",
                  "duration": round(r.seconds * 1000)}
        if r.scenarios:
            mutant["coveredBy"] = [test_id(tag) for tag in r.scenarios]
        if r.killed_by:
            mutant["killedBy"] = [test_id(r.killed_by)]
        entry["mutants"].append(mutant)
    result_score = score(results)
    report: dict = {
        "schemaVersion": "1.0",
        "thresholds": {"high": 80, "low": 60},
        "projectRoot": meta.judged,
        "files": files,
        "framework": {"name": f"webordinary-acceptance (mutants by {mutants.tool})"},
        "config": {"kind": meta.kind, "judged": meta.judged, "seed": meta.seed, "sampleSize": meta.sample_size,
                   "population": meta.population, "shard": meta.shard, "score": result_score.describe(),
                   "note": "Stryker's own score (above) counts time-outs as detected; this project's counts only "
                           "mutants killed by a named reason"},
    }
    if tests:
        report["testFiles"] = {"features": {"tests": [{"id": i, "name": f"@{tag}"} for tag, i in tests.items()]}}
    return report


def write_reports(out: Path, mutants: MutantList, meta: Meta, results: list[Result]) -> str:
    """results.json, mutants.json, table.md, mutation.json and (node and its packages there) mutation.html in
    `out`; returns the table."""
    save_results(out, meta, results)
    mutants.save(out / "mutants.json")
    text = table(mutants, meta, results)
    (out / "table.md").write_text(text, encoding="utf-8")
    (out / "mutation.json").write_text(json.dumps(schema_report(mutants, meta, results), indent=1) + "\n",
                                       encoding="utf-8")
    print(render_html(out / "mutation.json", out / "mutation.html"), flush=True)
    return text


def render_html(report: Path, page: Path) -> str:
    if shutil.which("node") is None or not (NODE_TOOLS / "node_modules" / "mutation-testing-elements").is_dir():
        return f"no HTML report: run `make mutation-tools` (or npm ci in {NODE_TOOLS}) for Stryker's report packages"
    ran = subprocess.run(["node", str(NODE_TOOLS / "report.mjs"), str(report), str(page)], capture_output=True,
                         text=True)
    if ran.returncode != 0:
        raise MutationError(f"the HTML report failed: {ran.stderr.strip()[-600:]}")
    return f"Stryker's report: {page} (its metrics: {ran.stdout.strip()})"


# -- a run of a sample --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenarios:
    """Which scenarios judge a mutant of each file (tools/mutation/real.toml, sandbox.toml), and what each file
    carries."""

    default: list[str]
    by_file: dict[str, list[str]]
    carries: dict[str, str]

    def of(self, file: str) -> list[str]:
        return self.by_file.get(file, self.default)

    @classmethod
    def load(cls, path: Path) -> Scenarios:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        files = table.get("file", {})
        return cls(list(table["default"]), {f: list(e["scenarios"]) for f, e in files.items() if "scenarios" in e},
                   {f: e["carries"] for f, e in files.items() if "carries" in e})


def add_arguments(parser: argparse.ArgumentParser, sample: int) -> None:
    parser.add_argument("--sample", type=int, default=sample, help="mutants to draw (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="the draw's seed (default: %(default)s)")
    parser.add_argument("--shard", help="i/n: judge every n-th mutant of the sample from the i-th on (CI's matrix)")
    parser.add_argument("--ids", help="judge exactly these mutant ids (comma-separated) instead of a sample")
    parser.add_argument("--tags", help="judge every mutant by these scenario tags (comma-separated, no @) instead "
                                       "of its file's")
    parser.add_argument("--limit", type=float, help="seconds a mutant's run may take before it is stopped (a "
                                                    "time-out)")
    parser.add_argument("--no-dry-run", action="store_true",
                        help="skip the run without a mutant that must be green on the scenarios the sample needs")
    parser.add_argument("--out", type=Path, help="where the reports go")


# Judges one mutant (None: the dry run, no mutant active) by these scenario tags, its reports in that folder.
JudgeOne = Callable[[Mutant | None, list[str], Path], Result]


def run_sample(args: argparse.Namespace, mutants: MutantList, kind: str, judged: str, scenarios: Scenarios,
               judge_one: JudgeOne, out: Path) -> int:
    """Draw the sample (or take --ids), take this machine's shard, judge each mutant in turn (equivalent ones
    from the equivalence file, without a run), after a dry run without a mutant; write and print the reports."""
    by_id = mutants.by_id()
    if len({m.key for m in mutants.mutants}) != len(mutants.mutants):
        raise MutationError("two mutants share a key (file, span, replacement): the equivalence file cannot tell "
                            "them apart")
    if args.ids:
        sample = [i.strip() for i in args.ids.split(",") if i.strip()]
        unknown = [i for i in sample if i not in by_id]
        if unknown:  # an unknown id would silently run no mutant at all
            raise MutationError(f"no mutant has the id {', '.join(unknown)} (ids 0-{len(by_id) - 1})")
    else:
        sample = draw(by_id, args.sample, args.seed)
    index, total = parse_shard(args.shard) if args.shard else (1, 1)
    mine = shard(sample, index, total)
    equivalents = load_equivalents(kind=kind)
    tags_of = {i: ([t.strip().lstrip("@") for t in args.tags.split(",")] if args.tags
                   else scenarios.of(by_id[i].file)) for i in mine}
    meta = Meta(kind, judged, mutants.tool, len(mutants.mutants), len(sample), args.seed, sample,
                args.shard or "", {f: scenarios.of(f) for f in sorted({m.file for m in mutants.mutants})})
    print(f"{len(sample)} of {len(mutants.mutants)} mutants (seed {args.seed})"
          + (f", shard {index}/{total}: {len(mine)}" if total > 1 else "") + f"; judged: {judged}", flush=True)
    to_run = [i for i in mine if by_id[i].key not in equivalents]
    if to_run and not args.no_dry_run:
        union = list(dict.fromkeys(t for i in to_run for t in tags_of[i]))
        print(f"dry run, no mutant active, every scenario: @{', @'.join(union)}", flush=True)
        dry = judge_one(None, union, out / "runs" / "dry-run")
        # A scenario red without a mutant would "kill" every mutant: it judges none of them, and the report says so.
        red = {tag: dry.scenarios.get(tag, "selected no scenario") for tag in union
               if dry.scenarios.get(tag) not in ("passed", "known fault")}
        if len(red) == len(union):
            raise MutationError(f"the dry run (no mutant active) is not green, so no mutant could be judged: "
                                f"{dry.reason} ({out / 'runs' / 'dry-run'})")
        for tag, status in red.items():
            meta.left_out[tag] = f"{status} without a mutant: {dry.notes.get(tag, '')}"
            print(f"LEFT OUT: @{tag} is {status} without a mutant, so it judges no mutant: "
                  f"{_cell(dry.notes.get(tag, ''), 400)}", flush=True)
        tags_of = {i: [t for t in tags if t not in red] for i, tags in tags_of.items()}
        print(f"dry run in {dry.seconds:.0f} s", flush=True)
    results = []
    for n, mutant_id in enumerate(mine, 1):
        mutant = by_id[mutant_id]
        if mutant.key in equivalents:
            result = Result(mutant_id, mutant.key, EQUIVALENT, equivalents[mutant.key])
        elif not tags_of[mutant_id]:
            result = Result(mutant_id, mutant.key, ERROR, "no scenario could judge it: its file's are red without a "
                                                          "mutant (" + ", ".join(f"@{t}" for t in meta.left_out) + ")")
        else:
            result = judge_one(mutant, tags_of[mutant_id], out / "runs" / mutant_id)
        results.append(result)
        print(f"[{n}/{len(mine)}] {mutant_id} {mutant.where} {mutant.mutator} `{_code(mutant.original, 40)}` -> "
              f"`{_code(mutant.replacement, 40)}`: {MEANING[result.verdict]} ({_cell(result.reason, 160)}) "
              f"{result.seconds:.0f} s", flush=True)
    print("\n" + write_reports(out, mutants, meta, results), flush=True)
    return 0


# -- shards joined ------------------------------------------------------------------------------------------------
def join(folders: list[Path], out: Path, equivalents: dict[str, str] | None = None) -> int:
    """The shards' results as one report of the whole sample; a shard that did not report leaves its mutants
    without a verdict (error), named. `equivalents`: by default tools/mutation/equivalent.toml's table of the kind."""
    found = [f for f in folders if (f / "results.json").exists()]
    if not found:
        raise MutationError(f"no results.json in {', '.join(map(str, folders)) or 'no folder'}")
    metas, results = [], {}
    for folder in found:
        meta, part = load_results(folder)
        metas.append(meta)
        for result in part:
            results.setdefault(result.id, result)
    first = metas[0]
    for meta in metas[1:]:
        if (meta.kind, meta.judged, meta.tool, meta.seed, meta.sample) != (
                first.kind, first.judged, first.tool, first.seed, first.sample):
            raise MutationError(f"the shards judged different samples or builds: {first.shard} and {meta.shard}")
    # A survivor argued equivalent since it ran (tools/mutation/equivalent.toml) leaves the denominator, the
    # argument quoted; it is never made a kill.
    equivalents = load_equivalents(kind=first.kind) if equivalents is None else equivalents
    for mutant_id, result in list(results.items()):
        if result.verdict == SURVIVED and result.key in equivalents:
            results[mutant_id] = Result(mutant_id, result.key, EQUIVALENT,
                                        f"{equivalents[result.key]} (argued after it survived: {result.reason})",
                                        scenarios=result.scenarios, seconds=result.seconds)
    mutants = MutantList.load(found[0] / "mutants.json")
    keys = mutants.by_id()
    for missing in (i for i in first.sample if i not in results):
        results[missing] = Result(missing, keys[missing].key, ERROR, "its shard did not report")
    joined = Meta(first.kind, first.judged, first.tool, first.population, first.sample_size, first.seed,
                  first.sample, "", {k: v for m in metas for k, v in m.scenarios.items()},
                  {k: v for m in metas for k, v in m.left_out.items()})
    ordered = [results[i] for i in first.sample]
    text = write_reports(out, mutants, joined, ordered)
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    joining = commands.add_parser("join", help="join the shards' results into one report")
    joining.add_argument("folders", nargs="+", type=Path)
    joining.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        return join(args.folders, args.out)
    except MutationError as error:
        print(f"mutation: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
