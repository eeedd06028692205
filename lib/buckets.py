"""Create and remove the suite's own client buckets. A bucket without this run's tag is never touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib import naming
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
    if not bucket.startswith(settings.bucket_pattern.split("{client}")[0] + naming.run_prefix(settings)) \
            and settings.namespace_clients:
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


def is_ours(s3: Any, settings: Settings, bucket: str) -> bool:
    """True only when the bucket has this run's name prefix and tag."""
    prefix = settings.bucket_pattern.split("{client}")[0] + naming.run_prefix(settings)
    return bucket.startswith(prefix) and bucket_run_id(s3, settings, bucket) == settings.run_id


def empty_and_delete(s3: Any, settings: Settings, bucket: str) -> None:
    if not is_ours(s3, settings, bucket):
        raise NotOursError(f"refusing to delete {bucket!r}: it does not carry run {settings.run_id}'s tag and prefix")
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
            empty_and_delete(s3, settings, bucket)
            report.deleted.append(bucket)
        except s3.exceptions.NoSuchBucket:
            continue
        except Exception as error:
            report.errors.append(f"{bucket}: {error}")
    return report
