"""The documentation site's tables, generated from the code at build time: an MkDocs hook (mkdocs.yml, `hooks:`).

A page asks for a table with a line of its own, `<!-- table: NAME -->`; the hook replaces it with markdown made
from the code that the table describes, so no table of the site is ever copied by hand. An unknown name stops the
build, naming the known ones. Each table is a plain function (`TABLES`), which tests/test_docs.py calls without
building the site: a setting, fault switch or step the code has and the docs lack is a failed test.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import io
import json
import re
import tokenize
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MARKER = re.compile(r"^<!-- table: ([a-z-]+) -->[ \t]*$", re.MULTILINE)

# -- markdown helpers ------------------------------------------------------------------------------------------------


def code(text: object) -> str:
    """`text` as a code span (pipes need no escape inside one: Python-Markdown's tables respect code spans)."""
    text = str(text)
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def prose(text: str) -> str:
    """Text from the code (a docstring, a comment) made safe for markdown and for a table cell: one line, and
    outside its code spans no raw HTML, emphasis, link or cell separator."""
    parts = " ".join(text.split()).split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        part = parts[i].replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts[i] = _linked(re.sub(r"([*_\[\]|])", r"\\\1", part))
    return "`".join(parts)


def _linked(text: str) -> str:
    """Citations of the contract (docs/contract.md#<anchor>) as links to its page, where the anchor exists (a citation
    of an anchor the contract does not keep stays as it is written)."""
    anchors = contract_anchors()

    def link(found: re.Match[str]) -> str:
        anchor = found.group(1)
        return f"[contract: {anchor}](contract.md#{anchor})" if anchor in anchors else found.group(0)

    return re.sub(r"docs/contract\.md#([a-z0-9-]+)", link, text)


@functools.cache
def contract_anchors() -> frozenset[str]:
    """The anchors docs/contract.md keeps stable (its list under `## Anchors`)."""
    text = (DOCS / "contract.md").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^#([a-z0-9-]+)$", text.split("\n## Anchors", 1)[-1], flags=re.MULTILINE))


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def tags(names: Iterable[str]) -> str:
    return ", ".join(code("@" + name) for name in names)


def first_sentence(text: str) -> str:
    flat = " ".join((text or "").split())
    found = re.match(r"(.+?[.!?])(\s|$)", flat)
    return found.group(1) if found else flat


# -- settings: lib/settings.py ---------------------------------------------------------------------------------------

# What a setting means, for the fields that have no comment in lib/settings.py (a comment there wins). Every key must
# be a setting (tests/test_docs.py); better still, move each into lib/settings.py as the field's comment.


# Groups whose settings need no meaning of their own: a phrase's default is the log line it matches, and the group's
# docstring says what they are for.
SELF_EXPLAINING_GROUPS = {"phrases"}


def _source_comments(path: Path) -> dict[int, str]:
    """Each line's comment, by line number."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def field_comments(path: Path, classes: Iterable[str]) -> dict[tuple[str, str], str]:
    """(class, field) -> its comment in the source: the comment lines just above the field and the one after it."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    comments = _source_comments(path)
    wanted = set(classes)
    found = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.ClassDef) and node.name in wanted):
            continue
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                above = []
                line = item.lineno - 1
                while line >= 1 and lines[line - 1].strip().startswith("#"):
                    above.insert(0, comments[line])
                    line -= 1
                after = [comments[n] for n in range(item.lineno, (item.end_lineno or item.lineno) + 1) if n in comments]
                found[(node.name, item.target.id)] = " ".join(above + after)
    return found


def _default(spec: dataclasses.Field) -> str:
    if spec.default is not dataclasses.MISSING:
        value = spec.default
        if isinstance(value, bool):
            return code(str(value).lower())
        if isinstance(value, float):
            return code(f"{value:g}")
        return code(value) if value != "" else "empty"
    if spec.default_factory is not dataclasses.MISSING:
        factory = spec.default_factory
        return "new each run: " + prose(first_sentence(factory.__doc__ or factory.__name__))
    return "required"


