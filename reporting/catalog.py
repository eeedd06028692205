"""The step catalog product owners write scenarios from: every step with its docstring, grouped by the domain
concept its module is about (clients, emails, sessions, sites, branches, containers, metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from behave.runner_util import exec_file
from behave.step_registry import registry, setup_step_decorators

STEPS = Path(__file__).resolve().parent.parent / "features" / "steps"
# The order a scenario is written in: who, what they send, how it ended, what it shows, then the machinery.
ORDER = ("clients", "emails", "sessions", "sites", "visitors", "branches", "containers", "metrics")


@dataclass(frozen=True)
class Entry:
    keyword: str  # Given, When, Then
    pattern: str  # the step as the catalog names it: its first phrasing in the step module
    doc: str
    also: tuple[str, ...] = ()  # its other phrasings (synonyms): the same step, the same check


@dataclass(frozen=True)
class Group:
    concept: str  # the step module's name, e.g. "sites"
    about: str  # the first line of its docstring
    entries: tuple[Entry, ...]


def load_steps() -> None:
    """Registers the step modules the way behave does (for tools that do not run behave)."""
    namespace: dict = {}
    setup_step_decorators(namespace, registry)
    for module in sorted(STEPS.glob("*.py")):
        exec_file(str(module), dict(namespace))


def groups() -> list[Group]:
    """Each step once, its phrasings together: decorators register bottom-up, so the first one written in the
    module is the last registered."""
    phrasings: dict[tuple[str, object], tuple[str, list[str], str]] = {}
    for kind in ("given", "when", "then", "step"):
        for definition in registry.steps[kind]:
            concept = Path(str(definition.location.filename)).stem
            doc = " ".join((definition.func.__doc__ or "").split())
            phrasings.setdefault((concept, definition.func), (kind.capitalize(), [], doc))[1].append(
                definition.pattern)
    found: dict[str, list[Entry]] = {}
    for (concept, _), (keyword, patterns, doc) in phrasings.items():
        first, *others = reversed(patterns)
        found.setdefault(concept, []).append(Entry(keyword, first, doc, tuple(others)))
    ordered = sorted(found, key=lambda c: (ORDER.index(c) if c in ORDER else len(ORDER), c))
    return [Group(c, _about(c), tuple(found[c])) for c in ordered]


def _about(concept: str) -> str:
    path = STEPS / f"{concept}.py"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if '"""' not in text:
        return ""
    return " ".join(text.split('"""')[1].split("\n\n")[0].split())


def text(found: list[Group], instructions: list[dict[str, str]] | None = None) -> str:
    """The catalog as plain text; with `instructions` (each an `example` and a `note`), the edits the target
    understands come last."""
    lines = []
    for group in found:
        lines += [f"## {group.concept}: {group.about}", ""]
        for entry in group.entries:
            lines += [f"  {entry.keyword} {entry.pattern}",
                      *[f"  (also: {entry.keyword} {other})" for other in entry.also], f"      {entry.doc}", ""]
    if instructions:
        lines += ["## instructions: what an email may ask for (the target's own words; others are refused)", ""]
        lines += [f"  {i['example']}" + (f"    ({i['note']})" if i.get("note") else "") for i in instructions]
    return "\n".join(lines)
