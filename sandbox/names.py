"""The names, shapes and phrases of the WebOrdinary stack this sandbox stands in for.

The sandbox's own copy, written from the real source (jscotthorn/webordinary at 163a3ef) and the contract.
The suite keeps its expectations in `lib/`, written on their own: nothing here is shared with it, so that a
mistake on one side shows up as a red scenario instead of agreeing with itself.
"""

from __future__ import annotations

REGION = "us-west-2"
ACCOUNT_ID = "123456789012"  # moto's default account

# Entry: SES writes each email to this bucket; the intake starts one execution per new object.
EMAIL_BUCKET = "webordinary-ses-emails"
EMAIL_PREFIX = "emails/"
STATE_MACHINE = "email-processor"
# Recipient rule of the repo's own test script (scott@amelia.webordinary.com); the proposal's parser reads
# `{project}+{user}@domain` instead, so it is a sandbox option.
RECIPIENT_RULE = "{user}@{project}.webordinary.com"
# Marks the stack as one a test may use (checked by the suite's preflight on target=aws).
TEST_STACK_TAG = {"key": "webordinary:test-stack", "value": "true"}

# The containers (an ECS service) and their log.
CLUSTER = "webordinary-edit-cluster"
SERVICE = "webordinary-edit-service"
TASK_FAMILY = "webordinary-edit"
CONTAINER_NAME = "edit-container"
LOG_GROUP = "/ecs/webordinary/edit"
LOG_STREAM_PREFIX = "edit"

# Bookkeeping and queues.
OWNERSHIP_TABLE = "webordinary-container-ownership"
ACTIVE_JOBS_TABLE = "webordinary-active-jobs"
UNCLAIMED_QUEUE = "webordinary-unclaimed"
INPUT_QUEUE = "webordinary-input-{project}-{user}.fifo"
INTERRUPT_QUEUE = "webordinary-interrupts-{project}-{user}"
OWNERSHIP_TTL_S = 3600
CLAIM_REQUEST = "CLAIM_REQUEST"
CLAIM_INTERVAL_S = 300.0  # the rate-limited claim: one per project+user per 5 minutes
IDLE_RELEASE_S = 300.0
HEARTBEAT_EVERY_S = 30.0

# The site.
BUCKET = "edit.{project}.webordinary.com"
REPOSITORY = "webordinary/test-repo"
DEFAULT_BRANCH = "main"
REPO_DIR = "amelia-astro"  # the real container's hard-coded checkout name (git.service.ts:320-325)
COMMIT_AUTHOR_NAME = "WebOrdinary Container"
COMMIT_AUTHOR_EMAIL = "container@webordinary.com"


def input_queue(project: str, user: str) -> str:
    return INPUT_QUEUE.format(project=project, user=user)


def interrupt_queue(project: str, user: str) -> str:
    return INTERRUPT_QUEUE.format(project=project, user=user)


def log_stream(task_id: str) -> str:
    """The awslogs driver's stream for an ECS task: `<prefix>/<container name>/<task id>`."""
    return f"{LOG_STREAM_PREFIX}/{CONTAINER_NAME}/{task_id}"


def bucket(project: str) -> str:
    return BUCKET.format(project=project)


def project_key(project: str, user: str) -> str:
    return f"{project}#{user}"

# S3 static website hosting: a bucket's site is at http://{bucket}.s3-website-{region}.amazonaws.com/
WEBSITE_HOST_SUFFIX = f".s3-website-{REGION}.amazonaws.com"
