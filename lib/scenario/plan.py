"""What a scenario will do, known before it runs: the clients its Givens introduce and the emails its Whens send.
Each step declares, with `@takes`, what it adds to that plan (`sends`, `marks`) and what it needs of it to be able
to fail (`needs`): a check that could not fail, whatever the system did in this scenario, is refused before
anything is sent, in one sentence, by the run (features/environment.py) and by `make lint-features` alike.

The rules, one per kind of check that can be vacuous: a negative check of a text no email of the scenario carries;
a concurrency limit over fewer than two emails sent at once; an order over fewer than two emails of a client; a
thread's check of a thread that never started; a site check of a client that sent nothing; a comparison of
clients with fewer than two.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lib import naming
from lib.expect import contract
from lib.expect.instructions import Grammar
from lib.scenario.inputs import CLIENT_VALUES, InputError, Inputs, Row, inputs_of
from lib.send import emails
from lib.settings import LOOSE_LIMIT, Settings


@dataclass(frozen=True)
class PlannedEmail:
    client: str
    instruction: str  # "" when the step makes it up when it runs (a timestamp)
    thread: str  # the scenario's name for the thread; "" starts a new thread
    batch: int  # the step that sends it: emails of one "at the same time" step share it
    at_once: bool = False
    where: str = ""  # the line of the step that sends it
    serial: bool = False  # its step sends its emails one after the other, each once the last has ended

    def describe(self) -> str:
        return f"{self.client}'s email on line {self.where.rsplit(':', 1)[-1]}" + (
            f" ({self.instruction!r})" if self.instruction else "")

    def writes(self) -> str:
        """What its edit shows on its client's site ("" when the plan cannot know: a value made up when it runs)."""
        effect = contract.effect_of(self.instruction) if self.instruction else None
        return effect[1] if effect else ""


@dataclass
class Check:
    """A Then step as the plan sees it: the emails it reads, those whose mishandling would turn it red."""

    step: int
    where: str
    text: str
    reads: list[int]  # indexes into Plan.emails


@dataclass
class Plan:
    clients: dict[str, bool] = field(default_factory=dict)  # name -> it has an edit site
    emails: list[PlannedEmail] = field(default_factory=list)
    marks: list[tuple[str, int]] = field(default_factory=list)  # what earlier steps did besides emails, and when
    barriers: list[int] = field(default_factory=list)  # steps that wait for what was sent before them to end
    checks: list[Check] = field(default_factory=list)
    step: int = 0
    settings: Settings | None = None

    def emails_of(self, client: str) -> list[PlannedEmail]:
        return [e for e in self.emails if e.client == client]

    def indexes_of(self, client: str) -> list[int]:
        return [i for i, e in enumerate(self.emails) if e.client == client]

    def overtakable(self, first: PlannedEmail, later: PlannedEmail) -> bool:
        """Whether `later` could be handled before `first` (both of one client): sent without a wait between."""
        if first.batch == later.batch:
            return not first.serial
        return not any(first.batch <= step < later.batch for step in self.barriers)

    def threads(self) -> int:
        return sum(1 for e in self.emails if not e.thread) + len({(e.client, e.thread) for e in self.emails
                                                                  if e.thread})


Sends = Callable[[Mapping[str, Any], list[Row]], list[tuple[str, str, str]]]
Marks = Callable[[Mapping[str, Any]], list[str]]
Need = Callable[[Plan, Mapping[str, Any]], str | None]

# -- what steps send ----------------------------------------------------------------------------------------------


def email_rows(values: Mapping[str, Any], rows: list[Row]) -> list[tuple[str, str, str]]:
    """A table of `client` and `instruction`: one new thread per row."""
    return [(row["client"], row["instruction"], "") for row in rows]


def one_email(values: Mapping[str, Any], rows: list[Row]) -> list[tuple[str, str, str]]:
    return [(values["client"], values["instruction"], values.get("thread", ""))]


