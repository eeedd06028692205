"""Faults the real WebOrdinary is known to have (docs/contract.md#known-faults-of-the-real-system), by the name a
scenario's `@real-fault:<name>` tag gives them, each with the evidence that makes a failed check that fault and
nothing else.

The one rule (`judge`), used for the console, JUnit and the living documentation alike: a failed check counts as
a known fault only when every problem it names (its `; `-joined parts) shows all the evidence of one of the faults
its scenario accepts. Any other problem stays red. After a check fails as known, the scenario goes on: each later
check has its own verdict, and a later failure must be explained the same way, or the scenario is red.

Which faults a scenario accepts:
- judging the real system (a stack on AWS, or the real container on the embedded AWS): every fault it tags;
- judging the sandbox's stand-ins: only the tagged faults the stand-ins share (`everywhere`: they run the same
  `aws s3 sync`, or keep the real commit tag on purpose); the others they must not have, so those stay red.
These faults depend on timing (which container takes a claim, when an interrupt lands), so a run where one does not
show passes, unless the scenario is also tagged `@known-fault`: then it must show one (a strict xfail).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lib.expect import contract

TAG = "real-fault:"
STRICT_TAG = "known-fault"  # the scenario must show one of its tagged faults, on every target
PROBLEM_SEPARATOR = "; "  # how a check joins the problems it found into one message


def one_line(text: str) -> str:
    """Words from outside (a log line, a page) fit to stand inside one problem: on one line, and without the
    separator, which would split them into problems of their own."""
    return " ".join(text.split()).replace(PROBLEM_SEPARATOR, ", ")


@dataclass(frozen=True)
class KnownFault:
    name: str
    contract: str  # what the contract says of it
    evidence: tuple[str, ...]  # regular expressions: a problem is this fault only when it matches every one
    everywhere: bool = False  # the sandbox's stand-ins share it (so it is accepted judging them too)
    # The same fault as another check words it: each its own full set of evidence, matched the same way.
    also: tuple[tuple[str, ...], ...] = ()

    def explains(self, problem: str) -> bool:
        return any(all(re.search(piece, problem) for piece in pieces) for pieces in (self.evidence, *self.also))


# The evidence phrases are the words lib/ writes when it has read that evidence from the system (the log, the
# execution's history, the queues, the ownership table), never a bare time-out.
STRANDED_EVIDENCE = "no container ever received it"
INTERRUPT_EVIDENCE = "after an interrupt: "
CARRIED_ON_EVIDENCE = "it went on after it was preempted: "
DROPPED_BUSY_EVIDENCE = "dropped as busy: "
STASH_EVIDENCE = "before it switched, a stash of what the workspace held: "

FAULTS = {fault.name: fault for fault in (
    KnownFault(
        "stranded-after-interrupt",
        "after an interrupt the container releases its project and stops polling its queue, so the emails behind "
        "the interrupt wait for a claim that the rate limit does not send, and their executions time out "
        "(docs/contract.md#stranded-after-interrupt)",
        (r"ended in failure \(FAILED: (ProcessingTimeout|States\.Timeout)",
         re.escape(STRANDED_EVIDENCE), re.escape(INTERRUPT_EVIDENCE)),
    ),
    KnownFault(
        "interrupted-build-succeeds",
        "an interrupted build exits with code null, which the container does not take for an interrupt: it logs "
        "`Build failed with code null`, sends Task success with buildSuccess: false, then PREEMPTED on the spent "
        "token (docs/contract.md#interrupted-build-succeeds)",
        (r"ended with a failed build", re.escape(INTERRUPT_EVIDENCE), r"Build failed with code null"),
    ),
    KnownFault(
        "interrupted-sync-fails",
        "the same for the sync: an interrupted `aws s3 sync` exits with code null, not 130, so the container logs "
        "`S3 sync failed with code null`, sends Task success with deploySuccess: false, then PREEMPTED on the spent "
        "token (docs/contract.md#interrupted-sync-fails; message-processor.service.ts:481-495)",
        (r"ended with a failed sync", re.escape(INTERRUPT_EVIDENCE), r"S3 sync failed with code null"),
    ),
    KnownFault(
        "works-on-after-preemption",
        "an interrupt that reaches a container still cloning a new client's site is handled at once (PREEMPTED "
        "sent, the job cleared) but does not stop the work: the container goes on with the preempted instruction, "
        "commits it on the thread's branch, skips the build (its job is gone) and never pushes, so the preempted "
        "thread's work is lost; its callbacks then fail with InvalidToken (docs/contract.md#works-on-after-preemption; "
        "message-processor.service.ts:157-194 and 380-382)",
        (r"is not on GitHub, though the container committed its work", r"ended preempted by a newer email",
         re.escape(CARRIED_ON_EVIDENCE)),
        # The interrupt landed before the container switched to the thread, so its lines precede the session's.
        also=((r"ended preempted by a newer email", re.escape(CARRIED_ON_EVIDENCE),
               r"its log lacks 'Processing interrupt'"),),
    ),
    KnownFault(
        "claims-while-owning",
        "a container that owns a project still takes claims for others and repoints its queue, so the first "
        "client's queue stops being served (docs/contract.md#claims-while-owning; generic-container.service.ts:76-117)",
        (r"claimed .* after it: a container polls the queue of the project it claimed last",),
    ),
    KnownFault(
        "work-carried-across-threads",
        "the first message a container takes commits nothing of what its workspace holds uncommitted (it commits on "
        "the old branch only after a switch of its own: message-processor.service.ts:263-272); it stashes it and "
        "applies it on the new thread's branch (git.service.ts:505-557), so what Claude wrote for a thread before it "
        "failed, left on the shared volume by a container since stopped, is published with another thread's edit "
        "(docs/contract.md#work-carried-across-threads)",
        (r"still contains", re.escape(STASH_EVIDENCE), re.escape(contract.LINE_STASH_APPLIED)),
    ),
    KnownFault(
        "drops-while-busy",
        "a container that polls two queues at once (it claimed a second project while it owned one: "
        "claims-while-owning) takes a message while it works on another, returns at once because it is busy, and "
        "its poller then deletes the message, which is lost (message-processor.service.ts:77-80, "
        "generic-container.service.ts:183-211; docs/contract.md#drops-while-busy)",
        (r"its message was taken and not handled", re.escape(DROPPED_BUSY_EVIDENCE)),
    ),
    KnownFault(
        "shared-commit-tag",
        "the commit tag is the first 8 characters of the thread id, so every `thread-17...` thread is tagged "
        "[thread-1] (docs/contract.md#shared-commit-tag; commit-message.service.ts:126-130); the stand-ins keep it",
        (r"share the commit tag \[thread-1\]",),
        everywhere=True,
    ),
    KnownFault(
        "mixed-builds",
        "`aws s3 sync` uploads file by file, so a visitor can see a page of the new build beside one of the old "
        "(docs/contract.md#mixed-builds); the stand-ins run the same sync. The setting mixed_builds=fail refuses "
        "it everywhere",
        (r"a visitor saw a mix of two builds",),
        everywhere=True,
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
                                    f"{', '.join(sorted(FAULTS))} (lib/expect/known_faults.py)")
        found.append(FAULTS[name])
    return found


def tag_problems(tags: Iterable[str]) -> list[str]:
    """What is wrong with a scenario's fault tags (for the run's start and `make lint-features`)."""
    tags = list(tags)
    try:
        faults = tagged(tags)
    except UnknownFaultError as error:
        return [str(error)]
    if STRICT_TAG in tags and not faults:
        return [f"@{STRICT_TAG} says the scenario must show a known fault: name it with @{TAG}<name> (known: "
                f"{', '.join(sorted(FAULTS))})"]
    return []


def accepted(tags: Iterable[str], *, real_system: bool, refused: Iterable[str] = ()) -> list[KnownFault]:
    """The faults a scenario's failed checks may be explained by on this target (see the module's docstring);
    `refused`: fault names a setting will not accept on any target (mixed_builds=fail)."""
    no = set(refused)
    return [f for f in tagged(tags) if (real_system or f.everywhere) and f.name not in no]


def problems_of(message: str) -> list[str]:
    return [p.strip() for p in message.strip().split(PROBLEM_SEPARATOR) if p.strip()]


def explaining(message: str, faults: list[KnownFault]) -> list[KnownFault]:
    """The faults that explain every problem of a failed check's message, or [] when one problem is not theirs."""
    shown: list[KnownFault] = []
    problems = problems_of(message)
    for problem in problems:
        fault = next((f for f in faults if f.explains(problem)), None)
        if fault is None:
            return []
        if fault not in shown:
            shown.append(fault)
    return shown if problems else []


@dataclass(frozen=True)
class Seen:
    """A failed check of a scenario that counts as known faults: where, which faults, and the check's own words."""

    check: str  # the step's text, or the after-scenario check that failed
    faults: tuple[str, ...]
    message: str

    def describe(self) -> str:
        return f"{', '.join(self.faults)}: {self.message}"


def judge(check: str, message: str, faults: list[KnownFault]) -> Seen | None:
    """The one rule: the failed check as known faults, or None (the failure is red)."""
    shown = explaining(message, faults)
    return Seen(check, tuple(f.name for f in shown), message) if shown else None


def summary(seen: list[Seen]) -> str:
    """A scenario's known faults in one line (its reason in the console, JUnit and the living documentation)."""
    names = list(dict.fromkeys(name for s in seen for name in s.faults))
    return f"known fault {', '.join(names)}: {seen[0].message}" + (
        f" (and {len(seen) - 1} more check(s) failing as known)" if len(seen) > 1 else "")
