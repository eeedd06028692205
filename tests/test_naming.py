from __future__ import annotations

import re

import pytest

from lib import contract, naming
from lib.settings import Settings


def test_clients_are_namespaced_by_run() -> None:
    settings = Settings(run_id="3f9a1c")
    assert naming.client_id(settings, "amelia") == "wat-3f9a1c-amelia"
    assert naming.bucket_for(settings, "wat-3f9a1c-amelia") == "edit.wat-3f9a1c-amelia.webordinary.com"


def test_a_name_that_would_overflow_the_bucket_name_is_refused() -> None:
    with pytest.raises(naming.NamingError, match="S3 allows 63"):
        naming.client_id(Settings(run_id="3f9a1c", name_prefix="webordinary-acceptance"), "a" * 31)


def test_bad_client_names_are_refused_with_the_rule() -> None:
    with pytest.raises(naming.NamingError, match="'Amelia B' is not usable: use 1-31 lowercase"):
        naming.client_id(Settings(), "Amelia B")


def test_branch_rule_has_no_double_prefix() -> None:
    assert contract.branch_for_thread("thread-1755742464803-pmm01j") == "thread-1755742464803-pmm01j"
    assert contract.branch_for_thread("unique-content-1") == "thread-unique-content-1"
    assert contract.branch_for_thread("x", branch="feature/y") == "feature/y"


def test_thread_ids_look_like_the_real_ones() -> None:
    assert re.fullmatch(r"thread-\d{13}-[0-9a-f]{6}", naming.new_thread_id())
