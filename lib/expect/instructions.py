"""Which instructions the target can act on. The sandbox publishes its grammar (its stand-in for Claude); on AWS
Claude takes anything. A scenario's instruction is checked before any email is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass


class InstructionError(ValueError):
    """An instruction the target cannot interpret; the message names it and the forms it understands."""


_POLITE = re.compile(r"^(please|can you)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Grammar:
    """`forms`: (pattern, example) pairs; an empty grammar accepts any non-empty instruction. `notes`: for a
    form that exists only to make the pipeline take a path on purpose, where it works (its example -> note)."""

    forms: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    outcomes: tuple[tuple[str, str], ...] = ()  # (pattern, outcome) of a form whose session is not deployed

    @classmethod
    def from_published(cls, published: list[dict[str, str]] | None) -> Grammar:
        return cls(tuple((f["pattern"], f["example"]) for f in published or []),
                   tuple((f["example"], f["note"]) for f in published or [] if f.get("note")),
                   tuple((f["pattern"], f["outcome"]) for f in published or [] if f.get("outcome")))

    def outcome(self, instruction: str) -> str | None:
        """How the target says a session with this instruction ends, when that is not a deployment (an edit that
        breaks the build on purpose); None for any other."""
        text = _plain(instruction)
        return next((outcome for pattern, outcome in self.outcomes
                     if re.fullmatch(pattern, text, flags=re.IGNORECASE)), None)

    def catalog(self) -> list[dict[str, str]]:
        """The instructions as a product owner reads them: an example of each form, and its note if any."""
        notes = dict(self.notes)
        return [{"example": example, "note": notes.get(example, "")} for _, example in self.forms]

    def check(self, instruction: str) -> None:
        if not instruction.strip():
            raise InstructionError("the instruction is empty")
        if not self.forms:
            return
        text = _plain(instruction)
        if not any(re.fullmatch(pattern, text, flags=re.IGNORECASE) for pattern, _ in self.forms):
            raise InstructionError(f"cannot interpret instruction {instruction!r}; the target understands: "
                                   + "; ".join(example for _, example in self.forms))


def _plain(instruction: str) -> str:
    return _POLITE.sub("", instruction.strip()).rstrip(" .!?")
