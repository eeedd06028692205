"""The split of the suite over CI machines: deterministic, balanced by recorded durations, every scenario once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import shards


def test_every_selected_scenario_lands_in_exactly_one_shard_the_same_way_each_time() -> None:
    locations = shards.selected("@s3")
    assert len(locations) >= 10 and all(":" in location for location in locations)
    work = shards.units(locations, {})
    for total in (1, 2, 3, len(locations) + 2):
        split = shards.split(work, total)
        assert sorted(u.location for shard in split for u in shard) == sorted(locations)
        assert split == shards.split(list(reversed(work)), total)  # the input's order does not matter


def test_the_split_is_balanced_by_recorded_durations_and_an_outline_is_one_unit() -> None:
    locations = ["features/a.feature:3", "features/a.feature:20", "features/b.feature:5", "features/c.feature:4"]
    recorded = {"features/a.feature:3": 100.0, "features/b.feature:5": 60.0, "features/c.feature:4": 50.0,
                # an outline's two examples, recorded by their rows' lines, count for the outline at line 20
                "features/a.feature:27": 20.0, "features/a.feature:28": 25.0}
    work = shards.units(locations, recorded)
    assert [u.seconds for u in work] == [100.0, 45.0, 60.0, 50.0]
    first, second = shards.split(work, 2)
    assert [u.location for u in first] == ["features/a.feature:3", "features/a.feature:20"]  # 145 s
    assert [u.location for u in second] == ["features/b.feature:5", "features/c.feature:4"]  # 110 s
    unknown = shards.units(["features/d.feature:1", *locations], recorded)
    assert unknown[0].seconds == 55.0  # the median of what is known


def test_the_features_go_to_behavex_longest_scenario_first_each_once(tmp_path: Path) -> None:
    locations = shards.selected("@s3")
    files = sorted({location.rpartition(":")[0] for location in locations})
    short, long = locations[0], locations[-1]
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({short: 0.5, long: 90.0}))
    order = shards.longest_first("@s3", durations)
    assert sorted(order) == files
    assert order[0] == long.rpartition(":")[0] and order[-1] == short.rpartition(":")[0]


def test_bad_shards_and_durations_are_named() -> None:
    for text, said in (("2", "write it as i/n"), ("0/2", "between 1 and n"), ("3/2", "between 1 and n")):
        with pytest.raises(shards.ShardError, match=said):
            shards.parse_shard(text)
    assert shards.parse_shard("2/3") == (2, 3)


def test_durations_are_read_from_a_run_or_a_recorded_mapping(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"features": [{"scenarios": [
        {"location": "features/a.feature:3", "status": "passed", "duration_s": 12.5},
        {"location": "features/a.feature:9", "status": "skipped", "duration_s": 0.0}]}]}))
    assert shards.durations_from(run) == {"features/a.feature:3": 12.5}
    mapping = tmp_path / "durations.json"
    mapping.write_text(json.dumps({"features/a.feature:3": 7}))
    assert shards.durations_from(mapping) == {"features/a.feature:3": 7.0}
    mapping.write_text("[1, 2]")
    with pytest.raises(shards.ShardError, match=r"neither a run\.json nor a mapping"):
        shards.durations_from(mapping)


def test_a_shard_runs_exactly_its_scenarios_with_behave_or_behavex_into_its_own_folder() -> None:
    mine = [shards.Unit("features/a.feature:3", 10.0), shards.Unit("features/b.feature:5", 5.0)]
    folder = shards.shard_folder(2, 3)
    behave = shards.shard_command(mine, folder, "@s3", "behave", 2)
    assert behave[1:3] == ["--tags=@s3", "--junit-directory"] and behave[-2:] == [u.location for u in mine]
    assert "reports_dir=reports/shards/2-of-3" in behave
    behavex = shards.shard_command(mine, folder, "@s3", "behavex", 2)
    assert behavex[1:3] == ["-t", "(@s3) and not @MANUAL"]  # v2, so behavex adds its exclusions in v2 too
    assert behavex[behavex.index("-ip") + 1:] == [u.location for u in mine]
    assert "reports_dir=reports/shards/2-of-3" in behavex
