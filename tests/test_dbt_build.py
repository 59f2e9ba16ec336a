"""The dbt silver and gold layers, built once on a tiny bronze lakehouse with real Spark, Delta and dbt.

One `dbt build` (models, seeds, every data test and unit test) runs per session; the
tests then check the build's outcome, recompute the monthly mart from bronze with
PySpark from the creator-month definitions, run the sample queries (dbt analyses), scan silver and gold
for clear PII, and prove `--full-refresh` rebuilds the incremental tables identically.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json

import pytest
import yaml
from chispa import assert_approx_df_equality, assert_df_equality
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from creatorlake.core.dbt import run_dbt
from creatorlake.metrics import catalog

pytestmark = pytest.mark.slow

# model -> (layer, the date its lookback counts in)
INCREMENTAL_MODELS = {
    "stg_events": ("silver", "event_date"),
    "stg_ad_impressions": ("silver", "ad_date"),
    "int_creator_weekly_podcast": ("silver", "last_activity_date"),
    "int_creator_monthly_podcast": ("silver", "last_activity_date"),
    "int_episode_first_listens": ("silver", "first_listen_date"),
    "int_creator_daily_churn": ("silver", "activity_date"),
    "fct_subscriptions": ("gold", "sub_date"),
    "fct_segment_daily_metrics": ("gold", "metric_date"),
    "fct_listening_sessions": ("gold", "session_date"),
    "fct_listener_funnel_weekly": ("gold", "last_activity_date"),
}


@pytest.fixture(scope="session")
def manifest(spark, settings, tiny_gold) -> dict:
    """The project as the tiny world's build sees it: parsed afresh with the suite's schemas, since a later
    dbt run of another test (into schemas of its own, or a narrower selection) rewrites target/manifest.json."""
    assert run_dbt(spark, settings, ["parse"]).success
    return json.loads((settings.lakehouse_root / "dbt" / "target" / "manifest.json").read_text())


def _bronze(spark: SparkSession, settings, name: str, *key: str) -> DataFrame:
    """Latest version of each key, as the contract says (newest _ingested_at wins)."""
    newest_first = Window.partitionBy(*key).orderBy(F.col("_ingested_at").desc(), F.col("_batch_id").desc())
    return (
        spark.table(settings.table("bronze", name))
        .withColumn("_rank", F.row_number().over(newest_first))
        .filter(F.col("_rank") == 1)
        .drop("_rank")
    )


def _gold(spark: SparkSession, settings, name: str) -> DataFrame:
    return spark.table(settings.table("gold", name))


# --- the build ---------------------------------------------------------------------------


def test_dbt_build_passes_every_model_data_test_and_unit_test(tiny_gold):
    assert tiny_gold.success, tiny_gold.failures
    assert not tiny_gold.failures
    assert tiny_gold.counts.get("pass", 0) >= 80


def test_project_declares_at_least_80_data_tests_and_the_unit_tests(manifest):
    data_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    unit_tests = manifest.get("unit_tests", {})
    assert len(data_tests) >= 80
    names = " ".join(unit_tests)
    for behaviour in ("churn", "collection", "monday", "tier", "fee_rate_is_null"):
        assert behaviour in names, f"no unit test for {behaviour}"


def test_every_model_and_column_is_described(manifest):
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models
    for node in models:
        assert node["description"].strip(), node["name"]
        assert node["columns"], f"{node['name']} documents no column"
        for column in node["columns"].values():
            assert column["description"].strip(), f"{node['name']}.{column['name']}"


def test_documented_columns_are_the_built_columns(spark, settings, manifest, tiny_gold):
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        built = spark.table(f"{node['schema']}.{node['name']}").columns
        assert set(built) == set(node["columns"]), node["name"]


def test_date_partitioned_models_write_one_file_per_partition(spark, manifest, tiny_gold):
    # Without optimized writes each of a build's tasks writes its own file into every
    # date it holds: thousands of files of a few KB per table at the default scale.
    partitioned = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["config"].get("partition_by")]
    assert len(partitioned) >= 6
    for node in partitioned:
        table = f"{node['schema']}.{node['name']}"
        (column,) = node["config"]["partition_by"]
        files = spark.sql(f"describe detail {table}").first()["numFiles"]
        partitions = spark.table(table).select(column).distinct().count()
        assert files == partitions, f"{table}: {files} files for {partitions} {column} partitions"


def test_exposures_name_the_three_dashboards(manifest):
    names = {e["name"] for e in manifest["exposures"].values()}
    assert {"monetization_overview", "feature_performance", "partner_program_funnel"} <= names


# --- the segment contract ----------------------------------------------------------------

SEGMENT_KEYS = [catalog.SEGMENT_DATE, *catalog.SEGMENT_KEYS]
SEGMENT_RAW = list(catalog.names(*catalog.RAW_KINDS))
SEGMENT_RATIOS = list(catalog.names("ratio"))
MONEY_KINDS = ("money", "total")


def test_segment_daily_metrics_has_exactly_the_contract_columns_and_types(spark, settings, tiny_gold):
    df = _gold(spark, settings, "fct_segment_daily_metrics")
    assert df.columns == SEGMENT_KEYS + SEGMENT_RAW + SEGMENT_RATIOS
    # The contract's Comments guardrails are among them: their counts and the ratios detection scores.
    assert {"spam_comments", "removed_comments", "negative_feedback"} <= set(SEGMENT_RAW)
    assert {"spam_share_of_comments", "removed_share_of_comments", "negative_feedback_per_1k_listens"} <= set(SEGMENT_RATIOS)
    types = dict(df.dtypes)
    assert types["metric_date"] == "date"
    for key in SEGMENT_KEYS[1:]:
        assert types[key] == "string"
    for column in SEGMENT_RAW:
        assert types[column] == ("decimal(18,2)" if catalog.BY_NAME[column].kind in MONEY_KINDS else "bigint"), column
    for column in SEGMENT_RATIOS:
        assert types[column] == "double", column


def test_segment_daily_metrics_covers_all_eight_subsets_and_every_window_day(spark, settings, tiny_gold):
    df = _gold(spark, settings, "fct_segment_daily_metrics")
    subsets = {
        tuple(v is None for v in row)
        for row in df.select(*catalog.SEGMENT_KEYS).distinct().collect()
    }
    assert len(subsets) == 8
    events = spark.table(settings.table("bronze", "events")).agg(F.min("event_date"), F.max("event_date")).first()
    days = df.select("metric_date").distinct().count()
    assert days >= (events[1] - events[0]).days + 1


def test_platform_total_counts_distinct_listeners_not_sums(spark, settings, tiny_gold):
    df = _gold(spark, settings, "fct_segment_daily_metrics")
    total = df.filter("country_code is null and category is null and creator_tier is null")
    listens = _bronze(spark, settings, "events", "event_id").filter(F.col("event_type") == "listen")
    expected = listens.groupBy(F.col("event_date").alias("metric_date")).agg(
        F.count("*").alias("listens"), F.countDistinct("listener_id").alias("active_listeners")
    )
    actual = total.filter("listens > 0").select("metric_date", "listens", "active_listeners")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_every_segment_counts_each_listener_once_a_day(spark, settings, tiny_gold):
    """Distinct listeners of every segment of every subset of the keys (the cube), recomputed from bronze: a listener
    who heard creators of two countries on a day counts once in each country and once on the platform."""
    creators = _bronze(spark, settings, "creators", "creator_id").select(
        "creator_id", *(F.coalesce(F.col(key), F.lit("unknown")).alias(key) for key in catalog.SEGMENT_KEYS))
    listens = (_bronze(spark, settings, "events", "event_id").filter(F.col("event_type") == "listen")
               .join(creators, "creator_id").withColumnRenamed("event_date", "metric_date"))
    subsets = itertools.chain.from_iterable(itertools.combinations(catalog.SEGMENT_KEYS, n) for n in range(len(catalog.SEGMENT_KEYS) + 1))
    expected = functools.reduce(DataFrame.unionByName, (
        listens.groupBy("metric_date", *kept).agg(F.countDistinct("listener_id").alias("active_listeners"))
        .select("metric_date", *(F.col(k) if k in kept else F.lit(None).cast("string").alias(k) for k in catalog.SEGMENT_KEYS), "active_listeners")
        for kept in subsets))
    actual = _gold(spark, settings, "fct_segment_daily_metrics").filter("active_listeners > 0").select(
        "metric_date", *catalog.SEGMENT_KEYS, "active_listeners")
    # Some listener heard creators of two segments on one day, so the coarser counts are not sums of the finer ones.
    two_segments = listens.groupBy("metric_date", "listener_id").agg(F.countDistinct(*catalog.SEGMENT_KEYS).alias("n")).filter("n > 1")
    assert two_segments.count() > 0
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_churn_guardrails_recomputed_from_bronze(spark, settings, tiny_gold):
    """Listener churn by its definition (at risk on a day: a listen of the creator in the 28 days before it;
    churned: the last listen on or before the day was exactly 28 days earlier) and pledge churn (at risk: active
    at the day's start; churned: one of those whose churned pledge ended that day), recomputed from bronze for
    every creator-day of the window. Each listen day is spread over the 28 days after it, instead of the
    model's running sums of spell changes."""
    horizon = yaml.safe_load((settings.dbt_project_dir / "dbt_project.yml").read_text())["vars"]["listener_churn_days"]
    assert horizon == 28
    events = _bronze(spark, settings, "events", "event_id")
    ads = _bronze(spark, settings, "ad_impressions", "ad_date", "episode_id")
    start, end = (events.select(F.col("event_date").alias("day")).unionByName(ads.select(F.col("ad_date").alias("day")))
                  .agg(F.min("day"), F.max("day")).first())
    assert (end - start).days > horizon + 7, "the tiny world has too few days to know any listener churn"

    listen_days = events.filter(F.col("event_type") == "listen").select("creator_id", "listener_id", "event_date").distinct()
    reached = (listen_days.select("creator_id", "listener_id", "event_date", F.explode(F.sequence(F.lit(0), F.lit(horizon))).alias("days_since"))
               .withColumn("activity_date", F.date_add("event_date", F.col("days_since"))))
    per_pair = reached.groupBy("creator_id", "listener_id", "activity_date").agg(
        F.max(F.col("days_since") >= 1).alias("at_risk"), (F.min("days_since") == horizon).alias("churned"))
    listeners = (per_pair.filter(F.col("activity_date").between(start + dt.timedelta(days=horizon), end))
                 .groupBy("creator_id", "activity_date")
                 .agg(F.count_if("at_risk").alias("listeners_at_risk"), F.count_if("churned").alias("churned_listeners")))

    days = spark.range(1).select(F.explode(F.sequence(F.lit(start), F.lit(end))).alias("activity_date"))
    day_start = F.to_timestamp("activity_date")
    pledges = (_bronze(spark, settings, "pledges", "pledge_id").filter(F.col("pledge_status") != "declined")
               .withColumn("stop", F.least("ended_at", "pause_started_at")))
    at_risk = (F.col("started_at") < day_start) & (F.col("stop").isNull() | (F.col("stop") >= day_start))
    churned = at_risk & (F.col("pledge_status") == "churned") & (F.to_date("ended_at") == F.col("activity_date"))
    pledge_days = (pledges.crossJoin(days).groupBy("creator_id", "activity_date")
                   .agg(F.count_if(at_risk).alias("pledges_at_risk"), F.count_if(churned).alias("churned_pledges")))

    columns = ["listeners_at_risk", "churned_listeners", "pledges_at_risk", "churned_pledges"]
    expected = (listeners.join(pledge_days, ["creator_id", "activity_date"], "full").fillna(0, subset=columns)
                .filter(" or ".join(f"{c} > 0" for c in columns))
                .select("creator_id", "activity_date", *(F.col(c).cast("bigint").alias(c) for c in columns)))
    actual = spark.table(settings.table("silver", "int_creator_daily_churn")).select("creator_id", "activity_date", *columns)
    assert expected.filter("churned_listeners > 0").count() > 0 and expected.filter("churned_pledges > 0").count() > 0
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


# --- independent recomputation of the creator-month mart ---------------------------------


@pytest.fixture(scope="session")
def recomputed_monthly(spark, settings, tiny_gold) -> DataFrame:
    creators = _bronze(spark, settings, "creators", "creator_id")
    pledges = _bronze(spark, settings, "pledges", "pledge_id")
    transactions = _bronze(spark, settings, "transactions", "transaction_id")
    engagement = _bronze(spark, settings, "engagement_events", "event_id")

    # the last month with any data anywhere bounds every creator's months
    last_instants = [
        creators.agg(F.max("created_at")),
        pledges.agg(F.max(F.greatest("started_at", "ended_at", "pause_started_at"))),
        transactions.agg(F.max("transaction_at")),
        _bronze(spark, settings, "posts", "post_id").agg(F.max("published_at")),
        engagement.agg(F.max("event_at")),
        _bronze(spark, settings, "events", "event_id").agg(F.max("event_ts")),
        _bronze(spark, settings, "ad_impressions", "ad_date", "episode_id").agg(F.max("ad_ts")),
        _bronze(spark, settings, "partner_program", "creator_id", "status", "lifecycle_ts").agg(F.max("lifecycle_ts")),
    ]
    last_month = max(df.first()[0] for df in last_instants if df.first()[0] is not None).date().replace(day=1)
    months = creators.select(
        "creator_id",
        F.explode(F.sequence(F.trunc("created_at", "month"), F.lit(last_month), F.expr("interval 1 month"))).alias("month_start_date"),
    ).select(
        "creator_id",
        "month_start_date",
        F.col("month_start_date").cast("timestamp").alias("s"),
        F.add_months("month_start_date", 1).cast("timestamp").alias("e"),
    )

    not_declined = pledges.filter(F.col("pledge_status") != "declined").withColumn(
        "stop", F.least("ended_at", "pause_started_at")
    )
    is_active_at_end = (F.col("started_at") < F.col("e")) & (F.col("stop").isNull() | (F.col("stop") >= F.col("e")))
    active_at_end = months.join(not_declined, on="creator_id", how="inner").filter(is_active_at_end)
    active = active_at_end.groupBy("creator_id", "month_start_date").agg(
        F.countDistinct("patron_id").alias("active_patrons"),
        F.sum("pledge_amount_usd").cast("decimal(18,2)").alias("gross_mrr_usd"),
    )
    active_previous = active.select(
        "creator_id",
        F.add_months("month_start_date", 1).alias("month_start_date"),
        F.col("active_patrons").alias("previous_active_patrons"),
    )
    churned_pledges = months.join(pledges.filter(F.col("pledge_status") == "churned"), on="creator_id", how="inner").filter(
        (F.col("ended_at") >= F.col("s")) & (F.col("ended_at") < F.col("e"))
    )
    still_active = active_at_end.select("creator_id", "month_start_date", "patron_id")
    churned = (
        churned_pledges.join(still_active, on=["creator_id", "month_start_date", "patron_id"], how="left_anti")
        .groupBy("creator_id", "month_start_date")
        .agg(F.countDistinct("patron_id").alias("churned_patrons"))
    )

    payments = transactions.filter(F.col("transaction_type") == "pledge_payment").withColumn(
        "month_start_date", F.trunc("transaction_at", "month")
    )
    is_succeeded = F.col("transaction_status") == "succeeded"
    is_failed = F.col("transaction_status") == "failed"
    payment_health = payments.groupBy("creator_id", "month_start_date").agg(
        F.sum(F.when(is_succeeded, F.col("gross_amount_usd"))).alias("collected"),
        F.sum(F.when(is_failed, F.col("gross_amount_usd"))).alias("declined"),
        F.count(F.when(is_succeeded, 1)).alias("succeeded_count"),
        F.count(F.when(is_failed, 1)).alias("failed_count"),
    )
    weights = F.create_map(*[F.lit(x) for pair in (("view", 1), ("like", 3), ("comment", 5), ("share", 7), ("unlike", 0)) for x in pair])
    engagement_monthly = engagement.groupBy("creator_id", F.trunc("event_at", "month").alias("month_start_date")).agg(
        F.sum(weights[F.col("event_type")]).cast("bigint").alias("total_engagement_score"),
        F.countDistinct("patron_id").alias("engaged_patrons"),
    )

    def pct(numerator: str, denominator: str):
        return F.round(100 * F.col(numerator).cast("double") / F.when(F.col(denominator) != 0, F.col(denominator).cast("double")), 2)

    keys = ["creator_id", "month_start_date"]
    return (
        months.select(*keys)
        .join(active, on=keys, how="left")
        .join(active_previous, on=keys, how="left")
        .join(churned, on=keys, how="left")
        .join(payment_health, on=keys, how="left")
        .join(engagement_monthly, on=keys, how="left")
        .fillna(0, subset=["active_patrons", "previous_active_patrons", "churned_patrons", "collected", "declined",
                           "succeeded_count", "failed_count", "total_engagement_score", "engaged_patrons"])
        .withColumn("gross_mrr_usd", F.coalesce("gross_mrr_usd", F.lit(0).cast("decimal(18,2)")))
        .withColumn("attempted", F.col("collected") + F.col("declined"))
        .withColumn("attempts", F.col("succeeded_count") + F.col("failed_count"))
        .select(
            *keys,
            F.col("active_patrons").cast("bigint").alias("active_patrons"),
            F.col("churned_patrons").cast("bigint").alias("churned_patrons"),
            pct("churned_patrons", "previous_active_patrons").alias("patron_churn_rate_pct"),
            "gross_mrr_usd",
            pct("collected", "attempted").alias("collection_rate_pct"),
            pct("failed_count", "attempts").alias("decline_rate_pct"),
            F.col("total_engagement_score").cast("bigint").alias("total_engagement_score"),
            F.col("engaged_patrons").cast("bigint").alias("engaged_patrons"),
        )
    )


def _mart(spark, settings, columns: list[str]) -> DataFrame:
    return _gold(spark, settings, "fct_creator_monthly_performance").select("creator_id", "month_start_date", *columns)


def test_monthly_mart_has_one_row_per_creator_month_of_the_spine(spark, settings, recomputed_monthly):
    actual = _mart(spark, settings, [])
    assert actual.count() == actual.distinct().count()
    assert_df_equality(actual, recomputed_monthly.select("creator_id", "month_start_date"), ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize(
    "columns",
    [
        ["active_patrons", "gross_mrr_usd"],
        ["churned_patrons", "patron_churn_rate_pct"],
        ["collection_rate_pct", "decline_rate_pct"],
        ["total_engagement_score", "engaged_patrons"],
    ],
    ids=["active_patrons_and_gross_mrr", "churn", "collection_and_decline_rates", "engagement"],
)
def test_monthly_mart_matches_an_independent_recomputation(spark, settings, recomputed_monthly, columns):
    actual = _mart(spark, settings, columns)
    expected = recomputed_monthly.select("creator_id", "month_start_date", *columns)
    assert_approx_df_equality(actual, expected, precision=0.005, ignore_row_order=True, ignore_nullable=True)


def test_comments_mart_matches_a_pairwise_recomputation(spark, settings, tiny_gold):
    # The definition, literally: a listener returned when any listen to the same creator
    # falls in (first listen to the episode, + 7 days]. Pairwise is fine on tiny data.
    listens = _gold(spark, settings, "fct_events").filter("is_listen").select("listener_id", "creator_id", "episode_id", "event_ts")
    first = listens.groupBy("listener_id", "creator_id", "episode_id").agg(F.min("event_ts").alias("first_at"))
    later = listens.select("listener_id", "creator_id", F.col("event_ts").alias("later_at"))
    returned = (
        first.join(later, ["listener_id", "creator_id"])
        .filter((F.col("later_at") > F.col("first_at")) & (F.col("later_at") <= F.col("first_at") + F.expr("interval 7 days")))
        .select("episode_id", "listener_id").distinct()
        .groupBy("episode_id").agg(F.count("*").cast("long").alias("returning_listeners_7d"))
    )
    per_episode = _gold(spark, settings, "fct_events").groupBy("episode_id").agg(
        F.sum(F.col("is_listen").cast("long")).alias("listens"),
        F.countDistinct(F.when(F.col("is_listen"), F.col("listener_id"))).alias("listeners"),
        F.sum((F.col("event_type") == "follow").cast("long")).alias("follows"),
    )
    columns = ["episode_id", "listens", "listeners", "follows", "returning_listeners_7d"]
    mart = _gold(spark, settings, "fct_episode_comments_impact")
    expected = (
        mart.select("episode_id")
        .join(per_episode, "episode_id", "left")
        .join(returned, "episode_id", "left")
        .fillna(0, columns[1:])
        .select(*columns)
    )
    assert returned.agg(F.sum("returning_listeners_7d")).first()[0] > 0
    assert_df_equality(mart.select(*columns), expected, ignore_row_order=True, ignore_nullable=True)


def test_monthly_podcast_columns_are_null_before_the_window_and_set_inside(spark, settings, tiny_gold):
    mart = _gold(spark, settings, "fct_creator_monthly_performance")
    window_start = spark.table(settings.table("bronze", "events")).agg(F.min("event_date")).first()[0]
    before = mart.filter(F.add_months("month_start_date", 1) <= F.lit(window_start))
    inside = mart.filter(F.add_months("month_start_date", 1) > F.lit(window_start))
    assert before.filter(F.col("listens").isNotNull() | F.col("creator_revenue_usd").isNotNull()).count() == 0
    assert inside.count() > 0
    assert inside.filter(F.col("listens").isNull()).count() == 0


# --- the sample queries (dbt analyses) ---------------------------------------------------


def test_every_analysis_compiles_and_returns_rows(spark, settings, tiny_gold):
    outcome = run_dbt(spark, settings, ["compile", "--select", "path:analyses"])
    assert outcome.success, outcome.failures
    compiled = sorted((settings.lakehouse_root / "dbt" / "target" / "compiled" / "creatorlake" / "analyses").glob("*.sql"))
    assert len(compiled) == 12
    for path in compiled:
        rows = spark.sql(path.read_text().strip().rstrip(";")).collect()
        if path.stem == "engagement_02_high_performing_creators":
            # the query's own thresholds; on a tiny lakehouse the answer may rightly be empty
            mart = _gold(spark, settings, "fct_creator_monthly_performance")
            latest = mart.agg(F.max("month_start_date")).first()[0]
            expected = mart.filter(
                (F.col("month_start_date") == latest) & (F.col("patron_engagement_rate_pct") > 50) & (F.col("gross_mrr_usd") > 1000)
            ).count()
            assert len(rows) == expected
        else:
            assert rows, f"{path.name} returned no row"


# --- "now" in silver --------------------------------------------------------------------------


def test_silver_counts_ages_up_to_the_newest_landed_batch_not_the_wall_clock(spark, settings, tiny_gold):
    # The tiny data ends months before any wall clock this suite runs on, so a
    # current_timestamp() would make every open pledge and every account older.
    landed = spark.table(settings.table("bronze", "transactions")).agg(F.max("_ingested_at")).first()[0]
    open_pledges = spark.table(settings.table("silver", "stg_pledges")).filter(F.col("stopped_at").isNull())
    assert open_pledges.count() > 0
    ends = open_pledges.select(F.date_add(F.to_date("started_at"), F.col("pledge_duration_days")).alias("end")).distinct().collect()
    assert [row.end for row in ends] == [landed.date()]
    creators = spark.table(settings.table("silver", "stg_creators"))
    ages = creators.select((F.col("account_age_months") == F.floor(F.months_between(F.lit(landed), "created_at"))).alias("ok")).distinct().collect()
    assert [row.ok for row in ages] == [True]


# --- PII ---------------------------------------------------------------------------------------


def test_silver_and_gold_hold_no_clear_email_or_patron_name(spark, settings, tiny_gold):
    def lowered(table: str, column: str) -> DataFrame:
        return spark.table(settings.table("bronze", table)).select(F.lower(column).alias("pii"))

    pii = lowered("patrons", "patron_name").union(lowered("patrons", "email")).union(lowered("creators", "email")).dropna().distinct()
    assert pii.count() > 100
    # Every string cell of every silver and gold table as (table, column, value), scanned in one job.
    cells = []
    for layer in ("silver", "gold"):
        for table in spark.catalog.listTables(settings.schema(layer)):
            if table.isTemporary:  # a dbt run's __dbt_tmp views of this session, listed in every schema
                continue
            df = spark.table(f"{settings.schema(layer)}.{table.name}")
            assert not {"email", "patron_name"} & set(df.columns), table.name
            strings = [column for column, dtype in df.dtypes if dtype == "string"]
            if strings:
                cell = [F.struct(F.lit(table.name).alias("table"), F.lit(c).alias("column"), F.col(c).alias("value")) for c in strings]
                cells.append(df.select(F.explode(F.array(*cell)).alias("cell")).select("cell.*"))
    assert len(cells) > 20
    everything = functools.reduce(DataFrame.union, cells)
    looks_like_email = F.col("value").rlike(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
    leaks = (
        everything.join(F.broadcast(pii), F.lower(F.col("value")) == F.col("pii"), "left")
        .filter(looks_like_email | F.col("pii").isNotNull())
        .select("table", "column").distinct().collect()
    )
    assert not leaks, f"clear PII in {sorted(map(tuple, leaks))}"


# --- docs and the Databricks compile path ---------------------------------------------------


def test_dbt_docs_generate_writes_the_catalog(docs_site):
    # `dbt docs generate` as `creatorlake docs` runs it (the site it completes is tested in test_dbt_docs_freshness.py).
    # dbt-spark 1.10 reads catalog columns from `show table extended`, which lists a view's
    # schema but not a Delta table's: locally the catalog holds the views (silver staging).
    assert "model.creatorlake.stg_creators" in docs_site.dbt_catalog["nodes"]
    assert docs_site.dbt_index_written


def test_transform_of_a_selection_builds_into_an_empty_lakehouse(spark, settings, tiny_bronze):
    """`creatorlake transform --select +fct_ads` on schemas where nothing is built yet: fct_ads'
    relationship test to dim_episode (outside the selection) must not run against a missing table."""
    from creatorlake.core.dbt import transform

    fresh = settings.with_schemas(silver="select_silver", gold="select_gold")
    outcome = transform(spark, fresh, select="+fct_ads")
    assert outcome.success, outcome.failures
    assert spark.table(fresh.table("gold", "fct_ads")).count() == spark.table(settings.table("bronze", "ad_impressions")).count()
    assert not spark.catalog.tableExists(fresh.table("gold", "dim_episode"))


# --- incremental == full refresh --------------------------------------------------------------


def _checksum(spark: SparkSession, settings, name: str) -> tuple:
    df = spark.table(settings.table(INCREMENTAL_MODELS[name][0], name))
    row_hash = F.xxhash64(*[F.col(c) for c in sorted(df.columns)]).cast("decimal(38,0)")
    result = df.agg(F.count("*"), F.sum(row_hash)).first()
    return tuple(result)


def _latest_version(spark: SparkSession, table: str) -> int:
    return spark.sql(f"describe history {table} limit 1").first()["version"]


def _restate_one_listen_and_drop_another(spark: SparkSession, settings, day: dt.date) -> tuple:
    """Inside the lookback, bronze lands a newer version of one listen (one second
    less listened) and loses another event. Returns the version to restore and both rows."""
    table = settings.table("bronze", "events")
    version = _latest_version(spark, table)
    listens = spark.table(table).filter((F.col("event_date") == F.lit(day)) & (F.col("event_type") == "listen") & (F.col("listened_s") > 1))
    restated, dropped = listens.orderBy("event_id").limit(2).collect()
    newer = (
        spark.createDataFrame([restated], spark.table(table).schema)
        .withColumn("listened_s", F.col("listened_s") - 1)
        .withColumn("_ingested_at", F.col("_ingested_at") + F.expr("interval 1 hour"))
        .withColumn("_batch_id", F.concat(F.col("_batch_id"), F.lit("-restated")))
    )
    newer.write.format("delta").mode("append").saveAsTable(table)
    spark.sql(f"delete from {table} where event_id = '{dropped.event_id}'")
    return version, restated, dropped


# stg_events' unique event_id test, and a test of fct_events, the view over stg_events
EVENT_TESTS = ("unique_stg_events_event_id", "not_null_columns_fct_events_creator_id")


def _compiled_test(spark: SparkSession, settings, name: str) -> str:
    """Runs the named data test and returns the SQL it ran."""
    outcome = run_dbt(spark, settings, ["test", "--select", name])
    assert outcome.success and outcome.counts == {"pass": 1}, outcome
    [compiled] = (settings.lakehouse_root / "dbt" / "target" / "run").rglob(f"{name}.sql")
    return compiled.read_text()


def test_incremental_run_then_full_refresh_give_identical_tables(spark, settings, tiny_gold):
    before = {name: _checksum(spark, settings, name) for name in INCREMENTAL_MODELS}
    # The tiny lakehouse is shared: every table this test changes goes back to its version now.
    versions = {settings.table(layer, name): _latest_version(spark, settings.table(layer, name)) for name, (layer, _) in INCREMENTAL_MODELS.items()}
    incremental_run = ["run", "--select", "config.materialized:incremental"]
    lookback_days = yaml.safe_load((settings.dbt_project_dir / "dbt_project.yml").read_text())["vars"]["lookback_days"]
    assert lookback_days > 2
    # Lose the newest two days, as if they had not arrived yet; the incremental run
    # (lookback > 2 days) must bring them back exactly.
    newest = {}
    for name, (layer, date_column) in INCREMENTAL_MODELS.items():
        table = settings.table(layer, name)
        newest[name] = spark.table(table).agg(F.max(date_column)).first()[0]
        # Delta's DELETE takes no subquery: the cut date is computed first
        spark.sql(f"delete from {table} where {date_column} > date_sub(date'{newest[name].isoformat()}', 2)")
    # Sessions crossing midnight into the sessions' cutoff day: a run that read listens
    # only from the day it rewrites, not one session gap before it, would split each
    # (its listens after midnight read as a new session) and the checksums below differ.
    sessions = spark.table(settings.table("gold", "fct_listening_sessions"))
    sessions_cutoff = newest["fct_listening_sessions"] - dt.timedelta(days=2 + lookback_days)
    assert sessions.filter((F.col("session_date") < sessions_cutoff) & (F.to_date("session_end_at") >= sessions_cutoff)).count() > 0
    # ... and, on a day the tables still hold, bronze restates one event and drops another.
    version, restated, dropped = _restate_one_listen_and_drop_another(spark, settings, newest["stg_events"] - dt.timedelta(days=3))
    try:
        incremental = run_dbt(spark, settings, incremental_run)
        assert incremental.success, incremental.failures
        after_incremental = {name: _checksum(spark, settings, name) for name in INCREMENTAL_MODELS}
        silver = spark.table(settings.table("silver", "stg_events"))
        assert silver.filter(F.col("event_id") == restated.event_id).select("listened_s").collect() == [(restated.listened_s - 1,)]
        assert silver.filter(F.col("event_id") == dropped.event_id).count() == 0
        # After an incremental run, stg_events' tests read the days that run rewrote:
        # from the newest day it had before (two days were cut) minus the lookback;
        # so do the tests of fct_events, a view passing stg_events' rows through.
        rewritten_from = newest["stg_events"] - dt.timedelta(days=2 + lookback_days)
        for test in EVENT_TESTS:
            assert f"event_date >= date'{rewritten_from.isoformat()}'" in _compiled_test(spark, settings, test)
        full = run_dbt(spark, settings, [*incremental_run, "--full-refresh"])
        assert full.success, full.failures
        after_full_refresh = {name: _checksum(spark, settings, name) for name in INCREMENTAL_MODELS}
        assert after_incremental == after_full_refresh
        # ... and after a full build, every row.
        for test in EVENT_TESTS:
            assert "event_date >=" not in _compiled_test(spark, settings, test)
        assert after_incremental["stg_events"] != before["stg_events"]
    finally:
        for table, table_version in {settings.table("bronze", "events"): version, **versions}.items():
            spark.sql(f"restore table {table} to version as of {table_version}")
