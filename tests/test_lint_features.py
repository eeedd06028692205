"""`make lint-features` finds, in a second and without starting anything, the mistakes a run would refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lib.scenario import plan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def lint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "lint_features.py"), *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_project_features_are_clean() -> None:
    result = lint()
    assert result.returncode == 0, result.stdout
    assert "lint-features: 0 problem(s)" in result.stdout


def test_a_path_that_is_no_feature_is_named_in_one_sentence_not_a_traceback() -> None:
    result = lint(Path("features/visitors.feature"))
    assert result.returncode == 2
    assert result.stdout.strip() == ("lint-features: 'features/visitors.feature' is neither a .feature file nor a"
                                     " folder of them (give paths such as features/ or features/visitor.feature)")
    assert "Traceback" not in result.stderr


def test_every_mistake_a_run_refuses_is_found_with_its_line() -> None:
    result = lint(FIXTURES / "mistakes.feature")
    output = result.stdout
    assert result.returncode == 1
    for line, message in [
        (6, "cannot interpret instruction 'Make the logo pop'; the target understands: Add header with text"),
        (10, "client(s) 'nobody' used before a Given step of this scenario gives them a site"),
        (14, "the gap between emails must be at least 0 seconds, got -1"),
        (20, "client name 'Olga Smith' is not usable"),
        (24, "the table has a header (client) but no rows"),
        (29, "the table names client(s) 'olga' more than once"),
        (37, "the table has unknown column(s) colour; its columns are: client, instruction"),
        (44, "row(s) 2 of the table leave the 'instruction' column empty"),
        (52, "the number of timestamp updates must be at least 1, got 0"),
        (56, "@real-fault:flaky-moon: no known fault of the real system is called 'flaky-moon'; known: "),
    ]:
        assert any(f"mistakes.feature:{line}:" in row and message in row for row in output.splitlines()), (
            f"line {line}: {message!r} not in:\n{output}")


def test_a_scenario_without_a_then_step_is_found() -> None:
    result = lint(FIXTURES / "silent_passes.feature")
    assert "silent_passes.feature:23: scenario 'Emails sent and nothing checked' has no Then step" in result.stdout


def test_every_check_that_could_not_fail_is_refused_with_its_line() -> None:
    """The vacuous patterns each refused by the rule the run applies too (lib/scenario/plan.py)."""
    result = lint(FIXTURES / "vacuous.feature")
    assert result.returncode == 1
    for line, message in [
        (7, 'no email of this scenario writes "Bruno\'s Bikes" on a site before this step'),
        (11, "the table has 1 row(s); this step needs at least 2: one email arrives with nothing else"),
        (14, "no two emails of this scenario are sent at the same time before this step"),
        (22, "no two emails of this scenario are sent at the same time before this step"),
        (27, "'nina' has no thread 'B' before this step (its named threads: A)"),
        (32, "no client sends two emails before this step that could be handled out of order"),
        (37, "fewer than two threads start before this step, so none can share a tag"),
        (43, "'omar' sends no email before this step"),
        (48, "this check compares clients' sites, and before it only 'nina' has a site and an email"),
        (54, "no email of the client follows the visitor's first read, so no redeploy is watched"),
        (59, "no email is sent while another is building before this step"),
        (64, "'nina' sends fewer than two emails before this step, so nothing can still show"),
        (68, "client(s) 'burno' used before a Given step of this scenario gives them a site (given so far: bruno); "
             "did you mean 'bruno'?"),
    ]:
        assert any(f"vacuous.feature:{line}:" in row and message in row for row in result.stdout.splitlines()), (
            f"line {line}: {message!r} not in:\n{result.stdout}")


def test_a_product_owners_mistakes_are_each_refused_by_lint_as_by_the_run() -> None:
    result = lint(FIXTURES / "traps")
    assert result.returncode == 1
    for where, message in [
        ("empty_outline.feature:4", "has an Examples table with no rows, so it runs nothing"),
        ("misspelt.feature:7", "is not a step of the catalog; the closest: the site of \"{client}\" shows the heading"),
        ("misspelt.feature:18", "reads as 2 steps of the catalog"),
        ("misspelt.feature:27", "'it' could mean any of quinn's email on line 23"),
        ("misspelt.feature:33", "sven's email on line 33 ('Add broken page oops') is read by no check after it"),
        ("misspelt.feature:38", "only 'amy' sends email before this step"),
        ("misspelt.feature:49", "writes 'Welcome' too, so seeing it on the site of amelia cannot tell"),
        ("misspelt.feature:58", "no client sends two emails before this step that could be handled out of order"),
        ("misspelt.feature:64", "no email of this scenario writes 'secret key ABC123' on a site"),
        ("misspelt.feature:67", "@use.with_target=sandbox is not an active tag of this suite"),
        ("misspelt.feature:75", "a build limit of 45 s is 11 times what a build typically takes"),
        ("rule.feature:4", "is not used in this suite's features"),
    ]:
        assert any(where in row and message in row for row in result.stdout.splitlines()), (where, result.stdout)


def test_the_closest_steps_keep_the_meaning_of_what_was_written() -> None:
    patterns = ['the site of "{client}" shows "{text}"', 'the site of "{client}" does not show "{text}"',
                'the site of "{client}" still shows "{text}"']
    assert plan.closest('the site of "a" show "x"', patterns) == ['the site of "{client}" shows "{text}"']
    assert plan.closest('the site of "a" does not shows "x"', patterns) == [
        'the site of "{client}" does not show "{text}"']


def test_a_product_owners_feature_from_the_catalog_is_clean() -> None:
    result = lint(FIXTURES / "new_phrasings.feature")
    assert result.returncode == 0, result.stdout


# behave's v1 tag syntax, built here so that this file itself passes the check it tests.
V1_OR, V1_NOT = "@a" + ",@b", "~" + "@slow"


def lint_tags(path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path.write_text(text)
    return subprocess.run([sys.executable, str(ROOT / "tools" / "lint_features.py"), "--tag-expressions", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_a_v1_tag_expression_is_named_with_its_line_and_its_v2_spelling(tmp_path: Path) -> None:
    makefile = (f"acceptance:\n\t$(BIN)/behave --tags={V1_OR}\n\n"
                f"slow:\n\t@echo slow; \\\n\t  $(BIN)/behavex -t {V1_NOT} \\\n\t  -o reports/behavex\n")
    result = lint_tags(tmp_path / "Makefile", makefile)
    assert result.returncode == 1
    assert (f"Makefile:2: tag expression '{V1_OR}' is v1-only, which behave's next major removes: "
            'write one --tags="@a or @b"') in result.stdout
    assert f"Makefile:6: tag expression '{V1_NOT}' is v1-only" in result.stdout
    assert 'write one --tags="not @slow"' in result.stdout
    script = (f'command = ["behave", "--tags={V1_OR}", "-f", "plain"]\n'
              'both = ["behave", "-t", "@s3", "--tags", "@fast"]\n')
    result = lint_tags(tmp_path / "run.py", script)
    assert "run.py:1: tag expression" in result.stdout and 'write one --tags="@a or @b"' in result.stdout
    assert 'run.py:2: 2 --tags options (v1 ANDs them)' in result.stdout
    assert 'write one --tags="@s3 and @fast"' in result.stdout
    result = lint_tags(tmp_path / "behave.ini", f"[behave]\ntags = @s3\n    {V1_NOT}\nformat = plain\n")
    assert 'behave.ini:2: 2 --tags options' in result.stdout and '--tags="@s3 and not @slow"' in result.stdout
    workflow = f'on:\n  workflow_dispatch:\n    inputs:\n      tags:\n        default: "{V1_OR}"\n'
    assert "tests.yml:5: tag expression" in lint_tags(tmp_path / "tests.yml", workflow).stdout


def test_v2_tag_expressions_and_values_known_only_when_run_pass(tmp_path: Path) -> None:
    makefile = ('acceptance:\n\t$(BIN)/behave --tags="@a or @b"\n\t$(BIN)/behave --tags="not @slow"\n'
                '\t$(BIN)/behavex -t @s3 -o reports/behavex\n\tls -t reports\n\t$(BIN)/behave --tags="$(TAGS)"\n')
    assert lint_tags(tmp_path / "Makefile", makefile).returncode == 0
    script = ('import argparse\n'
              'parser = argparse.ArgumentParser()\n'
              'parser.add_argument("--tags", default="not @slow")\n'
              'command = ["behave", "--tags=@a or @b", "-f", "plain"]\n'
              'later = ["behave", f"--tags={parser}"]\n')
    result = lint_tags(tmp_path / "run.py", script)
    assert result.returncode == 0, result.stdout
    assert "lint-features: 0 problem(s)" in result.stdout


def test_the_v2_spelling_selects_what_the_v1_expressions_selected() -> None:
    import importlib.util
    import itertools

    from behave.tag_expression.builder import TagExpressionProtocol, make_tag_expression

    spec = importlib.util.spec_from_file_location("lint_features", ROOT / "tools" / "lint_features.py")
    assert spec and spec.loader
    lint_features = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lint_features)
    for v1 in ([V1_OR], [V1_NOT], ["@s3", V1_NOT], [f"{V1_OR} {V1_NOT}"], ["@a", "@b" + "," + "~@c"]):
        assert all(lint_features.v1_only(e) for e in v1) or len(v1) > 1
        v2 = lint_features.v2_spelling(v1)
        old = make_tag_expression([word for e in v1 for word in e.split()], TagExpressionProtocol.V1)
        new = make_tag_expression(v2, TagExpressionProtocol.V2)
        for n in range(5):
            for tags in itertools.combinations(["a", "b", "c", "s3", "slow"], n):
                assert old.check(tags) == new.check(tags), (v1, v2, tags)
    assert not lint_features.v1_only("@a or @b") and not lint_features.v1_only("not @slow")
    assert not lint_features.v1_only("@use.with_target=local")
