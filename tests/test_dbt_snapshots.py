"""dbt snapshots (SCD2) over a small world that changes day by day.

A fresh world, then two appended days, each followed by the snapshots' dbt
build: the expected versions come from bronze as it stood after each step
(every updated_at a key showed is one version, valid until the next), never
from the snapshots themselves.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from dataclasses import replace

import pytest
import yaml

from creatorlake.core.dbt import run_dbt
from creatorlake.generator import GeneratorOptions, generate

# Enough creators that each appended day lands changes of every kind, at change rates far above the defaults.
WORLD = dict(days=3, n_creators=40, n_listeners=500, seed=5)
RATES = {"creator_tier_per_day": 0.15, "pledge_tier_per_day": 0.05, "tier_price_per_day": 0.15, "tier_price_increase": 0.2}
APPENDS = 2
# Only the bronze tables the snapshots read.
TABLES = ("tiers", "pledges", "creators")
# Nothing else of the project: the staging views the snapshots read (created once), then at
# each step the views they read, the snapshots and the history marts; their data tests at the last step.
STAGING = ["stg_creators", "stg_pledges", "stg_tiers"]
HISTORY = [
    "int_snapshot_creators", "int_snapshot_pledges", "int_snapshot_tiers",
    "snp_creators", "snp_pledges", "snp_tiers",
    "fct_creator_plan_changes", "fct_tier_price_changes",
]
# bronze table -> (key, its snapshot, the tracked bronze columns and their names in the snapshot)
TRACKED = {
    "creators": ("creator_id", "snp_creators", {"plan_type": "plan_type", "creator_tier": "creator_tier", "status": "creator_status"}),
    "pledges": ("pledge_id", "snp_pledges", {"pledge_status": "pledge_status", "tier_id": "tier_id", "pledge_amount_usd": "pledge_amount_usd"}),
    "tiers": ("tier_id", "snp_tiers", {"price_usd": "price_usd", "is_active": "is_active"}),
}


def dbt_build(spark, settings, select: list[str], exclude: tuple[str, ...] = ("unit_test",)) -> None:
    command = ["build", "--select", *select, "--indirect-selection", "cautious"]
    for resource_type in exclude:
        command += ["--exclude-resource-type", resource_type]
    outcome = run_dbt(spark, settings, command)
    assert outcome.success, outcome.failures
    assert outcome.counts.get("success", 0) >= 3


def bronze_state(spark, settings, table: str) -> dict:
    """key -> (updated_at, tracked values) of the bronze table as it is now."""
    key, _, columns = TRACKED[table]
    rows = spark.table(settings.table("bronze", table)).select(key, "updated_at", *columns).collect()
    return {r[key]: (r["updated_at"], tuple(r[c] for c in columns)) for r in rows}


@pytest.fixture(scope="module")
def history(spark, settings, tmp_path_factory):
    """The world in its own schemas and its own generator.yml; bronze after each step, dbt after each step."""
    conf = tmp_path_factory.mktemp("conf_changes")
    shutil.copytree(settings.conf_dir, conf, dirs_exist_ok=True)
    generator_yml = conf / "generator.yml"
    raw = yaml.safe_load(generator_yml.read_text())
    raw["changes"] = RATES
    generator_yml.write_text(yaml.safe_dump(raw, sort_keys=False))
    s = replace(settings, conf_dir=conf).with_schemas(bronze="snap_bronze", silver="snap_silver", gold="snap_gold")
    options = GeneratorOptions.from_defaults(s, **WORLD, incidents=None)
    steps = []
    for append in range(APPENDS + 1):
        generate(spark, s, options, append_days=1 if append else None, tables=TABLES)
        steps.append({table: bronze_state(spark, s, table) for table in TRACKED})
        if not append:
            dbt_build(spark, s, STAGING, exclude=("test", "unit_test"))
        dbt_build(spark, s, HISTORY, exclude=("unit_test",) if append == APPENDS else ("test", "unit_test"))
    return s, options, steps


def expected_versions(steps: list[dict], table: str) -> set[tuple]:
    """(key, valid_from, valid_to, tracked values) of every version bronze showed, in step order."""
    out = set()
    keys = set().union(*(step[table] for step in steps))
    for key in keys:
        seen: list[tuple] = []
        for step in steps:
            if key not in step[table]:
                continue
            updated_at, values = step[table][key]
            if seen and seen[-1][0] == updated_at:
                assert seen[-1][1] == values, f"{table} {key}: changed without a new updated_at"
                continue
            seen.append((updated_at, values))
        for i, (valid_from, values) in enumerate(seen):
            valid_to = seen[i + 1][0] if i + 1 < len(seen) else None
            out.add((key, valid_from, valid_to, values))
    return out


def tracked_changes(steps: list[dict], table: str, step: int) -> dict:
    """key -> (updated_at, before, after) of the keys whose tracked values changed from step - 1 to step."""
    before, after = steps[step - 1][table], steps[step][table]
    return {k: (after[k][0], before[k][1], after[k][1]) for k in before if k in after and before[k][1] != after[k][1]}


@pytest.mark.parametrize("table", list(TRACKED))
def test_each_appended_day_lands_changes_at_their_simulated_time(history, table):
    """The planted changes: each appended day changes some tracked values, and updated_at lies in that day."""
    _, options, steps = history
    for step in range(1, APPENDS + 1):
        changes = tracked_changes(steps, table, step)
        assert changes, f"{table}: no tracked change on appended day {step}"
        day = dt.datetime.combine(options.start_date + dt.timedelta(days=WORLD["days"] + step - 1), dt.time())
        for key, (updated_at, _, _) in changes.items():
            assert day <= updated_at < day + dt.timedelta(days=1), (table, key, updated_at)


@pytest.mark.parametrize("table", list(TRACKED))
def test_snapshot_holds_exactly_the_versions_bronze_showed(spark, history, table):
    s, _, steps = history
    key, snapshot, columns = TRACKED[table]
    rows = spark.table(s.table("silver", snapshot)).select(key, "dbt_valid_from", "dbt_valid_to", *columns.values()).collect()
    got = {(r[key], r["dbt_valid_from"], r["dbt_valid_to"], tuple(r[c] for c in columns.values())) for r in rows}
    assert len(got) == len(rows)
    assert got == expected_versions(steps, table)
    # The history is more than the first load: some keys have several versions.
    assert len(rows) > len(steps[-1][table])


def _changes_between_versions(steps: list[dict], table: str) -> list[tuple]:
    """(key, changed_at, before, after) for consecutive versions whose tracked values differ."""
    by_key: dict[str, list[tuple]] = {}
    for key, valid_from, _, values in expected_versions(steps, table):
        by_key.setdefault(key, []).append((valid_from, values))
    out = []
    for key, versions in by_key.items():
        versions.sort()
        for (_, before), (changed_at, after) in zip(versions, versions[1:]):
            if before != after:
                out.append((key, changed_at, before, after))
    return out


def test_creator_plan_changes_mart_lists_each_planted_change(spark, history):
    s, _, steps = history
    expected = set()
    for key, changed_at, before, after in _changes_between_versions(steps, "creators"):
        expected.add((key, changed_at, *before, *after, before[0] != after[0], before[1] != after[1], before[2] != after[2]))
    rows = spark.table(s.table("gold", "fct_creator_plan_changes")).collect()
    got = {(r["creator_id"], r["changed_at"], r["from_plan_type"], r["from_creator_tier"], r["from_creator_status"],
            r["to_plan_type"], r["to_creator_tier"], r["to_creator_status"],
            r["is_plan_change"], r["is_creator_tier_change"], r["is_status_change"]) for r in rows}
    assert len(got) == len(rows)
    assert got == expected
    assert any(r[-2] for r in expected), "no planted size-tier change"


def test_tier_price_changes_mart_lists_each_planted_price_change(spark, history):
    s, _, steps = history
    expected = {
        (key, changed_at, before[0], after[0])
        for key, changed_at, before, after in _changes_between_versions(steps, "tiers")
        if before[0] != after[0]
    }
    assert expected
    rows = spark.table(s.table("gold", "fct_tier_price_changes")).collect()
    got = {(r["tier_id"], r["changed_at"], r["old_price_usd"], r["new_price_usd"]) for r in rows}
    assert len(got) == len(rows)
    assert got == expected
    for r in rows:
        # The planted increase: the old price raised by the configured share, to the dollar, minus a cent.
        raised = max(1, round((float(r["old_price_usd"]) + 0.01) * (1 + RATES["tier_price_increase"])))
        assert r["new_price_usd"] == Decimal(raised) - Decimal("0.01"), r
