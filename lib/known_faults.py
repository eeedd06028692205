"""Faults the real WebOrdinary is known to have and the sandbox's stand-in does not (webordinary-contract.md,
"Known faults"), by the name a scenario's tag gives them, and how each shows in a failed check.

A scenario tagged `@real-fault:<name>` is judged as usual. When the suite judges the real system (a stack on AWS,
or the real container on the embedded AWS) and a check of that scenario fails, the failure counts as the known
fault only if every problem the check names is one of the tagged faults showing; any other problem stays red.
Such faults depend on timing (which container takes a claim, when an interrupt lands), so a run where one does
not show passes. Judging the sandbox's stand-in containers, the tag changes nothing: they must keep the promise.

(`@known-fault` is different: a fault every target has, the sandbox included, so the scenario must fail.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

TAG = "real-fault:"
PROBLEM_SEPARATOR = "; "  # how a check joins the problems it found into one message


@dataclass(frozen=True)
class KnownFault:
    name: str
    contract: str  # what the contract says of it
    shows_as: str  # a regular expression over one problem a check names


FAULTS = {fault.name: fault for fault in (
    KnownFault(
        "stranded-after-interrupt",
        "after an interrupt the container releases its project and stops polling its queue, so the emails behind "
        "the interrupt wait for a claim that the rate limit does not send, and their executions time out "
        "(contract, Known faults: \"the FIFO group stays blocked, and the next email's execution times out\")",
        r"ended in failure \(FAILED: (ProcessingTimeout|States\.Timeout|States\.Runtime: .*States\.Timeout)",
    ),
    KnownFault(
        "interrupted-build-succeeds",
        "an interrupted build exits with code null, which the container does not take for an interrupt: it logs "
        "`Build failed with code null`, sends Task success with buildSuccess: false, then PREEMPTED on the spent "
        "token (contract, Known faults)",
        r"ended with a failed build",
    ),
    KnownFault(
        "claims-while-owning",
        "a container that owns a project still takes claims for others and repoints its queue, so the first "
        "client's queue stops being served (contract, Known faults; generic-container.service.ts:94-147)",
        r"claimed .* after it: a container polls the queue of the project it claimed last",
    ),
)}


class UnknownFaultError(ValueError):
    """A `@real-fault:` tag naming no fault of this table."""


def tagged(tags: Iterable[str]) -> list[KnownFault]:
    """The real system's faults a scenario's tags name; an unknown name is an error naming the known ones."""
    found = []
    for tag in tags:
        if not tag.startswith(TAG):
            continue
        name = tag.removeprefix(TAG)
        if name not in FAULTS:
            raise UnknownFaultError(f"@{tag}: no known fault of the real system is called {name!r}; known: "
                                    f"{', '.join(sorted(FAULTS))} (lib/known_faults.py)")
        found.append(FAULTS[name])
    return found


def explaining(message: str, faults: list[KnownFault]) -> list[KnownFault]:
    """The faults that explain every problem of a failed check's message, or [] when one problem is not theirs."""
    problems = [p.strip() for p in message.strip().split(PROBLEM_SEPARATOR) if p.strip()]
    shown: list[KnownFault] = []
    for problem in problems:
        fault = next((f for f in faults if re.search(f.shows_as, problem)), None)
        if fault is None:
            return []
        if fault not in shown:
            shown.append(fault)
    return shown
