"""Sequences of emails as a person sends them: at once, a few seconds apart, or each once the last is deployed."""

from __future__ import annotations

import time

from lib import expectations
from lib.act import emails
from lib.observe import moments
from lib.observe.sessions import SessionObserver
from lib.scenario import ScenarioState, Session
from lib.target import Target


def send(target: Target, scenario: ScenarioState, name: str, instruction: str, *, thread: str = "") -> Session:
    """One email from client `name`. With `thread` (the scenario's label for a thread): the first email under a
    label starts that thread, a later one replies to the thread's latest email."""
    client = scenario.client(name)
    target.grammar.check(instruction)
    earlier = [s for s in scenario.sessions_of(name) if thread and s.label == thread]
    before = moments.take(target, client, earlier[-1].thread_id if earlier else None)
    session = emails.deliver(target.aws.s3, target.settings, client, instruction, label=thread,
                             replying_to=earlier[-1] if earlier else None)
    session.before = before
    scenario.sessions.append(session)
    return session


def send_paced(target: Target, scenario: ScenarioState, name: str, instructions: list[str], gap_s: float) -> None:
    """One new thread per instruction, `gap_s` apart: the pace of the stimulus, not a wait for anything."""
    for instruction in instructions:
        target.grammar.check(instruction)
    previous: Session | None = None
    for instruction in instructions:
        if previous is not None:
            time.sleep(max(0.0, gap_s - (time.time() - previous.sent_at_ms / 1000)))
        previous = send(target, scenario, name, instruction)


def send_in_turn(target: Target, observer: SessionObserver, scenario: ScenarioState, name: str,
                 edits: list[tuple[str, str]]) -> None:
    """Each (thread label, instruction) once the previous edit is deployed; an empty label is a new thread."""
    for _, instruction in edits:
        target.grammar.check(instruction)
    for label, instruction in edits:
        session = send(target, scenario, name, instruction, thread=label)
        outcome = observer.await_outcome(session)
        if outcome.kind != expectations.DEPLOYED:
            raise AssertionError(f"{session.describe()} ended {outcome.describe()}, not deployed: "
                                 f"{outcome.log.summary()}")


def send_while_building(target: Target, observer: SessionObserver, scenario: ScenarioState, name: str,
                        instructions: list[str]) -> None:
    """One new thread per instruction, each sent as soon as the container logs that the previous one's build has
    begun: every email after the first reaches a container that is building the client's site."""
    for instruction in instructions:
        target.grammar.check(instruction)
    previous: Session | None = None
    for instruction in instructions:
        if previous is not None:
            observer.await_phase(previous, target.settings.phrase_building)
        session = send(target, scenario, name, instruction)
        if previous is not None:
            scenario.sent_while_building.append((previous, session))
        previous = session
