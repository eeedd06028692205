"""The documentation site's generated tables (tools/docs_tables.py): everything the code has is in them, so a new
setting, fault switch or step cannot be missing from the docs; every marker a page has names a table, and the site
builds strictly."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

import pytest

from lib import settings
from reporting import catalog
from sandbox import faults
from tools import docs_tables, real_faults

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))
# Where the code and the docs cite the contract, and the files read there (never installed packages or builds).
CITING = ("lib", "features", "sandbox", "tools", "tests", "docs", "reporting", ".ci", ".github")
CITING_FILES = ("README.md", "Makefile", "behave.ini", "mkdocs.yml", "pyproject.toml")
TEXT = {".py", ".md", ".feature", ".toml", ".ini", ".yml", ".yaml", ".cfg", ".cjs", ".mjs", ".js", ".ts", ".json",
        ".ndjson", ".txt", ".sh", ""}
NOT_READ = {"node_modules", ".venv", "__pycache__", "dist", ".astro"}
CITATION = re.compile(r"contract\.md#([A-Za-z0-9_-]+)")


def test_every_setting_is_in_the_settings_table_with_how_to_set_it() -> None:
    table = docs_tables.settings_table()
    missing = [name for name in settings.flat_names()
               if f"`{name}`" not in table or f"`WEBORDINARY_{name.upper()}`" not in table
               or f"`-D {name}=…`" not in table]
    assert not missing, f"settings missing from the docs' settings table: {missing}"


def test_every_setting_says_what_it_means() -> None:
    comments = docs_tables.field_comments(ROOT / "lib" / "settings.py",
                                          (kind.__name__ for kind, _ in settings.GROUPS.values()))
    silent = [name for name, (group, spec) in settings.flat_names().items()
              if group not in docs_tables.SELF_EXPLAINING_GROUPS
              and not comments.get((settings.GROUPS[group][0].__name__, spec.name))]
    assert not silent, f"settings with no comment in lib/settings.py (write one above the field): {silent}"


def test_every_fault_switch_is_in_its_table_with_the_scenarios_that_must_catch_it() -> None:
    table = docs_tables.fault_switches_table()
    catches = tomllib.loads((ROOT / "tools" / "expected_catches.toml").read_text())
    rows = {row.split(" | ")[0].strip("| `"): row for row in table.splitlines()[2:]}
    assert set(rows) == set(faults.FAULTS)
    wrong = [name for name in faults.FAULTS
             if any(f"`@{tag}`" not in rows[name] for tag in catches.get(name, {}).get("must_catch", [None]))]
    assert not wrong, f"fault switches whose row lacks the scenarios that must catch them: {wrong}"


def test_every_step_is_in_the_catalog_with_its_description() -> None:
    table = docs_tables.steps_table()
    catalog.load_steps()
    entries = [entry for group in catalog.groups() for entry in group.entries]
    assert len(entries) >= 47
    missing = [entry.pattern for entry in entries if f"`{entry.pattern}`" not in table]
    assert not missing, f"steps missing from the docs' step catalog: {missing}"
    undescribed = [entry.pattern for entry in entries if not entry.doc]
    assert not undescribed, f"steps without a docstring: {undescribed}"
    assert table.count("→ `lib.scenario.") == len(entries), "each step names the one library call it makes"


def test_every_fault_of_the_real_code_and_every_known_fault_is_in_its_table() -> None:
    table = docs_tables.real_faults_table()
    missing = [f.name for f in real_faults.load(real_faults.FAULTS_FILE) if f"`{f.name}`" not in table]
    assert not missing, f"faults of tools/real_faults.toml missing from the docs: {missing}"
    from lib.expect import known_faults

    table = docs_tables.known_faults_table()
    missing = [name for name in known_faults.FAULTS if f"`{name}`" not in table]
    assert not missing, f"known faults missing from the docs: {missing}"


def test_every_marker_names_a_table_and_every_table_is_on_a_page() -> None:
    used = {name for page in PAGES for name in docs_tables.MARKER.findall(page.read_text())}
    assert used == set(docs_tables.TABLES), (f"markers naming no table: {sorted(used - set(docs_tables.TABLES))}; "
                                             f"tables on no page: {sorted(set(docs_tables.TABLES) - used)}")
    for page in PAGES:
        assert not docs_tables.MARKER.search(docs_tables.expand(page.read_text(), page.name)), page.name


def test_every_mutation_verdict_is_in_its_table_with_when_it_is_given() -> None:
    from tools import mutation_score

    rows = docs_tables.mutation_verdicts().splitlines()[2:]
    assert len(rows) == len(mutation_score.VERDICTS)
    for row, verdict in zip(rows, mutation_score.VERDICTS, strict=True):
        meaning, when, status = (cell.strip() for cell in row.strip("|").split(" | "))
        assert meaning == mutation_score.MEANING[verdict] and when, row
        assert status == f"`{mutation_score.STRYKER_STATUS[verdict]}`", row


def test_an_unknown_marker_stops_the_build_naming_the_known_tables() -> None:
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=r"no generated table is called 'setings'; known: .*settings"):
        docs_tables.expand("<!-- table: setings -->\n", "page.md")


def test_every_measurement_has_its_date_machine_and_command() -> None:
    data = docs_tables.measurements()
    records = [record for section in data["sections"] for record in section["records"]]
    assert records
    for record in records:
        assert all(field in record for field in docs_tables.RECORD_FIELDS), record
        assert record["machine"] in data["machines"], record
        assert record["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["date"]), record
    table = docs_tables.measurements_table()
    assert all(record["date"] or "not recorded" in table for record in records)


def contract_headings() -> list[str]:
    """The anchor of each heading of docs/contract.md, as MkDocs' toc makes it (lowercase, spaces to hyphens,
    punctuation dropped), outside its code blocks."""
    from markdown.extensions.toc import slugify

    anchors, fenced = [], False
    for line in (ROOT / "docs" / "contract.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (heading := re.match(r"#{1,6}\s+(.+?)\s*#*$", line)):
            anchors.append(slugify(heading.group(1), "-"))
    return anchors


def contract_citations() -> list[tuple[str, str]]:
    """(file:line, anchor) of every `contract.md#<anchor>` in the code and the docs; a citation wrapped at a hyphen
    goes on with the next line's first word (after a comment's `#` or `//`)."""
    paths = [ROOT / name for name in CITING_FILES]
    for folder in CITING:
        for top, dirs, files in os.walk(ROOT / folder):
            dirs[:] = sorted(d for d in dirs if d not in NOT_READ)
            paths += [Path(top) / name for name in sorted(files) if Path(name).suffix in TEXT]
    found = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            continue
        for match in CITATION.finditer(text):
            anchor, end = match.group(1), match.end()
            while anchor.endswith("-") and (more := re.match(r"\n[ \t]*(?:#|//)?[ \t]*([A-Za-z0-9_-]+)", text[end:])):
                anchor, end = anchor + more.group(1), end + more.end()
            found.append((f"{path.relative_to(ROOT).as_posix()}:{text.count(chr(10), 0, match.start()) + 1}", anchor))
    return found


def test_the_contracts_list_of_anchors_is_its_headings() -> None:
    headings = contract_headings()
    assert len(headings) == len(set(headings)), "two headings of docs/contract.md make the same anchor"
    assert docs_tables.contract_anchors() == frozenset(headings), (
        "the list under `## Anchors` in docs/contract.md differs from its headings: "
        f"listed, no heading: {sorted(docs_tables.contract_anchors() - set(headings))}; "
        f"a heading, not listed: {sorted(set(headings) - docs_tables.contract_anchors())}")


def test_every_citation_of_the_contract_names_an_anchor_it_has() -> None:
    citations = contract_citations()
    assert any(where.startswith("lib/") for where, _ in citations), "no citation found: is the search wrong?"
    anchors = set(contract_headings())
    wrong = [f"{where}: #{anchor}" for where, anchor in citations if anchor not in anchors]
    assert not wrong, f"citations of docs/contract.md naming no heading of it: {wrong}"


def test_a_citation_wrapped_at_a_hyphen_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lib").mkdir()
    cite = "docs/contract.md" + "#"  # not a citation of this file's own
    (tmp_path / "lib" / "a.py").write_text(f'"""Read it ({cite}log-lines-\n    in-order)."""\n'
                                           f"# see {cite}what-the-\n# container-does\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert contract_citations() == [("lib/a.py:1", "log-lines-in-order"), ("lib/a.py:3", "what-the-container-does")]


def test_the_readme_is_short_undated_and_quotes_a_real_feature() -> None:
    """The README is the front door (issue 35): at most 150 lines, no dated figure (those are records of
    docs/measurements.json), and its example a verbatim part of the feature file it names."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", readme), "a date in the README: make it a measurements record"
    quoted = re.search(r"`(features/[\w-]+\.feature)`[^`]*```gherkin\n(.*?)```", readme, flags=re.DOTALL)
    assert quoted, "the README's first example names its feature file, then quotes it in a gherkin block"
    assert quoted.group(2) in (ROOT / quoted.group(1)).read_text(encoding="utf-8"), f"not verbatim: {quoted.group(1)}"


def test_the_readmes_two_commands_are_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## On a fresh machine.*?```sh\n(.*?)```", readme, flags=re.DOTALL)
    assert block, "the README's set-up commands"
    assert [line.split("#")[0].strip() for line in block.group(1).splitlines()] == ["make acceptance", "make test"]
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_the_site_builds_strictly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mkdocs build --strict, in this process: a broken link, anchor, page or table fails it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.chdir(ROOT)  # the snippets' base path
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True))
    page = (tmp_path / "site" / "aws" / "index.html").read_text()
    assert "WEBORDINARY_POLL_MAX_S" in page and "<!-- table:" not in page
