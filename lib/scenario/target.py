"""The system under test as one object per run: its readers (lib/observe/readers.py), the instructions it
understands, and whether it is the real WebOrdinary. Made by features/environment.py and handed down; nothing
below this layer imports it."""

from __future__ import annotations

from dataclasses import dataclass, field

from lib.expect.instructions import Grammar
from lib.observe.readers import Readers


@dataclass
class Target(Readers):
    grammar: Grammar = field(default_factory=Grammar)
    # Whether what runs the edits is the real WebOrdinary (a stack on AWS, or its container on the embedded AWS)
    # rather than the sandbox's stand-ins: its known faults (lib/expect/known_faults.py) are then recorded as known.
    real_system: bool = False
