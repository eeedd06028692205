"""Fault switches: make every worker misbehave like a known failure of the real system.

`WEBORDINARY_SANDBOX_FAULT=name[,name]`. Each exists to prove the suite goes red when it happens.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

ENV_VAR = "WEBORDINARY_SANDBOX_FAULT"

# name -> the real fault it mirrors
FAULTS: dict[str, str] = {
    "carry-over": "uncommitted work stashed on one thread and popped onto the next thread's branch",
    "no-delete": "aws s3 sync without --delete: files the latest build dropped stay online",
    "shared-bucket": "a wrong bucket name: every client deploys into the first client's bucket",
    "no-push": "commits never reach GitHub (e.g. a failed build leaves them unpushed)",
    "crash-on-sync-failure": "an unhandled sync error kills the container",
    "silent-sync-failure": "a failed sync the container does not log (no `S3 sync failed` line)",
    "stale-build": "the previous dist/ is deployed without building the new edit (after a first real build)",
    "out-of-order": "a lost FIFO guarantee: a client's waiting messages are handled newest first",
    "slow-build": "a build that takes seconds longer than it should",
    "same-branch": "every thread commits to one branch instead of its own",
    "wrong-site-url": "the success callback's siteUrl names a hard-coded project ('amelia'), not the client's",
    "success-despite-failure": "a failed sync reported as deploySuccess: true in the success callback",
    "preempted-work-lost": "a preempted session's work is neither committed nor pushed",
    "interrupt-names-old-thread": "CheckActiveJob's interrupt names the active job's thread as the new one: the "
                                  "session it preempts is told of a message in its own thread, not the newer email's",
    "claims-while-owning": "a container that owns a project takes another project's claim and stops serving "
                           "the first (generic-container.service.ts:94-147)",
    "commit-as-root": "the container's git identity is not set: its commits are authored by root@localhost",
    "process-twice": "a message handled twice (its delete failed, so it came back): a second commit, build and sync",
    "stale-ownership": "the ownership row's lastActivity and ttl are set at the claim and never moved by messages",
    "deploy-failed-build": "a failed build deploys whatever dist/ holds and pushes its commit anyway",
    "done-before-done": "the success callback is sent before the sync and the push have finished",
    "push-after-callback": "the success callback sent after the sync but before the push, which follows at once",
    "summary-only": "an edit lands only in the site's change list, not in the element the instruction names",
    "partial-sync": "a sync that stops part-way: the pages the home page links to are not uploaded",
    "wrong-content-type": "pages stored as application/octet-stream: a browser downloads them instead of showing them",
    "cached-pages": "pages uploaded with Cache-Control 'max-age=31536000, immutable': a browser that saw a page "
                    "keeps it for a year and never sees the next edit",
    "staggered-sync": "the home page uploaded seconds before the pages it links to: a visitor meets a mix of builds",
    "stranded-after-interrupt": "after an interrupt the container releases its project and stops polling its queue: "
                                "the emails behind the interrupt wait for a claim the rate limit does not send "
                                "(the real container, 163a3ef)",
    "intake-user-from-sender": "ParseEmail takes the user from the sender's address, not the recipient's",
    "intake-reply-new-thread": "ParseEmail ignores In-Reply-To and References: every reply starts a thread of its own",
    "intake-stale-queue": "ParseEmail keeps the first queue URL it made (a lambda's module-level cache): every "
                          "later email goes to the first client's queue",
    "ownership-misread": "CheckOwnership looks up the project without its user: an owned project's emails are "
                         "routed as unowned, with a new claim each",
    "drops-a-message": "a container takes its second message while it thinks it is busy, logs 'Already processing a "
                       "message' and deletes it unhandled (message-processor.service.ts:78-81 with two consumers)",
    "releases-while-working": "a container releases its project as soon as it starts a message and works on",
    "handles-at-once": "a container takes a batch of its client's messages and works on them all at once, in one "
                       "workspace",
    "files-after-commit": "the success callback's filesChanged is read after the commit, when git sees no change: "
                          "always []",
    "callback-queue-message-id": "the success callback's messageId is the queue message's id, not the email's",
    # What the system emits that no step reads:
    "leaks-token": "the container logs the repository's URL with a GitHub token in it each time it starts a message",
    "trailer-drops-generated-by": "the commit's trailer lacks its last line, `Generated by Claude Code Container`",
    "callback-extra-field": "the success callback carries a field the contract does not have (`branch`)",
    "heartbeat-never-stopped": "the heartbeat is never stopped once a message is done: no `Stopped heartbeat`, and "
                               "the dead token's heartbeats go on (stepfunctions-callback.service.ts:47)",
    "interrupt-poll-errors": "every empty poll of the interrupt queue is taken for a message and fails: an ERROR "
                             "`Error polling interrupt queue` in every session (generic-container.service.ts:256)",
    "boot-default-table": "the container states an empty active-jobs table as it starts (main.ts:31)",
    "claude-error-swallowed": "when Claude fails, the executor swallows its error (claude-executor.service.ts:181 "
                              "with an empty catch): no `Claude Code SDK execution failed` line, and the workflow "
                              "fails later on the missing result",
    "short-ownership-ttl": "each message moves the ownership row's ttl a minute ahead, not an hour: the row of a "
                           "container at work can expire and be claimed by another",
    # Inputs the scenarios never sent:
    "subject-ascii-only": "the commit subject drops every character outside ASCII",
    "intake-ignores-charset": "ParseEmail takes the body as it is transferred, without decoding its quoted-printable "
                              "or base64",
    "html-escaped-twice": "the edit stores its text HTML-escaped, so the page escapes it again: `&` reads `&amp;`",
    # Time scales the scenarios never reached:
    "claim-window-exceeds-idle": "the rate-limited claim allows one claim per six idle releases: a client who comes "
                                 "back after its container released the project gets no claim",
    "release-keeps-row": "an idle container stops without deleting its ownership row: the client's next email goes "
                         "to a queue nobody reads",
    # Not a fault: a known fault fixed. A @known-fault scenario that passes must turn the run red.
    "fixed-commit-tag": "the known fault `[thread-1]` for every thread fixed: each thread's commits get a tag "
                        "of their own",
}

SLOW_BUILD_SECONDS = 6.0
LATE_WORK_SECONDS = 2.0  # done-before-done: how long the sync and push start after the callback
# leaks-token: a token shaped as GitHub's installation tokens are (not a real one).
LEAKED_TOKEN = "ghs_" + "S4ndb0xT0k3nN0tR34lAbCdEfGhIjKlMnOpQr"[:36]
CLAIM_WINDOW_FACTOR = 6.0  # claim-window-exceeds-idle


class UnknownFaultError(ValueError):
    """A fault name the sandbox does not know."""


def parse(value: str | None) -> frozenset[str]:
    names = {name.strip() for name in (value or "").split(",") if name.strip()}
    unknown = sorted(names - FAULTS.keys())
    if unknown:
        raise UnknownFaultError(
            f"{ENV_VAR}: unknown fault {', '.join(map(repr, unknown))}; known faults: {', '.join(FAULTS)}"
        )
    return frozenset(names)


def from_environment(environ: dict[str, str] | None = None) -> frozenset[str]:
    return parse((environ if environ is not None else os.environ).get(ENV_VAR))


def describe(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"