def settings_table() -> str:
    from lib import settings

    comments = field_comments(ROOT / "lib" / "settings.py", (kind.__name__ for kind, _ in settings.GROUPS.values()))
    names = settings.flat_names()
    parts = []
    for group, (kind, _prefix) in settings.GROUPS.items():
        rows = []
        for name, (in_group, spec) in names.items():
            if in_group != group:
                continue
            meaning = comments.get((kind.__name__, spec.name))
            env = settings.ENV_PREFIX + name.upper()
            rows.append((code(name), _default(spec), prose(meaning), f"{code(env)}<br>{code(f'-D {name}=…')}"))
        doc = kind.__doc__ or ""
        about = "" if doc.startswith(kind.__name__ + "(") else prose(doc)  # a dataclass without one gets its signature
        parts.append(f"**{group}** ({code(kind.__name__)}){': ' + about if about else ''}\n\n"
                     + table(("setting", "default", "meaning", "set with"), rows))
    return "\n\n".join(parts)


# -- the step catalog: reporting/catalog.py over features/steps/ ------------------------------------------------------


def _lib_call(path: Path, function: str) -> str:
    """The one call a step makes into the library (`verdicts.x` or `actions.x`), read from its source."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                        and isinstance(inner.func.value, ast.Name)
                        and inner.func.value.id in ("verdicts", "actions")):
                    return f"lib.scenario.{inner.func.value.id}.{inner.func.attr}"
    return ""


def catalog_groups() -> list[Any]:
    from behave.step_registry import registry

    from reporting import catalog

    registry.clear()  # the step modules as they are now (`make docs` rebuilds after an edit of one)
    catalog.load_steps()
    return catalog.groups()


def steps_table() -> str:
    from behave.step_registry import registry

    found = catalog_groups()
    functions = {definition.pattern: definition.func for kind in registry.steps.values() for definition in kind}
    parts = []
    for group in found:
        lines = [f"### {group.concept}", "", prose(group.about), ""]
        for entry in group.entries:
            func = functions.get(entry.pattern)
            module = ROOT / "features" / "steps" / f"{group.concept}.py"
            call = _lib_call(module, func.__name__) if func else ""
            where = f"`features/steps/{group.concept}.py` {code(func.__name__)}" if func else ""
            hop = f" → {code(call)}" if call else ""
            lines += [f"- **{entry.keyword}** {code(entry.pattern)}  ",
                      *[f"  also written {code(other)}  " for other in entry.also],
                      f"  {prose(entry.doc)}  ",
                      f"  <small>{where}{hop}</small>", ""]
        parts.append("\n".join(lines))
    return "\n".join(parts)


EXAMPLE_STEP = ("features/steps/sites.py", "step_site_shows_heading")


def step_example() -> str:
    """One step function as its module has it, decorators included (architecture.md's example of the two hops)."""
    path, name = EXAMPLE_STEP
    source = (ROOT / path).read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines = source.splitlines()[first - 1:node.end_lineno]
            return f"```python\n# {path}\n" + "\n".join(lines) + "\n```"
    raise LookupError(f"{path} has no function {name} any more: choose another example (tools/docs_tables.py)")


# -- the instructions the sandbox understands, and what the suite expects each to show ------------------------------


def instructions_table() -> str:
    from lib.expect import contract
    from sandbox.app import instruction_grammar

    rows = []
    for form in instruction_grammar():
        effect = contract.effect_of(form["example"])
        shows = f"{effect[0]} reading {code(effect[1])}" if effect else "no element the suite checks"
        if form.get("outcome"):
            shows += f" ({prose(form['outcome'])})"
        rows.append((code(form["example"]), code(form["pattern"]), shows, prose(form.get("note", ""))))
    return table(("instruction (an example)", "the form (a case-insensitive pattern)", "what the suite checks it shows",
                  "note"), rows)


# -- the sandbox's command line: sandbox/__main__.py ----------------------------------------------------------------


def sandbox_options() -> str:
    """`python -m sandbox up --help`, as argparse prints it (at 110 columns), without starting anything."""
    import contextlib
    import os

    from sandbox import __main__ as sandbox_main

    out = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "110"
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            sandbox_main.main(["up", "--help"])
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "```text\n$ python -m sandbox up --help\n" + out.getvalue().rstrip() + "\n```"


# -- features and their scenarios: features/*.feature ------------------------------------------------------------------


def features_table() -> str:
    from behave.parser import parse_file

    rows = []
    for path in sorted((ROOT / "features").glob("*.feature")):
        feature = parse_file(str(path))
        kind = [t for t in feature.tags if t.startswith(("criterion:", "promise:"))]
        for scenario in feature.scenarios:
            own = [t for t in scenario.tags if ":" not in t and not t.startswith(("use.", "fixture."))]
            rest = [t for t in scenario.tags if t not in own]
            rows.append((f"{prose(feature.name)}<br>{tags(kind)}", tags(own), prose(scenario.name), tags(rest)))
    return table(("feature", "scenario tag", "scenario", "other tags"), rows)


# -- the sandbox's fault switches: sandbox/faults.py and tools/expected_catches.toml ---------------------------------

FIRST_KIND = "what a step checks"  # the faults sandbox/faults.py lists before its first comment


def fault_kinds() -> dict[str, str]:
    """Fault switch -> the kind sandbox/faults.py files it under (the comment line above its group)."""
    kinds, kind = {}, FIRST_KIND
    text = (ROOT / "sandbox" / "faults.py").read_text(encoding="utf-8")
    body = text.split("FAULTS: dict[str, str] = {", 1)[1].split("\n}\n", 1)[0]
    for line in body.splitlines():
        comment = re.match(r"\s+#\s*(.+?):?\s*$", line)
        name = re.match(r'\s+"([a-z0-9-]+)":', line)
        if comment:
            kind = comment.group(1).split(".")[0]
        elif name:
            kinds[name.group(1)] = kind
    return kinds


def toml_comments(path: Path) -> dict[str, str]:
    """Each table's comment lines inside it, in a TOML file (those above a header are about a group of tables)."""
    found: dict[str, list[str]] = {}
    pending: list[str] = []
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[([^\[\]]+)\]\s*$", line)
        if line.startswith("#"):
            pending.append(line.lstrip("#").strip())
            continue
        if header:
            current = header.group(1)
        elif current and pending and line.strip():
            found.setdefault(current, []).extend(pending)
        pending = []
    return {name: " ".join(lines) for name, lines in found.items()}


def fault_switches_table() -> str:
    from sandbox import faults

    path = ROOT / "tools" / "expected_catches.toml"
    catches = tomllib.loads(path.read_text(encoding="utf-8"))
    notes = toml_comments(path)
    kinds = fault_kinds()
    rows = []
    for name, mirrors in faults.FAULTS.items():
        entry = catches.get(name, {})
        must = tags(entry.get("must_catch", [])) or "**none: not in tools/expected\\_catches.toml**"
        defines = ", ".join(code(f"-D {k}={v}") for k, v in entry.get("defines", {}).items())
        extra = "<br>".join(part for part in (defines and f"run with {defines}", prose(notes.get(name, ""))) if part)
        rows.append((code(name), kinds.get(name, ""), prose(mirrors), must, extra))
    return table(("fault switch", "kind", "mirrors (the real fault)", "must catch it", "note"), rows)


# -- faults of the real container's code: tools/real_faults.toml -----------------------------------------------------


def real_faults_table() -> str:
    from tools import real_faults

    rows = []
    for fault in real_faults.load(real_faults.FAULTS_FILE):
        files = sorted({edit.file for edit in fault.edits})
        kind = "repair" if fault.repair else "fault"
        rows.append((code(fault.name), kind, prose(fault.about), tags(fault.scenarios),
                     "<br>".join(code(f) for f in files)))
    return table(("name", "kind", "mirrors (a repair: what it mends)", "must catch it (a repair: must pass)",
                  "edits"), rows)


# -- the real system's known faults: lib/expect/known_faults.py ------------------------------------------------------


def scenarios_tagged(prefix: str) -> dict[str, list[str]]:
    """`@<prefix><name>` tag -> the scenarios (by their own tag) that carry it."""
    from behave.parser import parse_file

    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "features").glob("*.feature")):
        for scenario in parse_file(str(path)).scenarios:
            own = next((t for t in scenario.tags if ":" not in t), scenario.name)
            for tag in scenario.tags:
                if tag.startswith(prefix):
                    found.setdefault(tag.removeprefix(prefix), []).append(own)
    return found


