"""A deterministic stand-in for Claude: the instructions the sandbox understands, in one table.

Each form edits `src/data/site.json` of the fixture site, and what it writes shows in the built
`index.html`. Anything else is rejected with the list of supported forms.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SITE_DATA = Path("src/data/site.json")

Edit = Callable[[dict, re.Match[str], Path], str]


class InstructionError(ValueError):
    """An instruction the sandbox cannot interpret."""


class AssistantFailed(RuntimeError):
    """The stand-in for Claude stopped partway through an edit, on purpose: what is written stays uncommitted."""


@dataclass(frozen=True)
class Form:
    pattern: str
    example: str
    edit: Edit
    note: str = ""  # a form that exists only to make the pipeline take a path on purpose
    outcome: str = ""  # how a session with it ends, where that is not a deployment ("build failed")

    def match(self, text: str) -> re.Match[str] | None:
        return re.fullmatch(self.pattern, text, flags=re.IGNORECASE)


def _add_header(site: dict, m: re.Match[str], workspace: Path) -> str:
    site["headers"].append(m["text"])
    return f"Header {m['text']}"


def _set_title(site: dict, m: re.Match[str], workspace: Path) -> str:
    site["title"] = m["text"]
    return f"Title {m['text']}"


def _create_site(site: dict, m: re.Match[str], workspace: Path) -> str:
    site["title"] = f"Site for client {m['n']}"
    site["headers"].append(f"Welcome to client {m['n']}")
    return f"Site for client {m['n']}"


def _config_key(name: str) -> Edit:
    def edit(site: dict, m: re.Match[str], workspace: Path) -> str:
        site["config"][name] = m["key"]
        return f"Config {name} {m['key']}"

    return edit


def _set_timestamp(site: dict, m: re.Match[str], workspace: Path) -> str:
    site["timestamp"] = int(m["n"])
    return f"Timestamp {m['n']}"


def _failure_probe(site: dict, m: re.Match[str], workspace: Path) -> str:
    site["headers"].append("S3 failure handling test")
    return "S3 failure handling test"


def _add_faq(site: dict, m: re.Match[str], workspace: Path) -> str:
    """The FAQ is a text file beside the site's data: an edit of two kinds of file in one folder."""
    faq = workspace / "src" / "data" / "faq.txt"
    faq.write_text((faq.read_text() if faq.exists() else "") + m["text"] + "\n")
    return f"FAQ {m['text']}"


PAGE = """---
import {{ build }} from "../lib/build.js";
---
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="build" content={{build}} />
    <title>{name}</title>
  </head>
  <body>
    <h1>{name}</h1>
  </body>
</html>
"""


def _add_pages(site: dict, m: re.Match[str], workspace: Path) -> str:
    """One page a name, each a file of its own: an edit that changes many files at once."""
    names = re.split(r",\s*|\s+and\s+", m["names"])
    if {"index", "changes"} & set(names) or len(set(names)) != len(names):
        raise InstructionError(f"cannot add pages {names}: each name once, and neither of the site's own pages "
                               "(index, changes)")
    for name in names:
        (workspace / "src" / "pages" / f"{name}.astro").write_text(PAGE.format(name=name))
    return f"Pages {', '.join(names)}"


def _stop_partway(site: dict, m: re.Match[str], workspace: Path) -> str:
    site["headers"].append(m["text"])
    (workspace / SITE_DATA).write_text(json.dumps(site, indent=2) + "\n")
    # What the Claude Code SDK throws when its process dies (claude-executor.service.ts:180-183 logs and rethrows it)
    raise AssistantFailed("Claude Code process exited with code 1")


def _broken_page(site: dict, m: re.Match[str], workspace: Path) -> str:
    name = m.groupdict().get("name") or "broken"
    page = workspace / "src" / "pages" / f"{name}.astro"
    page.write_text(f'---\nimport missing from "../data/{name}-missing.json";\n---\n<p>{{missing.text}}</p>\n')
    return f"Broken page {name}"


