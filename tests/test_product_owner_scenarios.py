"""Scenarios a product owner wrote from `make catalog` alone (a helper who never saw the steps' code) run as
written, with no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_behave

pytestmark = pytest.mark.sandbox


def test_the_catalog_is_enough_to_write_scenarios_that_run(tmp_path: Path) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "steps").symlink_to(ROOT / "features" / "steps")
    (features / "environment.py").symlink_to(ROOT / "features" / "environment.py")
    shutil.copy(Path(__file__).parent / "fixtures" / "product_owner.feature", features)
    result = run_behave(str(features), reports=tmp_path / "reports", timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 scenarios passed, 0 failed" in result.stdout