def known_faults_table() -> str:
    from lib.expect import known_faults

    where = scenarios_tagged(known_faults.TAG)
    rows = []
    for name, fault in known_faults.FAULTS.items():
        # Spaces unescaped: re.escape's backslashes are not what a reader looks for.
        evidence = "<br>or<br>".join("<br>".join(code(piece.replace("\\ ", " ")) for piece in pieces)
                                     for pieces in (fault.evidence, *fault.also))
        shared = "yes" if fault.everywhere else "no"
        rows.append((code(name), prose(fault.contract), evidence, shared, tags(where.get(name, []))))
    return table(("known fault", "what the contract says",
                  "the evidence a failure must show (every pattern of a set)", "the stand-ins share it",
                  "scenarios tagged with it"), rows)


# -- measurements: docs/measurements.json ----------------------------------------------------------------------------

MEASUREMENTS = DOCS / "measurements.json"
RECORD_FIELDS = ("figure", "value", "unit", "date", "machine", "command")


def measurements() -> dict[str, Any]:
    return json.loads(MEASUREMENTS.read_text(encoding="utf-8"))


def _value(value: object, unit: str) -> str:
    if unit == "s" and isinstance(value, int | float) and value >= 120:
        minutes, seconds = divmod(value, 60)
        return f"{value:g} s ({int(minutes)} min {seconds:g} s)"
    return f"{value:g} {unit}".strip() if isinstance(value, int | float) else f"{value} {unit}".strip()


