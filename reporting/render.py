"""Render the living documentation from plain data (no behave here: the formatter converts the model)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

STATUS_COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "skipped": "#6e7781",
                  "untested": "#6e7781", "undefined": "#9a6700", "hook_error": "#cf222e", "known fault": "#8250df",
                  "refused": "#bc4c00"}
KNOWN_FAULT = "known fault"  # a check (and a scenario) that failed only as known faults of the real system
REFUSED = "refused"  # refused as written, before anything was sent: nothing of it ran
# What makes a run red, as behave's exit code has it: a check that failed, a step or hook in error, a step undefined,
# a scenario refused as written.
RED = ("failed", "error", "hook_error", "cleanup_error", "undefined", REFUSED)


@dataclass
class StepDoc:
    keyword: str
    text: str
    status: str
    duration_s: float
    table: list[list[str]] = field(default_factory=list)
    error: str = ""


@dataclass
class ScenarioDoc:
    name: str
    tags: list[str]
    status: str
    duration_s: float
    location: str
    steps: list[StepDoc]
    reason: str = ""  # why it failed, in plain words
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeatureDoc:
    name: str
    description: list[str]
    tags: list[str]
    status: str
    scenarios: list[ScenarioDoc]


@dataclass
class RunDoc:
    target: str
    run_id: str
    started: str
    duration_s: float
    features: list[FeatureDoc]
    # (concept heading, [(keyword, pattern, docstring)]), in the order a scenario is written
    catalog: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # raw reports beside the page (JUnit, metrics, logs)
    selftest: str = ""  # the fault x scenario matrix of the last `make selftest`, when one was written
    history: list[dict[str, Any]] = field(default_factory=list)  # the last runs, oldest first
    judged: str = ""  # what ran the edits: the sandbox's stand-ins, a checkout of the real container, a stack
    instructions: list[dict[str, str]] = field(default_factory=list)  # what an email may ask of this target

    def ran(self) -> list[ScenarioDoc]:
        """The scenarios this run selected (one skipped without a reason was not selected by its tags)."""
        return [s for f in self.features for s in f.scenarios if s.status != "skipped" or s.reason]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for scenario in self.ran():
            counts[scenario.status] = counts.get(scenario.status, 0) + 1
        return counts

    def green(self) -> bool:
        """Green when something ran and nothing is red: the verdict behave's exit code gives."""
        counts = self.counts()
        return bool(counts) and not any(counts.get(status) for status in RED)


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(status: str) -> str:
    return f'<span class="badge" style="background:{STATUS_COLOURS.get(status, "#6e7781")}">{e(status)}</span>'


def _table(rows: list[list[str]], header: bool = True) -> str:
    if not rows:
        return ""
    head, body = (rows[0], rows[1:]) if header else ([], rows)
    out = ["<table>"]
    if head:
        out.append("<tr>" + "".join(f"<th>{e(c)}</th>" for c in head) + "</tr>")
    out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body]
    out.append("</table>")
    return "".join(out)


def _evidence(evidence: dict[str, Any]) -> str:
    parts: list[str] = []
    shots = evidence.get("screenshots", [])
    if shots:
        figures = "".join(
            f'<figure><img src="{e(shot["file"])}" alt="the site of {e(shot["client"])}">'
            f'<figcaption>{e(shot["client"])}: <code>{e(shot["url"])}</code></figcaption></figure>'
            if "file" in shot else f'<figure><figcaption>{e(shot["client"])}: {e(shot["error"])}</figcaption></figure>'
            for shot in shots)
        parts.append(f'<h5>What a visitor sees</h5><div class="shots">{figures}</div>')
    for site in evidence.get("sites", []):
        rows = [["file", "size", "age at check"]] + [[o["key"], f'{o["size"]} B', f'{o["age_s"]:.1f} s']
                                                     for o in site["objects"]]
        note = "" if site["objects"] else "<p><em>empty or missing</em></p>"
        parts.append(f'<h5>Deployed files of {e(site["client"])} <code>{e(site["bucket"])}</code></h5>'
                     + (_table(rows) if site["objects"] else note))
    if evidence.get("branches"):
        rows = [["thread", "branch", "head commit", "subject"]]
        rows += [[b["thread_id"], b["branch"], b["sha"][:10] or "missing", b["subject"]]
                 for b in evidence["branches"]]
        parts.append("<h5>Head commit of each thread's branch</h5>" + _table(rows))
    for session in evidence.get("sessions", []):
        lines = "\n".join(session["lines"]) or "(no log line)"
        parts.append(f'<details><summary>Container log of {e(session["client"])}, thread '
                     f'<code>{e(session["thread_id"])}</code> ({e(session["outcome"] or "no outcome")})</summary>'
                     f"<pre>{e(lines)}</pre></details>")
    metrics = evidence.get("metrics")
    if metrics and metrics.get("deployments"):
        rows = [["deployment", "build", "sync", "total"]]
        rows += [[m["thread_id"], f'{m["build_s"]:.2f} s', f'{m["sync_s"]:.2f} s', f'{m["total_s"]:.2f} s']
                 for m in metrics["deployments"]]
        avg, lim = metrics["averages"], metrics["limits"]
        rows.append(["average", f'{avg["build_s"]:.2f} s', f'{avg["sync_s"]:.2f} s', f'{avg["total_s"]:.2f} s'])
        rows.append(["limit", f'{lim["build_s"]:.0f} s', f'{lim["sync_s"]:.0f} s', f'{lim["total_s"]:.0f} s'])
        untimed = "".join(f"<li>{e(why)}</li>" for why in metrics.get("untimed", []))
        parts.append('<h5>Deployment metrics</h5><div class="metrics">' + _table(rows) + "</div>"
                     + (f"<p>Not timed:</p><ul>{untimed}</ul>" if untimed else ""))
    if not parts:
        return ""
    return '<div class="evidence"><h4>Evidence</h4>' + "".join(parts) + "</div>"


