"""The suite's own expectations of WebOrdinary, written from the contract (docs/contract.md)
and the real source (jscotthorn/webordinary at 163a3ef), never taken from the sandbox.

Names and phrases here are defaults: `lib.settings.Settings` can override each. The rules are pinned by the
contract's own examples in tests/test_expectations.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lib.expect import commit_message

# -- names of the stack ----------------------------------------------------------------------------------------
REGION = "us-west-2"
EMAIL_BUCKET = "webordinary-ses-emails"
EMAIL_PREFIX = "emails/"
RECIPIENT_PATTERN = "{user}@{client}.webordinary.com"  # scripts/test-aws-email.sh: scott@amelia.webordinary.com
STATE_MACHINE = "email-processor"
BUCKET_PATTERN = "edit.{client}.webordinary.com"
# Each bucket is served by S3 static website hosting (index document index.html).
WEBSITE_URL_PATTERN = "http://{bucket}.s3-website-" + REGION + ".amazonaws.com/"
LOG_GROUP = "/ecs/webordinary/edit"
ECS_CLUSTER = "webordinary-edit-cluster"
OWNERSHIP_TABLE = "webordinary-container-ownership"
ACTIVE_JOBS_TABLE = "webordinary-active-jobs"
UNCLAIMED_QUEUE = "webordinary-unclaimed"
INPUT_QUEUE_PATTERN = "webordinary-input-{client}-{user}.fifo"
INTERRUPT_QUEUE_PATTERN = "webordinary-interrupts-{client}-{user}"
REPOSITORY = "webordinary/test-repo"
DEFAULT_BRANCH = "main"
TEST_STACK_TAG = "webordinary:test-stack=true"
IDLE_RELEASE_S = 300.0  # an edit container releases its project after 5 minutes idle (generic-container.service.ts:46)
PROJECT_POLL_WAIT_S = 20.0  # a container long-polls its project's queue for 20 s (generic-container.service.ts:189)
CLAIM_INTERVAL_S = 300.0  # the state machine sends at most one claim per project+user per 5 minutes (its step 3)
IDLE_CHECK_S = 60.0  # and looks every minute (generic-container.service.ts:341)
COMMIT_AUTHOR = "WebOrdinary Container <container@webordinary.com>"
# The state machine's states that read and route an email (the proposal's names,
# docs/contract.md#state-machine-states).
STATE_PARSE_EMAIL = "ParseEmail"
STATE_CHECK_OWNERSHIP = "CheckOwnership"
# The two sends to a project's queue wait for the container's callback (docs/contract.md#state-machine-states): a
# task token, a heartbeat at least every 60 s, an hour at most; a time-out and a preemption each caught.
QUEUE_SEND_RESOURCE = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
QUEUE_SEND_QUEUE = "$.queueUrl"
QUEUE_SEND_HEARTBEAT_S = 60
QUEUE_SEND_TIMEOUT_S = 3600
QUEUE_SEND_CATCHES = ("States.Timeout", "PREEMPTED")
STATE_CHECK_ACTIVE_JOB = "CheckActiveJob"  # sends the interrupt when the project+user has an active job
STATE_HANDLE_INTERRUPTION = "HandleInterruption"  # records a caught PREEMPTED (its result: $.interruptionRecord)
ROUTE_OWNED = "RouteToProjectQueue"  # an owner exists: the message goes to its project's queue only
ROUTE_UNOWNED = "RouteToQueuesWithClaim"  # no owner: the message and a (rate-limited) claim request

# -- log lines (the message part, after the NestJS prefix) -------------------------------------------------------
# `[Nest] <pid>  - <date, time>     LOG [<Context>] <message>`, with ANSI colours unless NO_COLOR is set.
LOG_LINE_PATTERN = (r"^\[Nest\]\s+\d+\s+-\s+.*?\s+(?P<level>LOG|WARN|ERROR|DEBUG|VERBOSE|FATAL)\s+"
                    r"\[(?P<context>[^\]]+)\]\s+(?P<message>.*)$")
PHRASE_SWITCHED = "Switched to thread {thread_id} (branch: {branch})"
PHRASE_COMMITTING = "Step 2/5: Committing changes..."
PHRASE_BUILDING = "Step 3/5: Building Astro site..."
PHRASE_BUILD_OK = "✅ Astro build successful"
PHRASE_BUILD_FAILED = "Build failed with code"
PHRASE_DEPLOYING = "Step 4/5: Deploying to S3..."
PHRASE_SYNC_OK = "✅ S3 sync complete"
PHRASE_SYNC_FAILED = "S3 sync failed"
PHRASE_PUSHED = "Pushed branch"  # git.service.ts:629 (and :248)
PHRASE_DONE = "Successfully processed message and sent callback"
PHRASE_FAILED = "Failed to process message"
PHRASE_INTERRUPTED = "Interrupt handling complete"
PHRASE_INTERRUPT = "Processing interrupt"  # message-processor.service.ts:159, as an interrupt reaches the job
PHRASE_RELEASED = "Releasing ownership of"  # generic-container.service.ts:350
# What a container says as it starts, in the context `Bootstrap` (main.ts:25-31): its configuration.
BOOT_CONTEXT = "Bootstrap"
BOOT_STARTED = "Generic container started with Step Functions integration"
# The other lines of a session the contract fixes (docs/contract.md#log-lines-in-order); `{key}` is `{project}#{user}`.
LINE_RECEIVED = "Received Step Functions message for {key}"  # message-processor.service.ts:74
LINE_TASK_TOKEN = "Task token: "  # message-processor.service.ts:75, the token's first 20 characters
LINE_JOB_REGISTERED = "Registered active job for {key}"  # active-job.service.ts:59
LINE_STASHED = "Uncommitted changes detected, stashing"  # git.service.ts:512, a switch finding a dirty workspace
LINE_STASH_APPLIED = "Applying stashed changes"  # git.service.ts:554, on the branch it switched to
LINE_BUSY = "Already processing a message"  # message-processor.service.ts:79: it returns, and its poller deletes it
LINE_HEARTBEAT_STARTED = "Starting heartbeat for task token"  # stepfunctions-callback.service.ts:26
LINE_COMMITTED = "Committed: "  # git.service.ts:194, then the commit's subject
LINE_CLAUDE_FAILED = "Claude Code SDK execution failed: "  # claude-executor.service.ts:182, then the reason
LINE_WORKFLOW_FAILED = "Workflow failed: "  # message-processor.service.ts:340, then the reason
LINE_SUCCESS_SENT = "Task success sent to Step Functions"  # stepfunctions-callback.service.ts:80
LINE_FAILURE_SENT = "Task failure sent to Step Functions"  # stepfunctions-callback.service.ts:101
LINE_JOB_CLEARED = "Cleared active job for {key}"  # active-job.service.ts:84
LINE_HEARTBEAT_STOPPED = "Stopped heartbeat"  # stepfunctions-callback.service.ts:51
LINE_RELEASE_FAILED = "Failed to release ownership: "  # generic-container.service.ts:365, after PHRASE_RELEASED


def project_key(project: str, user: str) -> str:
    """How a project+user is keyed: the ownership and active-job rows, the FIFO group, the container's lines
    (docs/contract.md#claiming-and-bookkeeping)."""
    return f"{project}#{user}"


def branch_for_thread(thread_id: str, branch: str | None = None) -> str:
    """The git branch the container uses for a thread (message-processor.service.ts:261): the message's branch,
    else the thread id with exactly one `thread-` prefix (never `thread-thread-...`)."""
    if branch:
        return branch
    return thread_id if thread_id.startswith("thread-") else f"thread-{thread_id}"


def subject_problem(subject: str, instruction: str, thread_id: str) -> str | None:
    """Why a commit subject does not say what the session did and for which thread (None when it does)."""
    action = commit_message.action(instruction)
    if commit_message.units(subject) >= commit_message.MAX_SUBJECT and subject.endswith("..."):
        return None if action.startswith(subject[:-3]) or subject.startswith(action) else (
            f"the subject {subject!r} does not start with the instruction {action!r}")
    if not subject.startswith(action):
        return f"the subject {subject!r} does not start with the instruction {action!r}"
    if f"[{subject_tag(subject)}]" != commit_message.tag(thread_id):
        return f"the subject {subject!r} does not end with the thread's tag {commit_message.tag(thread_id)}"
    return None


def subject_tag(subject: str) -> str | None:
    """The tag a commit subject ends with (`... [thread-1]` gives `thread-1`), or None."""
    found = re.search(r"\[([^\]]+)\]$", subject.strip())
    return found[1] if found else None


def commit_trailer(thread_id: str, user_id: str) -> tuple[str, str]:
    """The lines of the `---` block every session's commit carries (commit-message.service.ts:150-185)."""
    return f"Session: {thread_id}", f"User: {user_id}"


def commit_session(message: str) -> str | None:
    """The thread a commit says it belongs to (its `Session:` line after `---`), or None."""
    found = re.search(r"^---$.*?^Session: (\S+)$", message, flags=re.MULTILINE | re.DOTALL)
    return found[1] if found else None


def recipient(pattern: str, client: str, user: str) -> str:
    return pattern.format(client=client, user=user)


def execution_name(message_id: str) -> str:
    """The intake's execution name for a message id: characters outside `[a-zA-Z0-9_-]` become `-`
    (docs/contract.md#intake-and-execution-name, the proposal's)."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", message_id)[:80]


# -- outcomes ----------------------------------------------------------------------------------------------------
DEPLOYED = "deployed"
SYNC_FAILED = "sync failed"
BUILD_FAILED = "build failed"
PREEMPTED = "preempted"
PREEMPTED_ERROR = "PREEMPTED"  # the error a container's interrupt handler fails its task with
# Errors the state machine raises itself (docs/contract.md#state-machine-states, the proposal's): no container wrote
# anything for them.
# A task's time-out (a missed heartbeat is States.Timeout too, AWS's States.HeartbeatTimeout being one of its kinds)
# is the only predefined error production takes out of the email-processor's states; States.Runtime and the like
# are an engine's failure, a path production cannot take.
MACHINE_ERRORS = ("States.Timeout", "States.HeartbeatTimeout", "IntakeProcessingFailed", "ProcessingTimeout")


def machine_error(error: str | None) -> bool:
    """Whether the state machine (not a container) ended the execution with this error."""
    return error in MACHINE_ERRORS


def engine_error(error: str | None) -> bool:
    """Whether an execution ended by an error no state of the email-processor raises on AWS (States.Runtime, say):
    the engine running it failed."""
    return (error or "").startswith("States.") and error not in MACHINE_ERRORS
FAILED = "failed"
# How a sentence says a session ended that way: "... ended with a failed sync".
ENDED = {DEPLOYED: "deployed", SYNC_FAILED: "with a failed sync", BUILD_FAILED: "with a failed build",
         PREEMPTED: "preempted by a newer email", FAILED: "in failure"}


@dataclass(frozen=True)
class Verdict:
    """What an execution says of its session: one of the outcomes above, and why in plain words."""

    outcome: str
    detail: str
    output: dict[str, Any]


def verdict(status: str, output: str | None, error: str | None, cause: str | None) -> Verdict:
    """Read an ended execution as the contract defines it. SUCCEEDED carries the container's callback
    `{success, messageId, summary, filesChanged, siteUrl, buildSuccess, deploySuccess}`: a failed build is
    `buildSuccess: false`, a failed sync `deploySuccess: false`. A preempted session ends FAILED with error
    `PREEMPTED`, or (the proposal's InterruptionComplete state) SUCCEEDED with the caught `PREEMPTED` error in
    its output."""
    document = _json(output)
    caught = document.get("error") if isinstance(document.get("error"), dict) else {}
    if error == PREEMPTED_ERROR or caught.get("Error") == PREEMPTED_ERROR:
        return Verdict(PREEMPTED, cause or caught.get("Cause") or "preempted by a newer message", document)
    if status != "SUCCEEDED":
        return Verdict(FAILED, f"{status}: {error or '?'}: {cause or 'no cause given'}", document)
    if document.get("success") is not True:
        return Verdict(FAILED, f"SUCCEEDED without a successful callback: {output}", document)
    if document.get("buildSuccess") is False:
        return Verdict(BUILD_FAILED, "buildSuccess: false", document)
    if document.get("deploySuccess") is not True:
        return Verdict(SYNC_FAILED, f"deploySuccess: {json.dumps(document.get('deploySuccess'))}", document)
    return Verdict(DEPLOYED, "buildSuccess: true, deploySuccess: true", document)


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {"unreadable": text}
    return value if isinstance(value, dict) else {"value": value}


# -- where an instruction's edit shows on the page ---------------------------------------------------------------
# The sandbox documents its stand-in for Claude (docs/writing-scenarios.md, "Instructions an email may carry"): each
# form writes one element of the fixture site's home page. A check that a site "shows" a value looks at that element
# only, so a value that landed anywhere else (a change list, a comment) does not count as shown.
HEADING, TITLE, CONFIG_VALUE, TIMESTAMP = "a heading", "the title", "a config entry", "the timestamp"


@dataclass(frozen=True)
class Effect:
    pattern: str  # over the instruction, without a leading please/can you
    element: str
    value: str  # the value shown, from the pattern's groups


EFFECTS = (
    # also when Claude stops partway through it (the sandbox's form): what it wrote must never be published
    Effect(r'add header with text "(?P<text>[^"]+)"(?: and stop partway)?', HEADING, "{text}"),
    Effect(r'update page title to "(?P<text>[^"]+)"', TITLE, "{text}"),
    Effect(r"create site for client (?P<n>[\w-]+)", HEADING, "Welcome to client {n}"),
    Effect(r"add (?:secret|different) key (?P<key>[\w-]+) to config", CONFIG_VALUE, "{key}"),
    Effect(r"update timestamp to (?P<n>\d+)", TIMESTAMP, "{n}"),
)


def effect_of(instruction: str) -> tuple[str, str] | None:
    """The element an instruction writes and the value it shows there, or None (an edit that shows nothing)."""
    plain = commit_message.action(instruction).rstrip(" .!?")
    for effect in EFFECTS:
        found = re.fullmatch(effect.pattern, plain, flags=re.IGNORECASE)
        if found:
            return effect.element, effect.value.format(**found.groupdict())
    return None


def element_showing(instructions: list[str], text: str) -> str | None:
    """The element the latest of these instructions that writes `text` puts it in, or None."""
    for instruction in reversed(instructions):
        effect = effect_of(instruction)
        if effect is not None and effect[1] == text:
            return effect[0]
    return None
