"""Lint the .feature files for a product owner, in a second and without starting anything. With file:line:
- steps with no definition (with the closest existing steps), or more than one;
- inputs a step would refuse when run: empty tables, unknown or missing columns, a client twice in a table,
  negative gaps or counts, unusable client names, instructions the embedded sandbox cannot interpret;
- a client used before a Given step of its scenario gives it a site (with "did you mean ...?");
- a check that could not fail given the scenario's own emails (lib/scenario/plan.py);
- a scenario with no Then step (it would check nothing);
- a `@real-fault:` tag naming no known fault of the real system;
- a tag expression the project passes to behave (Makefile, .ci/run, workflows, behave.ini, tools/ and tests/) in
  behave's old v1 syntax, which its next major removes, with its v2 spelling.
Exit status 1 when anything is wrong. `--tag-expressions FILE...` checks only those files' tag expressions;
`--plan [FILE...]` prints each scenario's plan: for each check, the emails whose mishandling would turn it red."""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from behave.parser import parse_file
from behave.step_registry import registry

from features.support import scenarios
from lib.expect.instructions import Grammar
from lib.scenario import plan
from lib.settings import Settings
from reporting.catalog import load_steps
from sandbox.app import instruction_grammar

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"


class NoSuchFeature(Exception):
    """A path on the command line that is neither a .feature file nor a folder."""


def feature_files(arguments: list[str]) -> list[Path]:
    """The .feature files named (files or folders), by default every one under features/."""
    found = []
    for argument in arguments or [str(FEATURES)]:
        path = Path(argument).resolve()
        if path.is_dir():
            found += sorted(path.glob("**/*.feature"))
        elif path.is_file() and path.suffix == ".feature":
            found.append(path)
        else:
            raise NoSuchFeature(f"{argument!r} is neither a .feature file nor a folder of them"
                                f" (give paths such as features/ or features/visitor.feature)")
    return found


def lint(paths: list[Path]) -> list[str]:
    """What the run would refuse before anything is sent, from the same decision (features/support/scenarios.py),
    and a scenario with no Then step."""
    grammar = Grammar.from_published(instruction_grammar())
    settings = Settings.from_ini_file(ROOT / "behave.ini", {})
    problems = []
    for path in paths:
        feature = parse_file(str(path))
        problems += [p for _, p in scenarios.feature_problems(feature)]
        for scenario in feature.walk_scenarios(with_outlines=False):
            if not any(step.step_type == "then" for step in scenario.all_steps):
                problems.append(f"{scenario.filename}:{scenario.line}: scenario {scenario.name!r} has no Then step, "
                                "so it checks nothing")
            problems += scenarios.scenario_problems(registry, scenario, grammar, settings)
    # An outline's examples repeat its steps' problems; a file's path is shown as given.
    return [_shown_problem(p) for p in dict.fromkeys(problems)]


def _shown_problem(problem: str) -> str:
    where, _, rest = problem.partition(": ")
    return f"{_shown(Path(where.rsplit(':', 1)[0]))}:{where.rsplit(':', 1)[-1]}: {rest}" if ":" in where else problem


# -- tag expressions: behave's v1 syntax (`@a,@b` for or, `~@a` for not, several --tags for and) goes in its next major
TAG_SOURCES = ("Makefile", ".ci/run", ".github/workflows/*.yml", "behave.ini", "tools/*.py", "tests/*.py")
V2_WORDS = {"and", "or", "not", "(", ")"}
# An option and its value on a command line: --tags=X, --tags X, -t X (quoted or not).
TAG_OPTION = re.compile(r"""(?:^|(?<=[\s"'\[(]))(--tags|-t)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"'\];)]+)""")
UNKNOWN = ""  # a value only known when it runs (a variable, an input, a computed string): not judged


def v1_only(expression: str) -> bool:
    """What behave reads as v1: a `~`/`-` negation, a comma, or several tags side by side without a v2 keyword."""
    words = expression.replace("(", " ( ").replace(")", " ) ").split()
    return (any(word.startswith(("~", "-")) or "," in word for word in words)
            or (len(words) > 1 and not V2_WORDS & set(words)))


