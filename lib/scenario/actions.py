"""One action per Given and When step: onboarding the scenario's clients and sending their emails as a person
does (at once, a few seconds apart, each once the last is deployed, each while the last is building), and a
visitor starting to read a site. A step makes one call here. Emails are the only way in (lib/send/emails.py)."""

from __future__ import annotations

import time

from lib.expect import contract
from lib.expect.instructions import Grammar
from lib.judge.outcomes import clock
from lib.observe import containers, moments
from lib.observe.reading_visitor import ReadingVisitor
from lib.observe.waiters import wait_until
from lib.records import Client, Ownership, Session
from lib.scenario import verdicts
from lib.scenario.state import ScenarioError
from lib.scenario.world import World
from lib.send import emails, operations, pacing

IDLE_QUIET_S = 10.0  # a container that logged nothing for this long, owning nothing, is idle: a deployment may stop it
STOPPED_RELEASE_S = 60.0  # ECS's default stop grace is 30 s; the container releases its project within it


def onboard(world: World, names: list[str], *, with_site: bool = True) -> list[Client]:
    """New clients of this scenario, each with its queues and (unless `with_site` is false) its empty bucket."""
    return [world.onboard(name, with_site=with_site) for name in names]


def send(world: World, name: str, instruction: str, *, thread: str = "", encoding: str = "") -> Session:
    """One email from client `name`. With `thread` (the scenario's label for a thread): the first email under a
    label starts that thread, a later one replies to the thread's latest email. `encoding`: how its mail client
    encodes the body (lib/send/emails.py ENCODINGS)."""
    target, scenario = world.target, world.scenario
    client = scenario.client(name)
    target.grammar.check(instruction)
    earlier = [s for s in scenario.sessions_of(name) if thread and s.label == thread]
    before = moments.take(target, client, earlier[-1].thread_id if earlier else None)
    session = emails.deliver(target.aws.s3, target.settings, client, instruction, label=thread,
                             replying_to=earlier[-1] if earlier else None, encoding=encoding)
    session.before = before
    scenario.sessions.append(session)
    return session


def send_at_once(world: World, emails_by_client: list[tuple[str, str]]) -> None:
    """Each (client, instruction) starts a new thread; all are sent at once."""
    for _, instruction in emails_by_client:
        world.target.grammar.check(instruction)
    for name, instruction in emails_by_client:
        send(world, name, instruction)


def send_paced(world: World, name: str, instructions: list[str], gap_s: float) -> None:
    """One new thread per instruction, `gap_s` apart."""
    for instruction in instructions:
        world.target.grammar.check(instruction)
    previous: Session | None = None
    for instruction in instructions:
        if previous is not None:
            pacing.after_gap(previous.sent_at_ms, gap_s)
        previous = send(world, name, instruction)


def send_in_turn(world: World, name: str, edits: list[tuple[str, str]]) -> None:
    """Each (thread label, instruction) once the previous edit is deployed; an empty label is a new thread."""
    for _, instruction in edits:
        world.target.grammar.check(instruction)
    for label, instruction in edits:
        session = send(world, name, instruction, thread=label)
        outcome = world.observer.await_outcome(session)
        if outcome.kind != contract.DEPLOYED:
            raise AssertionError(f"{session.describe()} ended {outcome.describe()}, not deployed: "
                                 f"{outcome.log.summary()}")


