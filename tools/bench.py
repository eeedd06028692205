"""Benchmark the suite against one embedded sandbox, and print the figures issue 14 asks for:

- the `@s3` suite's wall time, one session's wall time, and their ratio (the suite's cost in single sessions);
- the time from each outcome (an execution's end) to the suite seeing it, p50 and max;
- the requests the suite made per verified deployment, by service (counted by the sandbox's fronts, so retries
  count too);
- for 1, 5, 10 and 20 clients deploying at once: wall time, its growth, and requests per deployment;
- one session's stages (entry, build, sync, push, callback), cold and warm;
- the CPU seconds all processes of the suite's run spent (behave, the sandbox with its moto server, and whatever
  they start: builds, syncs, git, the browser) per verified deployment, and by kind of process (issue 25).

A verified deployment is one whose execution the suite saw end and whose bucket it found to be exactly that build.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lib.expect import contract
from lib.expect.instructions import Grammar
from lib.observe.logs import SessionLog
from lib.scenario import actions, verdicts
from lib.scenario.state import ScenarioState, Session
from lib.scenario.target import Target
from lib.scenario.world import World
from lib.settings import Settings
from sandbox.front import COUNTS_PATH
from sandbox.process import SandboxProcess

ROOT = Path(__file__).resolve().parent.parent

REPORTS = ROOT / "reports" / "bench"
GOAL_RATIO = 8.0
GOAL_P50_MS = 100.0
SERVICES = ("logs", "s3", "states", "github", "sqs", "dynamodb", "ecs")


class Requests:
    """The suite's requests as the sandbox's fronts counted them, by service."""

    def __init__(self, endpoints: dict[str, str]) -> None:
        self.urls = [endpoints["aws_endpoint_url"], endpoints["github_api_url"]]

    def now(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for url in self.urls:
            with urllib.request.urlopen(url + COUNTS_PATH, timeout=10) as answer:
                total.update(json.loads(answer.read())["requests"])
        return total


def per_deployment(spent: Counter[str], deployments: int) -> str:
    if not deployments:
        return "no verified deployment"
    cells = [f"{s} {spent.get(s, 0) / deployments:.1f}" for s in SERVICES if spent.get(s)]
    return f"{sum(spent.values()) / deployments:.1f} requests per deployment ({', '.join(cells)})"


def between(log: SessionLog, start: str, end: str) -> float:
    a, b = log.first(start), log.first(end)
    return (b.timestamp_ms - a.timestamp_ms) / 1000 if a and b else float("nan")


def stages(session: Session) -> dict[str, float]:
    assert session.outcome is not None
    log = session.outcome.log
    return {
        "entry": (log.lines[0].timestamp_ms - session.sent_at_ms) / 1000,
        "build": between(log, contract.PHRASE_BUILDING, contract.PHRASE_BUILD_OK),
        "sync": between(log, contract.PHRASE_DEPLOYING, contract.PHRASE_SYNC_OK),
        "push": between(log, "Step 5/5", "Pushed branch"),
        "callback": (session.outcome.ended_at_ms - log.lines[-1].timestamp_ms) / 1000,
    }


def deploy_at_once(world: World, names: list[str], instruction: str) -> tuple[float, list[Session]]:
    """Each client sends one email at the same moment; returns the wall time until every deployment is verified."""
    for name in names:
        world.onboard(name)
    started = time.monotonic()
    batch = [actions.send(world, n, instruction.format(i=i)) for i, n in enumerate(names)]
    world.observer.await_outcomes(batch)
    problems = [p for s in batch if not (s.outcome and s.outcome.kind == contract.DEPLOYED)
                for p in [f"{s.name}: {s.outcome.kind if s.outcome else 'no outcome'}"]]
    problems += verdicts.exact_build_problems(world, batch)
    if problems:
        raise SystemExit("bench: a deployment was not verified: " + "; ".join(problems))
    return time.monotonic() - started, batch


def run_suite(sandbox: SandboxProcess) -> tuple[float, int, list[float], float]:
    """The `@s3` suite on `sandbox`: wall time, verified deployments, detection latencies and behave's CPU seconds
    (its own and its reaped descendants', the browser's among them)."""
    results = REPORTS / "suite.json"
    env = {**os.environ, **sandbox.attach_environment()}
    command = [str(Path(sys.executable).parent / "behave"), "--tags=@s3", "--no-junit",
               "-f", "json", "-o", str(results), "-D", f"reports_dir={REPORTS}"]
    console = REPORTS / "console.txt"
    started = time.monotonic()
    with console.open("w") as out:
        behave = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        # wait4 rather than wait: the CPU of behave's own tree, to tell it from the sandbox's.
        _, status, usage = os.wait4(behave.pid, 0)
    behave.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if behave.returncode != 0:
        print(f"  the suite FAILED (exit {behave.returncode}); its console: {console}")
    detections = json.loads((REPORTS / "detections.json").read_text())
    latencies = [d["detected_ms"] - d["ended_ms"] for d in detections]
    deployed = sum(d["outcome"] == contract.DEPLOYED for d in detections)
    return wall, deployed, latencies, usage.ru_utime + usage.ru_stime


def children_cpu() -> float:
    """CPU seconds of every reaped descendant: a child counts once it and all its own children have been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


