"""The WebOrdinary edit pipeline under test, as the steps see it: one object per run."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lib import buckets, deployments, naming, onboarding
from lib.aws import AwsClients
from lib.containers import LIVE_STATUSES, get_container_status
from lib.git import SiteRepository
from lib.logs import DEPLOYED, ContainerLogs, LogLine, SessionLog
from lib.sessions import Session, SessionDriver
from lib.settings import Settings
from lib.waiters import Progress, wait_until

# Log lines can carry timestamps a little before the suite's clock says the message was sent.
CLOCK_SKEW_MS = 2000


def _accept_any(instruction: str) -> None:
    return None


@dataclass
class TargetHooks:
    """What differs between targets beyond endpoints and names: which instructions the target can
    interpret (the sandbox knows its grammar; Claude on AWS takes anything)."""

    validate_instruction: Callable[[str], object] = _accept_any


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
        self.onboarded: list[str] = []
        # Every awaited outcome: its log line's time and when the suite saw it (for the detection benchmark).
        self.detections: list[dict[str, object]] = []

    def say(self, message: str) -> None:
        """Tell the person watching the run (through the progress channel, past output capture)."""
        (self.progress or print)(message)

    # -- clients and their sites ---------------------------------------------------------------------------
    def bucket_of(self, name: str) -> str:
        return naming.bucket_for(self.settings, naming.client_id(self.settings, name))

    def onboard(self, name: str) -> str:
        """Give client `name` its input queues (tagged with the run); returns its project id."""
        client = naming.client_id(self.settings, name)
        if client not in self.onboarded:
            onboarding.onboard_client(self.clients.sqs, self.settings, client)
            self.onboarded.append(client)
        return client

    def give_edit_site(self, name: str) -> str:
        """Onboard client `name` and create its (empty, tagged) edit bucket; returns the bucket name."""
        client = self.onboard(name)
        bucket = naming.bucket_for(self.settings, client)
        if bucket not in self.created_buckets:
            buckets.create_client_bucket(self.clients.s3, self.settings, bucket)
            self.created_buckets.append(bucket)
        return bucket

    def onboard_without_site(self, name: str) -> str:
        """Onboard client `name` but make sure it has no bucket; returns the bucket name it would have."""
        bucket = naming.bucket_for(self.settings, self.onboard(name))
        if deployments.bucket_exists(self.clients.s3, bucket):
            buckets.empty_and_delete(self.clients.s3, self.settings, bucket)  # refuses a bucket not ours
        return bucket

    def clean_up(self) -> buckets.CleanupReport:
        """Remove the buckets and queues this run created (only those with its tag and prefix)."""
        report = buckets.remove_all(self.clients.s3, self.settings, list(self.created_buckets))
        self.created_buckets = [b for b in self.created_buckets if b not in report.deleted]
        try:
            report.deleted += onboarding.offboard_clients(self.clients.sqs, self.settings, self.onboarded)
            self.onboarded = []
        except Exception as error:
            report.errors.append(f"queues: {error}")
        return report

    def remove_leftovers(self) -> buckets.CleanupReport:
        """Pre-clean: delete what an earlier, interrupted attempt with this run id left behind."""
        return buckets.sweep(self.clients.s3, self.clients.sqs, self.settings, run_id=self.settings.run_id,
                             older_than_s=0, dry_run=False)

    # -- sessions ---------------------------------------------------------------------------------------------
    def start_session(self, name: str, instruction: str, thread_id: str | None = None) -> Session:
        self.hooks.validate_instruction(instruction)
        return self.driver.start(name, instruction, thread_id)

    def session_log(self, session: Session) -> SessionLog:
        return self.logs.session(session.thread_id, session.sent_at_ms - CLOCK_SKEW_MS)

    def wait_for_outcome(self, session: Session, deadline_s: float | None = None) -> SessionLog:
        """Wait until this session's log shows how it ended (deployed, sync failed, build failed, failed)."""
        log = wait_until(
            f"the outcome of {session.name}'s thread {session.thread_id} ({session.instruction!r})",
            lambda: self.session_log(session),
            lambda log: log.outcome is not None,
            deadline_s or self.settings.deployment_timeout_s,
            describe=lambda log: log.summary(),
            **self._wait_options(),
        )
        log.detected_at_ms = int(time.time() * 1000)
        assert log.outcome_line is not None
        self.detections.append({"thread_id": session.thread_id, "outcome": log.outcome,
                                "line_ms": log.outcome_line.timestamp_ms, "detected_ms": log.detected_at_ms})
        return log

    def wait_for_outcomes(self, sessions: list[Session]) -> list[SessionLog]:
        """Wait for several sessions at once, so each outcome is seen as soon as it happens."""
        if len(sessions) <= 1:
            return [self.wait_for_outcome(s) for s in sessions]
        with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
            return list(pool.map(self.wait_for_outcome, sessions))

    def await_outcomes(self, sessions: list[Session], outcomes: dict[str, SessionLog]) -> None:
        """Fill `outcomes` (thread id -> log) for the sessions not yet awaited, waiting for them at once."""
        pending = [s for s in sessions if s.thread_id not in outcomes]
        for session, log in zip(pending, self.wait_for_outcomes(pending), strict=True):
            outcomes[session.thread_id] = log

    def wait_for_finish(self, session: Session) -> SessionLog:
        """Wait until the container is done with this session (it reported back, success or failure)."""
        return wait_until(
            f"{session.name}'s thread {session.thread_id} to finish",
            lambda: self.session_log(session),
            lambda log: log.finished,
            self.settings.deployment_timeout_s,
            describe=lambda log: log.summary(),
            **self._wait_options(),
        )

    def wait_for_branch(self, branch: str) -> bool:
        return wait_until(
            f"branch {branch} on {self.settings.repository}",
            lambda: self.repository.branch_exists(branch),
            bool,
            self.settings.git_timeout_s,
            describe=lambda found: "present" if found else "absent",
            **self._wait_options(),
        )

    # -- what a reader sees ---------------------------------------------------------------------------------
    def page(self, name: str, key: str = "index.html") -> str:
        return deployments.read_page(self.clients.s3, self._existing_bucket(name), key)

    def deployed_objects(self, name: str) -> list[deployments.DeployedObject]:
        return deployments.list_objects(self.clients.s3, self._existing_bucket(name))

    def _existing_bucket(self, name: str) -> str:
        bucket = self.bucket_of(name)
        if not deployments.bucket_exists(self.clients.s3, bucket):
            raise deployments.DeploymentError(
                f"client {name!r} has no edit site (bucket {bucket} does not exist); "
                f"a scenario gives it one with: Given client \"{name}\" has an edit site"
            )
        return bucket

    def compare_sites(self, name: str, other: str) -> deployments.BucketComparison:
        """The seed's compareS3Objects over two clients' edit buckets."""
        return deployments.compare_s3_objects(self.clients.s3, self._existing_bucket(name),
                                              self._existing_bucket(other))

    def wait_for_log(self, phrase: str, since_ms: int, deadline_s: float | None = None) -> list[LogLine]:
        """Wait for a line containing `phrase` (a quoted CloudWatch phrase) written since `since_ms`."""
        return wait_until(
            f"a container log line with {phrase!r}",
            lambda: self.logs.find(phrase, since_ms),
            bool,
            deadline_s or self.settings.log_timeout_s,
            describe=lambda lines: "none yet" if not lines else str(lines[-1]),
            **self._wait_options(),
        )

    def latest_build_problems(self, session: Session, log: SessionLog) -> list[str]:
        return deployments.latest_build_problems(self.deployed_objects(session.name), log, self.settings)

    def container_status(self, container_id: str) -> str:
        return get_container_status(self.clients.dynamodb, self.settings, container_id)


    # -- sequences of sessions ----------------------------------------------------------------------------------
    def send_paced(self, name: str, instructions: list[str], gap_s: float) -> list[Session]:
        """Start one new thread per instruction, `gap_s` apart: the pace of the stimulus (a person sending
        emails in quick succession), not a wait for anything."""
        if gap_s < 0:
            raise ValueError(f"the gap between emails must be zero or more seconds, got {gap_s}")
        for instruction in instructions:
            self.hooks.validate_instruction(instruction)
        sessions: list[Session] = []
        for instruction in instructions:
            if sessions:
                elapsed = time.time() - sessions[-1].sent_at_ms / 1000
                time.sleep(max(0.0, gap_s - elapsed))
            sessions.append(self.start_session(name, instruction))
        return sessions

    def send_one_after_another(self, name: str, instructions: list[str]) -> list[tuple[Session, SessionLog]]:
        """Start one new thread per instruction, each once the previous one is deployed."""
        for instruction in instructions:
            self.hooks.validate_instruction(instruction)
        done: list[tuple[Session, SessionLog]] = []
        for instruction in instructions:
            session = self.start_session(name, instruction)
            log = self.wait_for_outcome(session)
            if log.outcome != DEPLOYED:
                raise AssertionError(
                    f"{name}'s thread {session.thread_id} ({instruction!r}) ended {log.outcome!r}, "
                    f"not deployed: {log.summary()}"
                )
            done.append((session, log))
        return done

    # -- checks that return what is wrong ---------------------------------------------------------------------
    def branch_problems(self, sessions: list[Session]) -> list[str]:
        """Why the sessions' threads do not each have their own pushed branch with their own head commit."""
        for session in sessions:
            self.wait_for_finish(session)
        problems: list[str] = []
        heads: dict[str, str] = {}
        existing: list[str] | None = None
        for session in sessions:
            head = self.repository.latest_commit(session.branch)
            if head is None:
                existing = existing if existing is not None else self.repository.branches()
                problems.append(f"thread {session.thread_id}'s branch {session.branch} is not on "
                                f"{self.settings.repository} (branches: {', '.join(existing)})")
                continue
            if f"Session: {session.thread_id}" not in head.message:
                problems.append(f"the head commit {head.sha[:8]} of {session.branch} is not this thread's "
                                f"work: {head.subject!r}")
            if head.sha in heads:
                problems.append(f"{session.branch} and {heads[head.sha]} share the head commit {head.sha[:8]}")
            heads[head.sha] = session.branch
        return problems

    def not_deployed(self, sessions: list[Session], outcomes: dict[str, SessionLog]) -> list[str]:
        """The sessions whose log shows an outcome other than a deployment, with their last lines."""
        return [f"{s.name} ({s.thread_id}): {outcomes[s.thread_id].outcome}: {outcomes[s.thread_id].summary()}"
                for s in sessions if outcomes[s.thread_id].outcome != DEPLOYED]

    def exact_build_problems(self, sessions: list[Session], outcomes: dict[str, SessionLog]) -> list[str]:
        """For each client, why its bucket is not exactly the build of its last deployed session."""
        last: dict[str, tuple[Session, SessionLog, int]] = {}
        for session in sessions:
            log = outcomes[session.thread_id]
            synced = log.first(self.settings.phrase_sync_ok)
            if synced and (session.name not in last or synced.timestamp_ms > last[session.name][2]):
                last[session.name] = (session, log, synced.timestamp_ms)
        return [f"{session.bucket}: {problem}"
                for session, log, _ in last.values()
                for problem in self.latest_build_problems(session, log)]

    def deployment_order_problems(self, sessions: list[Session], logs: dict[str, SessionLog]) -> list[str]:
        """Which of a client's sessions were deployed before an earlier-sent one."""
        problems = []
        by_client: dict[str, list[Session]] = {}
        for session in sessions:
            by_client.setdefault(session.name, []).append(session)
        for client_sessions in by_client.values():
            synced = [(s, logs[s.thread_id].first(self.settings.phrase_sync_ok)) for s in client_sessions]
            for (earlier, first), (later, second) in itertools.pairwise(synced):
                if first and second and second.timestamp_ms < first.timestamp_ms:
                    problems.append(
                        f"{later.instruction!r} (sent after {earlier.instruction!r}) was deployed before it"
                    )
        return problems

    @staticmethod
    def time_to_deploy_all(sessions: list[Session], logs: dict[str, SessionLog]) -> float:
        """Seconds from the first email sent to the last deployment the suite saw."""
        started = min(s.sent_at_ms for s in sessions)
        seen = [logs[s.thread_id].detected_at_ms for s in sessions]
        if None in seen:
            raise ValueError("time_to_deploy_all needs every session's outcome awaited first")
        return (max(t for t in seen if t is not None) - started) / 1000

    def wait_until_finished_or_down(self, session: Session, container_id: str) -> tuple[SessionLog, str]:
        """Wait until the container has finished this session, or is no longer up, whichever comes first."""
        def probe() -> tuple[SessionLog, str]:
            return self.session_log(session), self.container_status(container_id)

        return wait_until(
            f"container {container_id} to finish {session.name}'s thread {session.thread_id}",
            probe,
            lambda seen: seen[0].finished or seen[1] not in LIVE_STATUSES,
            self.settings.deployment_timeout_s,
            describe=lambda seen: f"container {seen[1]}; log: {seen[0].summary()}",
            **self._wait_options(),
        )

    def _wait_options(self) -> dict[str, Any]:
        return {"progress": self.progress, "progress_every_s": self.settings.progress_interval_s,
                "max_poll_s": self.settings.poll_max_s}
