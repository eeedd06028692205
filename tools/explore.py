"""`make explore [SEED=n] [BUDGET=seconds]`: workloads nobody wrote, made up by Hypothesis's rule-based state
machine, each judged by the reference model's oracle over its whole history.

Each example is a scenario of its own (fresh clients): several clients, several threads each, replies to old
threads, bursts of emails, emails sent while a build runs, emails that arrive at once, instructions in any script
(accents, other alphabets, emoji, every kind of quote, characters that mean something in HTML, long lines) from
mail clients that encode them each their own way, a client that comes back after its container released the
project, and a nemesis: AWS answering the suite with throttling and 503s. When every session has ended, the oracle
(lib/judge/oracle.py), the loose ends and what each client's site shows are checked; a failure is shrunk by
Hypothesis to a minimal case and printed as a Gherkin scenario in the step catalog's words, ready to paste into
features/, with the history kept under reports/explore/.

Seeded and repeatable: rounds of a few examples, each round's seed drawn from SEED, until BUDGET seconds have gone.
Exit status 1 when a failure was found, 0 when none was. `--container-src <checkout>` explores the real edit
container instead of the sandbox's stand-ins (a known fault of it, shown with its evidence, is reported and not a
failure)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.errors import Flaky
from hypothesis.stateful import Bundle, RuleBasedStateMachine, get_state_machine_test, initialize, precondition, rule

from lib.expect import known_faults
from lib.expect.instructions import Grammar
from lib.observe import infrastructure
from lib.observe.sessions import NoOutcome, PhaseNotReached
from lib.scenario import actions, evidence, verdicts
from lib.scenario.state import ScenarioError
from lib.scenario.target import Target
from lib.scenario.world import World
from lib.send.emails import ENCODINGS, EncodingError, check_encoding
from lib.settings import Settings
from sandbox import real_container
from sandbox.front import CONFIG_PATH
from sandbox.process import SandboxProcess

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "explore"
NAMES = ("ada", "ben", "cleo", "dev", "eli", "fay", "gil", "hal", "ivy", "jo")
EXAMPLES_PER_ROUND = 6
STEPS_PER_EXAMPLE = 5
# How long Hypothesis may shrink a failure: every try runs real sessions, seconds each. After this, the examples it
# tries pass at once (nothing is sent) and the smallest failing case found so far is replayed and printed.
SHRINK_BUDGET_S = 240.0
STOPPED = 143  # a job stopped by the others' failure (SIGTERM)
FLAKY_EVERY = 3  # the nemesis: every 3rd call of the suite to S3, Logs, Step Functions or GitHub refused

# -- what a client writes ----------------------------------------------------------------------------------------
# Any character a person types into a mail client: letters and marks of every script, digits, punctuation (every
# kind of quote, HTML's <>&), symbols (emoji among them), spaces of every kind; but the form's own delimiter (")
# and the table delimiter's escapes are left to the forms that carry them, and controls never reach a body.
_CHARACTERS = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters='"|\\')
# Drawn from every script, one of HTML's or typography's special characters comes up once in hundreds of texts, so
# half the texts are typed from those and plain letters: the characters a page must neither escape twice nor drop.
_MARKUP = st.sampled_from(list("&<>'’‘“”«»…–—😀éß中 "))
_TYPED = st.lists(st.one_of(_MARKUP, st.characters(codec="ascii", categories=("L", "N"))), min_size=1,
                  max_size=30).map("".join)
TEXT = st.one_of(st.text(_CHARACTERS, min_size=1, max_size=90), _TYPED).filter(lambda t: t == t.strip() and t.strip())
WORD = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=12)
# The polite openings the grammar takes, as people type them.
POLITE = st.sampled_from(["", "", "", "please ", "Please ", "Can you ", "PLEASE "])
ENDING = st.sampled_from(["", "", ".", "!"])


PAGE = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True).filter(
    lambda name: name not in ("index", "changes", "and"))  # an edit of many files: a page each


def _listed(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1]


@st.composite
def instructions(draw: Callable[..., Any]) -> str:
    """One instruction of the sandbox's grammar (its stand-in for Claude), with text a person might write."""
    form = draw(st.sampled_from(["header", "header", "title", "site", "key", "timestamp", "broken", "pages", "faq",
                                 "partway"]))
    core = {
        "header": lambda: f'add header with text "{draw(TEXT)}"',
        "title": lambda: f'update page title to "{draw(TEXT)}"',
        "site": lambda: f"create site for client {draw(WORD)}",
        "key": lambda: f"add secret key {draw(WORD)} to config",
        "timestamp": lambda: f"update timestamp to {draw(st.integers(1, 10**13))}",
        "broken": lambda: f"add broken page {draw(st.sampled_from(['oops', 'typo', 'half']))}",
        "pages": lambda: "add pages " + _listed(draw(st.lists(PAGE, min_size=2, max_size=6, unique=True))),
        "faq": lambda: f'add faq "{draw(TEXT)}"',  # two kinds of file in one folder
        "partway": lambda: f'add header with text "{draw(TEXT)}" and stop partway',  # Claude fails
    }[form]()
    verb, _, rest = core.partition(" ")
    core = draw(st.sampled_from([verb, verb, verb.upper()])) + " " + rest  # some clients write the verb in capitals
    prefix = draw(POLITE)
    core = core if prefix else core[:1].upper() + core[1:]
    return prefix + core + draw(ENDING)


