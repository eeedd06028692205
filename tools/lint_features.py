"""Lint the .feature files for a product owner: every step with no definition, or more than one, with
file:line and the closest existing steps. Exit status 1 when anything is wrong."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from behave.parser import parse_file
from behave.runner_util import exec_file
from behave.step_registry import registry, setup_step_decorators

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"


def load_steps() -> None:
    namespace: dict = {}
    setup_step_decorators(namespace, registry)
    for module in sorted((FEATURES / "steps").glob("*.py")):
        exec_file(str(module), dict(namespace))


def candidates(step_type: str) -> list:
    return registry.steps[step_type] + registry.steps["step"]


def lint() -> list[str]:
    problems = []
    for path in sorted(FEATURES.glob("**/*.feature")):
        feature = parse_file(str(path))
        seen = set()
        for scenario in feature.walk_scenarios(with_outlines=False):
            steps = list(feature.background.steps if feature.background else []) + list(scenario.steps)
            for step in steps:
                where = f"{path.relative_to(ROOT)}:{step.location.line}"
                if (where, step.name) in seen:
                    continue
                seen.add((where, step.name))
                matches = [d for d in candidates(step.step_type) if d.match(step.name)]
                if not matches:
                    patterns = [d.pattern for d in candidates(step.step_type)]
                    close = difflib.get_close_matches(step.name, patterns, n=2, cutoff=0.4)
                    hint = f"; did you mean: {' | '.join(close)}" if close else ""
                    problems.append(f"{where}: undefined step: {step.keyword} {step.name}{hint}")
                elif len(matches) > 1:
                    found = ", ".join(f"{d.pattern!r} ({d.location})" for d in matches)
                    problems.append(f"{where}: ambiguous step: {step.keyword} {step.name} matches {found}")
    return problems


def main() -> int:
    load_steps()
    problems = lint()
    for problem in problems:
        print(problem)
    print(f"lint-features: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
