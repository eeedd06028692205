"""Scenarios a product owner wrote from `make catalog` alone (a helper who never saw the steps' code) run as
written, with no code change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_feature_file

pytestmark = pytest.mark.sandbox


def test_the_catalog_is_enough_to_write_scenarios_that_run(tmp_path: Path) -> None:
    result = run_feature_file(Path(__file__).parent / "fixtures" / "product_owner.feature", tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 scenarios passed, 0 failed" in result.stdout
