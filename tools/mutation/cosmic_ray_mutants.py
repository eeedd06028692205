"""Every mutant cosmic-ray makes of some Python files, as JSON (run with the Python that has cosmic-ray,
tools/mutation/.venv, by tools/mutation_sandbox.py):

    tools/mutation/.venv/bin/python tools/mutation/cosmic_ray_mutants.py ROOT FILE... > mutants.json

The mutants are those of `cosmic-ray init` with every operator and no arguments, in its order (file, operator,
occurrence): each with its operator and occurrence (what `cosmic-ray apply FILE OPERATOR OCCURRENCE` takes), its
span (1-based line and column) and the text cosmic-ray puts there.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import cosmic_ray.plugins
from cosmic_ray.commands.init import _all_work_items
from cosmic_ray.mutating import mutate_code


def offset(text: str, line: int, column: int) -> int:
    """Where 1-based `line`, 0-based `column` (parso's positions) is in `text`."""
    return sum(len(row) for row in text.splitlines(keepends=True)[:line - 1]) + column


def position(text: str, at: int) -> dict[str, int]:
    """1-based line and column of offset `at` in `text` (mutation-testing-report-schema's)."""
    before = text[:at]
    return {"line": before.count("\n") + 1, "column": at - (before.rfind("\n") + 1) + 1}


def changed(source: str, mutated: str) -> tuple[int, int, int]:
    """Where `mutated` differs from `source`: (start, end in source, end in mutated)."""
    start = 0
    while start < min(len(source), len(mutated)) and source[start] == mutated[start]:
        start += 1
    tail = 0
    while tail < min(len(source), len(mutated)) - start and source[-1 - tail] == mutated[-1 - tail]:
        tail += 1
    return start, len(source) - tail, len(mutated) - tail


def main(root: Path, files: list[str]) -> dict:
    sources = {name: (root / name).read_text(encoding="utf-8") for name in files}
    mutants = []
    for item in _all_work_items([root / name for name in files], {}):
        spec = item.mutations[0]
        name = spec.module_path.relative_to(root).as_posix()
        source = sources[name]
        operator = cosmic_ray.plugins.get_operator(spec.operator_name)(**spec.operator_args)
        mutated = mutate_code(source, operator, spec.occurrence)
        if mutated is None:  # `cosmic-ray exec` records these as no test: nothing to judge
            continue
        start, end = offset(source, *spec.start_pos), offset(source, *spec.end_pos)
        mutated_end = len(mutated) - (len(source) - end)
        if mutated[:start] != source[:start] or mutated[mutated_end:] != source[end:]:
            start, end, mutated_end = changed(source, mutated)  # RemoveDecorator takes the blank lines before too
        mutants.append({
            "id": str(len(mutants)),
            "fileName": name,
            "mutatorName": spec.operator_name.split("/", 1)[-1],
            "operator": spec.operator_name,
            "occurrence": spec.occurrence,
            "location": {"start": position(source, start), "end": position(source, end)},
            "original": source[start:end],
            "replacement": mutated[start:mutated_end],
        })
    return {"tool": f"cosmic-ray {version('cosmic-ray')}", "language": "python", "mutants": mutants,
            "sources": sources}


if __name__ == "__main__":
    json.dump(main(Path(sys.argv[1]).resolve(), sys.argv[2:]), sys.stdout, indent=1)
