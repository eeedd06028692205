from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sandbox import interpreter
from sandbox.origin import SITE_DIR

SEED_INSTRUCTIONS = [
    'Add header with text "Client A Site"',
    'Update page title to "Version 5"',
    "Create site for client 2",
    "Add secret key ABC123 to config",
    "Add different key XYZ789 to config",
    "Update timestamp to 1764000000000",
    "Test S3 failure handling",
]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(SITE_DIR / "src", tmp_path / "src")
    return tmp_path


@pytest.mark.parametrize("instruction", SEED_INSTRUCTIONS)
def test_every_seed_instruction_changes_the_site(workspace: Path, instruction: str) -> None:
    before = (workspace / interpreter.SITE_DATA).read_text()
    interpreter.apply(instruction, workspace, "thread-1")
    after = json.loads((workspace / interpreter.SITE_DATA).read_text())
    assert (workspace / interpreter.SITE_DATA).read_text() != before
    assert after["changes"][-1]["thread"] == "thread-1"


def test_please_and_case_are_forgiven(workspace: Path) -> None:
    interpreter.apply('please update page title to "Hello".', workspace, "t")
    assert json.loads((workspace / interpreter.SITE_DATA).read_text())["title"] == "Hello"


def test_an_unknown_instruction_names_itself_and_the_supported_forms() -> None:
    with pytest.raises(interpreter.InstructionError) as error:
        interpreter.find_form("Make it pop")
    message = str(error.value)
    assert "'Make it pop'" in message
    for form in interpreter.FORMS:
        assert form.example in message


def test_an_edit_of_many_files_adds_a_page_each_and_never_the_sites_own(workspace: Path) -> None:
    assert interpreter.apply("Add pages about, team, prices and contact", workspace, "t") == (
        "Pages about, team, prices, contact")
    for name in ("about", "team", "prices", "contact"):
        assert f"<h1>{name}</h1>" in (workspace / "src" / "pages" / f"{name}.astro").read_text()
    with pytest.raises(interpreter.InstructionError, match="neither of the site's own pages"):
        interpreter.apply("Add pages index and about", workspace, "t")


def test_a_faq_edit_writes_two_kinds_of_file_in_one_folder(workspace: Path) -> None:
    """The commit subject's `N files in <folder>` (commit-message.service.ts:118-121) needs such an edit."""
    interpreter.apply('Add FAQ "Do you deliver? Yes"', workspace, "t")
    interpreter.apply('Add FAQ "Open on Sundays? No"', workspace, "t")
    assert (workspace / "src" / "data" / "faq.txt").read_text() == "Do you deliver? Yes\nOpen on Sundays? No\n"
    assert json.loads((workspace / interpreter.SITE_DATA).read_text())["changes"][-1]["summary"] == (
        "FAQ Open on Sundays? No")
