"""The living documentation lists known faults under their own heading and the step catalog by concept."""

from __future__ import annotations

from reporting import catalog
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
