"""A sampled mutation score of the sandbox's own logic where no real source is here: its stand-ins for WebOrdinary's
intake Lambdas and state machine (sandbox/emails.py, intake.py, lambdas.py, statemachine.py).
`make mutation-sandbox [SAMPLE=40] [SEED=1] [SHARD=i/n]`.

cosmic-ray (pinned in tools/mutation/requirements.txt, in its own tools/mutation/.venv) lists every mutant of those
files (tools/mutation/cosmic_ray_mutants.py); a seeded sample is drawn. Each mutant is applied with `cosmic-ray
apply` to a scratch copy of this repository and judged by its file's scenarios (tools/mutation/sandbox.toml): behave
runs from the copy (PYTHONPATH there, no bytecode written), and the sandbox it starts for itself runs from the copy
too (sandbox/process.py starts it beside the code that imported it), so the mutated module is what that process
imports. Then the file is put back. Reports: reports/mutation/sandbox/. tools/mutation_score.py says how a verdict
is reached.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sandbox.process import ATTACH_ENV
from tools import mutation_score as ms

ROOT = Path(__file__).resolve().parent.parent
FILES = ["sandbox/emails.py", "sandbox/intake.py", "sandbox/lambdas.py", "sandbox/statemachine.py"]
SCENARIOS = ms.NODE_TOOLS / "sandbox.toml"
COSMIC_RAY = ms.NODE_TOOLS / ".venv" / "bin"
OUT = ms.REPORTS / "sandbox"
LIMIT_S = 300.0
_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "reports", "node_modules", "__pycache__", ".pytest_cache",
                                     ".ruff_cache", "*.egg-info", "dist", ".astro")


def scratch_repository(scratch: Path) -> Path:
    """This repository's files in `scratch` (the fixture site's node modules linked, not copied)."""
    copy = scratch / "repository"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=_NOT_COPIED)
    (copy / "sandbox" / "site" / "node_modules").symlink_to((ROOT / "sandbox" / "site" / "node_modules").resolve())
    return copy


def list_mutants(copy: Path, scenarios: ms.Scenarios) -> tuple[ms.MutantList, dict[str, tuple[str, int]]]:
    """Every mutant cosmic-ray makes of FILES, and each one's (operator, occurrence) for `cosmic-ray apply`."""
    python = COSMIC_RAY / "python"
    if not python.exists():
        raise ms.MutationError(f"no cosmic-ray at {python}: run `make mutation-sandbox` (it installs "
                               "tools/mutation/requirements.txt there)")
    ran = subprocess.run([str(python), str(ms.NODE_TOOLS / "cosmic_ray_mutants.py"), str(copy), *FILES],
                         capture_output=True, text=True)
    if ran.returncode != 0:
        raise ms.MutationError(f"cosmic-ray could not list the mutants: {ran.stderr.strip()[-800:]}")
    document = json.loads(ran.stdout)
    mutants = ms.MutantList.from_json(document)
    mutants.carries = {f: scenarios.carries.get(f, "") for f in FILES}
    mutants.excluded = {"sandbox/*.py (the rest)": "the stand-ins for the edit container, AWS and GitHub: the real "
                        "container is mutated by make mutation-real, and the rest is plumbing the suite reads through"}
    return mutants, {m["id"]: (m["operator"], m["occurrence"]) for m in document["mutants"]}


def expected_text(source: str, mutant: ms.Mutant) -> str:
    """The file as the mutant must leave it: the replacement in its span."""
    lines = source.splitlines(keepends=True)

    def at(line: int, column: int) -> int:
        return sum(len(row) for row in lines[:line - 1]) + column - 1

    return source[:at(*mutant.start)] + mutant.replacement + source[at(*mutant.end):]


def judge_one(copy: Path, applying: dict[str, tuple[str, int]], limit_s: float, mutant: ms.Mutant | None,
              tags: list[str], reports: Path) -> ms.Result:
    """One mutant (None: none, the dry run) applied to the copy, judged by `tags`, and the file put back."""
    shutil.rmtree(reports, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in (ATTACH_ENV, "WEBORDINARY_SANDBOX_FAULT")}
    env.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")  # a cached module could be the unmutated one

    def run(chosen: list[str], folder: Path, seconds: float) -> bool:
        return ms.run_within(ms.behave_command(chosen, folder, stop=mutant is not None), copy, env,
                                folder / ms.BEHAVE_LOG, seconds)

    if mutant is None:
        return ms.judge("dry-run", "", tags, run, reports, 2 * limit_s)  # every scenario, and no --stop
    target = copy / mutant.file
    original = target.read_text(encoding="utf-8")
    try:
        operator, occurrence = applying[mutant.id]
        ran = subprocess.run([str(COSMIC_RAY / "cosmic-ray"), "apply", mutant.file, operator, str(occurrence)],
                             cwd=copy, capture_output=True, text=True)
        if ran.returncode != 0 or target.read_text(encoding="utf-8") != expected_text(original, mutant):
            raise ms.MutationError(f"`cosmic-ray apply {mutant.file} {operator} {occurrence}` did not make mutant "
                                   f"{mutant.id} ({mutant.key}): {ran.stderr.strip()[-300:]}")
        try:
            compile(target.read_text(encoding="utf-8"), str(target), "exec")
        except SyntaxError as error:
            return ms.Result(mutant.id, mutant.key, ms.INVALID, f"not valid Python: {error.msg} at line {error.lineno}")
        return ms.judge(mutant.id, mutant.key, tags, run, reports, limit_s)
    finally:
        target.write_text(original, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy of the repository")
    ms.add_arguments(parser, sample=40)
    args = parser.parse_args(argv)
    # Absolute: behave runs in the scratch copy, and a relative reports folder would land (and vanish) there.
    out = Path(args.out or (OUT / "shards" / args.shard.replace("/", "-of-") if args.shard else OUT)).resolve()
    scratch = Path(tempfile.mkdtemp(prefix="webordinary-mutation-sandbox-"))
    try:
        scenarios = ms.Scenarios.load(SCENARIOS)
        copy = scratch_repository(scratch)
        mutants, applying = list_mutants(copy, scenarios)
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=7", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        judged = (f"the sandbox's stand-ins for the intake Lambdas and the state machine at {commit or 'no commit'} "
                  f"({', '.join(FILES)})")
        return ms.run_sample(args, mutants, "sandbox", judged, scenarios,
                             lambda m, tags, reports: judge_one(copy, applying, args.limit or LIMIT_S, m, tags,
                                                                reports), out)
    except ms.MutationError as error:
        print(f"mutation-sandbox: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept the scratch copy: {scratch}", flush=True)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
