"""What the system shows at one instant, for one client and thread: the bucket's objects, the thread's branch head
on GitHub, the project's ownership and active-job rows. Read (never written) before an email is sent and at the
moment its execution is seen to end, so a check compares what was true then, not what became true later."""

from __future__ import annotations

import time

from lib import aws
from lib.expect import contract
from lib.observe import containers, sites
from lib.observe.readers import Readers
from lib.records import Client, Moment


def take(target: Readers, client: Client, thread_id: str | None) -> Moment:
    taken_ms = int(time.time() * 1000)
    s3, dynamodb, settings = target.aws.s3, target.aws.dynamodb, target.settings
    objects = sites.list_objects(s3, client.bucket) if client.has_site and aws.bucket_exists(
        s3, client.bucket) else None
    head = target.repository.latest_commit(contract.branch_for_thread(thread_id)) if thread_id else None
    named = tuple(b for b in target.repository.branches() if thread_id in b) if thread_id and head is None else ()
    job = containers.active_job(dynamodb, settings, client.project)
    files = target.repository.commit_files(head.sha) if head else None
    return Moment(taken_ms, objects, head, containers.ownership(dynamodb, settings, client.project),
                  job.thread_id if job else None, named, files)
