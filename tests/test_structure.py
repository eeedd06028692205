"""The house rules a newcomer relies on: a scenario line reaches one library function in two hops (the step makes
one call into lib, a verdict or an action, and asserts its result), and the hooks read as a table of contents."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = ROOT / "features" / "steps"
ACCESSORS = {"world"}  # lib.scenario.world.world(context): the World behave's context carries, not a call into lib


def lib_calls(path: Path) -> dict[str, list[str]]:
    """Each step function of a module -> the calls its body makes into lib (or into a helper of the module)."""
    tree = ast.parse(path.read_text())
    from_lib = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("lib") for alias in node.names} - ACCESSORS
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("_")}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("step_"):
            calls = []
            for inner in (sub for statement in node.body for sub in ast.walk(statement)):
                if isinstance(inner, ast.Call):
                    root = inner.func
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name) and (root.id in from_lib or root.id in helpers):
                        calls.append(ast.unparse(inner.func))
            found[f"{path.stem}.{node.name}"] = calls
    return found


def test_every_step_makes_exactly_one_call_into_lib() -> None:
    steps = {name: calls for path in sorted(STEPS.glob("*.py")) for name, calls in lib_calls(path).items()}
    assert len(steps) >= 47
    wrong = {name: calls for name, calls in steps.items() if len(calls) != 1}
    assert not wrong, f"steps that do not make exactly one lib call: {wrong}"
    modules = {calls[0].split(".")[0] for calls in steps.values()}
    assert modules == {"actions", "verdicts"}, modules  # a Given/When acts, a Then judges


def test_a_then_step_asserts_what_its_verdict_found() -> None:
    """A Then step fails by an assertion of its own, on what its verdict returned (how it words it is its own):
    a verdict called and not asserted would be a check that cannot fail."""
    for path in sorted(STEPS.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and any(
                    isinstance(sub, ast.Call) and ast.unparse(sub.func).startswith("verdicts.")
                    for statement in node.body for sub in ast.walk(statement))):
                continue
            bound = {target.id for statement in node.body if isinstance(statement, ast.Assign)
                     for target in statement.targets if isinstance(target, ast.Name)}
            asserted = {name.id for statement in node.body if isinstance(statement, ast.Assert)
                        for name in ast.walk(statement.test) if isinstance(name, ast.Name)}
            assert bound & asserted, f"{path.stem}.{node.name} calls a verdict and asserts nothing it returned"


def test_the_hooks_read_as_a_table_of_contents() -> None:
    hooks = ast.parse((ROOT / "features" / "environment.py").read_text())
    functions = [node for node in hooks.body if isinstance(node, ast.FunctionDef)]
    assert all(len(function.body) <= 3 for function in functions), [f.name for f in functions if len(f.body) > 3]
    assert len((ROOT / "features" / "environment.py").read_text().splitlines()) < 80
