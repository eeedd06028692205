"""Names, phrases and rules of the real WebOrdinary edit container (see webordinary-contract.md).

These are defaults: every one can be overridden through `lib.settings.Settings`. The embedded sandbox
imports them too, so that it honours the same contract the suite checks.
"""

from __future__ import annotations

REGION = "us-west-2"
BUCKET_PATTERN = "edit.{client}.webordinary.com"
LOG_GROUP = "/ecs/webordinary/edit"
LOG_STREAM_PREFIX = "edit"
OWNERSHIP_TABLE = "webordinary-container-ownership"
ACTIVE_JOBS_TABLE = "webordinary-active-jobs"
LEGACY_CONTAINERS_TABLE = "webordinary-containers"
UNCLAIMED_QUEUE = "webordinary-unclaimed"
INPUT_QUEUE_PATTERN = "webordinary-input-{client}-{user}.fifo"
INTERRUPT_QUEUE_PATTERN = "webordinary-interrupts-{client}-{user}"
REPOSITORY = "webordinary/test-repo"
DEFAULT_BRANCH = "main"
METRICS_NAMESPACE = "Webordinary/IntegrationTests"
CLAIM_REQUEST_TYPE = "CLAIM_REQUEST"
COMMIT_AUTHOR_NAME = "WebOrdinary Container"
COMMIT_AUTHOR_EMAIL = "container@webordinary.com"

# Log phrases, in the order the container writes them for one message. `{...}` are filled in per session.
PHRASE_SWITCHED = "Switched to thread {thread_id} (branch: {branch})"
PHRASE_EXECUTING = "Step 1/5: Executing Claude command..."
PHRASE_COMMITTING = "Step 2/5: Committing changes..."
PHRASE_BUILDING = "Step 3/5: Building Astro site..."
PHRASE_BUILD_OK = "✅ Astro build successful"
PHRASE_BUILD_FAILED = "Build failed with code"
PHRASE_DEPLOYING = "Step 4/5: Deploying to S3..."
PHRASE_SYNC_OK = "✅ S3 sync complete"
PHRASE_SYNC_FAILED = "S3 sync failed"
PHRASE_SITE_UPDATED = "🌐 Site updated at https://{bucket}"
PHRASE_PUSHING = "Step 5/5: Pushing to GitHub..."
PHRASE_PUSHED = "Pushed branch {branch} successfully"
PHRASE_DONE = "Successfully processed message and sent callback"
PHRASE_FAILED = "Failed to process message"
PHRASE_SWITCH_COMMIT = "Switching threads [{tag}]"


def branch_for_thread(thread_id: str, branch: str | None = None) -> str:
    """The git branch the container uses for a thread: the message's branch, else the thread id with
    exactly one `thread-` prefix (never `thread-thread-...`)."""
    if branch:
        return branch
    return thread_id if thread_id.startswith("thread-") else f"thread-{thread_id}"


def commit_tag(thread_id: str) -> str:
    """The container's commit tag: the first 8 characters of the thread id."""
    return thread_id[:8]


def project_key(client: str, user: str) -> str:
    return f"{client}#{user}"
