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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lib import naming
from lib.expect.instructions import Grammar
from lib.scenario.inputs import CLIENT_VALUES, InputError, Inputs, Row, inputs_of
from lib.send import emails
from lib.settings import Settings


@dataclass(frozen=True)
class PlannedEmail:
    client: str
    instruction: str  # "" when the step makes it up when it runs (a timestamp)
    thread: str  # the scenario's name for the thread; "" starts a new thread
    batch: int  # the step that sends it: emails of one "at the same time" step share it
    at_once: bool = False


@dataclass
class Plan:
    clients: dict[str, bool] = field(default_factory=dict)  # name -> it has an edit site
    emails: list[PlannedEmail] = field(default_factory=list)
    marks: list[tuple[str, int]] = field(default_factory=list)  # what earlier steps did besides emails, and when
    step: int = 0

    def emails_of(self, client: str) -> list[PlannedEmail]:
        return [e for e in self.emails if e.client == client]

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


def carried(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The text is in an email sent before the step: the absence of a text nobody sent cannot fail."""
    text = values["text"]
    if any(text in e.instruction for e in plan.emails):
        return None
    return (f"no email of this scenario sends {text!r} before this step, so a check that it does not show "
            "cannot fail: check a text one of its emails sends")


def written_by_client(plan: Plan, values: Mapping[str, Any]) -> str | None:
    """The text is in one of the client's own emails (the element that shows it is the one its edit writes)."""
    name, text = values["client"], values["text"]
    if any(text in e.instruction for e in plan.emails_of(name)):
        return None
    return f"no email {name} sends before this step carries {text!r}, so no element of its site should show it"


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


# -- the scenario -------------------------------------------------------------------------------------------------


class PlannedStep:
    """One step as the plan sees it: its text, its inputs declaration, its values and table."""

    def __init__(self, where: str, text: str, inputs: Inputs | None, values: Mapping[str, Any], table: Any) -> None:
        self.where, self.text, self.inputs, self.values, self.table = where, text, inputs, dict(values), table


def scenario_problems(steps: list[PlannedStep], grammar: Grammar, settings: Settings) -> list[str]:
    """Every input of the scenario a run would refuse, and every check that could not fail, as `where: problem`,
    known before anything is sent."""
    plan = Plan()
    problems: list[str] = []
    for index, step in enumerate(steps):
        plan.step = index
        inputs = step.inputs
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
        if inputs.sends is not None:
            sent = inputs.sends(step.values, rows)
            plan.emails += [PlannedEmail(c, i, t, index, inputs.at_once) for c, i, t in sent]
        if inputs.marks is not None:
            plan.marks += [(kind, index) for kind in inputs.marks(step.values)]
    return problems


def planned(where: str, text: str, func: Callable[..., Any] | None, values: Mapping[str, Any],
            table: Any) -> PlannedStep:
    return PlannedStep(where, text, inputs_of(func) if func is not None else None, values, table)


def refuse(problems: list[str]) -> None:
    if problems:
        raise InputError("this scenario is refused before anything is sent: " + "; ".join(problems))