def measurements_table() -> str:
    data = measurements()
    machines = data["machines"]
    parts = []
    for section in data["sections"]:
        rows = [(prose(r["figure"]), prose(_value(r["value"], r["unit"])), r["date"] or "not recorded",
                 prose(machines.get(r["machine"], r["machine"])), code(r["command"]) if r["command"] else " ",
                 prose(r.get("note", ""))) for r in section["records"]]
        parts.append(f"### {section['title']}\n\n{prose(section.get('about', ''))}\n\n"
                     + table(("figure", "value", "date", "machine", "command", "note"), rows))
    return "\n\n".join(parts)


# -- the mutation score's verdicts: tools/mutation_score.py ----------------------------------------------------------


def mutation_verdicts() -> str:
    """Each verdict a mutant can get, when (the module docstring's list), and the status Stryker's report gives it."""
    from tools import mutation_score

    when: dict[str, str] = {}
    current = ""
    for line in (mutation_score.__doc__ or "").splitlines():
        item = re.match(r"^- ([a-z]+): (.*)$", line)
        if item and item.group(1) in mutation_score.VERDICTS:
            current = item.group(1)
            when[current] = item.group(2)
        elif current and line.startswith("  ") and line.strip():
            when[current] += " " + line.strip()
        else:
            current = ""
    rows = [(prose(mutation_score.MEANING[v]), prose(when.get(v, "").rstrip(";.")),
             code(mutation_score.STRYKER_STATUS[v])) for v in mutation_score.VERDICTS]
    return table(("verdict", "when", "Stryker's status"), rows)


def model_choices() -> str:
    """Where the contract leaves a choice open, what the reference model accepts and why (lib/expect/model.py)."""
    from lib.expect.model import CHOICES

    return table(("choice", "what the model accepts, and why"), ((code(name), prose(why)) for name, why in
                                                                CHOICES.items()))


# -- architecture: lib's modules, the import contracts, make's targets, CI's workflows --------------------------------


def summary(doc: str) -> str:
    """A docstring's first sentence, within its first paragraph and before any list."""
    lines = []
    for line in (doc or "").strip().splitlines():
        if not line.strip() or line.lstrip().startswith("- "):
            break
        lines.append(line)
    return first_sentence(" ".join(lines))


