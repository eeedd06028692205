"""Checks that read the system: each gathers what it needs through the target and hands it to a pure check in
`lib.checks`; each returns problems in a product owner's words (empty when all is well)."""

from __future__ import annotations

from lib import expectations, naming
from lib.checks import branches, deployments, outcomes
from lib.checks.branches import ThreadWork
from lib.observe import containers, moments, queues, sites
from lib.observe.reader import Reader, Readings
from lib.observe.visitor import Visit
from lib.scenario import ScenarioError, Session
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


def site_page_left(world: World, name: str, key: str = "index.html") -> str:
    """The client's page as its last deployed edit left it, once its latest edit has ended without deploying
    (a failed build or sync): what a later failure must not have changed."""
    latest = world.scenario.latest_session(name)
    outcome = world.observer.await_outcome(latest)
    if outcome.kind == expectations.DEPLOYED:
        raise AssertionError(f"{name}'s latest edit ({latest.describe()}) was deployed, so its site shows that edit, "
                             "not what an earlier one left")
    deployed = [s for s in world.scenario.sessions_of(name)[:-1] if s.outcome and s.outcome.kind ==
                expectations.DEPLOYED]
    if not deployed:
        raise AssertionError(f"no edit of {name} before its latest one was deployed, so nothing can still show")
    return sites.read_page(world.target.aws.s3, world.scenario.client(name).bucket, key)


def element_left_for(world: World, name: str, text: str) -> str:
    """Where the site should still show `text`: the element of the latest deployed edit of the client that
    writes it."""
    instructions = [s.instruction for s in world.scenario.sessions_of(name)
                    if s.outcome and s.outcome.kind == expectations.DEPLOYED]
    element = expectations.element_showing(instructions, text)
    if element is None:
        raise ScenarioError(f"no deployed edit of {name} writes {text!r} (its deployed edits: "
                            f"{'; '.join(instructions) or 'none'})")
    return element


def thread_commit_problems(world: World, name: str, label: str, count: int) -> list[str]:
    """Whether the thread the scenario calls `label` has exactly `count` commits of its own on its branch."""
    mine = [s for s in world.scenario.sessions_of(name) if s.label == label]
    [work] = thread_work(world, mine)
    if work.commits is None:
        return [f"thread {label!r} of {name} ({work.thread_id}) has no branch {work.branch} on GitHub"]
    own = [c for c in work.commits if expectations.commit_session(c.message) == work.thread_id]
    if len(own) == count:
        return []
    return [f"thread {label!r} of {name} has {len(own)} commit(s) of its own on {work.branch}, not {count}: "
            f"{[c.subject for c in own] or 'none since main'}"]


def visit(world: World, name: str) -> Visit:
    """What a visitor sees of the client's site once its latest edit is deployed (one visit per edit)."""
    site_page(world, name)  # waits for the latest edit and requires it deployed
    latest = world.scenario.latest_session(name)
    cached = world.scenario.visits.get(name)
    if cached is None or cached[0] is not latest:
        url = world.target.site_url(world.scenario.client(name).bucket)
        cached = world.scenario.visits[name] = (latest, world.target.browser.visit(url))
    return cached[1]


def start_reading(world: World, name: str) -> None:
    """A visitor starts reading the client's site over and over (its current build must be deployed)."""
    site_page(world, name)
    if name in world.scenario.readers:
        raise ScenarioError(f"a visitor is already reading the site of {name}")
    settings = world.target.settings
    reader = Reader(world.target.site_url(world.scenario.client(name).bucket), settings.website_proxy)
    world.scenario.readers[name] = reader
    reader.start()


def stop_reading(world: World, name: str) -> Readings:
    """Once the client's latest edit has ended, what the visitor reading its site saw."""
    reader = world.scenario.readers.pop(name, None)
    if reader is None:
        raise ScenarioError(f'no visitor is reading the site of {name}; start one with: When a visitor keeps '
                            f'reading the site of "{name}"')
    world.observer.await_outcome(world.scenario.latest_session(name))
    readings = reader.finish()
    world.scenario.atomicity = readings.summary()
    return readings


def element_for(world: World, name: str, text: str) -> str:
    """Where the client's site should show `text`: the element of the latest of its edits that writes it."""
    instructions = [s.instruction for s in world.scenario.sessions_of(name)]
    element = expectations.element_showing(instructions, text)
    if element is None:
        raise ScenarioError(f"no email {name} sent in this scenario writes {text!r}, so no element of its site "
                            f"should show it (its edits: {'; '.join(instructions) or 'none'})")
    return element