@dataclass
class Step:
    """One step of an example, in the step catalog's words (what the printed scenario says)."""

    keyword: str
    text: str
    table: list[list[str]] = field(default_factory=list)

    def gherkin(self) -> str:
        lines = [f"    {self.keyword} {self.text}"]
        widths = [max(len(row[i]) for row in self.table) for i in range(len(self.table[0]))] if self.table else []
        lines += ["      | " + " | ".join(_cell(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
                  for row in self.table]
        return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


# -- the run -----------------------------------------------------------------------------------------------------
@dataclass
class Exploration:
    world: World
    endpoints: dict[str, Any]
    real: bool
    budget_s: float
    keep_going: bool = False  # after a failure is shrunk and reported, explore on for the rest of the budget
    started: float = field(default_factory=time.monotonic)
    examples: int = 0
    sessions: int = 0
    oracle_s: list[float] = field(default_factory=list)  # the oracle's own cost, per session judged
    known: list[str] = field(default_factory=list)  # known faults of the real system met, with their evidence
    last_steps: list[Step] = field(default_factory=list)  # the steps of the last example that failed
    last_history: dict[str, Any] = field(default_factory=dict)
    last_problems: list[str] = field(default_factory=list)  # what the first failing example broke
    failing_since: float | None = None  # when the first failure was seen (shrinking began)
    void: int = 0  # examples not judged: an endpoint the suite reads through failed beyond its retries

    def shrinking_done(self) -> bool:
        return self.failing_since is not None and time.monotonic() - self.failing_since > SHRINK_BUDGET_S

    def spent(self) -> bool:
        """Past the budget with no failure to shrink: the rest of the round's examples send nothing (a round begun
        before the end would otherwise run its examples to the end, minutes past the budget)."""
        return self.failing_since is None and time.monotonic() - self.started > self.budget_s

    @property
    def short_idle(self) -> bool:
        settings = self.world.target.settings
        return settings.system.idle_release_s <= settings.timing.longest_idle_wait_s

    def nemesis(self, flaky_every: int) -> None:
        """Throttling and 503s on the suite's calls to AWS and GitHub (the sandbox's fronts), or none."""
        for url in (self.endpoints["aws_endpoint_url"], self.endpoints["github_api_url"]):
            request = urllib.request.Request(url + CONFIG_PATH, data=json.dumps({"flaky_every": flaky_every}).encode(),
                                             method="POST")
            with urllib.request.urlopen(request, timeout=10):
                pass


RUN: Exploration | None = None


def _builds_but_the_last(batch: list[str]) -> bool:
    """Each instruction but the last reaches a build, as actions.send_while_building requires."""
    grammar = RUN.world.target.grammar if RUN is not None else Grammar()
    return actions.fails_before_any_build(grammar, batch[:-1]) is None


class Pipeline(RuleBasedStateMachine):
    """One scenario nobody wrote: clients, threads and emails as rules; the whole history judged at its end."""

    clients = Bundle("clients")
    threads = Bundle("threads")

    def __init__(self) -> None:
        super().__init__()
        assert RUN is not None
        self.run = RUN
        self.world = RUN.world
        self.world.new_scenario()
        self.steps: list[Step] = []
        self.names = iter(NAMES)
        self.labels = iter(f"T{i}" for i in range(1, 100))
        self.throttled = False
        self.redeployed_once = False  # one redeployment an example at most (each waits out the claim window)
        self.errors: list[str] = []
        self.void: str | None = None  # why this example cannot be judged (an infrastructure fault), if it cannot
        self.names_used: list[str] = []  # what the rules' preconditions and draws read: the machine's own state only
        # Past the shrinking budget, a try sends nothing and passes; the final replay of the smallest case runs. Past
        # the exploring budget, so does a new example.
        self.idle = (RUN.shrinking_done() or RUN.spent()) and not current_build_context().is_final

    def _say(self, keyword: str, text: str, table: list[list[str]] | None = None) -> None:
        self.steps.append(Step(keyword, text, table or []))

    def _act(self, act: Callable[[], object]) -> None:
        """Do a step; what it raises is a finding of the example, judged with the rest at its end. A rule never
        raises: every example draws all its steps, however the system answered (Hypothesis replays them)."""
        try:
            act()
        except Exception as error:
            if self._void(error):
                return
            self.errors.append(f"{self.steps[-1].keyword} {self.steps[-1].text}: {type(error).__name__}: {error}")

    def _void(self, error: BaseException) -> bool:
        """An endpoint the suite reads through failed beyond its retries (lib/observe/infrastructure.py): the
        example says nothing of WebOrdinary, so it is void, not a finding."""
        fault = infrastructure.fault_in(error)
        if fault is not None and self.void is None:
            self.void = fault
        return fault is not None

    # -- clients ---------------------------------------------------------------------------------------------
    @initialize(target=clients)
    def first_client(self) -> str:
        return self.new_client(True)

    @rule(target=clients, with_site=st.sampled_from([True, True, True, True, False]))
    def new_client(self, with_site: bool) -> str:
        name = next(self.names, None)
        if name is None:
            return self.names_used[0]
        self.names_used.append(name)
        if self.idle:
            return name
        self._say("Given", f'client "{name}" has {"an" if with_site else "no"} edit site')
        self._act(lambda: actions.onboard(self.world, [name], with_site=with_site))
        return name

    # -- emails ----------------------------------------------------------------------------------------------
    @rule(target=threads, client=clients, instruction=instructions())
    def email_new_thread(self, client: str, instruction: str) -> tuple[str, str]:
        label = next(self.labels)
        if self.idle:
            return client, label
        self._say("When", f'"{client}" emails on a new thread "{label}": {instruction}')
        self._act(lambda: actions.send(self.world, client, instruction, thread=label))
        return client, label

    @rule(client=clients, instruction=instructions(), encoding=st.sampled_from([e for e in ENCODINGS if e]))
    def email_encoded(self, client: str, instruction: str, encoding: str) -> None:
        if self.idle:
            return
        try:
            check_encoding(encoding, instruction)
        except EncodingError:
            encoding = "base64"
        self._say("When", f'"{client}" emails with {encoding} encoding: {instruction}')
        self._act(lambda: actions.send(self.world, client, instruction, encoding=encoding))

    @rule(thread=threads, instruction=instructions())
    def reply(self, thread: tuple[str, str], instruction: str) -> None:
        if self.idle:
            return
        client, label = thread
        self._say("When", f'"{client}" replies on thread "{label}": {instruction}')
        self._act(lambda: actions.send(self.world, client, instruction, thread=label))

    @rule(client=clients, batch=st.lists(instructions(), min_size=2, max_size=3),
          gap=st.sampled_from([0.0, 0.3, 1.0]))
    def burst(self, client: str, batch: list[str], gap: float) -> None:
        if self.idle:
            return
        self._say("When", f'"{client}" emails these edits on new threads, {gap:g} seconds apart:',
                  [["instruction"], *[[i] for i in batch]])
        self._act(lambda: actions.send_paced(self.world, client, batch, gap))

    @rule(client=clients, batch=st.lists(instructions(), min_size=2, max_size=2).filter(_builds_but_the_last))
    def while_building(self, client: str, batch: list[str]) -> None:
        if self.idle:
            return
        self._say("When", f'"{client}" emails these edits on new threads, each while the last is building:',
                  [["instruction"], *[[i] for i in batch]])

        def send() -> None:
            # The first may end (or be preempted) before it builds: the emails sent are judged all the same.
            with contextlib.suppress(PhaseNotReached):
                actions.send_while_building(self.world, client, batch)

        self._act(send)

    @precondition(lambda self: len(self.names_used) >= 2)
    @rule(data=st.data())
    def at_once(self, data: st.DataObject) -> None:
        names = data.draw(st.lists(st.sampled_from(self.names_used), min_size=2, max_size=3, unique=True))
        rows = [(name, data.draw(instructions())) for name in names]
        if self.idle:
            return
        self._say("When", "these emails arrive at the same time:", [["client", "instruction"], *map(list, rows)])
        self._act(lambda: actions.send_at_once(self.world, rows))

    @precondition(lambda self: RUN is not None and RUN.short_idle)
    @rule(client=clients)
    def come_back_later(self, client: str) -> None:
        if self.idle:
            return
        if not self.world.scenario.sessions_of(client):
            return
        self._say("When", f'the container of "{client}" has released it after being idle')
        self._act(lambda: actions.wait_for_idle_release(self.world, client))

    # -- the nemesis -----------------------------------------------------------------------------------------
    @precondition(lambda self: RUN is not None and not RUN.real and not self.throttled)
    @rule()
    def aws_throttles(self) -> None:
        self.throttled = True  # before the idle check: the precondition reads it
        if self.idle:
            return
        self.run.nemesis(FLAKY_EVERY)

    @precondition(lambda self: RUN is not None and not self.redeployed_once)
    @rule(client=clients)
    def redeployed(self, client: str) -> None:
        """A deployment replaces the container that owns the client's project (and the idle ones) between two
        emails: the next takes over the workspace it left."""
        self.redeployed_once = True  # before the idle check: the precondition reads it
        if self.idle or not self.world.scenario.sessions_of(client):
            return
        self._say("When", f'the edit service is redeployed after the edit of "{client}"')

        def stop() -> None:
            # One that released the project on its own since (idle) has nothing left to stop: not a finding.
            with contextlib.suppress(ScenarioError):
                actions.redeploy(self.world, client)

        self._act(stop)

    # -- the verdict -----------------------------------------------------------------------------------------
    def teardown(self) -> None:
        # What the verdict or the clean-up raises is a finding of this example too: it must reach the report with
        # the steps that led to it (raised past here, Hypothesis replays the example, and a timing that does not
        # come back leaves only its own "Flaky").
        try:
            problems = [] if self.void else self._judge()
        except Exception as error:
            problems = [] if self._void(error) else [
                f"the verdict could not be reached: {type(error).__name__}: {error}"]
        try:
            if self.throttled and not self.idle:
                self.run.nemesis(0)
            self.world.clean_up()
        except Exception as error:
            if not self._void(error):
                problems.append(f"cleaning up after the example failed: {type(error).__name__}: {error}")
        if self.void:
            self.run.void += 1
            print(f"explore: an example is void, not judged: {self.void}", flush=True)
            return
        if problems:
            self.run.last_steps = list(self.steps)
            if self.run.failing_since is None:
                self.run.failing_since = time.monotonic()
                self.run.last_problems = problems
                print(f"explore: a failure after {self.run.failing_since - self.run.started:.0f} s; shrinking it "
                      f"(for {SHRINK_BUDGET_S:.0f} s at most)", flush=True)
            raise AssertionError("; ".join(problems))

    def _judge(self) -> list[str]:
        world, run = self.world, self.run
        sessions = world.scenario.sessions
        if self.idle:
            return []
        if not sessions:
            return self.errors
        run.examples += 1
        run.sessions += len(sessions)
        try:
            world.observer.await_outcomes(sessions, failures_allowed=True)
            problems = self.errors + [s.unended for s in sessions if s.outcome is None and s.unended]
            started = time.monotonic()
            problems += verdicts.left_behind(world) + verdicts.latest_edits_show(world)
            run.oracle_s.append((time.monotonic() - started) / len(sessions))
        except NoOutcome as error:
            # A session that cannot end, named with its evidence: a finding like any other, which the known faults'
            # rule reads as a scenario's failed step would be read.
            problems = [*self.errors, str(error)]
        if run.real:
            seen = known_faults.judge("explore", "; ".join(problems), known_faults.accepted(
                [known_faults.TAG + name for name in known_faults.FAULTS], real_system=True))
            if seen is not None:
                run.known.append(seen.message)
                return []
        if problems:
            run.last_history = evidence.collect(world)
        return problems


def scenario(steps: list[Step], title: str) -> str:
    """The steps as a scenario to paste into features/: the clients first, the emails, then the checks."""
    givens = [s for s in steps if s.keyword == "Given"]
    whens = [s for s in steps if s.keyword != "Given"]
    thens = [Step("Then", "everything the pipeline did for these emails agrees with the contract"),
             Step("Then", "each client's site shows its latest deployed edit")]
    lines = ["  @explored", f"  Scenario: {title}"]
    for group in (givens, whens, thens):
        for index, step in enumerate(group):
            keyword = step.keyword if index == 0 else "And"
            lines.append(Step(keyword, step.text, step.table).gherkin())
    return "\n".join(lines)


def explore(run: Exploration, base_seed: int) -> int:
    global RUN
    RUN = run
    config = settings(max_examples=EXAMPLES_PER_ROUND, stateful_step_count=STEPS_PER_EXAMPLE, deadline=None,
                      database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
                      print_blob=False)
    rounds = random.Random(base_seed)
    round_number, status = 0, 0
    while time.monotonic() - run.started < run.budget_s:
        round_number += 1
        round_seed = rounds.randrange(2**32)
        test = seed(round_seed)(get_state_machine_test(Pipeline, settings=config))
        try:
            test()
        except (AssertionError, Flaky) as failure:
            report(run, failure, base_seed, round_number, round_seed)
            if not run.keep_going:
                return 1
            status = 1
            run.failing_since, run.last_steps, run.last_problems, run.last_history = None, [], [], {}
            continue
        print(f"[seed {base_seed}] round {round_number} (seed {round_seed}): {run.examples} examples, "
              f"{run.sessions} sessions so far, {time.monotonic() - run.started:.0f} s", flush=True)
    return status


def report(run: Exploration, failure: BaseException, base_seed: int, round_number: int, round_seed: int) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    name = f"seed-{base_seed}-round-{round_number}"
    title = f"Found by make explore SEED={base_seed} (round {round_number}, seed {round_seed})"
    text = scenario(run.last_steps, title)
    (REPORTS / f"{name}.feature").write_text(
        f"@s3 @promise:explored\nFeature: A case make explore found\n  Shrunk by Hypothesis from a workload it made "
        f"up.\n\n{text}\n")
    (REPORTS / f"{name}.history.json").write_text(json.dumps(run.last_history, indent=1, default=str) + "\n")
    first = run.last_problems or [f"{type(e).__name__}: {e}" for e in getattr(failure, "exceptions", ())]
    reason = str(failure).split("\n\n")[0] if not isinstance(failure, Flaky) else (
        "the failure did not happen again when Hypothesis ran the same steps (its timing); what it broke the first "
        "time: " + "; ".join(first) + f"\n(Hypothesis: {str(failure)[:1500]})")
    for sub in getattr(failure, "exceptions", ()):  # where a failure outside the verdict was raised
        traceback.print_exception(sub)
    found = (run.failing_since or time.monotonic()) - run.started
    print(f"\nexplore: FAILED: found after {found:.0f} s ({run.sessions} sessions), shrunk in "
          f"{time.monotonic() - run.started - found:.0f} s\n{reason}\n", flush=True)
    print(f"the shrunk case, {len(run.last_steps)} step(s) before the checks (reports/explore/{name}.feature; "
          f"its history beside it):\n\n{text}\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=300.0, help="seconds to explore (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 1),
                        help="explorers side by side on one sandbox, each with its own seed drawn from SEED "
                             "(default: two per core, as sessions mostly wait on builds)")
    parser.add_argument("--container-src", type=Path, help="a checkout's claude-code-container, to explore the real "
                        "edit container instead of the sandbox's stand-ins")
    parser.add_argument("--fault", default="", help="a sandbox fault switch to explore with (to see it caught)")
    parser.add_argument("--keep-going", action="store_true", help="after a failure is shrunk and printed, explore on "
                        "for the whole budget (every job), to list all the disagreements a budget finds")
    parser.add_argument("--attach", type=Path, help=argparse.SUPPRESS)  # a job's: the sandbox's endpoints file
    parser.add_argument("--summary", type=Path, help=argparse.SUPPRESS)  # a job's: where it writes its figures
    args = parser.parse_args(argv)
    REPORTS.mkdir(parents=True, exist_ok=True)
    if args.attach:
        return job(json.loads(args.attach.read_text()), args.seed, args.budget, args.summary, args.keep_going)
    extra: tuple[str, ...] = ()
    if args.container_src:
        extra = ("--container-src", str(real_container.prepare(args.container_src).path))
    if args.fault:
        extra += ("--fault", args.fault)
    sandbox = SandboxProcess(REPORTS / "sandbox.log", extra_args=extra)
    endpoints = sandbox.start()
    started = time.monotonic()
    print(f"explore: seed {args.seed}, budget {args.budget:.0f} s, {args.jobs} job(s), judging "
          f"{endpoints['edit_container']['describe']}", flush=True)
    try:
        if args.jobs <= 1:
            return job(endpoints, args.seed, args.budget, REPORTS / "summary-0.json", args.keep_going)
        return jobs(sandbox, args.seed, args.budget, args.jobs, started, args.keep_going)
    finally:
        sandbox.stop()


def jobs(sandbox: SandboxProcess, base_seed: int, budget: float, count: int, started: float, keep_going: bool
         ) -> int:
    """`count` explorers on one sandbox; the first to find a failure stops the others (once it has shrunk it),
    unless each is to keep going for the whole budget."""
    seeds = random.Random(base_seed)
    running = []
    for index in range(count):
        summary = REPORTS / f"summary-{os.getpid()}-{index}.json"  # runs side by side keep apart
        summary.unlink(missing_ok=True)
        command = [sys.executable, "-m", "tools.explore", "--attach", str(sandbox.endpoints_file), "--seed",
                   str(seeds.randrange(2**31)), "--budget", str(budget), "--summary", str(summary),
                   *(["--keep-going"] if keep_going else [])]
        running.append((subprocess.Popen(command, cwd=ROOT), summary))
    status = 0
    while any(process.poll() is None for process, _ in running):
        failed = [process for process, _ in running if process.poll() not in (None, 0)]
        if failed:
            status = 1
            for process, _ in running if not keep_going else ():
                if process.poll() is None:
                    process.terminate()
        time.sleep(0.5)  # polling child processes: no event to wait on
    status = status or max(process.returncode for process, _ in running)
    figures = [json.loads(s.read_text()) for _, s in running if s.exists()]
    for _, summary in running:
        summary.unlink(missing_ok=True)
    sessions = sum(f["sessions"] for f in figures)
    minutes = (time.monotonic() - started) / 60
    oracle = sorted(x for f in figures for x in f["oracle_s"])
    p50 = f"{1000 * oracle[len(oracle) // 2]:.0f} ms" if oracle else "-"
    known = list(dict.fromkeys(k for f in figures for k in f["known"]))
    void = sum(f.get("void", 0) for f in figures)
    print(f"explore: {sum(f['examples'] for f in figures)} examples, {sessions} sessions in {minutes:.1f} min "
          f"({sessions / minutes if minutes else 0:.1f} sessions a minute) by {len(running)} jobs; the oracle's "
          f"cost per session, p50 {p50}" + (f"; known faults met: {len(known)}" if known else "") +
          (f"; {void} example(s) void (an endpoint failed beyond its retries)" if void else "") +
          ("" if status == 0 else "; FAILED (the failing job printed its case)"), flush=True)
    for message in known:
        print(f"  known: {message[:400]}", flush=True)
    return status


def job(endpoints: dict[str, Any], base_seed: int, budget: float, summary: Path | None, keep_going: bool) -> int:
    """One explorer, on the sandbox these endpoints name."""
    settings_ = Settings().on_local_endpoints(endpoints, deployment_timeout_s=180)
    target = Target(settings_, grammar=Grammar.from_published(endpoints["instructions"]),
                    real_system=endpoints.get("edit_container", {}).get("kind") == "real")
    run = Exploration(World.start(target, REPORTS), endpoints, target.real_system, budget, keep_going=keep_going)
    def write_summary() -> None:
        if summary is not None:
            summary.write_text(json.dumps({"examples": run.examples, "sessions": run.sessions, "void": run.void,
                                           "oracle_s": run.oracle_s, "known": run.known}) + "\n")

    def stopped(*_: object) -> None:
        # Another job found a failure: this one's figures still count. It leaves at once: an exit raised into
        # Hypothesis would be taken for a failure of the example and replayed.
        write_summary()
        os._exit(STOPPED)

    signal.signal(signal.SIGTERM, stopped)
    try:
        status = explore(run, base_seed)
    except Exception:
        traceback.print_exc()
        status = 2
    write_summary()
    return status


if __name__ == "__main__":
    sys.exit(main())
