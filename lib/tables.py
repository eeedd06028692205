"""Reading a scenario's tables strictly: a table that could make a check pass without looking is an error,
named in one line before anything is sent."""

from __future__ import annotations

from typing import Any


class TableError(ValueError):
    """A table in a scenario that cannot be used as written."""


def rows(table: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The table's rows as dicts; refuses a missing table, missing or unknown columns, and no rows."""
    if table is None:
        raise TableError(f"this step needs a table with the column(s) {', '.join(required)}")
    headings = list(table.headings)
    missing = [c for c in required if c not in headings]
    unknown = [c for c in headings if c not in required + optional]
    if missing or unknown:
        known = ", ".join(required + optional)
        what = "; ".join(filter(None, [f"missing column(s) {', '.join(missing)}" if missing else "",
                                       f"unknown column(s) {', '.join(unknown)}" if unknown else ""]))
        raise TableError(f"the table has {what}; its columns are: {known}")
    found = [{h: row[h].strip() for h in headings} for row in table]
    if not found:
        raise TableError(f"the table has a header ({', '.join(headings)}) but no rows")
    return found


def client_names(table: Any) -> list[str]:
    names = [row["client"] for row in rows(table, ("client",))]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise TableError(f"the table names client(s) {', '.join(map(repr, twice))} more than once")
    return names


def instructions(table: Any) -> list[str]:
    return [row["instruction"] for row in rows(table, ("instruction",))]
