"""The suite enters WebOrdinary only as production does (emails); it never forges what the system makes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Calls that would send queue messages or claim requests, forge task tokens or callbacks, start executions by
# hand, or write the system's bookkeeping tables.
FORBIDDEN = re.compile(r"\.(send_message|send_message_batch|send_task_\w+|start_execution|put_item|update_item|"
                       r"delete_item|batch_write_item|transact_write_items)\(|taskToken")


def test_neither_the_library_nor_the_steps_write_what_only_the_system_may_write() -> None:
    offending = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for folder in ("lib", "features")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), 1) if FORBIDDEN.search(line)]
    assert offending == []
