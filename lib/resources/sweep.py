"""Remove what crashed runs left: only what has the suite's prefix and run tag, older than a given age."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from lib.resources.client_resources import (
    CleanupReport,
    bucket_is_ours,
    bucket_prefix,
    email_is_ours,
    email_prefix,
    empty_and_delete_bucket,
    queue_is_ours,
    queue_prefix,
)
from lib.settings import Settings


def sweep(s3: Any, sqs: Any, settings: Settings, *, run_id: str | None, older_than_s: float,
          dry_run: bool) -> CleanupReport:
    """Delete (or with `dry_run`, only list) the buckets, queues and emails of crashed runs: those with the
    suite's prefix and tag, of `run_id` (or of any run when None), created `older_than_s` ago or more."""
    report = CleanupReport()
    now = time.time()
    # Only names that can be this run's are read at all: other runs (a parallel worker, another machine) create
    # and delete theirs meanwhile, and one gone between the listing and the reading of its tag is not ours to judge.
    run = f"{run_id}-" if run_id else ""

    def attempt(name: str, delete: Any) -> None:
        try:
            if not dry_run:
                delete()
            report.deleted.append(name)
        except Exception as error:
            report.errors.append(f"{name}: {error}")

    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        if (name.startswith(bucket_prefix(settings) + run) and now - bucket["CreationDate"].timestamp() >= older_than_s
                and _still_there(lambda name=name: bucket_is_ours(s3, settings, name, run_id))):
            attempt(name, lambda name=name: empty_and_delete_bucket(s3, settings, name, run_id))
    for pattern in (settings.stack.input_queue_pattern, settings.stack.interrupt_queue_pattern):
        for url in sqs.list_queues(QueueNamePrefix=queue_prefix(settings, pattern) + run).get("QueueUrls", []):
            if _still_there(lambda url=url: now - _created(sqs, url) >= older_than_s
                            and queue_is_ours(sqs, settings, url, run_id)):
                attempt(url.rsplit("/", 1)[-1], lambda url=url: sqs.delete_queue(QueueUrl=url))
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=settings.stack.email_bucket,
                                                             Prefix=email_prefix(settings) + run)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"]
                if now - item["LastModified"].timestamp() >= older_than_s and _still_there(
                        lambda key=key: email_is_ours(s3, settings, key, run_id)):
                    attempt(key, lambda key=key: s3.delete_object(Bucket=settings.stack.email_bucket, Key=key))
    except s3.exceptions.NoSuchBucket:
        pass
    return report


GONE = {"NoSuchKey", "NoSuchBucket", "404", "NotFound", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


def _still_there(is_ours: Callable[[], bool]) -> bool:
    """Whether a listed thing is ours and still there: one deleted after the listing is nobody's to remove."""
    try:
        return is_ours()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in GONE:
            return False
        raise


def _created(sqs: Any, url: str) -> float:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp"])["Attributes"]
    return float(attributes["CreatedTimestamp"])
