"""What a client's edit bucket holds: its objects, its pages, and whether it is exactly one build."""

from __future__ import annotations

from typing import Any

from lib.records import BucketComparison, DeployedObject


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


def compare_s3_objects(s3: Any, bucket1: str, bucket2: str) -> BucketComparison:
    """Keys only in the first bucket, only in the second, and in both (the seed's compareS3Objects)."""
    keys1 = {o.key for o in list_objects(s3, bucket1)}
    keys2 = {o.key for o in list_objects(s3, bucket2)}
    return BucketComparison(sorted(keys1 - keys2), sorted(keys2 - keys1), sorted(keys1 & keys2))