def v2_spelling(expressions: Sequence[str]) -> str:
    """The one v2 expression that selects what these v1 ones (of one command, ANDed) select."""
    groups = []
    for expression in expressions:
        if not v1_only(expression):
            groups.append(expression)
            continue
        for word in expression.split():  # v1: words are ANDed, a word's commas are ORed
            alternatives = [f"not {tag[1:]}" if tag.startswith(("~", "-")) else tag for tag in word.split(",") if tag]
            groups.append(" or ".join(alternatives))
    if len(groups) == 1:
        return groups[0]
    return " and ".join(f"({g})" if " or " in g or " and " in g else g for g in groups)


def tag_problems(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        for line, expressions in tag_expressions(path):
            known = [e for e in expressions if e != UNKNOWN]
            several = len(expressions) > 1
            if not several and not any(v1_only(e) for e in known):
                continue
            what = (f"{len(expressions)} --tags options (v1 ANDs them)" if several
                    else f"tag expression {known[0]!r} is v1-only")
            fix = f'write one --tags="{v2_spelling(known)}"' if len(known) == len(expressions) else (
                "join them into one --tags expression with `and`")
            problems.append(f"{_shown(path)}:{line}: {what}, which behave's next major removes: {fix}")
    return problems


def tag_expressions(path: Path) -> list[tuple[int, list[str]]]:
    """(line, the tag expressions of one command) for each command of the file that passes --tags or -t."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        return sorted(_python_tag_expressions(ast.parse(text)))
    if path.name == "behave.ini":
        return _ini_tag_expressions(text)
    found = _yaml_defaults(text) if path.suffix in (".yml", ".yaml") else []
    lines = text.splitlines()
    n = 0
    while n < len(lines):
        first, logical = n, lines[n]
        while logical.endswith("\\") and n + 1 < len(lines):  # a command continued on the next line
            n += 1
            logical = logical[:-1] + "\n" + lines[n]
        n += 1
        for command in re.finditer(r"(?:[^;&|]|&(?!&)|\|(?!\|))+", logical):  # commands: ; && || |
            expressions = _command_line(command.group())
            if expressions:
                found.append((first + 1 + logical[:command.start()].count("\n")
                              + command.group()[:expressions[0][0]].count("\n"), [e for _, e in expressions]))
    return sorted(found)


def _command_line(command: str) -> list[tuple[int, str]]:
    """(where in the command, the value) of each --tags or -t option of a command line."""
    expressions = []
    for option in TAG_OPTION.finditer(command):
        value = option.group(2).strip("\"'")
        if option.group(1) == "-t" and not re.search(r"@|~|\bnot\b", value):
            continue  # another program's -t
        expressions.append((option.start(), UNKNOWN if "$" in value or "{" in value else value))
    return expressions


def _yaml_defaults(text: str) -> list[tuple[int, list[str]]]:
    """A workflow input named like tags: its default is a tag expression too."""
    found, indent = [], None
    for n, line in enumerate(text.splitlines(), 1):
        depth = len(line) - len(line.lstrip())
        if re.match(r"\s*[\w-]*tags:\s*$", line):
            indent = depth
        elif indent is not None and line.strip() and depth <= indent:
            indent = None
        elif indent is not None and (default := re.match(r"\s*default:\s*(.+?)\s*$", line)):
            found.append((n, [default.group(1).strip("\"'")]))
    return found


def _ini_tag_expressions(text: str) -> list[tuple[int, list[str]]]:
    found: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        option = re.match(r"(?:default_)?tags\s*=\s*(.*)$", line)
        if option:
            values = [option.group(1)]
            for row in lines[n + 1:]:  # behave's config file: each further indented line is another --tags
                if not row[:1].isspace() or not row.strip():
                    break
                values.append(row)
            found.append((n + 1, [v.strip() for v in values if v.strip()]))
    return found


def _python_tag_expressions(tree: ast.Module) -> Iterator[tuple[int, list[str]]]:
    """Each list, tuple or call that passes --tags or -t (its options are one command's), argparse's defaults of
    a --tags option, and whole command lines written in one string (not docstrings: they pass nothing)."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    in_sequences: set[int] = set()
    for node in ast.walk(tree):
        items = (node.elts if isinstance(node, ast.List | ast.Tuple) else node.args if isinstance(node, ast.Call)
                 else None)
        if items:
            expressions = _sequence(items, in_sequences)
            if isinstance(node, ast.Call) and _is_tags_option(items):
                expressions += [str(k.value.value) for k in node.keywords if k.arg == "default"
                                and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
            if expressions:
                yield node.lineno, expressions
    fragments = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"\bbehave", node.value)
                and not {id(node)} & (in_sequences | docstrings | fragments)):
            for line in node.value.splitlines():  # a whole command line in one string
                expressions = _command_line(line)
                if expressions:
                    yield node.lineno, [e for _, e in expressions]


def _is_tags_option(items: list[ast.expr]) -> bool:
    return any(isinstance(item, ast.Constant) and item.value in ("--tags", "-t") for item in items)


def _sequence(items: list[ast.expr], claimed: set[int]) -> list[str]:
    expressions = []
    for i, item in enumerate(items):
        value = item.value if isinstance(item, ast.Constant) and isinstance(item.value, str) else None
        if value in ("--tags", "-t") and i + 1 < len(items):
            following = items[i + 1]
            text = following.value if isinstance(following, ast.Constant) and isinstance(following.value, str) else None
            if text is not None and (re.match(r"--?[A-Za-z]", text) or (
                    value == "-t" and not re.search(r"@|~|\bnot\b", text))):
                continue  # a list of option names, or another program's -t
            expressions.append(UNKNOWN if text is None else text)
            claimed.update({id(item), id(following)})
        elif value is not None and value.startswith("--tags=") and value != "--tags=":
            expressions.append(value.removeprefix("--tags="))
            claimed.add(id(item))
        elif _starts_with_tags_option(item):
            expressions.append(UNKNOWN)
    return expressions


def _starts_with_tags_option(item: ast.expr) -> bool:
    """f"--tags={x}" or "--tags=" + x: the expression is only known when it runs."""
    first = item.values[0] if isinstance(item, ast.JoinedStr) and item.values else (
        item.left if isinstance(item, ast.BinOp) else None)
    return isinstance(first, ast.Constant) and str(first.value).startswith("--tags=")


def tag_sources() -> list[Path]:
    return sorted(path for pattern in TAG_SOURCES for path in ROOT.glob(pattern) if path.is_file())


def plans(paths: list[Path]) -> list[str]:
    """Each scenario's plan: for each check, the emails whose mishandling would turn it red."""
    grammar = Grammar.from_published(instruction_grammar())
    settings = Settings.from_ini_file(ROOT / "behave.ini", {})
    lines = []
    for path in paths:
        for scenario in parse_file(str(path)).walk_scenarios(with_outlines=False):
            steps = [scenarios.planned_step(registry, step, f"{_shown(path)}:{step.line}")
                     for step in scenario.all_steps]
            planned, _ = plan.planned_scenario(steps, grammar, settings)
            lines += [f"{_shown(path)}:{scenario.line}: {scenario.name}", *plan.trust(planned), ""]
    return lines


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help="print each scenario's plan instead of linting")
    mode.add_argument("--tag-expressions", action="store_true", help="check only these files' tag expressions")
    parser.add_argument("paths", nargs="*", help=".feature files or folders (default: features/)")
    options = parser.parse_args(arguments)
    try:
        if options.tag_expressions:
            problems = tag_problems([Path(argument).resolve() for argument in options.paths])
        else:
            paths = feature_files(options.paths)
            load_steps()
            if options.plan:
                print("\n".join(plans(paths)))
                return 0
            problems = lint(paths) + tag_problems(tag_sources())
    except NoSuchFeature as error:
        print(f"lint-features: {error}")
        return 2
    for problem in problems:
        print(problem)
    print(f"lint-features: {len(problems)} problem(s)")
    return 1 if problems else 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
