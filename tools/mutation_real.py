"""A sampled mutation score of the real edit container:
`make mutation-real WEBORDINARY_SRC=<checkout>/claude-code-container [SAMPLE=60] [SEED=1] [SHARD=i/n]`.

Your checkout is copied to a scratch folder (this repository keeps none of its source), every file src/main.ts
reaches through its imports is instrumented with all of Stryker's mutants at once (tools/mutation/instrument.mjs:
one build, `// @ts-nocheck` first), and the copy is built once with its own tsc (its node_modules are the
checkout's when they match its lockfile, else `npm ci` in the copy). A seeded sample of mutant ids is drawn; each
mutant is judged by the scenarios of its file (tools/mutation/real.toml) on a sandbox of its own whose containers
run with `__STRYKER_ACTIVE_MUTANT__=<id>` (`python -m sandbox up --container-env`), read when each module loads.
Reports: reports/mutation/real/ (table.md, results.json, mutation.json, Stryker's mutation.html, each mutant's
living documentation under runs/<id>/). tools/mutation_score.py says how a verdict is reached.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sandbox import real_container
from sandbox.process import SandboxProcess, SandboxStartError
from tools import mutation_score as ms

ROOT = Path(__file__).resolve().parent.parent
ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__"
SCENARIOS = ms.NODE_TOOLS / "real.toml"
OUT = ms.REPORTS / "real"
ENTRY = "src/main.ts"
LIMIT_S = 600.0
_RELATIVE_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}/[^'"]+)['"]""")


def reached(root: Path, entry: str = ENTRY) -> tuple[list[str], dict[str, str]]:
    """The TypeScript files `entry` reaches through relative imports (sorted: mutant ids follow this order), and
    every other file of src/ with why it is left out."""
    seen, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        text = (root / name).read_text(encoding="utf-8")
        for spec in _RELATIVE_IMPORT.findall(text):
            base = (root / name).parent / re.sub(r"\.js$", "", spec)
            for candidate in (base.with_name(base.name + ".ts"), base / "index.ts", base):
                if candidate.is_file() and candidate.suffix == ".ts":
                    todo.append(candidate.resolve().relative_to(root.resolve()).as_posix())
                    break
    others = sorted(p.relative_to(root).as_posix() for p in (root / "src").rglob("*.ts")
                    if p.relative_to(root).as_posix() not in seen)
    excluded = {}
    for name in others:
        excluded[name] = ("a test, not the container" if re.search(r"\.(spec|test)\.ts$", name)
                          else "declarations only" if name.endswith(".d.ts")
                          else f"nothing imports it: no import from {entry} on reaches it, so none of its mutants "
                               "could ever run")
    return sorted(seen), excluded


def scratch_build(checkout: Path, scratch: Path) -> Path:
    """A copy of the checkout in `scratch` (without node_modules, dist, .git). It uses the checkout's node_modules
    when they are at least as new as its lockfile; otherwise real_container.build runs `npm ci` in the copy, never
    in yours."""
    copy = scratch / checkout.name
    shutil.copytree(checkout, copy, symlinks=True, ignore=shutil.ignore_patterns("node_modules", "dist", ".git"))
    installed, lock = checkout / "node_modules" / ".package-lock.json", checkout / "package-lock.json"
    if installed.exists() and (not lock.exists() or lock.stat().st_mtime <= installed.stat().st_mtime):
        (copy / "node_modules").symlink_to(checkout / "node_modules")
    return copy


def instrument(copy: Path, scenarios: ms.Scenarios, out: Path) -> ms.MutantList:
    files, excluded = reached(copy)
    raw = out / "instrumenter.json"
    out.mkdir(parents=True, exist_ok=True)
    ran = subprocess.run(["node", str(ms.NODE_TOOLS / "instrument.mjs"), "--root", str(copy), "--files",
                          ",".join(files), "--out", str(raw)], capture_output=True, text=True)
    if ran.returncode != 0:
        raise ms.MutationError(f"instrumenting failed: {ran.stderr.strip()[-800:]}")
    print(ran.stderr.strip(), flush=True)
    document = json.loads(raw.read_text(encoding="utf-8"))
    raw.unlink()
    mutants = ms.MutantList.from_json(document)
    mutants.carries = {f: scenarios.carries.get(f, "") for f in files}
    mutants.excluded = excluded
    return mutants


def judge_one(build: Path, tasks: int, limit_s: float, mutant: ms.Mutant | None, tags: list[str],
              reports: Path) -> ms.Result:
    """One mutant on a sandbox of its own (its containers start with the mutant active), by `tags`."""
    shutil.rmtree(reports, ignore_errors=True)
    active = ("--container-env", f"{ACTIVE_MUTANT}={mutant.id}") if mutant else ()
    sandbox = SandboxProcess(reports / "sandbox.log",
                             extra_args=("--container-src", str(build), "--tasks", str(tasks), *active))
    mutant_id, key = (mutant.id, mutant.key) if mutant else ("dry-run", "")
    started = time.monotonic()
    try:
        sandbox.start()
    except SandboxStartError as error:
        sandbox.stop()
        return ms.Result(mutant_id, key, ms.ERROR, f"the sandbox did not start: {error}",
                         seconds=round(time.monotonic() - started, 1))
    try:
        env = {**os.environ, **sandbox.attach_environment()}

        def run(chosen: list[str], folder: Path, seconds: float) -> bool:
            return ms.run_within(ms.behave_command(chosen, folder, stop=mutant is not None), ROOT, env,
                                folder / ms.BEHAVE_LOG, seconds)

        limit = limit_s if mutant else 2 * limit_s  # the dry run has every scenario, and no --stop
        result = ms.judge(mutant_id, key, tags, run, reports, limit - (time.monotonic() - started))
    finally:
        sandbox.stop()
    result.seconds = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=os.environ.get("WEBORDINARY_SRC") or None,
                        help="the checkout's claude-code-container folder (or WEBORDINARY_SRC)")
    parser.add_argument("--tasks", type=int, default=real_container.TASKS, help="containers per sandbox")
    parser.add_argument("--keep", action="store_true", help="keep the instrumented build (its path is printed): "
                        "make real-container WEBORDINARY_SRC=<it> ARGS='--container-env "
                        f"{ACTIVE_MUTANT}=<id>' replays a mutant")
    ms.add_arguments(parser, sample=60)
    args = parser.parse_args(argv)
    if args.src is None:
        parser.error("say which checkout to judge: WEBORDINARY_SRC=<checkout>/claude-code-container or --src")
    out = args.out or (OUT / "shards" / args.shard.replace("/", "-of-") if args.shard else OUT)
    scratch = Path(tempfile.mkdtemp(prefix="webordinary-mutation-real-"))
    try:
        checkout = real_container.checkout(args.src)
        scenarios = ms.Scenarios.load(SCENARIOS)
        copy = scratch_build(checkout.path, scratch)
        mutants = instrument(copy, scenarios, out)
        started = time.monotonic()
        real_container.build(real_container.checkout(copy))
        print(f"built the instrumented copy in {time.monotonic() - started:.0f} s: {copy}", flush=True)
        judged = f"{checkout.describe()}, instrumented by {mutants.tool} in a scratch copy"
        return ms.run_sample(args, mutants, "real", judged, scenarios,
                             lambda m, tags, reports: judge_one(copy, args.tasks, args.limit or LIMIT_S, m, tags,
                                                                reports), out)
    except (real_container.CheckoutError, ms.MutationError) as error:
        print(f"mutation-real: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept the instrumented build: {scratch}", flush=True)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