# The grammar. The docs' table of instructions (docs/writing-scenarios.md) is generated from it.
FORMS: tuple[Form, ...] = (
    Form(r'add header with text "(?P<text>[^"]+)"', 'Add header with text "Amelia\'s Bakery"', _add_header),
    Form(r'update page title to "(?P<text>[^"]+)"', 'Update page title to "Version 5"', _set_title),
    Form(r"create site for client (?P<n>[\w-]+)", "Create site for client 2", _create_site),
    Form(r"add secret key (?P<key>[\w-]+) to config", "Add secret key ABC123 to config", _config_key("secret_key")),
    Form(
        r"add different key (?P<key>[\w-]+) to config",
        "Add different key XYZ789 to config",
        _config_key("different_key"),
    ),
    Form(r"update timestamp to (?P<n>\d+)", "Update timestamp to 1764000000000", _set_timestamp),
    Form(r"add pages (?P<names>[a-z0-9-]+(?:, [a-z0-9-]+)* and [a-z0-9-]+)", "Add pages about, team and contact",
         _add_pages),
    Form(r'add faq "(?P<text>[^"]+)"', 'Add FAQ "Do you deliver? Yes, across the city"', _add_faq),
    Form(r"test s3 failure handling", "Test S3 failure handling", _failure_probe),
    Form(r"add a page that breaks the build", "Add a page that breaks the build", _broken_page,
         "only where the sandbox stands in for Claude (not on AWS): an edit that breaks the site's build",
         "build failed"),
    Form(r"add broken page (?P<name>[a-z0-9-]+)", "Add broken page oops", _broken_page,
         "only where the sandbox stands in for Claude (not on AWS): an edit that breaks the site's build",
         "build failed"),
    Form(r'add header with text "(?P<text>[^"]+)" and stop partway',
         'Add header with text "Half a header" and stop partway', _stop_partway,
         "only where the sandbox stands in for Claude (not on AWS): Claude writes part of the edit, then fails, as "
         "when its service errs", "failed"),
)


def supported_forms() -> list[str]:
    return [form.example for form in FORMS]


def normalise(instruction: str) -> str:
    """The instruction as the container uses it in commit subjects: no leading please/can you, capitalised,
    no trailing punctuation."""
    text = instruction.strip()
    text = re.sub(r"^(please|can you)\s+", "", text, flags=re.IGNORECASE).strip()
    text = text.rstrip(" .!?")
    return text[:1].upper() + text[1:]


def find_form(instruction: str) -> tuple[Form, re.Match[str]]:
    text = normalise(instruction)
    for form in FORMS:
        m = form.match(text)
        if m:
            return form, m
    raise InstructionError(
        f"cannot interpret instruction {instruction!r}; the sandbox understands: " + "; ".join(supported_forms())
    )


def apply(instruction: str, workspace: Path, thread_id: str, summary_only: bool = False, escaped: bool = False) -> str:
    """Apply one instruction to the site in `workspace`; returns a short summary of the change.
    `summary_only` (a fault): the change is listed, but the element it names is left as it was. `escaped` (a fault):
    the text is stored HTML-escaped, which the page escapes once more."""
    form, m = find_form(html.escape(instruction, quote=False) if escaped else instruction)
    path = workspace / SITE_DATA
    site = json.loads(path.read_text())
    summary = form.edit(json.loads(path.read_text()) if summary_only else site, m, workspace)
    slug = hashlib.sha1(f"{thread_id}\n{instruction}".encode()).hexdigest()[:10]
    site["changes"].append({"slug": slug, "summary": summary, "thread": thread_id})
    path.write_text(json.dumps(site, indent=2) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    """`python -m sandbox.interpreter --workspace DIR --thread ID INSTRUCTION`: apply one instruction to a checkout
    of the fixture site and print its summary; an instruction outside the grammar exits 2 naming the forms. For a
    stand-in for Claude in another process (the real container's, `sandbox/preload/claude_standin.cjs`)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m sandbox.interpreter", description=main.__doc__)
    parser.add_argument("--workspace", type=Path, required=True, help="the checkout of the fixture site")
    parser.add_argument("--thread", required=True, help="what tells this thread's changes from another's")
    parser.add_argument("instruction")
    args = parser.parse_args(argv)
    try:
        print(apply(args.instruction, args.workspace, args.thread))
    except InstructionError as error:
        print(error, file=sys.stderr)
        return 2
    except AssistantFailed as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