Key = tuple[int, int]  # pid, start time: a pid is used again


@dataclass
class Seen:
    """One process of the tree, as its last sample found it."""

    kind: str
    parent: Key | None
    own: float = 0.0  # its utime + stime, seconds
    children: float = 0.0  # cutime + cstime: what its reaped children spent
    alive: bool = True


# The first needle its command line contains names a process's kind; else its comm.
KINDS: tuple[tuple[str, str], ...] = (
    ("build-server.mjs", "astro build server (node)"),
    ("bin/aws ", "awscli (s3 sync)"),
    ("-m sandbox", "sandbox python (moto server, fronts, lambdas, containers: threads)"),
    ("bin/behave", "behave"),
    ("chrom", "chromium"),
    ("playwright", "playwright driver (node)"),
    ("sh -c", "sh (npm's script shell)"),
    ("npm", "npm"),
    ("git", "git"),  # before astro: a clone names the checkout amelia-astro
    ("esbuild", "esbuild (vite's)"),
    ("astro", "astro build (node)"),
)
SAMPLE_EVERY_S = 0.1
PR_SET_CHILD_SUBREAPER = 36  # prctl(2)
TICK_S = 1 / os.sysconf("SC_CLK_TCK")


class CpuProfile(threading.Thread):
    """Samples /proc every SAMPLE_EVERY_S: the CPU of each descendant of this process, by kind. A process that
    lives between two samples is never seen: its CPU shows in its parent's cutime+cstime and is counted as that
    parent's short-lived children (as is what a seen child spent after its last sample)."""

    def __init__(self) -> None:
        super().__init__(name="cpu-profile", daemon=True)
        self.seen: dict[Key, Seen] = {}
        self._done = threading.Event()
        me = _stat(str(os.getpid()))
        assert me is not None
        self._me = (os.getpid(), me[1][19])
        self.orphans_cpu = 0.0  # what the orphans it reaped spent

    def start(self) -> None:
        # Orphans (a browser its driver left, a build server its sandbox left) become this process's children, and
        # are reaped below: their CPU counts in RUSAGE_CHILDREN too.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        super().start()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_EVERY_S):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.sample()

    def sample(self) -> None:
        stats = dict(filter(None, (_stat(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit())))
        keys = {pid: (pid, fields[19]) for pid, fields in stats.items()}
        children: dict[int, list[int]] = {}
        for pid, fields in stats.items():
            children.setdefault(int(fields[1]), []).append(pid)
        here: set[Key] = set()
        todo = list(children.get(os.getpid(), []))
        while todo:
            pid = todo.pop()
            todo += children.get(pid, [])
            fields, key = stats[pid], keys[pid]
            seen = self.seen.setdefault(key, Seen("?", keys.get(int(fields[1]))))
            seen.kind = _kind(pid, seen.kind)  # read again: a fork is seen before its exec at times
            seen.own = (int(fields[11]) + int(fields[12])) * TICK_S
            seen.children = (int(fields[13]) + int(fields[14])) * TICK_S
            here.add(key)
            if fields[0] == "Z" and int(fields[1]) == os.getpid() and seen.parent != self._me:
                # An adopted orphan's end (a child of this process's own is reaped by its Popen).
                with contextlib.suppress(ChildProcessError):
                    usage = os.wait4(pid, os.WNOHANG)[2]
                    self.orphans_cpu += usage.ru_utime + usage.ru_stime
        for key, seen in self.seen.items():
            seen.alive = key in here

    def counts(self) -> Counter[str]:
        """How many processes of each kind it saw."""
        return Counter(seen.kind for seen in self.seen.values())

    def left_running(self) -> list[str]:
        """The kinds of the descendants still running at the last sample."""
        return sorted(seen.kind for seen in self.seen.values() if seen.alive)

    def by_kind(self) -> Counter[str]:
        """Each process's own CPU under its kind, and what its cutime+cstime holds beyond its seen children's
        trees under "<its kind>: short-lived children"."""
        reaped: dict[Key, list[Key]] = {}
        for key, seen in self.seen.items():
            if seen.parent is not None and not seen.alive:
                reaped.setdefault(seen.parent, []).append(key)
        trees: dict[Key, float] = {}

        def tree(key: Key) -> float:
            """What a reaped process adds to its parent's cutime: its own CPU and its reaped children's trees (its
            last sample's cutime may predate the reaping of its children)."""
            if key not in trees:
                seen = self.seen[key]
                trees[key] = seen.own + max(seen.children, sum(map(tree, reaped.get(key, []))))
            return trees[key]

        spent: Counter[str] = Counter()
        for key, seen in self.seen.items():
            spent[seen.kind] += seen.own
            unseen = seen.children - sum(map(tree, reaped.get(key, [])))
            if unseen > 0.005:
                spent[f"{seen.kind}: short-lived children"] += unseen
        return spent


def _stat(pid: str) -> tuple[int, list[str]] | None:
    """The fields of /proc/PID/stat after its comm (which may hold spaces): [0] state, [1] ppid, [11] utime ..."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone since the listing
        return None
    return int(pid), text[text.rindex(")") + 2:].split()


def _kind(pid: int, known: str) -> str:
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:  # gone
        return known
    if not line:  # a zombie's command line is empty: it keeps the kind it had alive
        return comm if known == "?" else known
    return next((kind for needle, kind in KINDS if needle in line), comm)


def suite_on_fresh_sandbox(environ: dict[str, str], session_wall: float | None) -> None:
    """The suite on a sandbox of its own, as `make acceptance` runs it, with the CPU all processes of the run
    spent: the sandbox's start, the suite, the sandbox's stop (it joins its threads; its children are reaped)."""
    cpu_before = children_cpu()
    profile = CpuProfile()
    profile.start()
    process = SandboxProcess(REPORTS / "sandbox-suite.log", environ=environ)
    try:
        requests = Requests(process.start())
        before = requests.now()
        wall, deployed, latencies, behave_cpu = run_suite(process)
        spent = requests.now() - before
    finally:
        process.stop()
        profile.stop()
    cpu = children_cpu() - cpu_before
    ratio = f"; one session {session_wall:.2f}s; ratio {wall / session_wall:.1f} single sessions (goal " \
            f"{GOAL_RATIO:.0f})" if session_wall else ""
    print(f"the @s3 suite: {wall:.1f}s wall{ratio}")
    if latencies:
        print(f"  detection, execution's end -> the suite sees it, over {len(latencies)} outcomes: "
              f"p50 {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms "
              f"(goal p50 {GOAL_P50_MS:.0f} ms)")
    print(f"  {per_deployment(spent, deployed)} over {deployed} deployments")
    print_cpu(cpu, behave_cpu, profile.orphans_cpu, deployed, profile.by_kind(), profile.counts())
    if profile.left_running():
        print(f"  still running after the sandbox stopped: {', '.join(profile.left_running())}")


def print_cpu(cpu: float, behave_cpu: float, orphans_cpu: float, deployed: int, kinds: Counter[str],
              counts: Counter[str]) -> None:
    each = f", {cpu / deployed:.2f} CPU s per verified deployment" if deployed else ""
    orphans = f", orphans {orphans_cpu:.1f} s" if orphans_cpu else ""
    print(f"  CPU of all processes of the run: {cpu:.1f} s{each} (behave's tree {behave_cpu:.1f} s, the sandbox's "
          f"{cpu - behave_cpu - orphans_cpu:.1f} s{orphans})")
    print(f"  by kind (sampled every {SAMPLE_EVERY_S * 1000:.0f} ms; a process shorter than that counts as its "
          "parent's short-lived children):")
    for kind, seconds in [*kinds.most_common(), ("not sampled (exited after the last sample)",
                                                  cpu - sum(kinds.values()))]:
        if seconds >= 0.05:
            share = f", {seconds / deployed:5.2f} s per deployment" if deployed else ""
            processes = f" ({counts[kind]} processes)" if counts[kind] > 1 else ""
            print(f"    {seconds:7.1f} s {seconds / cpu:4.0%}{share}  {kind}{processes}")


def sandbox_rounds(environ: dict[str, str], clients: str) -> float:
    """One session cold and warm, then clients deploying at once; returns the cold session's wall time."""
    process = SandboxProcess(REPORTS / "sandbox.log", environ=environ)
    endpoints = process.start()
    requests = Requests(endpoints)
    try:
        settings = Settings().on_local_endpoints(endpoints, deployment_timeout_s=600)
        world = World.start(Target(settings, grammar=Grammar.from_published(endpoints["instructions"])))
        world.scenario = ScenarioState(scope="b")

        print("one session (one client, one email, its deployment verified); the first clones the site")
        session_walls = []
        for round_name in ("cold", "warm"):
            if round_name == "cold":
                world.onboard("solo")
            before = requests.now()
            started = time.monotonic()
            actions.send_in_turn(world, "solo",
                                 [("", f'Add header with text "{round_name}"')])
            session = world.scenario.sessions[-1]
            problems = verdicts.exact_build_problems(world, [session])
            wall = time.monotonic() - started
            session_walls.append(wall)
            cells = "  ".join(f"{k} {v:5.2f}s" for k, v in stages(session).items())
            verdict = f"  NOT VERIFIED: {'; '.join(problems)}" if problems else ""
            print(f"  {round_name:<5} {wall:5.2f}s wall ({cells}){verdict}")
            print(f"        {per_deployment(requests.now() - before, 1)}")

        print("clients deploying at once (emails sent together -> every deployment verified)")
        first = 0.0
        for count in (int(n) for n in clients.split(",")):
            before = requests.now()
            wall, _ = deploy_at_once(world, [f"at{count}-{i}" for i in range(count)], "Create site for client {i}")
            first = first or wall / count
            print(f"  {count:>2} client(s): {wall:6.2f}s wall, {wall / count:5.2f}s per client "
                  f"({wall / count / first:4.2f}x the first row's); {per_deployment(requests.now() - before, count)}")
        world.clean_up()
    finally:
        process.stop()
    return session_walls[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,5,10,20", help="client counts deploying at once")
    runs = parser.add_mutually_exclusive_group()
    runs.add_argument("--no-suite", action="store_true", help="skip the suite run (the sandbox figures only)")
    runs.add_argument("--suite-only", action="store_true",
                      help="the suite run alone (no single session, no clients at once): wall time and CPU")
    args = parser.parse_args(argv)
    REPORTS.mkdir(parents=True, exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WEBORDINARY_SANDBOX_")}
    session_wall = None if args.suite_only else sandbox_rounds(environ, args.clients)
    if not args.no_suite:
        suite_on_fresh_sandbox(environ, session_wall)
    return 0


if __name__ == "__main__":
    sys.exit(main())
