"""What a client's edit bucket holds: its objects, its pages, and whether it is exactly one build."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lib.logs import SessionLog
from lib.settings import Settings


@dataclass(frozen=True)
class DeployedObject:
    key: str
    size: int
    last_modified: datetime
    etag: str


@dataclass(frozen=True)
class BucketComparison:
    unique1: list[str]
    unique2: list[str]
    common: list[str]


class DeploymentError(AssertionError):
    """A bucket that does not hold what the deployment should have put there."""


def list_objects(s3: Any, bucket: str) -> list[DeployedObject]:
    objects: list[DeployedObject] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects += [
            DeployedObject(o["Key"], o["Size"], o["LastModified"], o["ETag"].strip('"'))
            for o in page.get("Contents", [])
        ]
    return objects


def read_page(s3: Any, bucket: str, key: str = "index.html") -> str:
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except s3.exceptions.NoSuchKey:
        keys = ", ".join(o.key for o in list_objects(s3, bucket)[:10]) or "nothing"
        raise DeploymentError(f"{bucket} has no {key}; it holds: {keys}") from None


def bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise
    return True


def compare_s3_objects(s3: Any, bucket1: str, bucket2: str) -> BucketComparison:
    """Keys only in the first bucket, only in the second, and in both (the seed's compareS3Objects)."""
    keys1 = {o.key for o in list_objects(s3, bucket1)}
    keys2 = {o.key for o in list_objects(s3, bucket2)}
    return BucketComparison(sorted(keys1 - keys2), sorted(keys2 - keys1), sorted(keys1 & keys2))


_SYNC_COUNTS = re.compile(r"(\d+) uploaded, (\d+) deleted")


def latest_build_problems(objects: list[DeployedObject], session: SessionLog, settings: Settings) -> list[str]:
    """Why the bucket is not exactly the build this session deployed (empty when it is).

    `aws s3 sync` re-uploads every file of a fresh build, so after this session's sync every object
    must be at least as new as its `Deploying to S3` line, and their number must equal the uploads.
    """
    deploying = session.first(settings.phrase_deploying)
    synced = session.first(settings.phrase_sync_ok)
    if not deploying or not synced:
        return [f"thread {session.thread_id} has no completed sync in its log: {session.summary()}"]
    counts = _SYNC_COUNTS.search(synced.message)
    problems: list[str] = []
    # S3 keeps whole seconds; allow for that and for a little clock skew.
    since_s = deploying.timestamp_ms / 1000 - 1.0
    stale = [o for o in objects if o.last_modified.timestamp() < since_s]
    if stale:
        problems.append(
            f"{len(stale)} object(s) older than this deployment: "
            + ", ".join(f"{o.key} ({o.last_modified:%H:%M:%S})" for o in stale[:8])
        )
    if counts and int(counts[1]) != len(objects):
        problems.append(f"the sync uploaded {counts[1]} file(s) but the bucket holds {len(objects)}")
    if not objects:
        problems.append("the bucket is empty")
    return problems
