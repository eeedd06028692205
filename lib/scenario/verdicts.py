"""One verdict per Then step: each reads what it needs of the system through the target, hands it to a pure check
in `lib.judge`, and returns the problems in a product owner's words (empty when all is well). A step makes one
call here and asserts that the list is empty; the helpers above the verdicts are what several verdicts share.
(Refusals are not problems: a check the scenario cannot ask for raises ScenarioError, an error, not a failure.)"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from hamcrest import assert_that, is_not
from hamcrest.core.matcher import Matcher

from lib import aws, naming
from lib.expect import contract, known_faults, model
from lib.judge import branches, deployments, metrics, oracle, outcomes
from lib.judge.matchers import has_heading, has_title, holds_in, shows_in, shows_text
from lib.observe import containers, endings, history, moments, queues, sites
from lib.observe.waiters import WaitTimeout, wait_until
from lib.records import Readings, Session, ThreadWork, Visit
from lib.scenario.state import ScenarioError
from lib.scenario.world import World


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
    if outcome.kind != contract.DEPLOYED:
        raise NotDeployed(f"{name}'s latest edit ({latest.describe()}) has not been deployed: it ended "
                          f"{outcome.describe()}")
    if not client.has_site or not aws.bucket_exists(world.target.aws.s3, client.bucket):
        raise sites.DeploymentError(f"client {name!r} has no edit site (bucket {client.bucket} does not exist)")
    return sites.read_page(world.target.aws.s3, client.bucket, key)


def site_page_left(world: World, name: str, key: str = "index.html") -> str:
    """The client's page as its last deployed edit left it, once its latest edit has ended without deploying
    (a failed build or sync): what a later failure must not have changed."""
    latest = world.scenario.latest_session(name)
    outcome = world.observer.await_outcome(latest)
    if outcome.kind == contract.DEPLOYED:
        raise AssertionError(f"{name}'s latest edit ({latest.describe()}) was deployed, so its site shows that edit, "
                             "not what an earlier one left")
    deployed = [s for s in world.scenario.sessions_of(name)[:-1] if s.outcome and s.outcome.kind ==
                contract.DEPLOYED]
    if not deployed:
        raise AssertionError(f"no edit of {name} before its latest one was deployed, so nothing can still show")
    return sites.read_page(world.target.aws.s3, world.scenario.client(name).bucket, key)


def element_left_for(world: World, name: str, text: str) -> str:
    """Where the site should still show `text`: the element of the latest deployed edit of the client that
    writes it."""
    instructions = [s.instruction for s in world.scenario.sessions_of(name)
                    if s.outcome and s.outcome.kind == contract.DEPLOYED]
    element = contract.element_showing(instructions, text)
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
    own = [c for c in work.commits if contract.commit_session(c.message) == work.thread_id]
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
    element = contract.element_showing(instructions, text)
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
        synced = session.outcome.log.first(settings.phrases.sync_ok)
        if session.outcome.kind == contract.DEPLOYED and synced and (
                session.name not in last or synced.timestamp_ms > last[session.name][1]):
                last[session.name] = (session, synced.timestamp_ms)
    problems = []
    for session, _ in last.values():
        assert session.outcome is not None
        objects = sites.list_objects(world.target.aws.s3, session.client.bucket)
        problems += [f"{session.client.bucket}: {p}"
                     for p in deployments.latest_build_problems(objects, session.outcome.log, settings.phrases)]
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
    return outcomes.interrupted_build_problems(pairs, world.target.settings.phrases)


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
        branch = contract.branch_for_thread(thread_id)
        committing = [s for s in mine if s.outcome and s.outcome.log.has(settings.phrases.committing)]
        # A failed build is not pushed (docs/contract.md#build), so its commit reaches GitHub only with a later push
        # of the thread; unless an interrupt stopped it: the interrupt's handling pushes the work it saves.
        while committing and (last := committing[-1].outcome) and last.kind == contract.BUILD_FAILED and not (
                last.log.has(settings.phrases.interrupt)):
            committing.pop()
        committed = [s.instruction for s in committing]
        last_outcome = committing[-1].outcome if committing else None
        # How it ended in words, and only the evidence that is about its branch: work done after it was preempted.
        ended = ", ".join([last_outcome.ended(), *(c for c in last_outcome.evidence
                                                   if c.startswith(known_faults.CARRIED_ON_EVIDENCE))]) \
            if last_outcome else ""
        work.append(ThreadWork(thread_id, branch, committed, repository.commits_since_main(branch), ended))
    return work


def branch_problems(world: World, sessions: list[Session]) -> list[str]:
    """Each thread's branch on GitHub holds every commit the container made for it and none of another thread's."""
    work = thread_work(world, sessions)
    repository, settings = world.target.repository, world.target.settings
    remote = repository.branches() if any(w.commits is None for w in work) else []
    main = repository.get_git_commits(settings.system.default_branch, limit=30)
    return (branches.branch_problems(work, settings.run.user_id, remote)
            + branches.main_problems(main, [w.thread_id for w in work], settings.system.default_branch))


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
        if session.outcome is not None:
            continue  # its execution ended
        if session.unended:
            problems.append(session.unended)  # its own story: a known fault only if that story is one
        elif not session.execution_arn:
            problems.append(f"no execution was ever seen for {session.describe()}")
        elif world.target.executions.describe(session.execution_arn).running:
            problems.append(f"the execution of {session.describe()} is still RUNNING")
        else:
            problems.append(f"the execution of {session.describe()} ended, but how could not be read")
    for client in world.scenario.clients.values():
        moment = moments.take(world.target, client, None)
        if moment.active_thread:
            problems.append(f"the active-job row of {client.project} still names thread {moment.active_thread} "
                            "after all its sessions ended")
        # Name the sessions a leftover message can be of. How they ended is the evidence of why it is left only
        # for the input queue, and only when each leftover can be one of them: a message in the dead-letter queue
        # was received, and one more than them is not theirs.
        otherwise = [s for s in world.scenario.sessions_of(client.name)
                     if not (s.outcome and s.outcome.kind in (contract.DEPLOYED, contract.PREEMPTED))]
        input_queue = naming.input_queue_for(world.target.settings, client.project)
        for queue in (input_queue, naming.dead_letter_queue_for(world.target.settings, client.project)):
            counts = queues.counts(world.target.aws.sqs, queue)
            if not (counts and sum(counts)):
                continue
            theirs = queue == input_queue and sum(counts) <= len(otherwise)
            ended = [f"{s.describe()} ended "
                     f"{(s.outcome.describe() if theirs else s.outcome.ended()) if s.outcome else 'unseen'}"
                     for s in otherwise]
            problems.append(f"{queue} still holds {counts[0]} waiting and {counts[1]} in-flight message(s)" + (
                f", of the sessions that did not end deployed or preempted: {', '.join(ended)}" if ended else ""))
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
        opening = settings.phrases.switched.split("{branch}")[0].format(thread_id=thread_id)
        handled = world.target.logs.find(opening, min(s.sent_at_ms for s in mine))
        if len(handled) > len(mine):
            problems.append(f"thread {thread_id} was handled {len(handled)} times for {len(mine)} email(s) "
                            f"(a message processed twice?): " + ", ".join(f"{line.stream} at {line.timestamp_ms}"
                                                                          for line in handled))
    return problems + outcomes.overlap_problems(sessions, settings.phrases)


# -- the verdicts, one per Then step ------------------------------------------------------------------------------
Problems = list[str]


def _matching(page: str, matcher: Matcher[str], what: str) -> Problems:
    """The matcher's own words when the page does not match (as hamcrest's assert_that words them)."""
    try:
        assert_that(page, matcher, what)
    except AssertionError as mismatch:
        return [str(mismatch)]
    return []


def every_edit_deployed(world: World) -> Problems:
    """Each session ended deployed, its log agrees with its execution, and each bucket is exactly its latest build."""
    sessions = world.scenario.sessions
    world.observer.await_outcomes(sessions)
    failed = outcomes.not_deployed(sessions)
    if failed:
        return ["not deployed: " + "; ".join(failed)]
    problems = [p for s in sessions for p in outcomes.cross_check(s, world.target.settings.phrases)]
    if problems:
        return problems
    problems = exact_build_problems(world, sessions)
    return ["a bucket is not exactly its latest build: " + "; ".join(problems)] if problems else []


def last_one_wins(world: World) -> Problems:
    """For rapid switching: each client's last edit deployed, every earlier one deployed or preempted; the log
    agrees with each execution; each bucket is exactly the latest build. Says which sessions were preempted."""
    sessions = world.scenario.sessions
    world.observer.await_outcomes(sessions)
    preempted = [s.describe() for s in sessions if s.outcome and s.outcome.kind == contract.PREEMPTED]
    world.target.say(f"{len(preempted)} of {len(sessions)} sessions preempted: " + ("; ".join(preempted) or "none"))
    problems = outcomes.last_wins_problems(sessions)
    problems += outcomes.preemption_problems(sessions, world.target.settings.phrases)
    problems += [p for s in sessions for p in outcomes.cross_check(s, world.target.settings.phrases)]
    return problems + exact_build_problems(world, sessions)


def edit_deployed(world: World, name: str) -> Problems:
    session = world.scenario.latest_session(name)
    outcome = world.observer.await_outcome(session)
    if outcome.kind != contract.DEPLOYED:
        return [f"{session.describe()} ended {outcome.describe()}: {outcome.log.summary()}"]
    return outcomes.cross_check(session, world.target.settings.phrases)


def deployed_in_order(world: World) -> Problems:
    world.observer.await_outcomes(world.scenario.sessions)
    return outcomes.deployment_order_problems(world.scenario.sessions, world.target.settings.phrases)


def within_concurrency_limit(world: World) -> Problems:
    sessions = world.scenario.sessions
    world.observer.await_outcomes(sessions)
    took = (max(s.outcome.detected_at_ms for s in sessions if s.outcome) - min(s.sent_at_ms for s in sessions)) / 1000
    limit = world.target.settings.limits.concurrency_limit_s
    world.target.say(f"{len(sessions)} concurrent deployments took {took:.1f}s (limit {limit:.0f}s)")
    return [f"{len(sessions)} deployments at once took {took:.1f}s, over {limit:.0f}s"] if took > limit else []


def sync_failure_reported(world: World, name: str | None = None) -> Problems:
    """The client's latest session (the scenario's latest, without a name) reported a failed sync, and its log
    says so."""
    session = world.scenario.latest_session(name) if name else world.scenario.last_email()
    outcome = world.observer.await_outcome(session)
    if outcome.kind != contract.SYNC_FAILED:
        return [f"{session.describe()} ended {outcome.describe()} instead of reporting a failed S3 sync "
                f"(deploySuccess: false); its log: {outcome.log.summary()}"]
    return outcomes.cross_check(session, world.target.settings.phrases)


def build_failed_and_nothing_changed(world: World, name: str) -> Problems:
    session = world.scenario.latest_session(name)
    world.observer.await_outcome(session)
    return outcomes.failed_build_problems(session, world.target.settings.phrases)


def site_shows_heading(world: World, name: str, text: str) -> Problems:
    return _matching(site_page(world, name), has_heading(text), f"home page of {name}")


def site_titled(world: World, name: str, title: str) -> Problems:
    return _matching(site_page(world, name), has_title(title), f"home page of {name}")


def site_shows(world: World, name: str, text: str) -> Problems:
    return _matching(site_page(world, name), shows_in(element_for(world, name, text), text), f"home page of {name}")


def site_shows_last_timestamp(world: World, name: str) -> Problems:
    stamp = world.scenario.last_timestamp or ""
    return _matching(site_page(world, name), shows_in(contract.TIMESTAMP, stamp), f"home page of {name}")


def site_still_shows_heading(world: World, name: str, text: str) -> Problems:
    return _matching(site_page_left(world, name), has_heading(text), f"home page of {name}")


def site_still_shows(world: World, name: str, text: str) -> Problems:
    page = site_page_left(world, name)
    return _matching(page, shows_in(element_left_for(world, name, text), text), f"home page of {name}")


def site_does_not_show(world: World, name: str, text: str) -> Problems:
    bucket = world.scenario.client(name).bucket
    problems = _matching(site_page(world, name), is_not(shows_text(text)), f"{bucket} still contains {text!r}")
    latest = world.scenario.latest_session(name)
    asked = [session for session in world.scenario.sessions_of(name) if text in session.instruction]
    return [problem + _provenance(world, latest, asked[-1] if asked else None) for problem in problems]


def _provenance(world: World, deployed: Session, asker: Session | None) -> str:
    """Where a text the site must not show came from: the email that asked for it, and how the session whose build
    is deployed began (evidence a known fault's signature reads)."""
    stash = endings.stash_before(world.target, deployed, world.observer.await_outcome(deployed).log)
    clauses = [f"asked for by {asker.describe()}"] if asker else []
    clauses.append(known_faults.STASH_EVIDENCE + ", then ".join(endings.quote(line) for line in stash) if stash
                   else f"the deployed build's session, {deployed.describe()}, stashed nothing before it switched")
    return f" ({', '.join(clauses)})"


def _foreign_edits(world: World, name: str, deployed: Session, page: str) -> Problems:
    """What an edit of another thread of the client wrote, read on the site whose build is of `deployed`'s thread:
    each thread's branch starts from main and never takes another's work, so nothing written only on another thread
    may show (an element reads exactly the value that other edit wrote there)."""
    sessions = world.scenario.sessions_of(name)
    own = {contract.effect_of(s.instruction) for s in sessions if s.thread_id == deployed.thread_id}
    problems = []
    for other in sessions:
        effect = contract.effect_of(other.instruction)
        if other.thread_id in (None, deployed.thread_id) or effect is None or effect in own:
            continue
        if holds_in(*effect).matches(page):
            bucket = world.scenario.client(name).bucket
            problems.append(f"{bucket} still contains {effect[1]!r} in its {effect[0]}, written only on another thread "
                            f"than the deployed build's{_provenance(world, deployed, other)}")
            own.add(effect)  # one problem a value
    return problems


def only_one_site_shows(world: World, name: str, text: str) -> Problems:
    problems = site_shows(world, name, text)
    if problems:
        return problems
    others = [other for other, client in world.scenario.clients.items() if other != name and client.has_site]
    leaking = [other for other in others if shows_text(text).matches(site_page(world, other))]
    return [f"{text!r} of {name} also shows on the site of {', '.join(leaking)}"] if leaking else []


def no_site_shows(world: World, text: str) -> Problems:
    """The text is on no deployed home page of the scenario (a client whose latest edit was not deployed has
    no page of this scenario to show it)."""
    scenario = world.scenario
    checked = [name for name, client in scenario.clients.items() if client.has_site and scenario.sessions_of(name)
               and world.observer.await_outcome(scenario.latest_session(name)).kind == contract.DEPLOYED]
    if not checked:
        raise ScenarioError("no client of this scenario has a deployed edit, so no site can be checked")
    showing = [name for name in checked if shows_text(text).matches(site_page(world, name))]
    return [f"{text!r} shows on the site of {', '.join(showing)}"] if showing else []


def separate_edit_pages(world: World, names: list[str] | None = None) -> Problems:
    """Besides the home page, no two of these clients' sites (by default every client with a site) share a file,
    and each has pages of its own."""
    names = names or [name for name, client in world.scenario.clients.items() if client.has_site]
    problems = []
    for name in names:
        site_page(world, name)
    for i, name in enumerate(names):
        for other in names[i + 1:]:
            comparison = sites.compare_s3_objects(world.target.aws.s3, world.scenario.client(name).bucket,
                                                  world.scenario.client(other).bucket)
            shared = [key for key in comparison.common if key != "index.html"]
            problems += [f"the sites of {name} and {other} share {shared}"] if shared else []
            if not (comparison.unique1 and comparison.unique2):
                problems.append(f"each site should have edit pages of its own: only {name}: {comparison.unique1}, "
                                f"only {other}: {comparison.unique2}")
    return problems


def _visited(world: World, name: str, also: Callable[[Visit], Problems]) -> Problems:
    seen = visit(world, name)
    return seen.problems() or also(seen)


def visitor_sees_heading(world: World, name: str, text: str) -> Problems:
    return _visited(world, name, lambda seen: [] if text in seen.headings else [
        f"a visitor to the site of {name} sees the headings {seen.headings}, not {text!r}"])


def visitor_sees_title(world: World, name: str, title: str) -> Problems:
    return _visited(world, name, lambda seen: [] if seen.title == title else [
        f"a visitor to the site of {name} sees the title {seen.title!r}, not {title!r}"])


def visitor_sees_text(world: World, name: str, text: str) -> Problems:
    return _visited(world, name, lambda seen: [] if text in seen.text else [
        f"a visitor to the site of {name} does not see {text!r}: the page reads {' '.join(seen.text.split())[:300]!r}"])


def visitor_finds_no_broken_link(world: World, name: str) -> Problems:
    return visit(world, name).problems()


def never_a_mix_of_builds(world: World, name: str) -> Problems:
    """Stops the visitor reading the client's site; the visitor must have watched a redeploy (two builds) and
    seen no read that mixed them."""
    readings = stop_reading(world, name)
    seen = readings.summary()
    world.target.say(f"a visitor of {name} made {seen['reads']} reads of {seen['builds_seen']} builds; "
                     f"{seen['mixed_reads']} mixed two builds, for {seen['mixed_ms']} ms")
    if seen["builds_seen"] < 2:
        return [f"the visitor of {name} saw {seen['builds_seen']} build(s) in {seen['reads']} reads, so this check "
                "did not watch a redeploy"]
    if readings.mixed:
        example = readings.mixed[0]
        return [f"a visitor saw a mix of two builds on the site of {name} for {seen['mixed_ms']} ms "
                f"({seen['mixed_reads']} of {seen['reads']} reads, e.g. builds {sorted(example.builds)}, "
                f"missing {list(example.missing)})"]
    return []


def every_thread_has_its_branch(world: World, name: str | None = None) -> Problems:
    """Each thread of the scenario (of the client, when named) has its own branch with all its work."""
    return branch_problems(world, world.scenario.sessions_of(name) if name else world.scenario.sessions)


def latest_threads_commits_on_branch(world: World) -> Problems:
    latest = world.scenario.last_email()
    world.observer.await_outcome(latest)
    return branch_problems(world, [s for s in world.scenario.sessions if s.thread_id == latest.thread_id])


def threads_tagged_apart(world: World) -> Problems:
    return branches.shared_tag_problems(thread_work(world, world.scenario.sessions))


def container_still_running(world: World, name: str | None = None) -> Problems:
    """The container (ECS task) that handled the client's latest session (the scenario's latest, without a name)
    finished it and is still RUNNING."""
    session = world.scenario.latest_session(name) if name else world.scenario.last_email()
    outcome = world.observer.await_outcome(session)
    task = outcome.log.task_id
    if not task:
        return [f"no container logged {session.describe()}, so none can be checked: {outcome.log.summary()}"]
    ecs, settings = world.target.aws.ecs, world.target.settings
    status = containers.task_status(ecs, settings, task)
    if status == containers.RUNNING:
        return []
    return [f"the container (ECS task {task}) that handled {session.describe()} is {status}: "
            f"{containers.stopped_reason(ecs, settings, task)}"]


def deployment_times_within(world: World, build_s: float, sync_s: float, total_s: float) -> Problems:
    """The deployment times against the limits a scenario states."""
    return deployment_times(world, metrics.Limits(build_s, sync_s, total_s))


def deployment_times(world: World, limits: metrics.Limits | None = None) -> Problems:
    """Every deployment timed (metrics.json in the reports and the evidence); the averages within their limits: the
    ones the scenario states, else the settings'."""
    world.observer.await_outcomes(world.scenario.sessions, failures_allowed=True)
    measured, untimed = metrics.measure_deployments(world.scenario.sessions, world.target.settings.phrases)
    limits = limits or metrics.Limits.from_settings(world.target.settings)
    world.scenario.metrics = metrics.write_json(world.reports_dir / "metrics.json", measured, limits, untimed)
    if not measured:
        return ["no edit of this scenario deployed, so no deployment could be timed: " + "; ".join(untimed)]
    world.target.say("deployment metrics:\n" + metrics.table(measured, limits)
                     + "".join(f"\nnot timed: {why}" for why in untimed))
    return metrics.over_limits(measured, limits)


# -- the scenario as a whole (features/support/judging.py applies these) --------------------------------------


def accepted_faults(world: World, tags: list[str]) -> list[known_faults.KnownFault]:
    """The known faults a scenario with these tags may fail as, on this target (lib/expect/known_faults.py)."""
    refused = ["mixed-builds"] if world.target.settings.limits.mixed_builds == "fail" else []
    return known_faults.accepted(tags, real_system=world.target.real_system, refused=refused)


def left_behind(world: World) -> Problems:
    """Once every check has held: work done twice or at once, loose ends (executions still running, messages
    still queued, an active job still recorded), and whatever of the whole history the model did not expect."""
    world.observer.await_outcomes(world.scenario.sessions, failures_allowed=bool(world.scenario.known_faults))
    return ([f"work done twice or at once: {p}" for p in work_done_problems(world)]
            + [f"a loose end: {p}" for p in loose_ends(world)] + [f"the oracle: {p}" for p in oracle_problems(world)])


def oracle_problems(world: World) -> Problems:
    """The scenario's whole history against the reference model: everything the system emitted for its emails
    (lib/judge/oracle.py)."""
    scenario, target = world.scenario, world.target
    settings = target.settings
    world.observer.await_outcomes(scenario.sessions, failures_allowed=True)
    # The lines a container writes after its callback: waited for, and named by the oracle if they never come.
    with contextlib.suppress(WaitTimeout):
        wait_until("the last line the contract promises in each ended session's log", target.logs.refresh,
                   lambda lines: not oracle.unsettled(scenario.sessions, lines, settings.phrases,
                                                      settings.run.user_id, target.grammar),
                   settings.timing.log_settle_s, describe=lambda lines: "; ".join(oracle.unsettled(
                       scenario.sessions, lines, settings.phrases, settings.run.user_id, target.grammar)),
                   progress=target.say)
    seen = history.collect(target, scenario.sessions, list(scenario.clients.values()))
    boot = model.boot_lines(settings.system.region, settings.stack.ownership_table, settings.stack.active_jobs_table)
    return oracle.problems(seen, settings.phrases, settings.run.user_id, target.grammar, boot)


def latest_edits_show(world: World) -> Problems:
    """Once every session has ended: each client's site shows, in the element it writes, what the latest of its
    deployed edits wrote (the last to complete its sync: that build is what the bucket holds), and nothing that only
    an edit on another of the client's threads wrote."""
    world.observer.await_outcomes(world.scenario.sessions, failures_allowed=True)
    sync_ok = world.target.settings.phrases.sync_ok
    problems = []
    for name, client in world.scenario.clients.items():
        deployed = [(line.timestamp_ms, s) for s in world.scenario.sessions_of(name) if s.outcome
                    and s.outcome.kind == contract.DEPLOYED and (line := s.outcome.log.first(sync_ok))]
        if not deployed or not client.has_site:
            continue
        latest = max(deployed, key=lambda pair: pair[0])[1]
        effect = contract.effect_of(latest.instruction)
        page = sites.read_page(world.target.aws.s3, client.bucket)
        if effect is not None:
            problems += _matching(page, shows_in(*effect), f"home page of {name} after {latest.describe()}")
        problems += _foreign_edits(world, name, latest, page)
    return problems


def everything_as_the_model_says(world: World) -> Problems:
    """Then step: the oracle now, for what the scenario sent so far (it also runs after every scenario)."""
    if not world.scenario.sessions:
        raise ScenarioError("no email was sent in this scenario, so there is no history to compare with the model")
    return oracle_problems(world)