def exact_build_problems(world: World, sessions: list[Session]) -> list[str]:
    """For each client, why its bucket is not exactly the build of its last deployment, complete (no empty file,
    no link from the home page to a missing page)."""
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
        home = {"index.html": sites.read_page(world.target.aws.s3, session.client.bucket)} if any(
            o.key == "index.html" for o in objects) else {}
        problems += [f"{session.client.bucket}: {p}" for p in deployments.completeness_problems(objects, home)]
    return problems


def interrupted_build_problems(world: World) -> list[str]:
    """Whether each email sent while the client's previous edit was building interrupted that edit in time."""
    pairs = world.scenario.sent_while_building
    if not pairs:
        raise ScenarioError('no email of this scenario was sent while another was building, so nothing can have '
                            'interrupted a build; send them with: When "<client>" emails these edits on new threads, '
                            "each while the last is building:")
    world.observer.await_outcomes([earlier for earlier, _ in pairs])
    return outcomes.interrupted_build_problems(pairs, world.target.settings)


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
        committing = [s for s in mine if s.outcome and s.outcome.log.has(settings.phrase_committing)]
        # A failed build is not pushed (contract), so its commit reaches GitHub only with a later push of the thread;
        # unless an interrupt stopped it: the interrupt's handling pushes the work it saves.
        while committing and (last := committing[-1].outcome) and last.kind == expectations.BUILD_FAILED and not (
                last.log.has(settings.phrase_interrupt)):
            committing.pop()
        committed = [s.instruction for s in committing]
        ended = committing[-1].outcome.describe() if committing and committing[-1].outcome else ""
        work.append(ThreadWork(thread_id, branch, committed, repository.commits_since_main(branch), ended))
    return work


def branch_problems(world: World, sessions: list[Session]) -> list[str]:
    """Each thread's branch on GitHub holds every commit the container made for it and none of another thread's."""
    work = thread_work(world, sessions)
    repository, settings = world.target.repository, world.target.settings
    remote = repository.branches() if any(w.commits is None for w in work) else []
    main = repository.get_git_commits(settings.default_branch, limit=30)
    return (branches.branch_problems(work, settings.user_id, remote)
            + branches.main_problems(main, [w.thread_id for w in work], settings.default_branch))


def unserved_clients(world: World) -> list[str]:
    """Clients of the scenario whose project is owned by a container that no longer serves it, once every session
    has ended: its next email would be routed to that owner and wait for a claim that never comes."""
    sessions = world.scenario.sessions
    if not sessions:
        raise ScenarioError("no email was sent in this scenario, so no container has served anyone yet")
    world.observer.await_outcomes(sessions)
    served = {s.client.name: s.client for s in sessions}
    aws, settings = world.target.aws, world.target.settings
    return [problem for client in served.values()
            if (problem := containers.unserved(aws.dynamodb, settings, client.name, client.project))]


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
        moment = moments.take(world.target, client, None)
        if moment.active_thread:
            problems.append(f"the active-job row of {client.project} still names thread {moment.active_thread} "
                            "after all its sessions ended")
        # Name the sessions a leftover message can be of: how they ended is the evidence of why it is left.
        ended_otherwise = [f"{s.describe()} ended {s.outcome.describe() if s.outcome else 'unseen'}"
                           for s in world.scenario.sessions_of(client.name)
                           if not (s.outcome and s.outcome.kind in (expectations.DEPLOYED, expectations.PREEMPTED))]
        for queue in (naming.input_queue_for(world.target.settings, client.project),
                      naming.dead_letter_queue_for(world.target.settings, client.project)):
            counts = queues.counts(world.target.aws.sqs, queue)
            if counts and sum(counts):
                problems.append(f"{queue} still holds {counts[0]} waiting and {counts[1]} in-flight message(s)" + (
                    f", of the sessions that did not end deployed or preempted: {', '.join(ended_otherwise)}"
                    if ended_otherwise else ""))
    return problems


def work_done_problems(world: World) -> list[str]:
    """Work done twice or at once: a thread handled more times than it got emails, a client's sessions overlapping."""
    settings = world.target.settings
    sessions = world.scenario.sessions
    threads: dict[str, list[Session]] = {}
    for session in sessions:
        if session.thread_id:
            threads.setdefault(session.thread_id, []).append(session)
    problems = []
    for thread_id, mine in threads.items():
        opening = settings.phrase_switched.split("{branch}")[0].format(thread_id=thread_id)
        handled = world.target.logs.find(opening, min(s.sent_at_ms for s in mine))
        if len(handled) > len(mine):
            problems.append(f"thread {thread_id} was handled {len(handled)} times for {len(mine)} email(s) "
                            f"(a message processed twice?): " + ", ".join(f"{line.stream} at {line.timestamp_ms}"
                                                                          for line in handled))
    return problems + outcomes.overlap_problems(sessions)
