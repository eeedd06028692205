"""Read-only checks, before anything runs, that the target has what the suite needs. Lists every
problem at once, each with what to do about it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.config import Config

from lib.aws import AwsClients
from lib.git import SiteRepository
from lib.settings import Settings

# Fail fast: a preflight that hangs on a wrong endpoint is worse than none.
QUICK = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 1, "mode": "standard"},
               s3={"addressing_style": "path"})


class PreflightError(RuntimeError):
    """The target lacks something the suite needs; the message lists all of it."""


def check(settings: Settings) -> list[str]:
    """Every problem found, as `what: why (what to do)`; empty when the target is ready."""
    aws = AwsClients(settings)

    def client(service: str) -> Any:
        return aws.client(service, config=QUICK)

    checks: dict[str, Callable[[], object]] = {
        "AWS credentials": lambda: client("sts").get_caller_identity(),
        "S3": lambda: client("s3").list_buckets(),
        f"SQS queue {settings.unclaimed_queue}":
            lambda: client("sqs").get_queue_url(QueueName=settings.unclaimed_queue),
        f"DynamoDB table {settings.ownership_table}":
            lambda: client("dynamodb").describe_table(TableName=settings.ownership_table),
        f"DynamoDB table {settings.active_jobs_table}":
            lambda: client("dynamodb").describe_table(TableName=settings.active_jobs_table),
        f"CloudWatch log group {settings.log_group}": lambda: _log_group(client("logs"), settings.log_group),
        f"GitHub repository {settings.repository}": lambda: SiteRepository(settings, timeout=5).repo.full_name,
    }
    problems = []
    if settings.target == "aws" and not settings.github_api_url and not settings.github_token:
        problems.append("GITHUB_TOKEN: not set; the real GitHub API needs a token that can read the repository")
    with ThreadPoolExecutor(max_workers=len(checks)) as pool:
        futures = {name: pool.submit(run) for name, run in checks.items()}
    for name, future in futures.items():
        error = future.exception()
        if error is not None:
            problems.append(f"{name}: {_explain(error)}")
    return problems


def _log_group(logs: object, name: str) -> None:
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]  # type: ignore[attr-defined]
    if not any(group["logGroupName"] == name for group in groups):
        raise LookupError("does not exist")


def _explain(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if type(error).__name__ == "NoCredentialsError":
        return f"{text} (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    if type(error).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionError"):
        return f"{text} (is aws_endpoint_url right, and is the endpoint up?)"
    return text


def require(settings: Settings) -> None:
    problems = check(settings)
    if problems:
        raise PreflightError(f"the {settings.target} target is not ready:\n  - " + "\n  - ".join(problems))
