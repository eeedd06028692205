"""`-f cucumber-messages`: the run as Cucumber Messages, one envelope a line (NDJSON), the format Cucumber's own tools
read (its HTML formatter: `make cucumber-html`); reporting/cucumber_json.py derives Cucumber JSON from it.

It writes `<reports_dir>/cucumber-messages.ndjson` and `<reports_dir>/cucumber.json` when behave closes (a behavex
worker leaves its part for the coordinator, `join_parts`). Built with Cucumber's own packages, never by hand: the
official Gherkin parser reads each feature file into its gherkinDocument and pickles (each example row of an outline
is a pickle of its own), cucumber-messages' dataclasses carry every message, and behave's results are mapped onto
the pickles by uri and line.

A test case is its scenario's steps between two hooks of features/environment.py: before_scenario, and
after_scenario (the verdict after the steps and the evidence; what it attaches, a container log or a screenshot, is
that hook's). A check that failed as a known fault of the real system (its notes, reporting/notes.py: lib's one rule) is
PENDING with the words "known fault: ...", so that the standard tools count it neither failed nor passed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import platform
import time
import uuid
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import cucumber_messages as cm
from behave.formatter.base import Formatter
from behave.model import Scenario, Step
from behave.step_registry import registry
from gherkin.ast_builder import AstBuilder
from gherkin.errors import CompositeParserException, ParserError
from gherkin.parser import Parser
from gherkin.pickles.compiler import Compiler
from gherkin.stream.id_generator import IdGenerator

from reporting import cucumber_json, parallel
from reporting.formatter import plain_reason, reports_folder
from reporting.notes import NOTES
from reporting.render import RED

NDJSON = "cucumber-messages.ndjson"
CUCUMBER_JSON = "cucumber.json"
PARTS = "messages"  # a behavex worker's folder holds one NDJSON per behave process here
HOOKS = {"before": ("before_scenario", cm.HookType.before_test_case),
         "after": ("after_scenario", cm.HookType.after_test_case)}
Status = cm.TestStepResultStatus


def to_line(message: cm.Envelope) -> str:
    return json.dumps(cm.message_converter.to_dict(message), ensure_ascii=False, separators=(",", ":")) + "\n"


def timestamp(ns: int) -> cm.Timestamp:
    return cm.Timestamp(seconds=ns // 1_000_000_000, nanos=ns % 1_000_000_000)


def duration(ns: int) -> cm.Duration:
    ns = max(ns, 0)
    return cm.Duration(seconds=ns // 1_000_000_000, nanos=ns % 1_000_000_000)


def new_id() -> str:
    return str(uuid.uuid4())  # what happened in this run: unique across processes and CI shards by construction


def stable_id(*parts: str) -> str:
    """What every process reads alike (a feature file's nodes, a step definition, a hook): the same id in each, so
    that the parts of a parallel run, or CI's shards, join without two copies of one scenario."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


class _SourceIds(IdGenerator):
    def __init__(self, uri: str, data: str) -> None:
        super().__init__()
        self._prefix = stable_id(uri, data)[:12]

    def get_next_id(self) -> str:
        return f"{self._prefix}-{super().get_next_id()}"


@dataclass
class Document:
    """One feature file as the official Gherkin parser reads it."""

    source: cm.Source
    gherkin: cm.GherkinDocument | None
    pickles: list[cm.Pickle]
    error: cm.ParseError | None = None

    def pickle_at(self, line: int) -> cm.Pickle | None:
        return next((p for p in self.pickles if p.location and p.location.line == line), None)


def read_feature(uri: str, data: str) -> Document:
    source = cm.Source(uri=uri, data=data, media_type=cm.SourceMediaType.text_x_cucumber_gherkin_plain)
    ids = _SourceIds(uri, data)
    try:
        document = Parser(AstBuilder(ids)).parse(data)
    except (CompositeParserException, ParserError) as error:
        # behave ran a file Gherkin refuses: say so in the messages rather than lose the run's other features.
        return Document(source, None, [], cm.ParseError(message=str(error), source=cm.SourceReference(uri=uri)))
    pickles = Compiler(ids).compile({**document, "uri": uri})
    convert = cm.message_converter.from_dict
    return Document(source, convert({**document, "uri": uri}, cm.GherkinDocument),
                    [convert(pickle, cm.Pickle) for pickle in pickles])


# -- what the formatter records while behave runs ------------------------------------------------------------------
@dataclass
class Attached:
    media_type: str
    data: bytes
    at_ns: int
    step: int | str  # the index of the scenario step it was attached in, or the hook's phase ("before", "after")


@dataclass
class CaseRun:
    scenario: Scenario
    uri: str
    started_ns: int
    steps: dict[int, tuple[int, int]] = field(default_factory=dict)  # index -> (started, finished) of a step run
    running: tuple[int, int] | None = None  # (index, started) of the step running now
    attachments: list[Attached] = field(default_factory=list)
    hooked_ns: int = 0  # when the before hooks had run (behave then lists the steps to the formatters)
    finished_ns: int = 0

    def phase(self) -> int | str:
        """Where an attachment made now belongs: the running step, or before_scenario / after_scenario."""
        if self.running is not None:
            return self.running[0]
        return "after" if self.steps or self.hooked_ns else "before"


class CucumberMessagesFormatter(Formatter):
    name = "cucumber-messages"
    description = "Cucumber Messages (NDJSON) for Cucumber's own tools, and Cucumber JSON derived from them."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self.started_ns = time.time_ns()
        self.documents: dict[str, Document] = {}
        self.cases: list[CaseRun] = []
        self.run_attachments: list[Attached] = []
        self.uri_now = ""

    def uri(self, uri: str) -> None:
        self._end_case()
        self.uri_now = shown_uri(uri)
        if self.uri_now not in self.documents:
            self.documents[self.uri_now] = read_feature(self.uri_now, Path(uri).read_text(encoding="utf-8"))

    def scenario(self, scenario: Scenario) -> None:
        self._end_case()
        self.cases.append(CaseRun(scenario, self.uri_now or shown_uri(scenario.filename), time.time_ns()))

    def step(self, step: Step) -> None:
        case = self._case()
        if case is not None and not case.hooked_ns:
            case.hooked_ns = time.time_ns()

    def match(self, match: Any) -> None:
        case = self._case()
        if case is not None:
            case.running = (len(case.steps), time.time_ns())

    def result(self, step: Step) -> None:
        case = self._case()
        if case is None:
            return
        index, started = case.running or (len(case.steps), time.time_ns())
        index = next((i for i, s in enumerate(case.scenario.all_steps) if s is step), index)
        case.steps[index] = (started, time.time_ns())
        case.running = None

    def embedding(self, mime_type: str, data: bytes | str) -> None:
        """behave's `context.attach(mime_type, data)`: during a step, from a hook, or outside any scenario."""
        raw = data.encode() if isinstance(data, str) else bytes(data)
        case = self._case()
        attached = Attached(mime_type, raw, time.time_ns(), case.phase() if case else "after")
        (case.attachments if case else self.run_attachments).append(attached)

    def eof(self) -> None:
        self._end_case()

    def close(self) -> None:
        self._end_case()
        if self.config.dry_run:
            return  # a dry run proves nothing: keep the last real run's messages
        userdata = self.config.userdata
        folder = reports_folder(userdata)
        lines = "".join(to_line(m) for m in self.messages())
        if parallel.in_worker(userdata):
            # behavex's coordinator joins every process's part into one run (join_parts)
            run_id = NOTES.run.run_id or new_id()
            part = folder / PARTS / f"{run_id}.ndjson"
            part.parent.mkdir(parents=True, exist_ok=True)
            part.write_text(lines, encoding="utf-8")
        else:
            write(folder, lines)
        super().close()

    def _case(self) -> CaseRun | None:
        return self.cases[-1] if self.cases and not self.cases[-1].finished_ns else None

    def _end_case(self) -> None:
        case = self._case()
        if case is not None:
            case.finished_ns = time.time_ns()

    def messages(self) -> list[cm.Envelope]:
        """The whole run, in the order Cucumber writes it: what the files hold, then what happened."""
        cases = [(case, document, pickle) for case in self.cases if selected(case.scenario)
                 for document in [self.documents.get(case.uri)] if document
                 for pickle in [document.pickle_at(case.scenario.line)] if pickle]
        ran = {pickle.id for _, _, pickle in cases}
        out = [cm.Envelope(meta=meta())]
        for document in self.documents.values():
            if document.error is not None:
                out += [cm.Envelope(source=document.source), cm.Envelope(parse_error=document.error)]
            elif any(p.id in ran for p in document.pickles):
                out += [cm.Envelope(source=document.source), cm.Envelope(gherkin_document=document.gherkin)]
                out += [cm.Envelope(pickle=p) for p in document.pickles if p.id in ran]
        definitions = StepDefinitions()
        hooks = hook_definitions(self.config)
        run_id = new_id()
        worker = str(self.config.userdata.get("worker_id")) if parallel.in_worker(self.config.userdata) else None
        built = [test_case(case, pickle, definitions, hooks, run_id, worker) for case, _, pickle in cases]
        out += [cm.Envelope(step_definition=d) for d in definitions.found.values()]
        out += [cm.Envelope(hook=h) for h in hooks.values()]
        out.append(cm.Envelope(test_run_started=cm.TestRunStarted(timestamp=timestamp(self.started_ns), id=run_id)))
        out += [cm.Envelope(test_case=case) for case, _ in built]
        for _, happened in built:
            out += happened
        out += [cm.Envelope(attachment=attachment(a, test_run_started_id=run_id)) for a in self.run_attachments]
        red = [case.scenario.name for case, _, _ in cases
               if status_name(case.scenario) in RED or NOTES.of(case.scenario).refused]
        out.append(cm.Envelope(test_run_finished=cm.TestRunFinished(
            success=bool(cases) and not red and not NOTES.refusals, timestamp=timestamp(time.time_ns()),
            test_run_started_id=run_id,
            message=f"{len(red)} of {len(cases)} scenario(s) red" if red else None)))
        return out


def shown_uri(filename: str) -> str:
    """A feature's uri as the repository names it (features/x.feature), whichever path behave was given."""
    path = Path(filename).resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else filename


def status_name(thing: Any) -> str:
    return getattr(thing.status, "name", str(thing.status))


def selected(scenario: Scenario) -> bool:
    """Whether this run selected the scenario: one skipped without a reason was not selected by its tags."""
    return (status_name(scenario) != "skipped" or bool(getattr(scenario, "skip_reason", None))
            or bool(NOTES.of(scenario).known_fault))


def meta() -> cm.Meta:
    """Which tools made the messages; no environment variable and no setting (they may hold a token)."""
    return cm.Meta(protocol_version=version("cucumber-messages"),
                   implementation=cm.Product(name="behave", version=version("behave")),
                   runtime=cm.Product(name=platform.python_implementation(), version=platform.python_version()),
                   os=cm.Product(name=platform.system(), version=platform.release()),
                   cpu=cm.Product(name=platform.machine()))


# -- the definitions the steps and hooks ran -----------------------------------------------------------------------
class StepDefinitions:
    """The step definitions behave matched, as stepDefinition messages, found in behave's registry."""

    def __init__(self) -> None:
        self.found: dict[str, cm.StepDefinition] = {}

    def match(self, step: Step) -> tuple[str | None, list[cm.StepMatchArgumentsList]]:
        """The step's definition id (None: undefined) and where its arguments sit in its text."""
        found = registry.find_match(step)
        if found is None or found.func is None:
            return None, []
        location = str(found.location)
        matcher = next((m for matchers in registry.steps.values() for m in matchers if m.func is found.func), None)
        pattern = str(getattr(matcher, "pattern", found.func.__name__))
        kind = (cm.StepDefinitionPatternType.regular_expression if "Regex" in type(matcher).__name__
                else cm.StepDefinitionPatternType.cucumber_expression)
        file, _, line = location.rpartition(":")
        definition_id = stable_id("step", location, pattern)
        self.found.setdefault(definition_id, cm.StepDefinition(
            id=definition_id, pattern=cm.StepDefinitionPattern(source=pattern, type=kind),
            source_reference=cm.SourceReference(uri=file, location=cm.Location(line=int(line or 0)))))
        arguments = [cm.StepMatchArgument(group=cm.Group(start=a.start, value=a.original, children=[]))
                     for a in found.arguments or []]
        return definition_id, [cm.StepMatchArgumentsList(step_match_arguments=arguments)]


def hook_definitions(config: Any) -> dict[str, cm.Hook]:
    environment = Path(getattr(config, "base_dir", None) or "features") / (config.environment_file or "environment.py")
    text = environment.read_text(encoding="utf-8").splitlines() if environment.exists() else []
    hooks = {}
    for phase, (name, kind) in HOOKS.items():
        line = next((n for n, row in enumerate(text, 1) if row.startswith(f"def {name}(")), None)
        uri = shown_uri(str(environment))
        where = cm.SourceReference(uri=uri, location=cm.Location(line=line) if line else None)
        hooks[phase] = cm.Hook(id=stable_id("hook", uri, name), name=name, type=kind, source_reference=where)
    return hooks


# -- one scenario's run as a test case -----------------------------------------------------------------------------
def step_result(step: Step, ran: tuple[int, int] | None) -> cm.TestStepResult:
    took = duration(int((step.duration or 0) * 1e9) if ran else 0)
    known = NOTES.step_known_fault(step)
    status = status_name(step)
    if known:
        return cm.TestStepResult(duration=took, status=Status.pending, message=f"known fault: {known}")
    if status in ("passed",):
        return cm.TestStepResult(duration=took, status=Status.passed)
    if status == "undefined":
        return cm.TestStepResult(duration=took, status=Status.undefined, message="no step definition matches")
    if status in ("pending", "pending_warn"):
        return cm.TestStepResult(duration=took, status=Status.pending, message=step.error_message or None)
    if status in ("failed", "error", "hook_error"):
        error = getattr(step, "exception", None)
        return cm.TestStepResult(duration=took, status=Status.failed, message=step.error_message or status,
                                 exception=cm.Exception(type=type(error).__name__, message=str(error))
                                 if error is not None else None)
    return cm.TestStepResult(duration=took, status=Status.skipped)


def hook_results(case: CaseRun, steps: list[cm.TestStepResult]) -> dict[str, cm.TestStepResult]:
    """before_scenario's and after_scenario's verdicts, from what behave and features/environment.py left."""
    scenario = case.scenario
    message = str(getattr(scenario, "error_message", "") or "") if getattr(scenario, "hook_failed", False) else ""
    status = status_name(scenario)
    results = {phase: (Status.passed, None) for phase in HOOKS}
    notes = NOTES.of(scenario)
    if notes.refused:
        # Refused as written: the run's verdict before anything was sent (Cucumber's tools count it failed).
        results["before"] = (Status.failed, f"refused before anything was sent: {notes.refused}")
    elif "HOOK-ERROR in before_" in message:
        results["before"] = (Status.failed, message)
    elif not case.steps and status == "skipped" and getattr(scenario, "skip_reason", None):
        results["before"] = (Status.skipped, scenario.skip_reason)  # no browser, another target's scenario
    known_after = notes.known_fault_after_steps
    if not known_after and not any(NOTES.step_known_fault(step) for step in scenario.all_steps):
        known_after = notes.known_fault.removeprefix("known fault ")
    if "HOOK-ERROR in after_" in message:
        results["after"] = (Status.failed, message)
    elif status == "cleanup_error":
        results["after"] = (Status.failed, "a cleanup after the scenario failed; see the console")
    elif known_after:
        results["after"] = (Status.pending, f"known fault: {known_after}")
    elif status in RED and not any(r.status == Status.failed for r in steps) and results["before"][0] != Status.failed:
        reason = plain_reason(str(getattr(scenario, "error_message", "") or "")) or status
        results["after"] = (Status.failed, f"the verdict after the steps: {reason}")
    return {phase: cm.TestStepResult(duration=duration(0), status=s, message=m) for phase, (s, m) in results.items()}


def test_case(case: CaseRun, pickle: cm.Pickle, definitions: StepDefinitions, hooks: dict[str, cm.Hook],
              run_id: str, worker: str | None) -> tuple[cm.TestCase, list[cm.Envelope]]:
    """The test case of one scenario's run, and what happened in it: each test step started, its attachments and
    its result, in the order it ran."""
    behave_steps = list(case.scenario.all_steps)[:len(pickle.steps)]
    results = [step_result(step, case.steps.get(i)) for i, step in enumerate(behave_steps)]
    done = hook_results(case, results)
    first = min((began for began, _ in case.steps.values()), default=case.hooked_ns or case.finished_ns)
    last = max((ended for _, ended in case.steps.values()), default=first)
    # (where its attachments were made, the test step, its result, when it began and ended)
    rows: list[tuple[int | str, cm.TestStep, cm.TestStepResult, tuple[int, int]]] = [
        ("before", cm.TestStep(id=new_id(), hook_id=hooks["before"].id), done["before"], (case.started_ns, first))]
    for i, (step, pickle_step) in enumerate(zip(behave_steps, pickle.steps, strict=False)):
        definition, arguments = definitions.match(step)
        rows.append((i, cm.TestStep(id=new_id(), pickle_step_id=pickle_step.id,
                                    step_definition_ids=[definition] if definition else [],
                                    step_match_arguments_lists=arguments),
                     results[i], case.steps.get(i, (last, last))))
    rows.append(("after", cm.TestStep(id=new_id(), hook_id=hooks["after"].id), done["after"],
                 (last, case.finished_ns)))
    test = cm.TestCase(id=new_id(), pickle_id=pickle.id, test_steps=[row[1] for row in rows],
                       test_run_started_id=run_id)
    started_id = new_id()
    happened = [cm.Envelope(test_case_started=cm.TestCaseStarted(
        attempt=0, id=started_id, test_case_id=test.id, timestamp=timestamp(case.started_ns), worker_id=worker))]
    for key, test_step, result, (began, ended) in rows:
        ended = max(ended, began)
        if isinstance(key, str):
            result.duration = duration(ended - began)  # a hook's time: between its scenario's edge and the steps
        happened.append(cm.Envelope(test_step_started=cm.TestStepStarted(
            test_case_started_id=started_id, test_step_id=test_step.id, timestamp=timestamp(began))))
        happened += [cm.Envelope(attachment=attachment(a, test_case_started_id=started_id, test_step_id=test_step.id))
                     for a in case.attachments if a.step == key]
        happened.append(cm.Envelope(test_step_finished=cm.TestStepFinished(
            test_case_started_id=started_id, test_step_id=test_step.id, test_step_result=result,
            timestamp=timestamp(ended))))
    happened.append(cm.Envelope(test_case_finished=cm.TestCaseFinished(
        test_case_started_id=started_id, timestamp=timestamp(case.finished_ns), will_be_retried=False)))
    return test, happened


def attachment(attached: Attached, **ids: str) -> cm.Attachment:
    """Text (a container log) as it is; anything else (a screenshot) in base64."""
    text = attached.media_type.startswith("text/")
    body = attached.data.decode("utf-8", errors="replace") if text else base64.b64encode(attached.data).decode()
    encoding = cm.AttachmentContentEncoding.identity if text else cm.AttachmentContentEncoding.base64
    return cm.Attachment(body=body, content_encoding=encoding, media_type=attached.media_type,
                         timestamp=timestamp(attached.at_ns), **ids)


# -- writing, and joining parts ------------------------------------------------------------------------------------
def write(folder: Path, ndjson: str) -> Path:
    """The run's messages, and the Cucumber JSON derived from them, side by side in the reports folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NDJSON
    path.write_text(ndjson, encoding="utf-8")
    cucumber_json.write(folder / CUCUMBER_JSON, ndjson)
    return path


def join_parts(reports: Path) -> Path | None:
    """behavex's coordinator: the parts of every worker's behave processes as one run's messages (None when no
    process left one)."""
    parts = sorted(reports.glob(f"{parallel.WORKERS}/{PARTS}/*.ndjson"))
    if not parts:
        return None
    return write(reports, parallel.merge_messages(part.read_text(encoding="utf-8") for part in parts))
