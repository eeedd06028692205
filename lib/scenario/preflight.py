"""Read-only checks, before anything runs, that the target is one the suite may use and has what it needs.
Lists every problem at once, each with what to do about it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.config import Config

from lib.aws import Aws
from lib.observe import visitor
from lib.observe.executions import Executions
from lib.observe.repository import SiteRepository
from lib.settings import Settings

# Fail fast: a preflight that hangs on a wrong endpoint is worse than none.
QUICK = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"},
               s3={"addressing_style": "path"})


class PreflightError(RuntimeError):
    """The target lacks something the suite needs, or is not one it may use; the message lists all of it."""


def check(settings: Settings) -> list[str]:
    """Every problem found, as `what: why (what to do)`; empty when the target is ready."""
    aws = Aws(settings)
    names = settings.stack

    def client(service: str) -> Any:
        return aws.client(service, config=QUICK)

    checks: dict[str, Callable[[], object]] = {
        "AWS account": lambda: _account(client("sts"), settings),
        f"email bucket {names.email_bucket}": lambda: client("s3").head_bucket(Bucket=names.email_bucket),
        f"state machine {settings.stack.state_machine}": lambda: _test_stack(client("stepfunctions"), settings),
        f"ECS cluster {settings.stack.ecs_cluster}": lambda: _cluster(client("ecs"), settings.stack.ecs_cluster),
        f"SQS queue {settings.stack.unclaimed_queue}":
            lambda: client("sqs").get_queue_url(QueueName=settings.stack.unclaimed_queue),
        f"DynamoDB table {settings.stack.ownership_table}":
            lambda: client("dynamodb").describe_table(TableName=settings.stack.ownership_table),
        f"DynamoDB table {settings.stack.active_jobs_table}":
            lambda: client("dynamodb").describe_table(TableName=settings.stack.active_jobs_table),
        f"CloudWatch log group {names.log_group}": lambda: _log_group(client("logs"), names.log_group),
        f"GitHub repository {settings.system.repository} ({settings.system.github_api_url or 'api.github.com'})":
            lambda: SiteRepository(settings, timeout=5).repo.full_name,
        "clients' websites": lambda: _website(settings),
    }
    problems = []
    if settings.system.target == "aws" and not settings.system.github_api_url and not settings.system.github_token:
        problems.append("GITHUB_TOKEN: not set; the real GitHub API needs a token that can read the repository")
    with ThreadPoolExecutor(max_workers=len(checks)) as pool:
        futures = {name: pool.submit(run) for name, run in checks.items()}
    for name, future in futures.items():
        error = future.exception()
        if error is not None:
            setting = "github_api_url" if name.startswith("GitHub") else "aws_endpoint_url"
            problems.append(f"{name}: {_explain(error, setting)}")
    return problems


def _account(sts: Any, settings: Settings) -> None:
    account = sts.get_caller_identity()["Account"]
    if settings.system.target != "aws":
        return
    if not settings.system.allowed_accounts:
        raise PermissionError(f"the credentials are for account {account}, and aws_account_allowlist is empty: "
                              "list the test accounts the suite may use (-D aws_account_allowlist=123456789012)")
    if account not in settings.system.allowed_accounts:
        raise PermissionError(f"account {account} is not on aws_account_allowlist "
                              f"({', '.join(settings.system.allowed_accounts)}); the suite runs only in test accounts")


def _test_stack(sfn: Any, settings: Settings) -> None:
    arn = Executions(sfn, settings).machine_arn
    key, _, value = settings.system.test_stack_tag.partition("=")
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn).get("tags", [])}
    if settings.system.target == "aws" and tags.get(key) != value:
        raise PermissionError(f"{arn} is not marked as a test stack (tag {key}={value}); the suite sends emails "
                              "only to a test stack")


def _cluster(ecs: Any, name: str) -> None:
    clusters = ecs.describe_clusters(clusters=[name]).get("clusters", [])
    if not any(c.get("status") == "ACTIVE" for c in clusters):
        raise LookupError("does not exist or is not ACTIVE")


def _log_group(logs: Any, name: str) -> None:
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    if not any(group["logGroupName"] == name for group in groups):
        raise LookupError("does not exist")


def _website(settings: Settings) -> None:
    """A visitor's address for a bucket answers (any HTTP answer: a bucket that does not exist is a 404)."""
    bucket = settings.stack.bucket_pattern.format(client="preflight-probe")
    url = settings.system.website_url_pattern.format(bucket=bucket)
    problem = visitor.unreachable(url, settings.system.website_proxy)
    if problem:
        raise ConnectionError(problem)


def _explain(error: BaseException, setting: str) -> str:
    text = str(error) or type(error).__name__
    if type(error).__name__ == "NoCredentialsError":
        return f"{text} (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    if type(error).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionError") or (
            "Connection refused" in text or "Max retries exceeded" in text):
        return f"{text} (is {setting} right, and is the endpoint up?)"
    return text


_READY: set[tuple[object, ...]] = set()  # the targets this process found ready


def require(settings: Settings) -> None:
    """The target is ready, or PreflightError listing all it lacks. Checked once per process and target: a behavex
    worker runs many scenarios, each a behave run of its own, against the same stack (the run id is not part of
    what is checked)."""
    key = (settings.system, settings.stack)
    if key in _READY:
        return
    problems = check(settings)
    if problems:
        raise PreflightError(f"the {settings.system.target} target is not ready:\n  - " + "\n  - ".join(problems))
    _READY.add(key)