def send_timestamps(world: World, name: str, count: int) -> None:
    """`count` "Update timestamp to <now>" edits on new threads, one after the other; the last is remembered."""
    for _ in range(count):
        world.scenario.last_timestamp = str(time.time_ns() // 1_000_000)
        send_in_turn(world, name, [("", f"Update timestamp to {world.scenario.last_timestamp}")])


def fails_before_any_build(grammar: Grammar, instructions: list[str]) -> str | None:
    """The first of these instructions that the target says makes Claude fail, so that its session never builds;
    None when each of them reaches a build."""
    return next((i for i in instructions if grammar.outcome(i) == contract.FAILED), None)


def send_while_building(world: World, name: str, instructions: list[str]) -> None:
    """One new thread per instruction, each sent as soon as the container logs that the previous one's build has
    begun: every email after the first reaches a container that is building the client's site."""
    for instruction in instructions:
        world.target.grammar.check(instruction)
    unbuilt = fails_before_any_build(world.target.grammar, instructions[:-1])
    if unbuilt is not None:
        raise ScenarioError(f"{unbuilt!r} makes Claude fail before any build, so the next email cannot be sent "
                            "while it builds: put it last, or send it by another step")
    previous: Session | None = None
    for instruction in instructions:
        if previous is not None:
            world.observer.await_phase(previous, world.target.settings.phrases.building)
        session = send(world, name, instruction)
        if previous is not None:
            world.scenario.sent_while_building.append((previous, session))
        previous = session


def start_reading(world: World, name: str) -> None:
    """A visitor starts reading the client's site over and over (its current build must be deployed)."""
    verdicts.site_page(world, name)
    if name in world.scenario.readers:
        raise ScenarioError(f"a visitor is already reading the site of {name}")
    settings = world.target.settings
    reader = ReadingVisitor(world.target.site_url(world.scenario.client(name).bucket), settings.system.website_proxy)
    world.scenario.readers[name] = reader
    reader.start()


def redeploy(world: World, name: str) -> None:
    """Once the client's latest edit has ended: a deployment of the edit service (local targets only) stops the
    ECS task of the container that owns the client's project and of every container that holds no project and has
    logged nothing for IDLE_QUIET_S (those serving other clients' edits are left alone: other scenarios may be
    running beside this one), then waits until the client's project is released and the state machine may send a
    claim for it again (one per project+user per claim interval); the client's next email then brings a claim that
    a new container takes, on the workspace the stopped one left (an EFS volume in production)."""
    client = world.scenario.client(name)
    world.observer.await_outcome(world.scenario.latest_session(name))
    target = world.target
    owner = containers.ownership(target.aws.dynamodb, target.settings, client.project)
    if owner is None:
        raise ScenarioError(f"no container owns the project of {name} ({client.project}) any more, so there is none "
                            f"to stop: redeploy before it is released")
    lines = target.logs.refresh()
    task = containers.task_of(owner.container_id, lines)
    if task is None:
        raise AssertionError(f"container {owner.container_id} owns {client.project}, but no log stream holds its id: "
                             f"its ECS task cannot be told")
    idle = containers.idle_tasks(target.aws.ecs, target.aws.dynamodb, target.settings, lines,
                                 int((time.time() - IDLE_QUIET_S) * 1000))
    for stopped in dict.fromkeys([task, *idle]):
        operations.stop_task(target.aws.ecs, target.settings, stopped,
                             f"redeployed by the acceptance suite (run {target.settings.run.run_id})")
    wait_until(
        f"the container of {name} (task {task}) to release {client.project} once its task was stopped",
        lambda: containers.ownership(target.aws.dynamodb, target.settings, client.project),
        lambda row: row is None or row.container_id != owner.container_id,
        STOPPED_RELEASE_S,
        describe=lambda row: (f"container {row.container_id} still owns it, last active "
                              f"{clock(row.last_activity_ms)}") if row else "released",
        **target.wait_options(),
    )
    # Two races a stop leaves, each the real system's: within the claim window of the stopped container's claim the
    # client's next email gets no claim and waits for the next window; and the stopped container's last long poll of
    # the project's queue, still open as it exits, can take that email's message, which then waits in flight for
    # the queue's visibility timeout. This step is about the workspace left behind, so it waits both out.
    system = target.settings.system
    released_ms = int(time.time() * 1000)
    window_ends_ms = max(owner.claimed_at_ms + int(system.claim_interval_s * 1000),
                         released_ms + int(system.project_poll_wait_s * 1000))
    wait_until(
        f"the claim window of {client.project} ({system.claim_interval_s:.0f} s after its claim at "
        f"{clock(owner.claimed_at_ms)}) and the stopped container's last long poll ({system.project_poll_wait_s:.0f} s)"
        f" to pass, so that its next email brings a claim that another container serves",
        lambda: int(time.time() * 1000),
        lambda now_ms: now_ms >= window_ends_ms,
        (window_ends_ms - released_ms) / 1000 + STOPPED_RELEASE_S,
        describe=lambda now_ms: f"{(window_ends_ms - now_ms) / 1000:.1f} s to go",
        **target.wait_options(),
    )


def wait_for_idle_release(world: World, name: str) -> None:
    """Once the client's latest edit has ended: wait until its container, left idle, has released the project (its
    ownership row is gone), as the real one does after five minutes (docs/contract.md#claiming-and-bookkeeping)."""
    client = world.scenario.client(name)
    world.observer.await_outcome(world.scenario.latest_session(name))
    target = world.target
    release = target.settings.system.idle_release_s

    def owner_now() -> tuple[Ownership | None, str]:
        """The project's owner, and the status of its container's ECS task when it still owns the project. A task
        seen STOPPED has the row read again after it: a container that deletes its row and then stops, between the
        two reads, has released the project."""
        owner = containers.ownership(target.aws.dynamodb, target.settings, client.project)
        task = containers.task_of(owner.container_id, target.logs.refresh()) if owner else None
        status = containers.task_status(target.aws.ecs, target.settings, task) if task else ""
        if status == "STOPPED":
            owner = containers.ownership(target.aws.dynamodb, target.settings, client.project)
        return owner, status

    owner, _ = wait_until(
        f"the container of {name} to release {client.project} after {release:.0f} s idle",
        owner_now,
        lambda seen: seen[0] is None or seen[1] == "STOPPED",
        release * 1.5 + contract.IDLE_CHECK_S,
        describe=lambda seen: (f"container {seen[0].container_id} still owns it (its task {seen[1] or 'unknown'}), "
                               f"last active {clock(seen[0].last_activity_ms)}") if seen[0] else "released",
        **target.wait_options(),
    )
    if owner is not None:
        raise AssertionError(f"the container that owned {client.project} ({owner.container_id}) has stopped, but "
                             f"its ownership row is still there (last active {clock(owner.last_activity_ms)}): the "
                             f"client's next email would go to a queue that no container reads")
