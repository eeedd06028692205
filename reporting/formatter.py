"""`-f living-docs`: keeps the features as they run and renders the living documentation when behave closes.

It writes `<reports_dir>/living-documentation.html` (its outfile in behave.ini names the default place).
Evidence and verdicts come from the hooks through reporting/notes.py (plain data, typed), as does the run's
identity.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from behave.formatter.base import Formatter
from behave.formatter.json import JSONFormatter as BehaveJSONFormatter
from behave.model import Feature, Scenario, Step

from reporting import catalog, parallel
from reporting.notes import NOTES
from reporting.render import KNOWN_FAULT, REFUSED, FeatureDoc, RunDoc, ScenarioDoc, StepDoc, render


def _status(thing: Any) -> str:
    return getattr(thing.status, "name", str(thing.status))


def plain_reason(error: str) -> str:
    """The part of a step's error a person needs: the assertion's words, or the exception's last line."""
    text = (error or "").strip()
    if "Traceback" in text:
        lines = [line for line in text.splitlines() if line.strip()]
        text = lines[-1] if lines else text
    for prefix in ("ASSERT FAILED: ", "Assertion Failed: ", "AssertionError: "):
        text = text.removeprefix(prefix)
    return text


def scenario_doc(scenario: Scenario) -> ScenarioDoc:
    """A scenario as the page shows it. Its verdict is the one `features/environment.py` gave it (lib's rule for
    known faults): a step that failed as a known fault, and the scenario when that is all that failed, read
    "known fault", with every other step's own verdict beside it."""
    steps = []
    reason = ""
    for step in scenario.steps:
        table = [list(step.table.headings)] + [list(row.cells) for row in step.table.rows] if step.table else []
        known = NOTES.step_known_fault(step)
        status = KNOWN_FAULT if known else _status(step)
        error = known or (plain_reason(step.error_message or "") if status in ("failed", "error") else "")
        if status != KNOWN_FAULT:
            reason = reason or error
        steps.append(StepDoc(step.keyword, step.name, status, step.duration or 0.0, table, error))
    if not reason and _status(scenario) in ("failed", "error", "hook_error"):
        reason = plain_reason(getattr(scenario, "error_message", "") or "") or "a hook failed; see the console"
    status = _status(scenario)
    notes = NOTES.of(scenario)
    known = notes.known_fault
    if notes.refused:
        status, reason = REFUSED, notes.refused
    elif known and status == "skipped":
        status, reason = KNOWN_FAULT, known
    elif status == "skipped":
        reason = getattr(scenario, "skip_reason", None) or ""  # empty: not selected by this run's tags
    if notes.hint:
        reason = f"{reason} ({notes.hint})" if reason else notes.hint
    return ScenarioDoc(
        name=scenario.name,
        tags=_tags(scenario),
        status=status,
        duration_s=scenario.duration or 0.0,
        location=str(scenario.location),
        steps=steps,
        reason=reason,
        evidence=notes.evidence,
    )


def _tags(scenario: Scenario) -> list[str]:
    """Its own tags in the order written (its name tag first), then the ones it inherits."""
    own = [str(t) for t in scenario.tags]
    return own + sorted(str(t) for t in scenario.effective_tags if str(t) not in own)


def step_catalog() -> list[tuple[str, list[tuple[str, str, str]]]]:
    return [(f"{g.concept}: {g.about}", [(x.keyword, x.pattern, x.doc + "".join(
                f" Also written: {x.keyword} {other}." for other in x.also)) for x in g.entries])
            for g in catalog.groups()]


def reports_folder(userdata: Any) -> Path:
    """Where this behave process writes its reports: `reports_dir`, and a folder per behavex worker
    (`-D worker_id=N`), so parallel workers never overwrite each other's files."""
    folder = Path(userdata.get("reports_dir", "reports"))
    return folder / f"worker-{userdata['worker_id']}" if parallel.in_worker(userdata) else folder


