"""Whole generator runs on very small worlds: determinism, incidents, appends, and input validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from chispa import assert_df_equality
from conftest import SMALL_BRONZE as SMALL
from pyspark.sql import functions as F

from creatorlake.bronze import schemas
from creatorlake.generator import GeneratorOptions, generate
from creatorlake.generator.run import default_partitions
from creatorlake.generator.settings import Effects


def assert_same_bronze(spark, left, right) -> None:
    """Every bronze table of `left` holds the same rows (any order) and schema as the same table of `right`;
    a side may be a mapping table -> Delta version to read that version of it."""
    for table in schemas.TABLES:
        frames = [spark.table(side.table("bronze", table.name)) if not isinstance(side, dict) else side[table.name] for side in (left, right)]
        assert frames[0].count() > 0, table.name
        assert_df_equality(*frames, ignore_row_order=True)


def versions(spark, settings) -> dict:
    """Each bronze table as it is now, pinned to its current Delta version."""
    pinned = {}
    for table in schemas.TABLES:
        name = settings.table("bronze", table.name)
        version = spark.sql(f"describe history {name} limit 1").collect()[0]["version"]
        pinned[table.name] = spark.sql(f"select * from {name} version as of {version}")
    return pinned


@pytest.fixture(scope="module")
def appended(spark, settings):
    """The small world's first days with 7 partitions, then its last 4 days appended with 3: the schema, and each
    table's operation of the append (the rerun test below replaces some)."""
    short = settings.with_schemas(bronze="gen_append")
    options = GeneratorOptions.from_defaults(short, **{**SMALL, "days": SMALL["days"] - 4}, incidents=None)
    generate(spark, short, options, partitions=7)
    generate(spark, short, options, append_days=4, partitions=3)
    ops = {t.name: spark.sql(f"describe history {short.table('bronze', t.name)} limit 1").collect()[0]["operation"] for t in schemas.TABLES}
    return short, ops


def test_a_run_appended_in_other_partitionings_equals_one_fresh_run(spark, small_bronze, appended):
    """The same seed gives the same tables whatever the partitioning, and appending days gives what a run of all of
    them at once gives."""
    short, ops = appended
    assert_same_bronze(spark, short, small_bronze)
    # Entity tables changed by MERGE, event tables by appending the new days only.
    assert ops["pledges"] == "MERGE" and ops["creators"] == "MERGE"
    assert ops["events"] == "WRITE"


def test_a_rerun_replaces_each_table_in_one_commit(spark, appended):
    short, _ = appended
    before = versions(spark, short)
    generate(spark, short, GeneratorOptions.from_defaults(short, **SMALL, incidents=None), partitions=3, tables=("creators", "pledges"))
    assert_same_bronze(spark, short, before)
    for name in ("creators", "pledges"):
        history = spark.sql(f"describe history {short.table('bronze', name)}").collect()
        assert history[0]["operation"] in ("CREATE OR REPLACE TABLE AS SELECT", "REPLACE TABLE AS SELECT", "WRITE")


def test_an_incident_changes_only_its_driver_segment_and_window(spark, settings, small_bronze):
    """A CPM drop for DE comedy and a listens surge for true_crime, against the same world without them."""
    planted = settings.with_schemas(bronze="gen_incident")
    start = GeneratorOptions.from_defaults(planted, **SMALL, incidents=None).start_date
    cpm_lo, listen_lo = start + dt.timedelta(days=3), start + dt.timedelta(days=8)
    incidents = [
        {"name": "cpm", "driver": "cpm", "segment": {"country_code": "DE", "category": "comedy"}, "start": cpm_lo.isoformat(), "days": 3, "change": -0.45},
        {"name": "surge", "driver": "listens", "segment": {"category": "true_crime"}, "start": listen_lo.isoformat(), "days": 2, "change": 0.8},
    ]
    generate(spark, planted, GeneratorOptions.from_defaults(planted, **SMALL, incidents=incidents), partitions=2,
             tables=("events", "ad_impressions", "transactions", "creators"))
    cr = spark.table(small_bronze.table("bronze", "creators"))
    de_comedy = [r[0] for r in cr.where("country_code = 'DE' and category = 'comedy'").select("creator_id").collect()]
    true_crime = [r[0] for r in cr.where("category = 'true_crime'").select("creator_id").collect()]
    assert de_comedy and true_crime

    def table(s, name):
        return spark.table(s.table("bronze", name))

    in_surge = F.col("creator_id").isin(true_crime) & (F.col("event_date") >= F.lit(listen_lo)) & (F.col("event_date") < F.lit(listen_lo + dt.timedelta(days=2)))
    base_ev, new_ev = table(small_bronze, "events"), table(planted, "events")
    # Outside the surge's segment and days, events are identical; inside, listens grow by about the change.
    assert base_ev.where(~in_surge).exceptAll(new_ev.where(~in_surge)).count() == 0
    assert new_ev.where(~in_surge).exceptAll(base_ev.where(~in_surge)).count() == 0
    listens_before = base_ev.where(in_surge & (F.col("event_type") == "listen")).count()
    listens_after = new_ev.where(in_surge & (F.col("event_type") == "listen")).count()
    assert 1.5 < listens_after / listens_before < 2.1

    # Ads: the CPM of DE comedy drops over its window, nothing else about ads moves (the listens surge
    # adds rows only where listens grew, with the same ad load, fill rate and CPM distribution).
    ad_key = ["ad_date", "episode_id"]
    base_ad, new_ad = table(small_bronze, "ad_impressions"), table(planted, "ad_impressions")
    in_cpm = F.col("creator_id").isin(de_comedy) & (F.col("ad_date") >= F.lit(cpm_lo)) & (F.col("ad_date") < F.lit(cpm_lo + dt.timedelta(days=3)))
    in_ad_surge = F.col("creator_id").isin(true_crime) & (F.col("ad_date") >= F.lit(listen_lo)) & (F.col("ad_date") < F.lit(listen_lo + dt.timedelta(days=2)))
    untouched = ~in_cpm & ~in_ad_surge
    assert base_ad.where(untouched).exceptAll(new_ad.where(untouched)).count() == 0
    assert new_ad.where(untouched).exceptAll(base_ad.where(untouched)).count() == 0
    joined = base_ad.where(in_cpm).alias("b").join(new_ad.where(in_cpm).alias("n"), ad_key)
    assert joined.count() == base_ad.where(in_cpm).count() > 0
    assert joined.where("b.impressions <> n.impressions or b.filled_impressions <> n.filled_impressions").count() == 0
    cpm_ratio = joined.agg(F.sum("n.cpm_used") / F.sum("b.cpm_used")).collect()[0][0]
    assert abs(float(cpm_ratio) - 0.55) < 0.001
    # Memberships do not depend on podcast incidents.
    assert_df_equality(table(small_bronze, "transactions"), table(planted, "transactions"), ignore_row_order=True)