def _scenario(scenario: ScenarioDoc) -> str:
    tags = " ".join(f'<span class="tag">@{e(t)}</span>' for t in scenario.tags)
    why = {KNOWN_FAULT: "Known fault of the real system", "skipped": "Why it was skipped",
           REFUSED: "Refused before anything was sent"}.get(scenario.status, "Why it failed")
    reason = f'<div class="reason"><strong>{why}:</strong> {e(scenario.reason)}</div>' if scenario.reason else ""
    steps = []
    for step in scenario.steps:
        error = f'<div class="step-error">{e(step.error)}</div>' if step.error else ""
        steps.append(
            f'<li class="step {e(step.status)}"><span class="kw">{e(step.keyword)}</span> {e(step.text)}'
            f' <span class="dur">{step.duration_s:.2f} s</span> {_badge(step.status)}'
            f"{_table(step.table)}{error}</li>"
        )
    data_tags = " ".join(scenario.tags)
    return (
        f'<section class="scenario {e(scenario.status)}" id="{anchor(scenario)}" data-tags="{e(data_tags)}">'
        f'<h3>{_badge(scenario.status)} {e(scenario.name)} <span class="dur">{scenario.duration_s:.1f} s</span></h3>'
        f'<div class="meta">{tags} <code>{e(scenario.location)}</code></div>{reason}'
        f'<ol class="steps">{"".join(steps)}</ol>{_evidence(scenario.evidence)}</section>'
    )


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:16px 32px}header h1{margin:0 0 6px;font-size:22px}
.summary span{margin-right:18px}main{padding:16px 32px;max-width:1200px}
.feature{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 24px;margin-bottom:24px}
.description{color:#57606a;white-space:pre-line}.scenario{border-top:1px solid #d0d7de;padding:8px 0}
.scenario h3{font-size:17px;margin:8px 0 4px}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
.tag{background:#ddf4ff;color:#0969da;border-radius:10px;padding:1px 8px;font-size:12px;margin-right:4px}
.meta code{color:#57606a;font-size:12px}.dur{color:#57606a;font-size:12px}.kw{font-weight:600}
.steps{padding-left:20px}.step{margin:3px 0}.step.failed{color:#cf222e}
.reason{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:8px 12px;margin:8px 0}
.step-error{white-space:pre-wrap;font-family:monospace;font-size:12px;color:#cf222e;margin:4px 0}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa}pre{background:#f6f8fa;padding:8px;font-size:12px;overflow-x:auto}
.evidence{background:#fbfbfc;border-left:3px solid #d0d7de;padding:4px 12px;margin:8px 0}
.evidence h4{margin:4px 0}.evidence h5{margin:10px 0 2px}.filters button{margin:0 4px 4px 0}
.shots{display:flex;flex-wrap:wrap;gap:12px}.shots figure{margin:0;max-width:420px}
.trend{display:flex;flex-wrap:wrap;gap:16px}.trend figure{margin:0}.trend figcaption{font-size:12px;color:#555}
.shots img{width:400px;border:1px solid #d0d7de;border-radius:4px}.shots figcaption{font-size:12px;color:#57606a}
.promises td{vertical-align:top}.promises tr.failed td,.promises tr.error td{background:#fff5f5}
.reason-line{font-size:12px;color:#cf222e;max-width:760px}.hidden{display:none}
.catalog td:first-child{white-space:nowrap;font-family:monospace}
.checklist td{vertical-align:top}.checklist td.box{font-size:22px;width:28px}.checklist ul{margin:0;padding-left:18px}
"""

SCRIPT = """
function filterTag(tag){document.querySelectorAll('.scenario').forEach(function(s){
  var show = tag === '' || (' ' + s.dataset.tags + ' ').indexOf(' ' + tag + ' ') >= 0;
  s.classList.toggle('hidden', !show);});}
"""


RED_FIRST = {"failed": 0, "error": 0, "hook_error": 0, REFUSED: 1, "undefined": 1, KNOWN_FAULT: 2, "passed": 3}


def anchor(scenario: ScenarioDoc) -> str:
    return "s-" + "".join(c if c.isalnum() else "-" for c in scenario.location)


def key_figure(scenario: ScenarioDoc) -> str:
    """The one number a reader of the promise wants: a deployment average, a mix seen by a visitor, a time."""
    evidence = scenario.evidence
    if evidence.get("metrics", {}).get("averages"):
        return f'average deployment {evidence["metrics"]["averages"]["total_s"]:.1f} s'
    if "atomicity" in evidence:
        seen = evidence["atomicity"]
        return f'mixed builds seen for {seen["mixed_ms"]} ms in {seen["reads"]} reads'
    sessions = evidence.get("sessions", [])
    return f"{len(sessions)} session(s), {scenario.duration_s:.1f} s" if sessions else f"{scenario.duration_s:.1f} s"


# The task's own acceptance criteria (seed-task-04, "Acceptance Criteria"), each the subject of one feature file
# tagged `@criterion:<slug>`; "All tests passing" is the run itself. Features tagged `@promise:<slug>` are the
# promises this suite adds.
CRITERIA = (("session-isolation", "Session isolation verified"), ("rapid-switching", "Rapid switching works"),
            ("concurrent-deployments", "Concurrent deployments successful"),
            ("no-cross-contamination", "No cross-contamination"), ("s3-failures", "S3 failures handled"),
            ("performance-metrics", "Performance metrics captured"))
HOLDS, HOLDS_BUT, FAILS, UNCHECKED = ("holds", "holds but for a recorded known fault", "does not hold",
                                      "not checked by this run")
CHECK_COLOURS = {HOLDS: "#1a7f37", HOLDS_BUT: "#8250df", FAILS: "#cf222e", UNCHECKED: "#6e7781"}


def _holds(scenarios: list[ScenarioDoc]) -> str:
    if not scenarios:
        return UNCHECKED
    if not all(s.status in ("passed", KNOWN_FAULT) for s in scenarios):
        return FAILS
    return HOLDS_BUT if any(s.status == KNOWN_FAULT for s in scenarios) else HOLDS


def _check_row(label: str, state: str, scenarios: list[ScenarioDoc]) -> str:
    shown = "".join(
        f'<li>{_badge(s.status)} <a href="#{anchor(s)}">{e(s.name)}</a> <span class="dur">{e(key_figure(s))}</span>'
        + (f'<div class="reason-line">{e(s.reason)}</div>' if s.reason and s.status != "passed" else "") + "</li>"
        for s in scenarios)
    mark = "&#x2611;" if state in (HOLDS, HOLDS_BUT) else "&#x2612;" if state == FAILS else "&#x2610;"
    return (f'<tr><td class="box" style="color:{CHECK_COLOURS[state]}">{mark}</td><td><strong>{e(label)}</strong>'
            f'<div style="color:{CHECK_COLOURS[state]}">{e(state)}</div></td><td><ul>{shown}</ul></td></tr>')


def _checklist(run: RunDoc) -> str:
    """The task's checklist first: each acceptance criterion, whether it holds on this run and target, and the
    scenarios and figures that show it (a criterion holds when every scenario under it holds or fails only as a
    recorded known fault)."""
    ran = {id(s) for s in run.ran()}

    def under(tag: str) -> list[ScenarioDoc]:
        return [s for f in run.features if tag in f.tags for s in f.scenarios if id(s) in ran]

    rows = [_check_row(label, _holds(under(f"criterion:{slug}")), under(f"criterion:{slug}"))
            for slug, label in CRITERIA]
    counts = ", ".join(f"{n} {status}" for status, n in sorted(run.counts().items()))
    everything = run.ran()
    rows.append(_check_row("All tests passing", HOLDS if run.green() else FAILS if everything else UNCHECKED, []))
    rows[-1] = rows[-1].replace("<ul></ul>", f"<ul><li>this run: {e(counts or 'nothing ran')}</li></ul>")
    promises = [(f.name, [s for s in f.scenarios if id(s) in ran]) for f in run.features
                if any(t.startswith("promise:") for t in f.tags)]
    added = "".join(_check_row(name, _holds(scenarios), scenarios) for name, scenarios in promises)
    return ('<section class="feature" id="checklist"><h2>Acceptance criteria</h2><p>The task\'s checklist, on '
            f"this run and target ({e(run.target)}; {e(run.judged or 'judged: ?')}). A criterion holds when every "
            "scenario under it holds, or fails only as a recorded known fault.</p>"
            f'<table class="checklist">{"".join(rows)}</table>'
            + (f'<h3>The promises this suite adds</h3><table class="checklist">{added}</table>' if added else "")
            + "</section>")


def _promises(run: RunDoc) -> str:
    # A scenario this run did not select (skipped with no reason) promises nothing today.
    scenarios = run.ran()
    ordered = sorted(scenarios, key=lambda s: RED_FIRST.get(s.status, 4))
    rows = "".join(
        f'<tr class="{e(s.status)}"><td>{_badge(s.status)}</td><td><a href="#{anchor(s)}">{e(s.name)}</a>'
        f'{"<div class=reason-line>" + e(s.reason) + "</div>" if s.reason else ""}</td><td>{e(key_figure(s))}</td></tr>'
        for s in ordered)
    return ('<section class="feature" id="promises"><h2>Promises</h2><p>One line per scenario, what fails first. '
            "Each links to its scenario, its steps and its evidence below.</p>"
            f"<table class=\"promises\"><tr><th>verdict</th><th>promise</th><th>key figure</th></tr>{rows}"
            "</table></section>")


def _seconds(value: object) -> str:
    return f"{value:.2f} s" if isinstance(value, int | float) else "-"


CHART_W, CHART_H, PAD = 320, 120, 24


def _chart(title: str, series: list[tuple[str, list[Any], str]]) -> str:
    """A small line chart (inline SVG) of values over the runs, oldest left; a run without a value is a gap."""
    values = [v for _, points, _ in series for v in points if isinstance(v, int | float)]
    top = max(values, default=0.0) or 1.0
    runs = max(len(points) for _, points, _ in series)
    step = (CHART_W - 2 * PAD) / max(runs - 1, 1)
    lines, legend = [], []
    for name, points, colour in series:
        xy = [(PAD + i * step, CHART_H - PAD - (v / top) * (CHART_H - 2 * PAD))
              for i, v in enumerate(points) if isinstance(v, int | float)]
        if xy:
            lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>'
                         + "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in xy))
        last = next((v for v in reversed(points) if isinstance(v, int | float)), None)
        legend.append(f'<tspan fill="{colour}">{e(name)} {_seconds(last)}</tspan>')
    axis = (f'<line x1="{PAD}" y1="{CHART_H - PAD}" x2="{CHART_W - PAD}" y2="{CHART_H - PAD}" stroke="#999"/>'
            f'<text x="2" y="{PAD - 6}" font-size="10" fill="#555">{top:.1f} s</text>'
            f'<text x="2" y="{CHART_H - PAD + 4}" font-size="10" fill="#555">0</text>'
            f'<text x="{PAD}" y="{CHART_H - 6}" font-size="10" fill="#555">{runs} run(s), newest right</text>')
    return (f'<figure class="chart"><svg role="img" aria-label="{e(title)}" width="{CHART_W}" height="{CHART_H}" '
            f'viewBox="0 0 {CHART_W} {CHART_H}">{axis}{"".join(lines)}'
            f'<text x="{PAD + 40}" y="12" font-size="11">{" ".join(legend)}</text></svg>'
            f"<figcaption>{e(title)}</figcaption></figure>")


def _extras(run: RunDoc) -> str:
    parts = []
    if run.files:
        parts.append("<h3>Raw reports</h3><ul>" + "".join(f'<li><a href="{e(f)}">{e(f)}</a></li>' for f in run.files)
                     + "</ul>")
    if run.history:
        rows = [["started", "target", "judged", "verdict", "scenarios", "suite time", "build (avg)", "sync (avg)"]]
        rows += [[h.get("started", ""), h.get("target", ""), h.get("judged", ""), h.get("verdict", ""),
                  h.get("counts", ""), f'{h.get("duration_s", 0):.1f} s', _seconds(h.get("build_avg_s")),
                  _seconds(h.get("sync_avg_s"))] for h in reversed(run.history)]
        charts = (_chart("suite time", [("suite", [h.get("duration_s") for h in run.history], "#1f6feb")])
                  + _chart("average build and sync", [
                      ("build", [h.get("build_avg_s") for h in run.history], "#8250df"),
                      ("sync", [h.get("sync_avg_s") for h in run.history], "#1a7f37")]))
        parts.append(f'<h3>The last runs</h3><div class="trend">{charts}</div>' + _table(rows))
    if run.selftest:
        parts.append("<h3>The last self-test (every fault switch against every scenario)</h3>"
                     f"<pre>{e(run.selftest)}</pre>")
    return ('<section class="feature" id="run"><h2>This run and the last ones</h2>' + "".join(parts)
            + "</section>") if parts else ""


def _other_checks(scenario: ScenarioDoc) -> str:
    """The verdicts of a scenario's steps besides its known faults: a known fault must hide none of them."""
    counts: dict[str, int] = {}
    for step in scenario.steps:
        if step.status != KNOWN_FAULT:
            counts[step.status] = counts.get(step.status, 0) + 1
    return "its other steps: " + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none")


def render(run: RunDoc) -> str:
    counts = run.counts()
    verdict = "all green" if run.green() else "NOT all green"
    tags = sorted({t for f in run.features for s in f.scenarios for t in s.tags})
    buttons = '<button onclick="filterTag(\'\')">all</button>' + "".join(
        f'<button onclick="filterTag(\'{e(t)}\')">@{e(t)}</button>' for t in tags)
    features = []
    for feature in run.features:
        scenarios = "".join(_scenario(s) for s in feature.scenarios)
        features.append(
            f'<section class="feature"><h2>{_badge(feature.status)} Feature: {e(feature.name)}</h2>'
            f'<div class="description">{e(chr(10).join(feature.description))}</div>{scenarios}</section>'
        )
    catalog_groups = "".join(
        f"<h3>{e(heading)}</h3><table>"
        + "".join(f"<tr><td>{e(k)} {e(p)}</td><td>{e(d)}</td></tr>" for k, p, d in entries) + "</table>"
        for heading, entries in run.catalog)
    instructions = "".join(f"<tr><td>{e(i['example'])}</td><td>{e(i.get('note', ''))}</td></tr>"
                           for i in run.instructions)
    if instructions:
        catalog_groups += ("<h3>instructions: what an email may ask for on this target (others are refused before "
                           f"anything is sent)</h3><table>{instructions}</table>")
    elif run.catalog:
        catalog_groups += "<h3>instructions</h3><p>This target takes any instruction (a real Claude reads it).</p>"
    catalog = (f'<section class="feature catalog" id="catalog"><h2>Step catalog</h2><p>Every step a scenario '
               f"can use, with what it does, by what it is about. Write new scenarios from these.</p>"
               f"{catalog_groups}</section>") if run.catalog else ""
    known = [s for s in run.ran() if s.status == KNOWN_FAULT or any(
        t == "known-fault" or t.startswith("real-fault:") for t in s.tags)]
    known_faults = (
        '<section class="feature" id="known-faults"><h2>Known faults</h2><p>Promises the real system is known '
        "not to keep yet. A <code>@known-fault</code> scenario is expected to fail on every target; if one passes, "
        "the run fails until its tag is removed. A <code>@real-fault:&lt;name&gt;</code> check fails as known "
        "only when every problem it finds shows that fault's evidence (on the stand-ins, only for the faults they "
        "share); the scenario's later checks still run, each with its own verdict, and any other failure is red."
        "</p><ul>"
        + "".join(f'<li>{_badge(s.status)} <a href="#{anchor(s)}">{e(s.name)}</a>: '
                  f'{e(s.reason or "no known fault showed in this run")} <em>{e(_other_checks(s))}</em></li>'
                  for s in known)
        + "</ul></section>") if known else ""
    count_text = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    judged = f"<span>judged: {e(run.judged)}</span>" if run.judged else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>WebOrdinary living documentation</title><style>{CSS}</style><script>{SCRIPT}</script></head><body>
<header><h1>WebOrdinary: what the edit pipeline promises, and whether it holds today</h1>
<div class="summary"><span><strong>{e(verdict)}</strong></span><span>target: {e(run.target)}</span>
<span>run: {e(run.run_id)}</span><span>started: {e(run.started)}</span>{judged}
<span>scenarios: {e(count_text or "none")}</span><span>total time: {run.duration_s:.1f} s</span></div></header>
<main>{_checklist(run)}{_promises(run)}{known_faults}
<div class="filters">Show scenarios tagged: {buttons} <a href="#catalog">step catalog</a> <a href="#run">raw reports,
history</a></div>
{"".join(features)}{_extras(run)}{catalog}</main></body></html>
"""
