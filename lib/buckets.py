"""Create and remove the suite's own client buckets. A bucket without this run's tag is never touched."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lib import deployments, naming, onboarding
from lib.settings import Settings


class NotOursError(PermissionError):
    """Refusal to empty or delete a bucket the suite did not create."""


@dataclass
class CleanupReport:
    deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_tag(settings: Settings) -> dict[str, str]:
    return {"Key": settings.tag_key, "Value": settings.run_id}


def create_client_bucket(s3: Any, settings: Settings, bucket: str) -> None:
    """Create a client's edit bucket with website hosting, tagged with this run's id."""
    if settings.namespace_clients and not bucket.startswith(suite_bucket_prefix(settings) + settings.run_id + "-"):
        raise NotOursError(f"refusing to create {bucket!r}: it lacks this run's prefix {naming.run_prefix(settings)!r}")
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if settings.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.region}
    s3.create_bucket(**kwargs)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [run_tag(settings)]})
    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}},
    )


def bucket_run_id(s3: Any, settings: Settings, bucket: str) -> str | None:
    """The run id a bucket is tagged with, or None when it carries no suite tag."""
    try:
        tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchTagSet", "NoSuchBucket", "404"):
            return None
        raise
    return next((t["Value"] for t in tags if t["Key"] == settings.tag_key), None)


def suite_bucket_prefix(settings: Settings) -> str:
    """The start of every bucket name the suite creates, whatever the run: `edit.wat-`."""
    return settings.bucket_pattern.split("{client}")[0] + settings.name_prefix + "-"


def is_ours(s3: Any, settings: Settings, bucket: str, run_id: str | None = "") -> bool:
    """True only when the bucket has the suite's name prefix and tag: of this run by default, of `run_id`
    when given, of any run when `run_id` is None."""
    wanted = settings.run_id if run_id == "" else run_id
    prefix = suite_bucket_prefix(settings) + (f"{wanted}-" if wanted else "")
    if not bucket.startswith(prefix):
        return False
    tag = bucket_run_id(s3, settings, bucket)
    return tag is not None and (wanted is None or tag == wanted)


def empty_and_delete(s3: Any, settings: Settings, bucket: str, run_id: str | None = "") -> None:
    if not is_ours(s3, settings, bucket, run_id):
        raise NotOursError(f"refusing to delete {bucket!r}: it does not carry the suite's tag and prefix")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


def remove_all(s3: Any, settings: Settings, buckets: list[str]) -> CleanupReport:
    """Delete each of our buckets, going on past errors (as ceph's s3-tests do) and reporting them."""
    report = CleanupReport()
    for bucket in buckets:
        try:
            if not deployments.bucket_exists(s3, bucket):
                continue
            empty_and_delete(s3, settings, bucket)
            report.deleted.append(bucket)
        except s3.exceptions.NoSuchBucket:
            continue
        except Exception as error:
            report.errors.append(f"{bucket}: {error}")
    return report


def sweep(s3: Any, sqs: Any, settings: Settings, *, run_id: str | None, older_than_s: float,
          dry_run: bool) -> CleanupReport:
    """Delete (or with `dry_run`, only list) the buckets and queues of crashed runs: only those with the
    suite's name prefix and tag, of `run_id` (or of any run when None), created `older_than_s` ago or more."""
    report = CleanupReport()
    now = time.time()
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        if now - bucket["CreationDate"].timestamp() < older_than_s or not is_ours(s3, settings, name, run_id):
            continue
        try:
            if not dry_run:
                empty_and_delete(s3, settings, name, run_id)
            report.deleted.append(name)
        except Exception as error:
            report.errors.append(f"{name}: {error}")
    queue_prefix = settings.input_queue_pattern.split("{client}")[0] + settings.name_prefix + "-"
    for url in sqs.list_queues(QueueNamePrefix=queue_prefix).get("QueueUrls", []):
        try:
            created = float(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp"])
                            ["Attributes"]["CreatedTimestamp"])
            if now - created < older_than_s or not onboarding.queue_is_ours(sqs, settings, url, run_id):
                continue
            if not dry_run:
                sqs.delete_queue(QueueUrl=url)
            report.deleted.append(url.rsplit("/", 1)[-1])
        except Exception as error:
            report.errors.append(f"{url}: {error}")
    return report
