"""Cucumber JSON from Cucumber Messages: the older format Jenkins' cucumber plugin and Xray read. A list of features,
each with its scenarios as `elements` (an outline's example row is one of its own), their steps and hooks
(`before`/`after`), each result's status and duration in nanoseconds, its error message, the attachments as
`embeddings` (base64) and the tags as written. Derived from the NDJSON alone, so a merged stream converts alike.

A known fault of the real system stays what the messages say it is: "pending", with its "known fault: ..." message.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cucumber_messages as cm


def envelopes(ndjson: str) -> list[cm.Envelope]:
    """Each line as cucumber-messages' own Envelope (an unknown or ill-typed message fails here)."""
    return [cm.message_converter.from_dict(json.loads(line), cm.Envelope) for line in ndjson.splitlines()
            if line.strip()]


@dataclass
class _Run:
    """The messages indexed by id, as the conversion looks them up."""

    documents: list[cm.GherkinDocument] = field(default_factory=list)
    pickles: dict[str, cm.Pickle] = field(default_factory=dict)
    definitions: dict[str, cm.StepDefinition] = field(default_factory=dict)
    hooks: dict[str, cm.Hook] = field(default_factory=dict)
    cases: dict[str, cm.TestCase] = field(default_factory=dict)
    started: dict[str, cm.TestCaseStarted] = field(default_factory=dict)  # the last attempt of each test case
    results: dict[tuple[str, str], cm.TestStepResult] = field(default_factory=dict)
    attached: dict[tuple[str, str], list[cm.Attachment]] = field(default_factory=dict)
    nodes: dict[str, Any] = field(default_factory=dict)  # Gherkin AST node id -> scenario, step, row or tag

    @classmethod
    def of(cls, messages: list[cm.Envelope]) -> _Run:
        run = cls()
        for m in messages:
            if m.gherkin_document:
                run.documents.append(m.gherkin_document)
                run._index(m.gherkin_document)
            elif m.pickle:
                run.pickles[m.pickle.id] = m.pickle
            elif m.step_definition:
                run.definitions[m.step_definition.id] = m.step_definition
            elif m.hook:
                run.hooks[m.hook.id] = m.hook
            elif m.test_case:
                run.cases[m.test_case.id] = m.test_case
            elif m.test_case_started:
                run.started[m.test_case_started.test_case_id] = m.test_case_started
            elif m.test_step_finished:
                f = m.test_step_finished
                run.results[(f.test_case_started_id, f.test_step_id)] = f.test_step_result
            elif m.attachment and m.attachment.test_case_started_id and m.attachment.test_step_id:
                a = m.attachment
                run.attached.setdefault((a.test_case_started_id, a.test_step_id), []).append(a)
        return run

    def _index(self, document: cm.GherkinDocument) -> None:
        feature = document.feature
        children = list(feature.children) if feature else []
        for child in children:
            rule = getattr(child, "rule", None)  # a Rule's own children (RuleChild) hold no rule
            children += rule.children if rule else []
            holder = child.scenario or child.background
            if holder is None:
                continue
            self.nodes[holder.id] = holder
            self.nodes.update({step.id: step for step in holder.steps})
            for examples in getattr(holder, "examples", []):
                self.nodes[examples.id] = examples
                self.nodes.update({row.id: row for row in examples.table_body})
            self.nodes.update({tag.id: tag for tag in getattr(holder, "tags", [])})
        self.nodes.update({tag.id: tag for tag in (feature.tags if feature else [])})


def convert(ndjson: str) -> list[dict[str, Any]]:
    """The Cucumber JSON of a run's messages: every feature with a test case, in the order of the files."""
    run = _Run.of(envelopes(ndjson))
    by_uri: dict[str, list[tuple[cm.TestCase, cm.Pickle]]] = {}
    for case in run.cases.values():
        pickle = run.pickles[case.pickle_id]
        by_uri.setdefault(pickle.uri, []).append((case, pickle))
    out = []
    for document in run.documents:
        feature = document.feature
        cases = sorted(by_uri.get(document.uri or "", []), key=lambda c: c[1].location.line if c[1].location else 0)
        if feature is None or not cases:
            continue
        feature_id = slug(feature.name)
        out.append({
            "uri": document.uri, "id": feature_id, "keyword": feature.keyword, "name": feature.name,
            "description": feature.description, "line": feature.location.line, "tags": _tags(feature.tags),
            "elements": [_element(run, case, pickle, feature_id) for case, pickle in cases],
        })
    return out


