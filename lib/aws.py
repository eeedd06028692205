"""boto3 clients for the target, built once from the settings. Throttling and 5xx answers are retried by
botocore (standard mode: up to 6 attempts, jittered back-off, 15 s on average when every attempt fails) before
anything reaches a waiter: a transient error is never a verdict, and an endpoint that is gone is named in seconds
(lib/observe/infrastructure.py). Not adaptive mode: its client-side rate limiter slowed every later call after one
throttle (the suite took 401 s instead of 239 s with every 5th call refused; 132 s with none)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from lib.settings import Settings


def bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


class Aws:
    """The AWS services the suite reads and writes, on real AWS or any compatible endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The embedded sandbox accepts any keys: fixed fake ones keep real credentials away from it.
        fake = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
        credentials = fake if settings.system.target == "local" else {}
        self._session = boto3.session.Session(region_name=settings.system.region, **credentials)

    def client(self, service: str, config: Config | None = None) -> Any:
        # Path-style addressing: bucket names contain dots, which break virtual-hosted TLS names.
        config = config or Config(
            retries={"total_max_attempts": 6, "mode": "standard"},
            s3={"addressing_style": "path"},
            max_pool_connections=32,
        )
        endpoint = self.settings.system.aws_endpoint_url or None
        return self._session.client(service, endpoint_url=endpoint, config=config)

    @cached_property
    def s3(self) -> Any:
        return self.client("s3")

    @cached_property
    def sqs(self) -> Any:
        return self.client("sqs")

    @cached_property
    def logs(self) -> Any:
        return self.client("logs")

    @cached_property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @cached_property
    def sfn(self) -> Any:
        return self.client("stepfunctions")

    @cached_property
    def ecs(self) -> Any:
        return self.client("ecs")

    @cached_property
    def sts(self) -> Any:
        return self.client("sts")
