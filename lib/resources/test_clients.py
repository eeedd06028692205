"""The test clients of one scenario: onboarded when a step names them, removed when the scenario ends."""

from __future__ import annotations

from lib import naming
from lib.observe.sites import bucket_exists
from lib.resources import clients as resources
from lib.resources.clients import CleanupReport
from lib.resources.sweep import sweep
from lib.scenario import Client, ScenarioState
from lib.target import Target


class TestClients:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.projects: list[str] = []
        self.buckets: list[str] = []

    def onboard(self, scenario: ScenarioState, name: str, *, with_site: bool = True) -> Client:
        """Give client `name` of this scenario its queues and (unless `with_site` is false) its empty edit
        bucket; a name used twice in one scenario is the same client."""
        settings = self.target.settings
        if name in scenario.clients:
            known = scenario.clients[name]
            if known.has_site != with_site:
                raise ValueError(f"client {name!r} is already set up in this scenario "
                                 f"{'with' if known.has_site else 'without'} an edit site")
            return known
        project = naming.client_id(settings, name, scenario.scope)
        bucket = naming.bucket_for(settings, project)
        resources.onboard_queues(self.target.aws.sqs, settings, project)
        self.projects.append(project)
        if with_site:
            resources.create_bucket(self.target.aws.s3, settings, bucket)
            self.buckets.append(bucket)
        elif bucket_exists(self.target.aws.s3, bucket):
            raise resources.NotOursError(f"{bucket} exists already, so {name!r} cannot be a client without a site")
        client = Client(name, project, bucket, has_site=with_site)
        scenario.clients[name] = client
        return client

    def clean_up(self, scenario: ScenarioState) -> CleanupReport:
        """Remove what this scenario created: buckets, queues and emails (only with this run's tag and prefix).
        A visitor still reading a site stops first."""
        for reader in scenario.readers.values():
            reader.finish()
        scenario.readers.clear()
        aws = self.target.aws
        report = resources.offboard(aws.s3, aws.sqs, self.target.settings, self.projects, self.buckets)
        resources.delete_emails(aws.s3, self.target.settings, [s.email_key for s in scenario.sessions], report)
        self.projects, self.buckets = [], []
        return report

    def remove_leftovers(self) -> CleanupReport:
        """Pre-clean: what an earlier, interrupted attempt with this run id left behind."""
        aws = self.target.aws
        return sweep(aws.s3, aws.sqs, self.target.settings, run_id=self.target.settings.run_id, older_than_s=0,
                     dry_run=False)
