"""The living documentation lists known faults under their own heading and the step catalog by concept."""

from __future__ import annotations

import json
from pathlib import Path

from lib.judge import metrics
from lib.judge.metrics import DeploymentMetrics, Limits
from reporting import catalog, parallel
from reporting.render import KNOWN_FAULT, FeatureDoc, RunDoc, ScenarioDoc, render


def test_known_faults_have_their_own_heading_and_do_not_make_the_run_red() -> None:
    known = ScenarioDoc("Each thread's commits carry a tag of their own", ["commit-tags", "known-fault"],
                        KNOWN_FAULT, 7.0, "f.feature:1", [], "fails as known: threads share the commit tag")
    passed = ScenarioDoc("Two clients", ["isolation"], "passed", 5.0, "f.feature:9", [])
    page = render(RunDoc("local", "abc123", "now", 12.0, [FeatureDoc("F", [], [], "passed", [known, passed])],
                         [("sites: Steps about sites.", [("Then", 'the site of "{client}" shows "{text}"', "doc")])]))
    assert '<h2>Known faults</h2>' in page
    assert "fails as known: threads share the commit tag" in page
    assert "<strong>all green</strong>" in page
    assert "<h3>sites: Steps about sites.</h3>" in page


def test_the_catalog_groups_every_step_by_its_concept_in_writing_order() -> None:
    catalog.load_steps()
    groups = catalog.groups()
    assert [g.concept for g in groups][:4] == ["clients", "emails", "sessions", "sites"]
    assert all(entry.doc for g in groups for entry in g.entries), "every step documented"
    assert all(g.about for g in groups)


def test_metrics_are_written_for_ci_with_averages_and_limits(tmp_path: Path) -> None:
    measured = [DeploymentMetrics("jonas", f"thread-{n}", 2.0 + n, 0.5, 4.0 + n) for n in range(3)]
    document = metrics.write_json(tmp_path / "metrics.json", measured, Limits(45.0, 15.0, 90.0))
    assert json.loads((tmp_path / "metrics.json").read_text()) == document
    assert len(document["deployments"]) == 3 and document["averages"]["build_s"] == 3.0
    assert document["limits"] == {"build_s": 45.0, "sync_s": 15.0, "total_s": 90.0}


def test_the_parts_of_parallel_workers_join_into_one_page_in_feature_order(tmp_path: Path) -> None:
    def part(worker: str, run_id: str, ran: ScenarioDoc, others: list[ScenarioDoc]) -> None:
        doc = RunDoc("local", run_id, "now", 3.0, [FeatureDoc("F", ["why"], [], "passed", [ran, *others])])
        parallel.save_part(tmp_path / worker, doc)
        (tmp_path / worker / "detections.json").write_text(json.dumps([{"run": run_id}]))

    shot = {"screenshots": [{"client": "amelia", "file": "screenshots/a-s1-amelia.png", "url": "u"}]}
    first = ScenarioDoc("First", [], "passed", 1.0, "features/f.feature:9", [], evidence=shot)
    second = ScenarioDoc("Second", [], "failed", 1.0, "features/f.feature:20", [], "it broke")
    unselected = [ScenarioDoc(s.name, [], "skipped", 0.0, s.location, []) for s in (first, second)]
    part("worker-1", "bbb", second, unselected[:1])
    part("worker-0", "aaa", first, unselected[1:])
    doc = parallel.join(tmp_path, started=0.0)
    assert doc is not None
    [feature] = doc.features
    assert [s.name for s in feature.scenarios] == ["First", "Second"] and feature.status == "failed"
    assert feature.scenarios[0].evidence["screenshots"][0]["file"] == "worker-0/screenshots/a-s1-amelia.png"
    assert doc.run_id.startswith("2 behave processes in 2 workers")
    assert json.loads((tmp_path / "detections.json").read_text()) == [{"run": "aaa"}, {"run": "bbb"}]
    parallel.clear(tmp_path)
    assert parallel.join(tmp_path, started=0.0) is None


def test_the_page_says_what_it_judged() -> None:
    passed = ScenarioDoc("Two clients", ["isolation"], "passed", 5.0, "f.feature:9", [])
    doc = RunDoc("local", "abc123", "now", 12.0, [FeatureDoc("F", [], [], "passed", [passed])],
                 judged="the real edit container at /src/claude-code-container (commit 163a3ef)")
    assert "<span>judged: the real edit container at /src/claude-code-container (commit 163a3ef)</span>" in render(doc)


def test_the_page_opens_with_the_tasks_checklist_each_criterion_from_its_feature() -> None:
    def feature(tag: str, *scenarios: ScenarioDoc) -> FeatureDoc:
        return FeatureDoc(tag, [], ["s3", tag], "passed", list(scenarios))

    iso = ScenarioDoc("Two clients", ["isolation"], "passed", 5.0, "a.feature:3", [])
    switching = ScenarioDoc("Five threads", ["switching"], KNOWN_FAULT, 9.0, "b.feature:3", [], "known fault x: y")
    failing = ScenarioDoc("No bucket", ["failure"], "failed", 4.0, "c.feature:3", [], "it crashed")
    page = render(RunDoc("local", "r", "now", 1.0, [
        feature("criterion:session-isolation", iso), feature("criterion:rapid-switching", switching),
        feature("criterion:s3-failures", failing), feature("promise:commit-tags")]))
    checklist = page.split('id="checklist"')[1].split("</section>")[0]
    assert page.index('id="checklist"') < page.index('id="promises"')  # the first thing a reader sees
    rows = checklist.split("<tr>")[1:]
    assert "Session isolation verified" in rows[0] and ">holds<" in rows[0] and "Two clients" in rows[0]
    assert "Rapid switching works" in rows[1] and "holds but for a recorded known fault" in rows[1]
    assert "Concurrent deployments successful" in rows[2] and "not checked by this run" in rows[2]
    assert "S3 failures handled" in rows[4] and "does not hold" in rows[4] and "it crashed" in rows[4]
    assert "All tests passing" in rows[6] and "does not hold" in rows[6]


def test_the_history_keeps_each_run_s_build_and_sync_averages_and_draws_their_trend(tmp_path: Path) -> None:
    from reporting.formatter import remember

    sessions = [{"client": "ada", "thread_id": f"t{i}", "outcome": "deployed", "lines": [], "times": times}
                for i, times in enumerate(({"build_s": 4.0, "sync_s": 1.0}, {"build_s": 2.0, "sync_s": 2.0}, {}))]
    scenario = ScenarioDoc("S", [], "passed", 9.0, "f:1", [], evidence={"sessions": sessions})
    doc = RunDoc("local", "r1", "now", 120.0, [FeatureDoc("F", [], [], "passed", [scenario])])
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"started": "before", "duration_s": 150.0}]))  # a run from before the averages
    doc.history = remember(history, doc)
    assert doc.history[-1]["build_avg_s"] == 3.0 and doc.history[-1]["sync_avg_s"] == 1.5
    page = render(doc)
    assert page.count("<svg") == 2 and 'aria-label="average build and sync"' in page
    assert "build 3.00 s" in page and "sync 1.50 s" in page and "120.0 s" in page
    assert page.count("<circle") == 2 + 2  # the suite's two runs; one build and one sync point (a gap before)