def test_sub_conversion_incident_fails_payments_only_in_its_segment_and_days(spark, settings, small_bronze):
    planted = settings.with_schemas(bronze="gen_subconv")
    start = GeneratorOptions.from_defaults(planted, **SMALL, incidents=None).start_date
    incident = {"name": "sc", "driver": "sub_conversion", "segment": {"creator_tier": "star"}, "start": start.isoformat(), "days": 14, "change": -0.9}
    generate(spark, planted, GeneratorOptions.from_defaults(planted, **SMALL, incidents=[incident]), partitions=2, tables=("transactions", "creators"))
    stars = [r[0] for r in spark.table(small_bronze.table("bronze", "creators")).where("creator_tier = 'star'").select("creator_id").collect()]
    hit = F.col("creator_id").isin(stars) & (F.col("transaction_date") >= F.lit(start))
    base_tx, new_tx = (spark.table(s.table("bronze", "transactions")) for s in (small_bronze, planted))
    assert base_tx.where(~hit).exceptAll(new_tx.where(~hit)).count() == 0

    def paying(df):
        return df.where(hit & (F.col("transaction_type") == "pledge_payment") & (F.col("transaction_status") == "succeeded")).count()

    assert paying(base_tx) > 0
    assert paying(new_tx) < 0.3 * paying(base_tx)


# ---------------------------------------------------------------- bad input: exit 2, one line, nothing written


def _bronze_state(spark, settings):
    state = {}
    for t in schemas.TABLES:
        name = settings.table("bronze", t.name)
        state[t.name] = spark.sql(f"describe history {name} limit 1").collect()[0]["version"] if spark.catalog.tableExists(name) else None
    return state


def _incidents_file(tmp_path, text: str) -> str:
    path = tmp_path / "incidents.yml"
    path.write_text(text)
    return str(path)


def _incident(**over) -> str:
    item = {"name": "x", "driver": "cpm", "segment": "{country_code: DE}", "start": "2026-02-05", "days": 2, "change": -0.3, **over}
    return "incidents:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in item.items() if v is not None) + "\n"


BAD_FLAGS = [
    (["--days", "0"], "--days"),
    (["--days", "ten"], "--days"),
    (["--n-creators", "-5"], "--n-creators"),
    (["--n-listeners", "x"], "--n-listeners"),
    (["--scale", "0"], "scale"),
    (["--scale", "abc"], "scale"),
    (["--start-date", "2026-13-01"], "--start-date"),
    (["--seed", "1.5"], "seed"),
    (["--append-days", "0"], "--append-days"),
    (["--append-days", "2", "--days", "3"], "--days"),
    (["--incidents", "/nonexistent/incidents.yml"], "not found"),
]


