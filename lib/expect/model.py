"""The reference model of WebOrdinary: from what was sent (each email's client, user, thread, instruction and time)
and what was done to the system (its clients' buckets, containers killed, time left idle), what the contract fixes
for every session, written from docs/contract.md and the real source (jscotthorn/webordinary at 163a3ef), never
from the sandbox.

It predicts; `lib/judge/oracle.py` compares the predictions with everything the run's readers saw. What the system
chooses on its own (a thread's id, the files Claude touched, the moment of each step) is a parameter of a
prediction, not a guess. Where the contract leaves a choice open, the model accepts each choice it allows and says
why (`CHOICES`); anything else is a mismatch with a named reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lib.expect import commit_message, contract

# The outcomes of a session (contract.verdict reads them from its execution).
DEPLOYED, SYNC_FAILED, BUILD_FAILED = contract.DEPLOYED, contract.SYNC_FAILED, contract.BUILD_FAILED
PREEMPTED, FAILED = contract.PREEMPTED, contract.FAILED

# The success callback's fields, exactly (message-processor.service.ts:123-131): no more, no fewer.
OUTPUT_KEYS = ("success", "messageId", "summary", "filesChanged", "siteUrl", "buildSuccess", "deploySuccess")
# What a success callback says of its build and its sync, by outcome.
FLAGS = {DEPLOYED: (True, True), SYNC_FAILED: (True, False), BUILD_FAILED: (False, False)}
SITE_URL = "https://edit.{project}.webordinary.com"  # s3-sync.service.ts:149-152: https, no trailing slash
COMMIT_AUTHOR = contract.COMMIT_AUTHOR

PIPE_SLACK_MS = 200  # CHOICES['two-pipes']

# Where the contract leaves a choice open, what the model accepts and why (shown where the choice was taken).
CHOICES = {
    "preempted-or-done": "a newer email of the same client and user was sent before this session ended, so an "
                         "interrupt may have stopped it (docs/contract.md#interrupts) or it may have finished first",
    "preempted-shape": "a preempted session ends FAILED with error PREEMPTED, or SUCCEEDED with the caught PREEMPTED "
                       "in its output (the proposal's HandleInterruption)",
    "task-token-prefix": "the container logs the first 20 characters of its task token (message-processor:75): a "
                         "prefix cannot be used as a token; the whole token must never be logged",
    "summary-free": "the callback's summary is Claude's own words: any text, as long as it holds no secret",
    "extra-lines": "the container logs more than the lines the contract promises (library, heartbeat and debug "
                   "lines): only the promised lines, their order and the lines that must not appear are judged",
    "two-pipes": f"the container writes its errors to stderr and its other lines to stdout, and the log driver reads "
                 f"each pipe on its own, so two lines written within {PIPE_SLACK_MS} ms of each other may reach the "
                 "log in either order (NestJS's ConsoleLogger; the awslogs driver)",
    "healthy-is-quiet": "a session that deployed with no newer email of its client about logs no WARN or ERROR line "
                        "from its message on: the real container logs those only when something failed or was "
                        "interrupted (its logger calls at 163a3ef)",
    "broken-thread": "an earlier email of this thread broke the build, and a failed build's commit is never pushed "
                     "(docs/contract.md#failed-build-left-unpushed): built in the workspace that holds that commit "
                     "it fails the same way, built from the pushed branch in another it does not",
    "preempted-tail": "the interrupt handler deletes the preempted message, which unblocks the FIFO queue, before "
                      "it sends the failure and clears the job (message-processor.service.ts:174-187): the next "
                      "message's switch may come before those lines, so a preempted session's lines run on to its "
                      "`Interrupt handling complete`",
    "stale-interrupt": "an interrupt sent as the session it meant was ending can find no session to stop; at most "
                       "one per client may be left unread once the system is quiet",
}

# Secrets: what no log line, commit or callback may ever hold, whatever the run. Shapes of real credentials:
# GitHub's tokens, an https URL with credentials in it, AWS access keys and private keys.
SECRET_SHAPES = {
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
    "credentials in a URL": re.compile(r"https?://[^/\s:@]+:[^/\s@]+@"),
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}
TASK_TOKEN_PREFIX = 20


@dataclass(frozen=True)
class Email:
    """One email the suite sent, as the model needs it."""

    key: str  # its object in the email bucket: its identity
    message_id: str  # the id the intake gives its execution (the object's name)
    client: str  # as the scenario names the client
    project: str
    user: str
    instruction: str
    sent_ms: int
    replies_to: str | None = None  # the key of the email it answers
    has_site: bool = True  # the client's bucket existed when it was sent
    breaks_build: bool = False  # the target says this instruction breaks the site's build
    claude_fails: bool = False  # the target says Claude fails partway through this instruction


@dataclass(frozen=True)
class Prediction:
    """What the contract fixes for one email's session."""

    email: Email
    outcomes: tuple[str, ...]  # the outcomes the model accepts
    why: str  # why those, in words
    thread_root: str  # the key of the first email of its thread (its own key for a new thread)
    preemptors: tuple[str, ...] = ()  # the keys of the newer emails that may have preempted it

    @property
    def site_url(self) -> str:
        return SITE_URL.format(project=self.email.project)

    @property
    def bucket(self) -> str:
        return contract.BUCKET_PATTERN.format(client=self.email.project)

    def output(self, outcome: str) -> dict[str, object]:
        """The success callback's fields the contract fixes for this outcome (`summary` is Claude's own and
        `filesChanged` what it touched: judged against the commit, not predicted)."""
        build, deploy = FLAGS[outcome]
        return {"success": True, "messageId": self.email.message_id, "siteUrl": self.site_url,
                "buildSuccess": build, "deploySuccess": deploy}

    @property
    def key(self) -> str:
        """The project+user key the container's lines name (`{project}#{user}`)."""
        return contract.project_key(self.email.project, self.email.user)

    def opening_lines(self) -> list[str]:
        """The lines the container writes for this message before it switches to the thread, in their order: it
        took the message, registered the job and started the heartbeat (docs/contract.md#log-lines-in-order)."""
        return [contract.LINE_RECEIVED.format(key=self.key), contract.LINE_TASK_TOKEN,
                contract.LINE_JOB_REGISTERED.format(key=self.key), contract.LINE_HEARTBEAT_STARTED]

    def promised_lines(self, outcome: str, thread_id: str, committed: bool,
                       phrases: Mapping[str, str]) -> list[str]:
        """The log lines the contract promises for this outcome from the thread's switch on, in their order
        (docs/contract.md#log-lines-in-order); each is the start of a line's message."""
        branch = contract.branch_for_thread(thread_id)
        opening = [phrases["switched"].format(thread_id=thread_id, branch=branch), "Step 1/5: Executing Claude command"]
        if committed:
            opening += [phrases["committing"], contract.LINE_COMMITTED]
        opening.append(phrases["building"])
        # message-processor.service.ts:122-151: the callback (which stops the heartbeat first,
        # stepfunctions-callback.service.ts:70), then the job cleared
        cleared = contract.LINE_JOB_CLEARED.format(key=self.key)
        reported = [contract.LINE_HEARTBEAT_STOPPED, contract.LINE_SUCCESS_SENT, phrases["done"], cleared]
        if outcome == BUILD_FAILED:
            return [*opening, phrases["build_failed"], *reported]
        deployed = [phrases["sync_ok"], f"🌐 Site updated at https://{self.bucket}"]
        sync = deployed if outcome == DEPLOYED else [phrases["sync_failed"]]
        if outcome in (DEPLOYED, SYNC_FAILED):
            return [*opening, phrases["build_ok"], phrases["deploying"], *sync, "Step 5/5: Pushing to GitHub",
                    f"{phrases['pushed']} {branch} successfully", *reported]
        failure = [contract.LINE_HEARTBEAT_STOPPED, contract.LINE_FAILURE_SENT, cleared]
        if outcome == PREEMPTED:  # message-processor.service.ts:157-188 (`Received interrupt` may precede the switch)
            return [phrases["interrupt"], *failure, phrases["interrupted"]]
        if outcome == FAILED and self.email.claude_fails:  # each of Claude's callers logs the error and rethrows it
            return [*opening[:2], contract.LINE_CLAUDE_FAILED, contract.LINE_WORKFLOW_FAILED, phrases["failed"],
                    *failure]
        if outcome == FAILED:  # message-processor.service.ts:135-151
            return [phrases["failed"], *failure]
        return []

    def quiet(self, outcome: str) -> bool:
        """Whether this session's lines must hold no warning or error: it ended deployed, and nothing newer could
        have interrupted it (CHOICES['healthy-is-quiet'])."""
        return outcome == DEPLOYED and not self.preemptors

    def forbidden_lines(self, outcome: str, phrases: Mapping[str, str]) -> dict[str, str]:
        """Lines this session's log must not hold, for this outcome, each with why: a success it did not have."""
        said = {
            DEPLOYED: {phrases["build_failed"]: "a failed build", phrases["sync_failed"]: "a failed sync"},
            SYNC_FAILED: {phrases["sync_ok"]: "a completed sync", "🌐 Site updated at": "an updated site",
                          phrases["build_failed"]: "a failed build"},
            BUILD_FAILED: {phrases["build_ok"]: "a successful build", phrases["deploying"]: "a deployment",
                           phrases["sync_ok"]: "a completed sync", phrases["pushed"]: "a push"},
            PREEMPTED: {phrases["done"]: "a successful callback"},
            FAILED: {phrases["done"]: "a successful callback", phrases["sync_ok"]: "a completed sync"},
        }
        if outcome == FAILED and self.email.claude_fails:
            return {**said[FAILED], phrases["committing"]: "a commit of a failed edit",
                    phrases["building"]: "a build of a failed edit"}
        return said.get(outcome, {})

    def commit_message(self, files: list[str], thread_id: str, when: datetime) -> str:
        """The exact message of the commit this session makes of its instruction (its trailer's time: `when`)."""
        return commit_message.message(self.email.instruction, files, thread_id, self.email.user, when)