def write(path: Path, ndjson: str) -> None:
    path.write_text(json.dumps(convert(ndjson), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def slug(name: str) -> str:
    """The ids Cucumber gives a feature and a scenario: the name, lower case, spaces and quotes as dashes."""
    return re.sub(r"[\s'_,!]", "-", name).lower()


def _tags(tags: list[Any]) -> list[dict[str, Any]]:
    return [{"name": tag.name, "line": tag.location.line} for tag in tags]


def _element(run: _Run, case: cm.TestCase, pickle: cm.Pickle, feature_id: str) -> dict[str, Any]:
    scenario = run.nodes[pickle.ast_node_ids[0]]
    element_id = f"{feature_id};{slug(scenario.name)}"
    if len(pickle.ast_node_ids) > 1:  # an example row: which Examples, which row (Cucumber counts the header 1)
        examples = next(e for e in scenario.examples if any(r.id == pickle.ast_node_ids[1] for r in e.table_body))
        row = next(i for i, r in enumerate(examples.table_body) if r.id == pickle.ast_node_ids[1])
        element_id += f";{slug(examples.name)};{row + 2}"
    started = run.started.get(case.id)
    line = pickle.location.line if pickle.location else scenario.location.line
    element: dict[str, Any] = {
        "id": element_id, "keyword": scenario.keyword, "type": "scenario", "name": pickle.name,
        "description": scenario.description, "line": line,
        "tags": [{"name": tag.name, "line": _line_of(run, tag.ast_node_id)} for tag in pickle.tags],
        "before": [], "steps": [], "after": [],
    }
    if started is not None:
        stamp = started.timestamp.seconds + started.timestamp.nanos / 1e9
        element["start_timestamp"] = datetime.fromtimestamp(stamp, UTC).isoformat().replace("+00:00", "Z")
    steps = {step.id: step for step in pickle.steps}
    seen_steps = False
    for test_step in case.test_steps:
        done = _done(run, started, test_step)
        if test_step.hook_id:
            hook = run.hooks.get(test_step.hook_id)
            where = hook.source_reference if hook else None
            element["after" if seen_steps else "before"].append(
                {"match": {"location": _location(where)}, **done})
            continue
        seen_steps = True
        pickle_step = steps[test_step.pickle_step_id or ""]
        source = run.nodes[pickle_step.ast_node_ids[0]]
        definition = run.definitions.get((test_step.step_definition_ids or [""])[0])
        step: dict[str, Any] = {"keyword": source.keyword, "name": pickle_step.text, "line": source.location.line,
                                "match": {"location": _location(definition.source_reference)} if definition else {},
                                **done}
        if source.data_table:
            step["rows"] = [{"cells": [c.value for c in row.cells]} for row in (
                pickle_step.argument.data_table.rows if pickle_step.argument and pickle_step.argument.data_table
                else source.data_table.rows)]
        if source.doc_string:
            step["doc_string"] = {"value": source.doc_string.content, "line": source.doc_string.location.line,
                                  "content_type": source.doc_string.media_type or ""}
        element["steps"].append(step)
    return element


def _done(run: _Run, started: cm.TestCaseStarted | None, test_step: cm.TestStep) -> dict[str, Any]:
    """A step's or hook's result (status, nanoseconds, message) and embeddings, from its last attempt."""
    key = (started.id if started else "", test_step.id)
    result = run.results.get(key)
    if result is None:
        return {"result": {"status": "skipped", "duration": 0}}
    status = {"UNKNOWN": "undefined"}.get(result.status.value, result.status.value.lower())
    done: dict[str, Any] = {"result": {
        "status": status, "duration": result.duration.seconds * 1_000_000_000 + result.duration.nanos}}
    if result.message:
        done["result"]["error_message"] = result.message
    embeddings = [{"mime_type": a.media_type, "data": a.body if a.content_encoding.value == "BASE64"
                   else base64.b64encode(a.body.encode()).decode(), **({"name": a.file_name} if a.file_name else {})}
                  for a in run.attached.get(key, [])]
    if embeddings:
        done["embeddings"] = embeddings
    return done


def _location(reference: cm.SourceReference | None) -> str:
    if reference is None or not reference.uri:
        return ""
    return f"{reference.uri}:{reference.location.line}" if reference.location else reference.uri


def _line_of(run: _Run, node_id: str) -> int:
    node = run.nodes.get(node_id)
    return node.location.line if node is not None else 0