def modules(folder: str, recursive: bool = False) -> Callable[[], str]:
    """A table of a folder's Python modules, each with its docstring's first sentence."""

    def modules_table() -> str:
        paths = (ROOT / folder).rglob("*.py") if recursive else (ROOT / folder).glob("*.py")
        rows = []
        for path in sorted(paths):
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if path.name == "__init__.py" and not doc:
                continue
            rows.append((code(path.relative_to(ROOT).as_posix()), prose(summary(doc))))
        return table(("module", "what it is (its docstring's first sentence)"), rows)

    return modules_table


def contracts_table() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    rows = []
    for contract in config["contracts"]:
        kind = contract["type"]
        if kind == "forbidden":
            rule = (", ".join(code(m) for m in contract["source_modules"]) + " may not import "
                    + ", ".join(code(m) for m in contract["forbidden_modules"]))
        elif kind == "layers":
            rule = (f"inside {', '.join(code(c) for c in contract['containers'])}, top to bottom: "
                    + " → ".join(code(layer) for layer in contract["layers"]))
        else:
            rule = ", ".join(code(m) for m in contract.get("modules", [])) + " import none of each other"
        rows.append((prose(contract["name"]), kind, rule))
    return table(("contract", "kind", "rule"), rows)


def make_targets() -> dict[str, str]:
    """Each target the Makefile declares phony -> the `##` comment above it."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", text, flags=re.MULTILINE)
    names = phony.group(1).split() if phony else []
    found = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        target = re.match(r"^([a-z][a-z0-9-]*):", line)
        if target and target.group(1) in names:
            above = []
            j = i - 1
            while j >= 0 and (lines[j].startswith("##") or re.match(r"^[A-Z_]+ \?=", lines[j])):
                if lines[j].startswith("##"):
                    above.insert(0, lines[j].lstrip("#").strip())
                j -= 1
            found[target.group(1)] = " ".join(above)
    return {name: found.get(name, "") for name in names}


def make_table() -> str:
    return table(("command", "what it does"),
                 ((code(f"make {name}"), prose(about)) for name, about in make_targets().items()))


def workflows_table() -> str:
    import yaml

    rows = []
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        about = " ".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
        workflow = yaml.safe_load(text)
        triggers = workflow.get(True, workflow.get("on", {}))  # YAML 1.1 reads the key `on` as true
        rows.append((code(path.relative_to(ROOT).as_posix()), code(workflow.get("name", "")),
                     ", ".join(code(t) for t in triggers), ", ".join(code(j) for j in workflow.get("jobs", {})),
                     prose(about)))
    return table(("workflow", "name", "runs on", "jobs", "what it does"), rows)


TABLES: dict[str, Callable[[], str]] = {
    "settings": settings_table,
    "steps": steps_table,
    "step-example": step_example,
    "instructions": instructions_table,
    "features": features_table,
    "sandbox-options": sandbox_options,
    "fault-switches": fault_switches_table,
    "real-faults": real_faults_table,
    "known-faults": known_faults_table,
    "mutation-verdicts": mutation_verdicts,
    "model-choices": model_choices,
    "measurements": measurements_table,
    "modules-lib": modules("lib", recursive=True),
    "modules-support": modules("features/support"),
    "modules-reporting": modules("reporting"),
    "modules-sandbox": modules("sandbox"),
    "modules-tools": modules("tools"),
    "contracts": contracts_table,
    "make": make_table,
    "workflows": workflows_table,
}


def expand(markdown: str, where: str = "") -> str:
    """The page with each marker replaced by its table."""

    def one(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in TABLES:
            from mkdocs.exceptions import PluginError

            raise PluginError(f"{where}: no generated table is called {name!r}; known: {', '.join(sorted(TABLES))} "
                              "(tools/docs_tables.py)")
        return TABLES[name]()

    return MARKER.sub(one, markdown)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """MkDocs' hook: runs on every page's markdown before it is rendered."""
    return expand(markdown, page.file.src_uri)