@dataclass
class Model:
    """The predictions for a run's emails. `ended_ms`: when each email's session was seen to end (None: not yet),
    which decides which newer emails could have preempted it."""

    emails: list[Email]
    ended_ms: Mapping[str, int | None] = field(default_factory=dict)

    def predictions(self) -> dict[str, Prediction]:
        by_key = {e.key: e for e in self.emails}
        predicted: dict[str, Prediction] = {}
        broken: set[str] = set()  # the threads (by their first email) that an earlier email broke the build of
        for email in sorted(self.emails, key=lambda e: e.sent_ms):
            base, why = self._base(email)
            root = _root(email, by_key)
            outcomes: tuple[str, ...] = (base,)
            if root in broken and base != BUILD_FAILED:
                outcomes, why = (base, BUILD_FAILED), f"{why}; {CHOICES['broken-thread']}"
            if email.breaks_build:
                broken.add(root)
            end = self.ended_ms.get(email.key)
            newer = tuple(e.key for e in self.emails if (e.project, e.user) == (email.project, email.user)
                          and e.sent_ms > email.sent_ms and (end is None or e.sent_ms < end))
            if newer:
                outcomes, why = (*outcomes, PREEMPTED), f"{why}; {CHOICES['preempted-or-done']}"
            predicted[email.key] = Prediction(email, outcomes, why, root, newer)
        return predicted

    @staticmethod
    def _base(email: Email) -> tuple[str, str]:
        """How a session ends when nothing stops it."""
        if email.claude_fails:
            return FAILED, ("Claude fails partway through its instruction: nothing is committed, built, synced or "
                            "pushed, and the callback is a failure")
        if email.breaks_build:
            return BUILD_FAILED, "its instruction breaks the site's build: no sync, no push"
        if not email.has_site:
            return SYNC_FAILED, ("its client has no bucket: the sync fails, the work is still pushed and the "
                                 "callback says deploySuccess: false")
        return DEPLOYED, "nothing stops it: it is built, synced, pushed and reported"


