"""Progress for a person watching the run."""

from __future__ import annotations

import sys


def console(message: str) -> None:
    """Straight to the terminal, past behave's output capture."""
    print(f"    ... {message}", file=sys.__stderr__, flush=True)
