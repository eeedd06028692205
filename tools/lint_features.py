"""Lint the .feature files for a product owner, in a second and without starting anything. With file:line:
- steps with no definition (with the closest existing steps), or more than one;
- inputs a step would refuse when run: empty tables, unknown or missing columns, a client twice in a table,
  negative gaps or counts, unusable client names, instructions the embedded sandbox cannot interpret;
- a client used before a Given step of its scenario gives it a site (with "did you mean ...?");
- a check that could not fail given the scenario's own emails (lib/plan.py);
- a scenario with no Then step (it would check nothing);
- a `@real-fault:` tag naming no known fault of the real system.
Exit status 1 when anything is wrong."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

from behave.parser import parse_file
from behave.step_registry import registry

from lib import known_faults, plan
from lib.instructions import Grammar
from lib.settings import Settings
from reporting.catalog import load_steps
from sandbox.app import instruction_grammar

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"


def candidates(step_type: str) -> list:
    return registry.steps[step_type] + registry.steps["step"]


def lint_scenario(path: Path, steps: list[Any], grammar: Grammar) -> list[str]:
    """Undefined and ambiguous steps here; every input a run would refuse, and every check that could not fail,
    by the same rule the run applies before anything is sent (lib/plan.py)."""
    problems = []
    planned = []
    for step in steps:
        where = f"{_shown(path)}:{step.location.line}"
        matches = [(d, d.match(step.name)) for d in candidates(step.step_type)]
        matches = [(d, m) for d, m in matches if m]
        if not matches:
            patterns = [d.pattern for d in candidates(step.step_type)]
            close = difflib.get_close_matches(step.name, patterns, n=2, cutoff=0.4)
            hint = f"; did you mean: {' | '.join(close)}" if close else ""
            problems.append(f"{where}: undefined step: {step.keyword} {step.name}{hint}")
            continue
        if len(matches) > 1:
            found = ", ".join(f"{d.pattern!r} ({d.location})" for d, _ in matches)
            problems.append(f"{where}: ambiguous step: {step.keyword} {step.name} matches {found}")
            continue
        definition, match = matches[0]
        values = {argument.name: argument.value for argument in match.arguments}
        planned.append(plan.planned(where, f"{step.keyword} {step.name.rstrip(':')}", definition.func, values,
                                    step.table))
    return problems + plan.scenario_problems(planned, grammar, Settings.from_ini_file(ROOT / "behave.ini", {}))


def feature_files(arguments: list[str]) -> list[Path]:
    """The .feature files named (files or folders), by default every one under features/."""
    found = []
    for argument in arguments or [str(FEATURES)]:
        path = Path(argument).resolve()
        found += sorted(path.glob("**/*.feature")) if path.is_dir() else [path]
    return found


def lint(paths: list[Path]) -> list[str]:
    grammar = Grammar.from_published(instruction_grammar())
    problems = []
    seen: set[str] = set()
    for path in paths:
        feature = parse_file(str(path))
        for scenario in feature.walk_scenarios(with_outlines=False):
            steps = list(feature.background.steps if feature.background else []) + list(scenario.steps)
            problems += [f"{_shown(path)}:{scenario.location.line}: {problem}"
                         for problem in known_faults.tag_problems(scenario.effective_tags)]
            if not any(step.step_type == "then" for step in steps):
                problems.append(f"{_shown(path)}:{scenario.location.line}: scenario {scenario.name!r} "
                                "has no Then step, so it checks nothing")
            for problem in lint_scenario(path, steps, grammar):
                if problem not in seen:  # an outline's examples repeat its steps' problems
                    seen.add(problem)
                    problems.append(problem)
    return problems


def main(arguments: list[str]) -> int:
    load_steps()
    problems = lint(feature_files(arguments))
    for problem in problems:
        print(problem)
    print(f"lint-features: {len(problems)} problem(s)")
    return 1 if problems else 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
