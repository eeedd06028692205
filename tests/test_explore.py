"""make explore's generator and printer, without a sandbox: every instruction it makes up is one the sandbox's
grammar takes, and every scenario it prints is one the step catalog has words for (make lint-features finds no
problem in it), text outside ASCII and table delimiters included."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from lib.expect.instructions import Grammar
from sandbox.app import instruction_grammar
from tools.explore import Exploration, Step, instructions, scenario

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = Grammar.from_published(instruction_grammar())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(instructions())
def test_every_instruction_it_makes_up_is_one_the_sandbox_understands(instruction: str) -> None:
    GRAMMAR.check(instruction)


def test_a_printed_case_is_a_scenario_the_catalog_has_words_for(tmp_path: Path) -> None:
    steps = [Step("Given", 'client "ada" has an edit site'), Step("Given", 'client "ben" has no edit site'),
             Step("When", '"ada" emails on a new thread "T1": Add header with text "Zoë & «thé» 🍡"'),
             Step("When", '"ada" replies on thread "T1": Update page title to "a|b\\\\c"'),
             Step("When", '"ada" emails with base64 encoding: Add secret key kéy to config'),
             Step("When", "these emails arrive at the same time:",
                  [["client", "instruction"], ["ada", 'Add header with text "x|y"'],
                   ["ben", "Create site for client 7"]]),
             Step("When", '"ada" emails these edits on new threads, each while the last is building:',
                  [["instruction"], ['Add header with text "1"'], ['Add header with text "2"']]),
             Step("When", 'the container of "ada" has released it after being idle')]
    feature = tmp_path / "explored.feature"
    feature.write_text(f"@s3\nFeature: explored\n\n{scenario(steps, 'a case')}\n")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "lint_features.py"), str(feature)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    text = feature.read_text()
    assert "| ada    | Add header with text \"x\\|y\" |" in text  # a cell's | escaped as Gherkin wants it
    assert text.count("\n    Given ") == 1 and text.count("\n    When ") == 1  # the rest are And


def test_past_its_budget_an_exploration_starts_nothing_new_but_still_shrinks_a_failure() -> None:
    run = Exploration(None, {}, False, budget_s=0.0)  # type: ignore[arg-type]
    assert run.spent()
    run.failing_since = time.monotonic()  # a failure found before: its shrinking goes on, in its own budget
    assert not run.spent()
    assert not Exploration(None, {}, False, budget_s=60.0).spent()  # type: ignore[arg-type]