def instruction_rows(values: Mapping[str, Any], rows: list[Row]) -> list[tuple[str, str, str]]:
    """The client's `instruction` rows, each on the row's `thread` (or a new one)."""
    return [(values["client"], row["instruction"], row.get("thread", "")) for row in rows]


def made_up(values: Mapping[str, Any], rows: list[Row]) -> list[tuple[str, str, str]]:
    """`count` emails whose instructions the step makes up when it runs."""
    return [(values["client"], "", "")] * int(values["count"])


def mark(kind: str) -> Marks:
    return lambda values: [f"{kind}:{values['client']}"]


# -- what checks need ---------------------------------------------------------------------------------------------


def emailed(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """Each client the step names sent an email before it (else there is no edit of it to check)."""
    for name in [values[v] for v in CLIENT_VALUES if v in values]:
        if not plan.emails_of(name):
            return f"{name!r} sends no email before this step, so no edit of {name}'s can be checked"
    return None


def an_email(plan: Plan, values: Mapping[str, Any]) -> str | None:
    return None if plan.emails else "no email is sent before this step, so there is nothing to check"


def written_by_client(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The text is what one of the client's own edits shows (the element that shows it is the one its edit writes;
    a part of it counts, as on the page)."""
    name, text = values["client"], values["text"]
    if any(text in e.writes() for e in plan.emails_of(name)):
        return None
    written = [w for e in plan.emails_of(name) if (w := e.writes())]
    return (f"no edit {name} sends before this step writes {text!r} (its edits write: "
            f"{'; '.join(map(repr, written)) or 'nothing'}), so no element of its site should show it")


def at_once(plan: Plan, values: Mapping[str, Any]) -> str | None:
    batches = [e.batch for e in plan.emails if e.at_once]
    if any(batches.count(b) >= 2 for b in batches):
        return None
    return ("no two emails of this scenario are sent at the same time before this step, so a concurrent "
            "deployment limit times no concurrency")


def two_of_a_client(plan: Plan, values: Mapping[str, Any]) -> str | None:
    if any(len(plan.emails_of(name)) >= 2 for name in plan.clients):
        return None
    return "no client sends two emails before this step, so no order of deployments can be wrong"


def two_threads(plan: Plan, values: Mapping[str, Any]) -> str | None:
    return None if plan.threads() >= 2 else "fewer than two threads start before this step, so none can share a tag"


def two_sites(plan: Plan, values: Mapping[str, Any]) -> str | None:
    sited = [name for name, site in plan.clients.items() if site and plan.emails_of(name)]
    if len(sited) >= 2:
        return None
    return (f"this check compares clients' sites, and before it only {', '.join(map(repr, sited)) or 'none'} "
            "has a site and an email: give it two")


def later_email(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The client sends an email after an earlier one, so something can have stayed (or not) from before."""
    name = values["client"]
    return None if len(plan.emails_of(name)) >= 2 else (
        f"{name!r} sends fewer than two emails before this step, so nothing can still show from an earlier one")


def thread_started(plan: Plan, values: Mapping[str, Any]) -> str | None:
    name, thread = values["client"], values["thread"]
    if any(e.thread == thread for e in plan.emails_of(name)):
        return None
    threads = sorted({e.thread for e in plan.emails_of(name) if e.thread}) or ["none"]
    return f"{name!r} has no thread {thread!r} before this step (its named threads: {', '.join(threads)})"


def encodable(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The encoding is one mail clients send and can carry the instruction's characters."""
    try:
        emails.check_encoding(values["encoding"], values["instruction"])
    except emails.EncodingError as error:
        return str(error)
    return None


def thread_new(plan: Plan, values: Mapping[str, Any]) -> str | None:
    name, thread = values["client"], values["thread"]
    if any(e.thread == thread for e in plan.emails_of(name)):
        return f"{name!r} already has a thread {thread!r}: reply on it, or name the new one otherwise"
    return None


def marked(kind: str, why: str) -> Need:
    """An earlier step did `kind` for the client this step names (for any client, when it names none)."""
    def need(plan: Plan, values: Mapping[str, Any]) -> str | None:
        client = values.get("client")
        done = any(m == f"{kind}:{client}" if client else m.startswith(f"{kind}:") for m, _ in plan.marks)
        return None if done else why
    return need


def emailed_after_mark(kind: str, why: str) -> Need:
    """The client sends an email after the step that marked `kind` for it (e.g. a redeploy a visitor watches)."""
    def need(plan: Plan, values: Mapping[str, Any]) -> str | None:
        name = values["client"]
        at = [step for m, step in plan.marks if m == f"{kind}:{name}"]
        return None if at and any(e.batch > at[0] for e in plan.emails_of(name)) else why
    return need


# -- what checks read: the emails whose mishandling would turn them red ------------------------------------------
Reads = Callable[[Plan, Mapping[str, Any]], list[int]]


def every_email(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    """Every email sent before the check (how each ended, or the whole history)."""
    return list(range(len(plan.emails)))


def the_clients_emails(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    return [i for name in (values[v] for v in CLIENT_VALUES if v in values) for i in plan.indexes_of(name)]


# A client's emails wait in one FIFO queue: one that never ends holds up every later one, so a check of a client's
# latest email reads the earlier ones too.
def the_clients_latest(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    """The client's latest email, and the earlier ones its queue holds it behind."""
    return the_clients_emails(plan, values)


def the_latest(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    """The scenario's latest email ("it"), and the earlier ones of its client."""
    return plan.indexes_of(plan.emails[-1].client) if plan.emails else []


def the_writer(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    """The client's latest email whose edit shows the text (or title), were it lost the site would not show it; and
    the client's emails before it, which its queue holds it behind."""
    text = values.get("text") or values.get("title") or ""
    mine = plan.indexes_of(values["client"])
    writers = [i for i in mine if text and text in plan.emails[i].writes()]
    return [i for i in mine if i <= writers[-1]] if writers else mine


def the_carriers(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    """Every email whose edit shows the text: were one to leak, the text would show where it must not."""
    return [i for i, e in enumerate(plan.emails) if values["text"] in e.writes()]


def the_threads_emails(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    return [i for i in plan.indexes_of(values["client"]) if plan.emails[i].thread == values["thread"]]


def overtaking(plan: Plan, values: Mapping[str, Any]) -> list[int]:
    """The emails that could be handled out of the order they were sent."""
    found: set[int] = set()
    for name in plan.clients:
        mine = plan.indexes_of(name)
        for a, b in ((a, b) for a in mine for b in mine if a < b):
            if plan.overtakable(plan.emails[a], plan.emails[b]):
                found |= {a, b}
    return sorted(found)


def marked_emails(kind: str) -> Reads:
    def reads(plan: Plan, values: Mapping[str, Any]) -> list[int]:
        steps = {step for mark, step in plan.marks if mark.startswith(f"{kind}:")}
        return [i for i, e in enumerate(plan.emails) if e.batch in steps]
    return reads


# -- what makes a check able to fail, computed from the plan --------------------------------------------------------
def one_latest(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """A check of "it" (the latest email) reads one email: the last step that sent emails sent one."""
    if not plan.emails:
        return "no email is sent before this step, so there is nothing to check"
    last = [e for e in plan.emails if e.batch == plan.emails[-1].batch]
    if len(last) == 1:
        return None
    return (f"'it' could mean any of {', '.join(e.describe() for e in last)}, all sent by one step: name the client "
            "(the step's form with \"of \"<client>\"\")")


def could_overtake(plan: Plan, values: Mapping[str, Any]) -> str | None:
    if overtaking(plan, values):
        return None
    return ("no client sends two emails before this step that could be handled out of order (each is sent once "
            "the last has ended, or a check waits between them), so no order of deployments can be wrong")


def two_clients_emailed(plan: Plan, values: Mapping[str, Any]) -> str | None:
    emailed = [name for name in plan.clients if plan.emails_of(name)]
    if len(emailed) >= 2:
        return None
    return (f"only {', '.join(map(repr, emailed)) or 'no client'} sends email before this step: a container stops "
            "serving a client only by claiming another's project, so with one client this check cannot fail")


def told_apart(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """No other client's email writes the text too: seeing it on the site could be the other's edit leaking in."""
    name, text = values["client"], values.get("text") or values.get("title") or ""
    others = [e for e in plan.emails if e.client != name and text and text in e.writes()]
    if not others:
        return None
    return (f"{others[0].describe()} writes {text!r} too, so seeing it on the site of {name} cannot tell {name}'s "
            "edit from theirs leaking in: give each client a text of its own")


def believable_limits(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The limits a scenario states could fail: none is many times what the target typically takes."""
    settings = plan.settings
    if settings is None:
        return None
    typical = settings.limits
    loose = [f"a {what} limit of {values[name]:g} s is {values[name] / usual:.0f} times what a {what} typically "
             f"takes ({usual:g} s)" for name, what, usual in (("build", "build", typical.typical_build_s),
                                                              ("sync", "sync", typical.typical_sync_s),
                                                              ("total", "deployment", typical.typical_total_s))
             if values[name] > LOOSE_LIMIT * usual]
    if not loose:
        return None
    return "; ".join(loose) + f": a limit that loose could not fail here (state at most {LOOSE_LIMIT} times)"


def a_site_emailed(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """Some client with an edit site sends an email before the check: without one, no site has an edit to show."""
    if any(plan.clients.get(e.client) for e in plan.emails):
        return None
    return "no client with an edit site sends an email before this step, so no site can show anything of it"


def written_by_some(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The text is what some email's edit shows: the absence of a text no edit writes cannot fail."""
    text = values["text"]
    if any(text in e.writes() for e in plan.emails):
        return None
    written = sorted({w for e in plan.emails if (w := e.writes())})
    return (f"no email of this scenario writes {text!r} on a site before this step (their edits write: "
            f"{'; '.join(map(repr, written)) or 'nothing the plan can know'}), so a check that it does not show "
            "cannot fail: check a text one of its edits writes")


# -- the scenario -------------------------------------------------------------------------------------------------


class PlannedStep:
    """One step as the plan sees it: its text, its inputs declaration, its values and table; `matched`: the catalog
    patterns its text matches (none: not a step of the catalog; two or more: ambiguous), `catalog`: every pattern of
    its kind, for the closest ones."""

    def __init__(self, where: str, text: str, inputs: Inputs | None, values: Mapping[str, Any], table: Any,
                 step_type: str = "", matched: tuple[str, ...] | None = None, catalog: tuple[str, ...] = ()) -> None:
        self.where, self.text, self.inputs, self.values, self.table = where, text, inputs, dict(values), table
        self.step_type, self.matched, self.catalog = step_type, matched, catalog


def scenario_problems(steps: list[PlannedStep], grammar: Grammar, settings: Settings) -> list[str]:
    """Every input of the scenario a run would refuse, and every check that could not fail, as `where: problem`,
    known before anything is sent."""
    return planned_scenario(steps, grammar, settings)[1]


def planned_scenario(steps: list[PlannedStep], grammar: Grammar, settings: Settings) -> tuple[Plan, list[str]]:
    """The scenario's plan (its emails, and what each check reads) and what is refused of it."""
    plan = Plan(settings=settings)
    problems: list[str] = []
    for index, step in enumerate(steps):
        plan.step = index
        if step.matched is not None and len(step.matched) != 1:
            problems.append(f"{step.where}: {_not_one_step(step)}")
            continue
        inputs = step.inputs
        if step.step_type == "then":
            plan.barriers.append(index)
        if inputs is None:
            continue
        try:
            rows = inputs.check(step.table, step.values, grammar, settings)
        except ValueError as error:
            problems.append(f"{step.where}: {step.text}: {error}")
            continue
        names = inputs.clients(rows, step.values)
        if inputs.gives_clients:
            for name in names:
                plan.clients[name] = inputs.with_site
        else:
            unknown = [n for n in dict.fromkeys(names) if n not in plan.clients]
            if unknown:
                hint = naming.did_you_mean(unknown[0], plan.clients)
                problems.append(f"{step.where}: client(s) {', '.join(map(repr, unknown))} used before a Given step "
                                f"of this scenario gives them a site (given so far: "
                                f"{', '.join(plan.clients) or 'none'}){hint}")
                continue
        for need in inputs.needs:
            why = need(plan, step.values)
            if why:
                problems.append(f"{step.where}: {step.text}: {why}")
        if step.step_type == "then":
            reads = (inputs.reads or every_email)(plan, step.values)
            plan.checks.append(Check(index, step.where, step.text, reads))
        if inputs.sends is not None:
            sent = inputs.sends(step.values, rows)
            plan.emails += [PlannedEmail(c, i, t, index, inputs.at_once, step.where, inputs.serial)
                            for c, i, t in sent]
            if inputs.serial:
                plan.barriers.append(index)
        if inputs.marks is not None:
            plan.marks += [(kind, index) for kind in inputs.marks(step.values)]
    # An email no check reads is named only once the rest holds: a refused or unknown check reads nothing.
    return plan, problems or unread(plan)


def trust(plan: Plan) -> list[str]:
    """The plan in words: for each check, the emails it reads, those whose mishandling would turn it red."""
    lines = []
    for check in plan.checks:
        read = [plan.emails[i].describe() for i in check.reads]
        lines.append(f"{check.where}: {check.text}\n    red if " + (
            " or ".join(f"{e} were mishandled" for e in read) if read else "nothing of this scenario could go wrong"))
    return lines


def unread(plan: Plan) -> list[str]:
    """Emails no check after them reads: sent, and never looked at (a mishandling of them would pass unseen)."""
    problems = []
    for index, email in enumerate(plan.emails):
        if any(index in check.reads for check in plan.checks if check.step > email.batch):
            continue
        problems.append(f"{email.where}: {email.describe()} is read by no check after it: whatever the system did "
                        "with it, the scenario would pass; check it with a Then after it, or leave it out")
    return list(dict.fromkeys(problems))


# Words that change what a step means: a suggestion that adds or drops one is not the step that was meant.
MEANING = {"not", "no", "never", "still", "only", "fails", "failed", "but", "each", "every", "all"}


def _not_one_step(step: PlannedStep) -> str:
    assert step.matched is not None
    if step.matched:
        return (f"`{step.text}` reads as {len(step.matched)} steps of the catalog ({'; '.join(step.matched)}): "
                "write each check as a step of its own")
    close = closest(step.text.split(" ", 1)[-1], step.catalog)
    return (f"`{step.text}` is not a step of the catalog" + (f"; the closest: {' | '.join(close)}" if close else
                                                             "; see `make catalog`"))


def closest(text: str, patterns: Iterable[str], most: int = 3) -> list[str]:
    """Up to `most` catalog patterns nearest to a written step, none that adds or drops a word that changes what
    the step means ("not", "still", "only", ...)."""
    def shape(words: str) -> str:
        return re.sub(r'"[^"]*"|\{[^}]*\}|\d+(\.\d+)?', "_", words).lower()

    written = shape(text)
    meaning = MEANING & set(written.split())
    scored = [(difflib.SequenceMatcher(None, written, shape(p)).ratio(), p) for p in dict.fromkeys(patterns)]
    kept = [(score, p) for score, p in scored if MEANING & set(shape(p).split()) == meaning and score >= 0.45]
    return [p for _, p in sorted(kept, key=lambda sp: -sp[0])[:most]]


def planned(where: str, text: str, func: Callable[..., Any] | None, values: Mapping[str, Any], table: Any,
            step_type: str = "", matched: tuple[str, ...] | None = None, catalog: tuple[str, ...] = ()) -> PlannedStep:
    return PlannedStep(where, text, inputs_of(func) if func is not None else None, values, table, step_type, matched,
                       catalog)


def refuse(problems: list[str]) -> None:
    if problems:
        raise InputError("this scenario is refused before anything is sent: " + "; ".join(problems))