class LivingDocsFormatter(Formatter):
    name = "living-docs"
    description = "One HTML page for product owners: features, scenarios, evidence, step catalog."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self.features: list[Feature] = []
        self.started = time.time()

    def feature(self, feature: Feature) -> None:
        self.features.append(feature)

    def close(self) -> None:
        if self.config.dry_run:
            return  # a dry run proves nothing: keep the last real run's page
        run = NOTES.run
        features = [
            FeatureDoc(f.name, list(f.description), [str(t) for t in f.tags], _status(f),
                       [scenario_doc(s) for s in f.walk_scenarios()])
            for f in self.features
        ]
        # The page goes to the run's reports folder (setting reports_dir, `-D reports_dir=...`), so that a
        # test or a self-test run never overwrites the report of the main run.
        folder = reports_folder(self.config.userdata)
        folder.mkdir(parents=True, exist_ok=True)
        doc = RunDoc(
            target=run.target,
            run_id=run.run_id or "?",
            judged=run.judged,
            instructions=run.instructions,
            started=datetime.fromtimestamp(self.started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            duration_s=time.time() - self.started,
            features=features,
        )
        if parallel.in_worker(self.config.userdata):
            parallel.save_part(folder, doc)  # behavex's coordinator renders one page from every process's part
            return
        write_page(folder, doc)


def write_page(folder: Path, doc: RunDoc) -> None:
    """The living documentation of one run, with the run added to the folder's history."""
    doc.catalog = step_catalog()
    doc.files = [name for name in RAW_FILES if (folder / name).exists()]
    doc.history = remember(folder / HISTORY, doc)
    doc.selftest = "\n\n".join(m.read_text(encoding="utf-8") for m in selftest_matrices(folder) if m.exists())
    (folder / "living-documentation.html").write_text(render(doc), encoding="utf-8")
    # The same run as data: each scenario's verdict (a known fault as such), reason and steps, for tools.
    (folder / RUN_FILE).write_text(json.dumps(asdict(doc) | {"catalog": []}, indent=1) + "\n", encoding="utf-8")


RUN_FILE = "run.json"


def selftest_matrices(folder: Path) -> list[Path]:
    """The last self-test matrices the page shows: the sandbox's fault switches, and the faults of the real
    container's code (`make selftest-real`), whose page lives in `real-container/`."""
    return [folder / "selftest" / "matrix.txt", folder / "real-container" / "selftest" / "matrix.txt"]


HISTORY = "history.json"
RAW_FILES = ("behavex/report.html", "junit/", "run.json", "metrics.json", "detections.json", "sandbox.log",
             "screenshots/", HISTORY)
KEEP_RUNS = 20


def stage_averages(doc: RunDoc) -> dict[str, float]:
    """The run's average build and sync times over its deployments (the sessions' times in the evidence)."""
    times = [t for f in doc.features for s in f.scenarios for session in s.evidence.get("sessions", [])
             if (t := session.get("times"))]
    if not times:
        return {}
    return {f"{stage}_avg_s": round(sum(t[f"{stage}_s"] for t in times) / len(times), 2) for stage in ("build", "sync")}


def remember(path: Path, doc: RunDoc) -> list[dict[str, Any]]:
    """Adds this run to the reports folder's history (the last KEEP_RUNS runs) and returns it, oldest first."""
    try:
        history = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    except json.JSONDecodeError:
        history = []  # a damaged history is started again, never a reason to lose this run's page
    counts = doc.counts()
    history = [*history, {"started": doc.started, "target": doc.target, "judged": doc.judged, "run_id": doc.run_id,
                          "verdict": "green" if doc.green() else "red",
                          "counts": ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
                          "duration_s": round(doc.duration_s, 1), **stage_averages(doc)}][-KEEP_RUNS:]
    path.write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
    return history


class JSONFormatter(BehaveJSONFormatter):
    """behave's `-f json` (registered under its name in behave.ini), taking what `context.attach` gives between two
    steps too: features/environment.py attaches a scenario's evidence after its last step, where behave's own files
    an attachment under a step that is not running (the next one, or past the last: IndexError, behave#906, a hook
    error). Here it goes under the last step that ran; outside a scenario there is no place for it."""

    running = False

    def match(self, match: Any) -> None:
        self.running = True
        super().match(match)

    def result(self, step: Step) -> None:
        super().result(step)
        self.running = False

    def embedding(self, mime_type: str, data: bytes) -> None:
        if not self.current_feature_data or not self.current_feature_data.get("elements"):
            return
        saved = self._step_index
        self._step_index = saved if self.running else max(saved - 1, 0)
        try:
            if self._step_index < len(self.current_feature_element["steps"]):
                super().embedding(mime_type, data)
        finally:
            self._step_index = saved
