"""Checks that read the system: each gathers what it needs through the target and hands it to a pure check in
`lib.checks`; each returns problems in a product owner's words (empty when all is well)."""

from __future__ import annotations

from lib import expectations, naming
from lib.checks import branches, deployments
from lib.checks.branches import ThreadWork
from lib.observe import sites
from lib.scenario import Session
from lib.world import World


class NotDeployed(AssertionError):
    """A site read before (or without) its client's latest edit being deployed."""


def site_page(world: World, name: str, key: str = "index.html") -> str:
    """The client's deployed page, read only once its latest session has ended deployed (never an older build)."""
    client = world.scenario.client(name)
    mine = world.scenario.sessions_of(name)
    if not mine:
        # Its bucket is this scenario's own and empty: there is nothing of an edit to look at.
        raise NotDeployed(f"{name} has sent no email in this scenario, so no edit of its site can be checked")
    latest = mine[-1]
    outcome = world.observer.await_outcome(latest)
    if outcome.kind != expectations.DEPLOYED:
        raise NotDeployed(f"{name}'s latest edit ({latest.describe()}) has not been deployed: it ended "
                          f"{outcome.describe()}")
    if not client.has_site or not sites.bucket_exists(world.target.aws.s3, client.bucket):
        raise sites.DeploymentError(f"client {name!r} has no edit site (bucket {client.bucket} does not exist)")
    return sites.read_page(world.target.aws.s3, client.bucket, key)


def exact_build_problems(world: World, sessions: list[Session]) -> list[str]:
    """For each client, why its bucket is not exactly the build of its last deployment."""
    settings = world.target.settings
    last: dict[str, tuple[Session, int]] = {}
    for session in sessions:
        assert session.outcome is not None
        synced = session.outcome.log.first(settings.phrase_sync_ok)
        if session.outcome.kind == expectations.DEPLOYED and synced and (
                session.name not in last or synced.timestamp_ms > last[session.name][1]):
                last[session.name] = (session, synced.timestamp_ms)
    problems = []
    for session, _ in last.values():
        assert session.outcome is not None
        objects = sites.list_objects(world.target.aws.s3, session.client.bucket)
        problems += [f"{session.client.bucket}: {p}"
                     for p in deployments.latest_build_problems(objects, session.outcome.log, settings)]
    return problems


def thread_work(world: World, sessions: list[Session]) -> list[ThreadWork]:
    """Each thread of these sessions (once they have ended) with its branch's commits since main on GitHub."""
    world.observer.await_outcomes(sessions)
    settings = world.target.settings
    threads: dict[str, list[Session]] = {}
    for session in sessions:
        if session.thread_id:
            threads.setdefault(session.thread_id, []).append(session)
    repository = world.target.repository
    work = []
    for thread_id, mine in threads.items():
        branch = expectations.branch_for_thread(thread_id)
        committed = sum(1 for s in mine if s.outcome and s.outcome.log.has(settings.phrase_committing))
        work.append(ThreadWork(thread_id, branch, committed, repository.commits_since_main(branch)))
    return work


def branch_problems(world: World, sessions: list[Session]) -> list[str]:
    """Each thread's branch on GitHub holds every commit the container made for it and none of another thread's."""
    work = thread_work(world, sessions)
    remote = world.target.repository.branches() if any(w.commits is None for w in work) else []
    return branches.branch_problems(work, world.target.settings.user_id, remote)


def loose_ends(world: World) -> list[str]:
    """What the scenario left unfinished: executions still running, messages left in its clients' queues."""
    problems = []
    for session in world.scenario.sessions:
        if session.execution_arn:
            execution = world.target.executions.describe(session.execution_arn)
            if execution.running:
                problems.append(f"the execution of {session.describe()} is still RUNNING")
        else:
            problems.append(f"no execution was ever seen for {session.describe()}")
    for client in world.scenario.clients.values():
        for queue in (naming.input_queue_for(world.target.settings, client.project),
                      naming.dead_letter_queue_for(world.target.settings, client.project)):
            counts = world.observer.queue_counts(queue)
            if counts and sum(counts):
                problems.append(f"{queue} still holds {counts[0]} waiting and {counts[1]} in-flight message(s)")
    return problems
