"""Onboard a test client the way the real stack keeps each client: its edit bucket (website hosting), its input
FIFO queue with a dead-letter queue, and its interrupt queue; all tagged with the run, all removed with it.
On a target that needs one, the client's repository would go here too: the sandbox and the test stack share
the configured repository, so there is nothing to create."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lib import naming
from lib.aws import bucket_exists
from lib.resources.ours import THIS_RUN, NotOursError, is_ours
from lib.settings import Settings

VISIBILITY_TIMEOUT_S = 300
MAX_RECEIVES = 3


@dataclass
class CleanupReport:
    deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_tag(settings: Settings) -> dict[str, str]:
    return {"Key": settings.run.tag_key, "Value": settings.run.run_id}


def bucket_prefix(settings: Settings) -> str:
    """The start of every bucket name the suite creates: `edit.wat-`."""
    return settings.stack.bucket_pattern.split("{client}")[0] + naming.suite_prefix(settings)


def queue_prefix(settings: Settings, pattern: str) -> str:
    return pattern.split("{client}")[0] + naming.suite_prefix(settings)


def create_bucket(s3: Any, settings: Settings, bucket: str) -> None:
    """A client's edit bucket with website hosting, tagged with this run's id."""
    if settings.run.namespace_clients and not bucket.startswith(bucket_prefix(settings) + settings.run.run_id + "-"):
        raise NotOursError(f"refusing to create {bucket!r}: it lacks this run's prefix {naming.run_prefix(settings)!r}")
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if settings.system.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.system.region}
    s3.create_bucket(**kwargs)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [run_tag(settings)]})
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"},
                                                               "ErrorDocument": {"Key": "404.html"}})


def bucket_tag(s3: Any, settings: Settings, bucket: str) -> str | None:
    try:
        tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchTagSet", "NoSuchBucket", "404"):
            return None
        raise
    return next((t["Value"] for t in tags if t["Key"] == settings.run.tag_key), None)


def bucket_is_ours(s3: Any, settings: Settings, bucket: str, run: str | None = THIS_RUN) -> bool:
    prefix = bucket_prefix(settings)
    return bucket.startswith(prefix) and is_ours(bucket, prefix, bucket_tag(s3, settings, bucket), settings, run)


def queue_is_ours(sqs: Any, settings: Settings, url: str, run: str | None = THIS_RUN) -> bool:
    name = url.rsplit("/", 1)[-1]
    for pattern in (settings.stack.input_queue_pattern, settings.stack.interrupt_queue_pattern):
        prefix = queue_prefix(settings, pattern)
        if name.startswith(prefix):
            tag = sqs.list_queue_tags(QueueUrl=url).get("Tags", {}).get(settings.run.tag_key)
            return is_ours(name, prefix, tag, settings, run)
    return False


def empty_and_delete_bucket(s3: Any, settings: Settings, bucket: str, run: str | None = THIS_RUN) -> None:
    if not bucket_is_ours(s3, settings, bucket, run):
        raise NotOursError(f"refusing to delete {bucket!r}: it does not carry the suite's tag and prefix")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


def onboard_queues(sqs: Any, settings: Settings, project: str) -> None:
    """The client's input FIFO queue (with its dead-letter queue) and interrupt queue, tagged with the run."""
    tags = {settings.run.tag_key: settings.run.run_id}
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    dlq = sqs.create_queue(QueueName=naming.dead_letter_queue_for(settings, project), Attributes=fifo,
                           tags=tags)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName=naming.input_queue_for(settings, project), tags=tags, Attributes={
        **fifo, "VisibilityTimeout": str(VISIBILITY_TIMEOUT_S),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})})
    sqs.create_queue(QueueName=naming.interrupt_queue_for(settings, project), tags=tags)


def queue_names(settings: Settings, project: str) -> list[str]:
    return [naming.input_queue_for(settings, project), naming.dead_letter_queue_for(settings, project),
            naming.interrupt_queue_for(settings, project)]


def offboard(s3: Any, sqs: Any, settings: Settings, projects: list[str], buckets: list[str]) -> CleanupReport:
    """Delete these clients' queues and buckets that this run created, going on past errors (as ceph's
    s3-tests do) and reporting them."""
    report = CleanupReport()
    for bucket in buckets:
        try:
            if bucket_exists(s3, bucket):
                empty_and_delete_bucket(s3, settings, bucket)
                report.deleted.append(bucket)
        except Exception as error:
            report.errors.append(f"{bucket}: {error}")
    for project in projects:
        for name in queue_names(settings, project):
            try:
                url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            except sqs.exceptions.QueueDoesNotExist:
                continue
            try:
                if queue_is_ours(sqs, settings, url):
                    sqs.delete_queue(QueueUrl=url)
                    report.deleted.append(name)
            except Exception as error:
                report.errors.append(f"{name}: {error}")
    return report


def delete_emails(s3: Any, settings: Settings, keys: list[str], report: CleanupReport) -> None:
    """Delete the suite's own emails (prefix and tag checked), once their executions are over."""
    for key in keys:
        try:
            if email_is_ours(s3, settings, key, THIS_RUN):
                s3.delete_object(Bucket=settings.stack.email_bucket, Key=key)
                report.deleted.append(key)
        except s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                report.errors.append(f"{key}: {error}")


def email_prefix(settings: Settings) -> str:
    return settings.stack.email_prefix + naming.suite_prefix(settings)


def email_is_ours(s3: Any, settings: Settings, key: str, run: str | None) -> bool:
    tags = s3.get_object_tagging(Bucket=settings.stack.email_bucket, Key=key).get("TagSet", [])
    tag = next((t["Value"] for t in tags if t["Key"] == settings.run.tag_key), None)
    return is_ours(key, email_prefix(settings), tag, settings, run)