def boot_lines(region: str, ownership_table: str, active_jobs_table: str) -> list[str]:
    """What a container logs as it starts, in order, each the start of a line in the context `Bootstrap`
    (main.ts:25-31): the workspace (an absolute path), the region, the account, the unclaimed queue and the two
    tables it works with, which must be the stack's (docs/contract.md#boot-lines)."""
    return [contract.BOOT_STARTED, "- Workspace: /", f"- Region: {region}", "- Account: ", "- Unclaimed Queue: ",
            f"- Ownership Table: {ownership_table}", f"- Active Jobs Table: {active_jobs_table}"]


def _root(email: Email, by_key: Mapping[str, Email]) -> str:
    """The first email of the email's thread: a reply joins the thread of the email it answers."""
    seen = {email.key}
    while email.replies_to and email.replies_to in by_key and email.replies_to not in seen:
        email = by_key[email.replies_to]
        seen.add(email.key)
    return email.key


def secrets_in(text: str, known: Mapping[str, str]) -> list[str]:
    """What secret `text` holds, by name ("the GitHub token", "a GitHub token", ...): any of the `known` values
    (name -> value; a task token may show its first TASK_TOKEN_PREFIX characters, CHOICES['task-token-prefix']),
    or anything shaped like a credential."""
    found = [name for name, value in known.items() if value and len(value) > TASK_TOKEN_PREFIX and value in text]
    return found + [name for name, shape in SECRET_SHAPES.items() if shape.search(text)]


def in_order(lines: Sequence[tuple[int, str] | tuple[int, str, str]], promised: list[str],
             slack_ms: int = PIPE_SLACK_MS) -> tuple[int, str] | None:
    """Where `lines` ((timestamp in ms, message[, level]), in the log's order) fail to hold `promised` as a
    subsequence of line starts: (how many were found in order, the first missing one); None when all are there in
    order. A line may stand before the one it follows when it was written within `slack_ms` of it on the other
    pipe (CHOICES['two-pipes']): one pipe keeps its order, so two lines of one level never swap."""
    used: set[int] = set()
    last_index, last_ms = -1, None

    def swappable(i: int, ms: int) -> bool:
        pipes = (_pipe(lines[i]), _pipe(lines[last_index]))
        return last_ms is not None and ms >= last_ms - slack_ms and (pipes[0] != pipes[1] or "" in pipes)

    for found, phrase in enumerate(promised):
        index = next((i for i, (ms, message, *_) in enumerate(lines) if i not in used and message.startswith(phrase)
                      and (i > last_index or swappable(i, ms))), None)
        if index is None:
            return found, phrase
        used.add(index)
        last_index, last_ms = max(last_index, index), max(last_ms or 0, lines[index][0])
    return None


def _pipe(line: tuple[int, str] | tuple[int, str, str]) -> str:
    """The pipe a line of this level reaches the log through (NestJS's ConsoleLogger writes errors to stderr), or ""
    when its level is not known."""
    level = line[2] if len(line) > 2 else ""
    return "" if not level else "stderr" if level in ("ERROR", "FATAL") else "stdout"