@pytest.mark.parametrize("flags,needle", BAD_FLAGS, ids=lambda x: " ".join(x) if isinstance(x, list) else x)
def test_bad_flag_exits_2_with_one_line_and_writes_nothing(spark, settings, capsys, flags, needle):
    from creatorlake.cli import main

    before = _bronze_state(spark, settings)
    assert main(["generate", "--lakehouse", str(settings.lakehouse_root), *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
    assert _bronze_state(spark, settings) == before


BAD_YAML = [
    (_incident(driver="revenue"), "unknown driver"),
    (_incident(segment="{planet: mars}"), "unknown segment key"),
    (_incident(segment="{country_code: ZZ}"), "no creator has country_code=ZZ"),
    (_incident(start="2025-01-01"), "outside the generated dates"),
    (_incident(start="2026-02-03", days=400), "outside the generated dates"),
    (_incident(change=-1), "change must be > -1"),
    (_incident(change=-1.5), "change must be > -1"),
    (_incident(change="lots"), "change must be a number"),
    (_incident(colour="red"), "unknown key"),
    (_incident(driver=None), "missing key"),
    ("incidents: [oops\n", "not valid YAML"),
    ("incidents: {a: 1}\n", "must be a list"),
    ("surprises: []\n", "unknown top-level key"),
]


@pytest.mark.parametrize("text,needle", BAD_YAML, ids=[n for _, n in BAD_YAML])
def test_bad_incidents_yaml_exits_2_with_one_line_and_writes_nothing(spark, settings, capsys, tmp_path, text, needle):
    from creatorlake.cli import main

    before = _bronze_state(spark, settings)
    path = _incidents_file(tmp_path, text)
    code = main(["generate", "--lakehouse", str(settings.lakehouse_root), "--days", "20", "--n-creators", "6", "--n-listeners", "300", "--incidents", path])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
    assert _bronze_state(spark, settings) == before


def test_default_incidents_cover_every_driver_inside_the_default_window(settings):
    from creatorlake.incidents import INCIDENT_DRIVERS

    options = GeneratorOptions.from_defaults(settings)
    assert len(options.incidents) >= 6
    assert {i.driver for i in options.incidents} == set(INCIDENT_DRIVERS)
    assert all(options.start_date <= i.start and i.end <= options.end_date for i in options.incidents)



@pytest.mark.parametrize("cores", [1, 2, 3, 8])
def test_default_partitions_are_whole_waves_that_grow_with_the_world(cores):
    small = GeneratorOptions.from_defaults(**SMALL, incidents=None)
    default = GeneratorOptions.from_defaults(incidents=None)
    ten_times = GeneratorOptions.from_defaults(scale=10, incidents=None)
    counts = [default_partitions(options, 180, cores) for options in (small, default, ten_times)]
    for tasks in counts:
        assert tasks % cores == 0, "a last partial wave leaves cores idle"
        assert tasks >= 2 * cores
    assert counts[0] == 2 * cores  # a tiny world still spreads over every core
    assert counts[0] <= counts[1] < counts[2]
    assert default_partitions(default, 360, cores) > default_partitions(default, 30, cores)


def comment_verdicts(spark, settings, effects: Effects | None) -> dict:
    """The comments of the small world's events (built, not written) and how many of them are spam or removed;
    `effects` replaces the shipped planted effects where given."""
    from creatorlake.generator.run import World, builders, make_ctx

    options = GeneratorOptions.from_defaults(settings, **SMALL, incidents=None)
    if effects is not None:
        options = replace(options, world=replace(options.world, effects=effects))
    world = World(make_ctx(spark, options, 0, options.days, partitions=2))
    try:
        events = builders(world, lambda: None)["events"]()
        return events.where("event_type = 'comment'").agg(
            F.count("*").alias("comments"), F.count_if("is_spam").alias("spam"), F.count_if("is_removed").alias("removed")).first().asDict()
    finally:
        world.unpersist()


def test_a_world_with_no_planted_effect_has_comments_but_no_spam_and_no_removal(spark, settings):
    shipped, quiet = (comment_verdicts(spark, settings, effects) for effects in (None, Effects()))
    assert shipped["spam"] > 0 and shipped["removed"] > 0  # the same world with the shipped effects has both
    assert quiet["comments"] > 0
    assert quiet["spam"] == quiet["removed"] == 0


@pytest.mark.parametrize("table", ["events", "transactions", "engagement_events"])
def test_big_tables_are_planned_without_lambdas(spark, settings, table):
    """Higher-order functions with lambdas (transform, filter, ...) are evaluated interpreted and take
    their stage out of whole-stage code generation: on the listen stage that made events about 1.5x slower (docs/benchmarks.md)."""
    from creatorlake.generator.run import World, builders, make_ctx

    options = GeneratorOptions.from_defaults(settings, **SMALL, incidents=None)
    world = World(make_ctx(spark, options, 0, options.days, partitions=2))
    previous = spark.conf.get("spark.sql.debug.maxToStringFields")
    spark.conf.set("spark.sql.debug.maxToStringFields", "100000")  # print every expression of the plan
    try:
        plan = builders(world, lambda: spark.table(settings.table("bronze", "events")))[table]()._jdf.queryExecution().optimizedPlan().toString()
    finally:
        spark.conf.set("spark.sql.debug.maxToStringFields", previous)
        world.unpersist()
    assert "xxhash64" in plan  # the whole plan was printed, the draws included
    assert "lambdafunction" not in plan
