"""Faults (and repairs) of the real edit container's code, as small search-and-replace edits of the user's own
checkout (`tools/real_faults.toml`), each applied to a scratch copy that is then built as the container's
Dockerfile builds it. This repository keeps only the edits, never the container's source.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sandbox import real_container

ROOT = Path(__file__).resolve().parent.parent

FAULTS_FILE = ROOT / "tools" / "real_faults.toml"


class EditError(RuntimeError):
    """An edit that cannot be made as written: the checkout changed, or the table is wrong."""


@dataclass(frozen=True)
class Edit:
    file: str
    find: str
    replace: str


@dataclass(frozen=True)
class Fault:
    name: str
    about: str  # the promise it breaks (or, for a repair, the known fault it mends)
    scenarios: list[str]  # the scenario tags that must catch it (a repair: that must turn green)
    edits: list[Edit]
    repair: bool = False


def load(path: Path) -> list[Fault]:
    table = tomllib.loads(path.read_text())
    found = []
    for kind, about_key, scenarios_key in (("fault", "mirrors", "must_catch"), ("fix", "mends", "must_pass")):
        for name, entry in table.get(kind, {}).items():
            edits = [Edit(e["file"], e["find"], e["replace"]) for e in entry.get("edit", [])]
            if not edits or not entry.get(scenarios_key):
                raise EditError(f"{path.name}: {kind}.{name} needs at least one edit and {scenarios_key}")
            found.append(Fault(name, entry.get(about_key, ""), list(entry[scenarios_key]), edits, kind == "fix"))
    return found


def apply(fault: Fault, source: Path, scratch: Path) -> Path:
    """A scratch copy of the checkout at `source` with the fault's edits made, built; its path. The copy shares
    the checkout's `node_modules` (a link) and builds its own `dist/`."""
    problems = []
    for edit in fault.edits:
        path = source / edit.file
        count = path.read_text(encoding="utf-8").count(edit.find) if path.is_file() else -1
        if count != 1:
            where = "does not exist" if count < 0 else f"holds it {count} times" if count else "no longer holds it"
            problems.append(f"{edit.file} {where}: {edit.find.strip().splitlines()[0][:90]!r}")
    if problems:
        raise EditError(f"the checkout changed: {fault.name}'s edit cannot be made ({'; '.join(problems)}); update "
                        f"{FAULTS_FILE.name} for this checkout")
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(source, scratch, symlinks=True, ignore=shutil.ignore_patterns("node_modules", "dist", ".git"))
    (scratch / "node_modules").symlink_to(source / "node_modules")
    for edit in fault.edits:
        path = scratch / edit.file
        path.write_text(path.read_text(encoding="utf-8").replace(edit.find, edit.replace), encoding="utf-8")
    try:
        real_container.build(real_container.checkout(scratch))
    except real_container.CheckoutError as error:
        raise EditError(f"{fault.name}: the edited copy does not build: {error}") from None
    return scratch
