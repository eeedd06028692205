"""What a step takes from its scenario (its table, its numbers, client names and instructions), checked strictly
and before anything is sent. A table or value that could make a check pass without looking is refused in one
line naming it.

Each step declares its inputs once, with `@takes(...)`; the same declaration serves the run (the step is checked
before its body runs) and `make lint-features` (the files are checked without starting anything), so a product
owner learns of a mistake in a second.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from lib import naming
from lib.expect.instructions import Grammar
from lib.settings import Settings


class InputError(ValueError):
    """A table or value in a scenario that cannot be used as written."""


class TableLike(Protocol):
    headings: list[str]

    def __iter__(self) -> Any: ...


Row = dict[str, str]


@dataclass(frozen=True)
class Table:
    """The table a step takes: its columns, which must be filled in every row, which may not repeat."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    filled: tuple[str, ...] = ()  # besides `required`, columns that must not be empty
    unique: str = ""  # a column whose values may not repeat (e.g. `client`)
    min_rows: int = 1
    why_rows: str = ""  # why a step needs at least `min_rows` rows

    def rows(self, table: TableLike | None) -> list[Row]:
        if table is None:
            raise InputError(f"this step needs a table with the column(s) {', '.join(self.required)}")
        headings = list(table.headings)
        missing = [c for c in self.required if c not in headings]
        unknown = [c for c in headings if c not in self.required + self.optional]
        if missing or unknown:
            what = "; ".join(filter(None, [f"missing column(s) {', '.join(missing)}" if missing else "",
                                           f"unknown column(s) {', '.join(unknown)}" if unknown else ""]))
            raise InputError(f"the table has {what}; its columns are: {', '.join(self.required + self.optional)}")
        found = [{h: row[h].strip() for h in headings} for row in table]
        if not found:
            raise InputError(f"the table has a header ({', '.join(headings)}) but no rows")
        if len(found) < self.min_rows:
            raise InputError(f"the table has {len(found)} row(s); this step needs at least {self.min_rows}: "
                             f"{self.why_rows}")
        for column in self.required + self.filled:
            empty = [str(i + 1) for i, row in enumerate(found) if not row.get(column)]
            if empty:
                raise InputError(f"row(s) {', '.join(empty)} of the table leave the {column!r} column empty")
        if self.unique:
            values = [row[self.unique] for row in found]
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise InputError(f"the table names {self.unique}(s) {', '.join(map(repr, twice))} more than once")
        return found


CLIENTS = Table(("client",), unique="client")
EMAILS = Table(("client", "instruction"))
EMAILS_AT_ONCE = Table(("client", "instruction"), min_rows=2, why_rows="one email arrives with nothing else")
INSTRUCTIONS = Table(("instruction",))
INTERRUPTING_INSTRUCTIONS = Table(("instruction",), min_rows=2, why_rows="the first edit is the one built while the "
                                  "next arrives, so one row interrupts nothing")
THREADED_INSTRUCTIONS = Table(("thread", "instruction"))

# Names a step's values go by: every step that takes a client calls it `client` (or `other`), every instruction
# `instruction`, so that one rule checks each kind wherever it appears.
CLIENT_VALUES = ("client", "other")
CLIENT_COLUMNS = ("client",)
INSTRUCTION_VALUES = ("instruction",)


def at_least(minimum: float, what: str, unit: str = "") -> Callable[[float], None]:
    def check(value: float) -> None:
        if value < minimum:
            raise InputError(f"{what} must be at least {minimum:g}{' ' + unit if unit else ''}, got {value:g}")
    return check


@dataclass(frozen=True)
class Inputs:
    """A step's declared inputs, and what it adds to the scenario's plan (lib/scenario/plan.py): `gives_clients`, the
    clients it names are new clients of the scenario (`with_site`: with an edit bucket); `sends`, the emails it
    sends (`at_once`: at the same moment); `marks`, what else it does that later checks rest on; `needs`, what the
    scenario must have done before it for this check to be able to fail."""

    table: Table | None = None
    values: Mapping[str, Callable[[Any], None]] = field(default_factory=dict)
    gives_clients: bool = False
    with_site: bool = True
    sends: Callable[..., list[tuple[str, str, str]]] | None = None
    at_once: bool = False
    marks: Callable[..., list[str]] | None = None
    needs: tuple[Callable[..., str | None], ...] = ()
    reads: Callable[..., list[int]] | None = None  # a check's: the emails whose mishandling would turn it red
    serial: bool = False  # a sender's: each of its emails once the last has ended

    def check(self, table: TableLike | None, values: Mapping[str, Any], grammar: Grammar,
              settings: Settings) -> list[Row]:
        """The table's rows, once the table and every value are usable; else InputError naming the first
        that is not."""
        rows = self.table.rows(table) if self.table else []
        for name, check in self.values.items():
            if name in values:
                check(values[name])
        for name in self.clients(rows, values):
            naming.check_client_name(name, settings)
        for instruction in [values[v] for v in INSTRUCTION_VALUES if v in values] + [
                row[c] for row in rows for c in INSTRUCTION_VALUES if c in row]:
            grammar.check(instruction)
        return rows

    @staticmethod
    def clients(rows: list[Row], values: Mapping[str, Any]) -> list[str]:
        """The client names a step uses, from its values and its table."""
        return [values[v] for v in CLIENT_VALUES if v in values] + [
            row[c] for row in rows for c in CLIENT_COLUMNS if c in row]


StepFunction = Callable[..., None]


def takes(table: Table | None = None, *, gives_clients: bool = False, with_site: bool = True,
          sends: Callable[..., list[tuple[str, str, str]]] | None = None, at_once: bool = False,
          marks: Callable[..., list[str]] | None = None, needs: tuple[Callable[..., str | None], ...] = (),
          reads: Callable[..., list[int]] | None = None, serial: bool = False,
          **values: Callable[[Any], None]) -> Callable[[StepFunction], StepFunction]:
    """Declares what a step takes (and, for the scenario's plan, what it sends, marks and needs); the step runs
    only once its inputs are checked, and receives the table's rows as `rows` when it takes a table. A step that
    does not give clients may name only clients the scenario has given."""
    declared = Inputs(table, values, gives_clients, with_site, sends, at_once, marks, needs, reads, serial)

    def decorate(step: StepFunction) -> StepFunction:
        @functools.wraps(step)
        def run(context: Any, **kwargs: Any) -> None:
            world = getattr(context, "world", None)
            rows = declared.check(context.table, kwargs, world.target.grammar if world else Grammar(),
                                  world.target.settings if world else Settings())
            scenario = getattr(getattr(context, "world", None), "scenario", None)
            if scenario is not None and not declared.gives_clients:
                for name in declared.clients(rows, kwargs):
                    scenario.client(name)  # an unknown client is named before anything is sent
            if table is not None:
                kwargs["rows"] = rows
            step(context, **kwargs)

        run.inputs = declared  # type: ignore[attr-defined]  # read by tools/lint_features.py
        return run
    return decorate


def inputs_of(step: Callable[..., Any]) -> Inputs | None:
    found = getattr(step, "inputs", None)
    return found if isinstance(found, Inputs) else None
