"""The test clients of one scenario: onboarded when a step names them, removed when the scenario ends."""

from __future__ import annotations

from lib import naming
from lib.aws import Aws, bucket_exists
from lib.records import Client
from lib.resources import client_resources as resources
from lib.resources.client_resources import CleanupReport
from lib.resources.sweep import sweep
from lib.settings import Settings


class Onboarding:
    """What this run created for its scenarios' clients (their projects and buckets), so that it can remove it."""

    def __init__(self, aws: Aws, settings: Settings) -> None:
        self.aws = aws
        self.settings = settings
        self.projects: list[str] = []
        self.buckets: list[str] = []

    def onboard(self, clients: dict[str, Client], scope: str, name: str, *, with_site: bool = True) -> Client:
        """Give client `name` of the scenario with these `clients` and `scope` its queues and (unless `with_site`
        is false) its empty edit bucket; a name used twice in one scenario is the same client."""
        if name in clients:
            known = clients[name]
            if known.has_site != with_site:
                raise ValueError(f"client {name!r} is already set up in this scenario "
                                 f"{'with' if known.has_site else 'without'} an edit site")
            return known
        project = naming.client_id(self.settings, name, scope)
        bucket = naming.bucket_for(self.settings, project)
        resources.onboard_queues(self.aws.sqs, self.settings, project)
        self.projects.append(project)
        if with_site:
            resources.create_bucket(self.aws.s3, self.settings, bucket)
            self.buckets.append(bucket)
        elif bucket_exists(self.aws.s3, bucket):
            raise resources.NotOursError(f"{bucket} exists already, so {name!r} cannot be a client without a site")
        client = Client(name, project, bucket, has_site=with_site)
        clients[name] = client
        return client

    def clean_up(self, email_keys: list[str]) -> CleanupReport:
        """Remove what the scenario created: buckets, queues and these emails (only with this run's tag and
        prefix)."""
        report = resources.offboard(self.aws.s3, self.aws.sqs, self.settings, self.projects, self.buckets)
        resources.delete_emails(self.aws.s3, self.settings, email_keys, report)
        self.projects, self.buckets = [], []
        return report

    def remove_leftovers(self) -> CleanupReport:
        """Pre-clean: what an earlier, interrupted attempt with this run id left behind."""
        return sweep(self.aws.s3, self.aws.sqs, self.settings, run_id=self.settings.run.run_id, older_than_s=0,
                     dry_run=False)
