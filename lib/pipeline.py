"""The WebOrdinary edit pipeline under test, as the steps see it: one object per run."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from lib import buckets, deployments, naming
from lib.aws import AwsClients
from lib.containers import get_container_status
from lib.git import SiteRepository
from lib.logs import ContainerLogs, SessionLog
from lib.sessions import Session, SessionDriver
from lib.settings import Settings
from lib.waiters import Progress, wait_until

# Log lines can carry timestamps a little before the suite's clock says the message was sent.
CLOCK_SKEW_MS = 2000


def _accept_any(instruction: str) -> None:
    return None


def _no_onboarding(client: str, user: str) -> None:
    return None


@dataclass
class TargetHooks:
    """What differs between targets beyond endpoints: onboarding a client (the sandbox creates its queues;
    on AWS they must exist) and which instructions the target can interpret."""

    onboard: Callable[[str, str], None] = _no_onboarding
    validate_instruction: Callable[[str], None] = _accept_any


@dataclass
class Pipeline:
    settings: Settings
    hooks: TargetHooks = field(default_factory=TargetHooks)
    progress: Progress | None = None

    def __post_init__(self) -> None:
        self.clients = AwsClients(self.settings)
        self.driver = SessionDriver(self.clients, self.settings)
        self.logs = ContainerLogs(self.clients.logs, self.settings)
        self.repository = SiteRepository(self.settings)
        self.created_buckets: list[str] = []

    # -- clients and their sites ---------------------------------------------------------------------------
    def bucket_of(self, name: str) -> str:
        return naming.bucket_for(self.settings, naming.client_id(self.settings, name))

    def give_edit_site(self, name: str) -> str:
        """Onboard client `name` and create its (empty, tagged) edit bucket; returns the bucket name."""
        client = naming.client_id(self.settings, name)
        self.hooks.onboard(client, self.settings.user_id)
        bucket = naming.bucket_for(self.settings, client)
        if bucket not in self.created_buckets:
            buckets.create_client_bucket(self.clients.s3, self.settings, bucket)
            self.created_buckets.append(bucket)
        return bucket

    def onboard_without_site(self, name: str) -> str:
        """Onboard client `name` but make sure it has no bucket; returns the bucket name it would have."""
        client = naming.client_id(self.settings, name)
        self.hooks.onboard(client, self.settings.user_id)
        bucket = naming.bucket_for(self.settings, client)
        if deployments.bucket_exists(self.clients.s3, bucket):
            buckets.empty_and_delete(self.clients.s3, self.settings, bucket)
        return bucket

    def remove_created_buckets(self) -> buckets.CleanupReport:
        report = buckets.remove_all(self.clients.s3, self.settings, list(self.created_buckets))
        self.created_buckets = [b for b in self.created_buckets if b not in report.deleted]
        return report

    # -- sessions ---------------------------------------------------------------------------------------------
    def start_session(self, name: str, instruction: str, thread_id: str | None = None) -> Session:
        self.hooks.validate_instruction(instruction)
        return self.driver.start(name, instruction, thread_id)

    def session_log(self, session: Session) -> SessionLog:
        return self.logs.session(session.thread_id, session.sent_at_ms - CLOCK_SKEW_MS)

    def wait_for_outcome(self, session: Session, deadline_s: float | None = None) -> SessionLog:
        """Wait until this session's log shows how it ended (deployed, sync failed, build failed, failed)."""
        return wait_until(
            f"the outcome of {session.name}'s thread {session.thread_id} ({session.instruction!r})",
            lambda: self.session_log(session),
            lambda log: log.outcome is not None,
            deadline_s or self.settings.deployment_timeout_s,
            describe=lambda log: log.summary(),
            progress=self.progress,
            progress_every_s=self.settings.progress_interval_s,
        )

    def wait_for_outcomes(self, sessions: list[Session]) -> list[SessionLog]:
        """Wait for several sessions at once, so each outcome is seen as soon as it happens."""
        if len(sessions) <= 1:
            return [self.wait_for_outcome(s) for s in sessions]
        with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
            return list(pool.map(self.wait_for_outcome, sessions))

    def wait_for_finish(self, session: Session) -> SessionLog:
        """Wait until the container is done with this session (it reported back, success or failure)."""
        return wait_until(
            f"{session.name}'s thread {session.thread_id} to finish",
            lambda: self.session_log(session),
            lambda log: log.finished,
            self.settings.deployment_timeout_s,
            describe=lambda log: log.summary(),
            progress=self.progress,
            progress_every_s=self.settings.progress_interval_s,
        )

    def wait_for_branch(self, branch: str) -> bool:
        return wait_until(
            f"branch {branch} on {self.settings.repository}",
            lambda: self.repository.branch_exists(branch),
            bool,
            self.settings.git_timeout_s,
            describe=lambda found: "present" if found else "absent",
            progress=self.progress,
        )

    # -- what a reader sees ---------------------------------------------------------------------------------
    def page(self, name: str, key: str = "index.html") -> str:
        return deployments.read_page(self.clients.s3, self.bucket_of(name), key)

    def deployed_objects(self, name: str) -> list[deployments.DeployedObject]:
        return deployments.list_objects(self.clients.s3, self.bucket_of(name))

    def latest_build_problems(self, session: Session, log: SessionLog) -> list[str]:
        return deployments.latest_build_problems(self.deployed_objects(session.name), log, self.settings)

    def container_status(self, container_id: str) -> str:
        return get_container_status(self.clients.dynamodb, self.settings, container_id)

