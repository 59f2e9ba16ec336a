"""Build the 13 bronze tables and land them in Delta: a fresh run, or an append of N days.

Everything is validated before the first write; each table is written in one
Delta commit (an overwrite, a MERGE, or a replaceWhere over the new days).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import replace
from typing import Any, Callable

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from creatorlake.bronze import schemas
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.generator import membership, podcast, world
from creatorlake.generator.options import GeneratorOptions, check_combinations, check_segments
from creatorlake.generator.rand import Draws
from creatorlake.generator.world import DAY, Ctx
from creatorlake.core.progress import rate, say, timed
from creatorlake.core.spark import ensure_schemas
from creatorlake.core.tables import merge_rows, read_table, replace_rows_where, replace_table, rows_written, table_exists

USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata"
META_KEY = "creatorlake.generator"
STAGE = "generate"


def default_partitions(options: GeneratorOptions, n_days: int, cores: int) -> int:
    """About one task per ~1.5M events (enough tasks to spread, few enough files), in whole
    waves of `cores` tasks: a last wave that leaves cores idle costs as long as a full one."""
    tasks = max(2 * cores, math.ceil((n_days + podcast.RETURN_WINDOW_DAYS) * options.creators / 500 / 12))
    return math.ceil(tasks / cores) * cores


def _cores(spark: SparkSession) -> int:
    """The session's cores, from its conf alone: a Spark Connect client (Databricks serverless)
    cannot ask the driver for its default parallelism."""
    parallelism = spark.conf.get("spark.default.parallelism", None)
    if parallelism:
        return max(1, int(parallelism))
    local = re.fullmatch(r"local\[(\d+)(?:,\d+)?\]", spark.conf.get("spark.master", None) or "")
    return int(local.group(1)) if local else os.cpu_count() or 1


def make_ctx(spark: SparkSession, options: GeneratorOptions, lo_day: int, hi_day: int, partitions: int | None) -> Ctx:
    return Ctx(
        spark=spark, options=options, draws=Draws(options.seed), world=options.world,
        lo_day=lo_day, hi_day=hi_day, partitions=partitions or default_partitions(options, hi_day - lo_day, _cores(spark)),
    )


# ---------------------------------------------------------------- lineage and schema

# A day's batch lands at 02:00 UTC the day after (its `_ingested_at`): the simulated landing time,
# the same on every rerun, which dbt's source freshness and silver's "now" (macro as_of) read.
BATCH_LANDS_AFTER_DAY = dt.timedelta(days=1, hours=2)
LANDING_SECONDS = int(BATCH_LANDS_AFTER_DAY.total_seconds())


def lineage(ctx: Ctx, latest_s: Column) -> list[Column]:
    """The daily batch that landed the row's current version: the day of its latest change (backfill before start)."""
    o = ctx.options
    backfill = o.start_date - dt.timedelta(days=1)
    batch_date = F.greatest(F.to_date(ctx.ts(latest_s)), F.lit(backfill))
    landed = F.timestamp_seconds(F.unix_date(batch_date).cast("long") * 86400 + LANDING_SECONDS)
    return [
        landed.alias("_ingested_at"),
        F.concat(F.lit(f"seed={o.seed}/start={o.start_date.isoformat()}/batch="), batch_date.cast("string")).alias("_batch_id"),
    ]


_DEFAULTS: dict[type, Any] = {
    T.StringType: "", T.IntegerType: 0, T.LongType: 0, T.BooleanType: False,
    T.TimestampType: dt.datetime(1970, 1, 1), T.DateType: dt.date(1970, 1, 1), T.DoubleType: 0.0,
}


def conform(df: DataFrame, table: schemas.BronzeTable) -> DataFrame:
    """Select exactly the declared columns, in order, with their types (and non-null where declared)."""
    cols = []
    for field in table.schema.fields:
        col = F.col(field.name).cast(field.dataType)
        if not field.nullable:
            default = 0 if isinstance(field.dataType, T.DecimalType) else _DEFAULTS[type(field.dataType)]
            col = F.coalesce(col, F.lit(default).cast(field.dataType))
        cols.append(col.alias(field.name))
    return df.select(*cols)


# ---------------------------------------------------------------- the tables


class World:
    """The run's internal frames, built lazily and cached where several tables read them."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self._cache: dict[str, DataFrame] = {}

    def _get(self, name: str, build: Callable[[], DataFrame], persist: bool = True) -> DataFrame:
        if name not in self._cache:
            df = build()
            if persist:
                df = df.persist(StorageLevel.MEMORY_AND_DISK)
            self._cache[name] = df
        return self._cache[name]

    def unpersist(self) -> None:
        for df in self._cache.values():
            df.unpersist()
        self._cache.clear()

    @property
    def cr(self) -> DataFrame:
        return self._get("cr", lambda: world.creators(self.ctx))

    @property
    def sh(self) -> DataFrame:
        return self._get("sh", lambda: world.shows(self.ctx, self.cr))

    @property
    def ep(self) -> DataFrame:
        return self._get("ep", lambda: world.episodes(self.ctx, self.sh))

    @property
    def li(self) -> DataFrame:
        return self._get("li", lambda: world.listeners(self.ctx), persist=False)

    @property
    def ti(self) -> DataFrame:
        return self._get("ti", lambda: world.tiers(self.ctx, self.cr))

    @property
    def pl(self) -> DataFrame:
        return self._get("pl", lambda: membership.pledges(self.ctx, self.cr, self.ti))

    @property
    def tx(self) -> DataFrame:
        return self._get("tx", lambda: membership.transactions(self.ctx, self.pl))

    @property
    def po(self) -> DataFrame:
        return self._get("po", lambda: membership.posts(self.ctx, self.cr))

    def segments(self) -> tuple[dict[str, set[str]], set[tuple[str, str, str]]]:
        rows = self.cr.select("country_code", "category", "creator_tier").distinct().collect()
        combos = {(r[0], r[1], r[2]) for r in rows}
        existing = {k: {c[i] for c in combos} for i, k in enumerate(("country_code", "category", "creator_tier"))}
        return existing, combos


def creators_table(w: World) -> DataFrame:
    ctx, r = w.ctx, w.ctx.draws
    hi = F.lit(ctx.hi_s)
    cats = ctx.world.creators.categories
    firsts = w.pl.where(~F.col("is_declined")).groupBy("ci").agg(F.min("start_s").alias("first_pledge_s"))
    lasts = w.po.groupBy("ci").agg(F.max("published_s").alias("last_post_s"))
    joins = w.sh.groupBy("ci").agg(F.min("show_created_s").alias("join_s"))
    c = w.cr.join(firsts, "ci", "left").join(lasts, "ci", "left").join(joins, "ci", "left")
    before_hi = lambda col: F.when(F.col(col) < hi, F.col(col))  # noqa: E731
    status_changed = (F.col("status_latent") != "active") & (F.col("status_change_s") < hi)
    subcats = F.create_map(*[x for k, v in cats.items() for x in (F.lit(k), F.array(*[F.lit(s) for s in v.subcategories]))])
    subcat_list = F.element_at(subcats, F.col("category"))
    subcategory = F.element_at(subcat_list, (F.floor(r.u("subcat", "ci") * F.size(subcat_list)) + 1).cast("int"))
    verified_p = F.when(F.col("creator_tier") == "star", 0.9).when(F.col("creator_tier") == "established", 0.5).otherwise(0.1)
    latest = F.greatest(
        F.col("created_s"), F.col("first_pledge_s"), F.col("last_post_s"), before_hi("comments_s"), before_hi("analytics_s"),
        before_hi("plan_change_s"), F.when(status_changed, F.col("status_change_s")), before_hi("size_tier_change_s"),
    )
    c = c.withColumn("creator_tier", F.when(F.col("size_tier_change_s") < hi, F.col("size_tier1")).otherwise(F.col("creator_tier")))
    out = c.select(
        "*",
        F.concat_ws(" ", world._word(world._ADJ, r.u("cr.n1", "ci")), world._word(world._NOUN, r.u("cr.n2", "ci"))).alias("creator_name"),
        F.format_string("creator%04d@example.com", F.col("ci") + 1).alias("email"),
        subcategory.alias("subcategory"),
        world.plan_at(hi - F.lit(1.0)).alias("plan_type"),
        (r.u("nsfw", "ci") < ctx.world.creators.nsfw_share).alias("is_nsfw"),
        (r.u("verified", "ci") < verified_p).alias("is_verified"),
        ctx.ts(F.col("created_s")).alias("created_at"),
        ctx.ts(F.col("first_pledge_s")).alias("first_pledge_received_at"),
        ctx.ts(F.col("last_post_s")).alias("last_post_at"),
        F.when(status_changed, F.col("status_latent")).otherwise("active").alias("status"),
        F.to_date(ctx.ts(F.col("join_s"))).alias("join_date"),
        ctx.ts(before_hi("comments_s")).alias("comments_enabled_at"),
        ctx.ts(before_hi("analytics_s")).alias("analytics_enabled_at"),
        ctx.ts(latest).alias("updated_at"),
        *lineage(ctx, latest),
    )
    return conform(out, schemas.CREATORS)


def shows_table(w: World) -> DataFrame:
    out = w.sh.select(
        "*", F.col("show_category").alias("_cat"), w.ctx.ts(F.col("show_created_s")).alias("created_at"), *lineage(w.ctx, F.col("show_created_s"))
    ).drop("category").withColumnRenamed("_cat", "category")
    return conform(out, schemas.SHOWS)


def episodes_table(w: World) -> DataFrame:
    out = w.ep.select("*", w.ctx.ts(F.col("publish_s")).alias("publish_ts"), *lineage(w.ctx, F.col("publish_s")))
    return conform(out, schemas.EPISODES)


def listeners_table(w: World) -> DataFrame:
    out = w.li.select("*", w.ctx.ts(F.col("signup_s")).alias("signup_ts"), *lineage(w.ctx, F.col("signup_s")))
    return conform(out, schemas.LISTENERS)


def tiers_table(w: World) -> DataFrame:
    ctx = w.ctx
    archived = F.when(F.col("archive_s") < F.lit(ctx.hi_s), F.col("archive_s"))
    raised = F.when(F.col("price_change_s") < F.lit(ctx.hi_s), F.col("price_change_s"))
    latest = F.greatest(F.col("tier_created_s"), archived, raised)
    out = w.ti.withColumn("price_usd", F.when(raised.isNotNull(), F.col("new_price_usd")).otherwise(F.col("price_usd"))).select(
        "*",
        F.concat(F.col("tier_name"), F.lit(": "), F.element_at(F.array(
            F.lit("early access to episodes"), F.lit("ad-free feed"), F.lit("bonus episodes and ad-free feed"),
            F.lit("monthly live Q&A, bonus episodes"), F.lit("everything, plus a yearly call")), F.col("tier_rank"))).alias("description"),
        archived.isNull().alias("is_active"),
        ctx.ts(F.col("tier_created_s")).alias("created_at"),
        ctx.ts(archived).alias("archived_at"),
        ctx.ts(latest).alias("updated_at"),
        *lineage(ctx, latest),
    )
    return conform(out, schemas.TIERS)


def pledges_table(w: World) -> DataFrame:
    ctx = w.ctx
    switched = F.col("switch_s") < F.lit(ctx.hi_s)
    latest = F.greatest(F.col("start_s"), F.col("ended_s"), F.col("paused_s"), F.when(switched, F.col("switch_s")))
    out = w.pl.withColumn("tier_id", F.when(switched, F.col("switch_tier_id")).otherwise(F.col("tier_id"))).select(
        "*",
        F.when(switched, F.col("switch_price_usd")).otherwise(F.col("price_usd")).alias("pledge_amount_usd"),
        ctx.ts(F.col("start_s")).alias("started_at"),
        ctx.ts(F.col("ended_s")).alias("ended_at"),
        ctx.ts(F.col("paused_s")).alias("pause_started_at"),
        ctx.ts(latest).alias("updated_at"),
        *lineage(ctx, latest),
    )
    return conform(out, schemas.PLEDGES)


def patrons_table(w: World) -> DataFrame:
    ctx, r = w.ctx, w.ctx.draws
    pl = w.pl.groupBy("pi", "patron_id").agg(
        F.min("start_s").alias("first_pledge_s"),
        F.max((F.col("pledge_status") == "active").cast("int")).alias("has_active"),
        F.max(F.greatest(F.col("start_s"), F.col("ended_s"), F.col("paused_s"))).alias("pledge_change_s"),
    )
    spend = w.tx.where(F.col("transaction_status") == "succeeded").groupBy("pi").agg(
        F.sum("gross_amount_usd").alias("spend"), F.max("ts_s").alias("last_tx_s")
    )
    li = w.li.select("li", F.col("country_code"))
    p = pl.join(spend, "pi", "left").select("*", membership.listener_of_patron(ctx).alias("li")).join(li, "li", "left")
    created = F.col("first_pledge_s") - F.lit(60.0) - r.u("pa.created", "pi") * F.lit(30 * DAY)
    out = p.select(
        "*",
        F.concat_ws(" ", world._word(["Alex", "Sam", "Maria", "Jonas", "Priya", "Chen", "Lucia", "Omar", "Emma", "Kenji", "Ana", "Noah"], r.u("pa.n1", "pi")),
                    world._word(["Smith", "Garcia", "Muller", "Rossi", "Silva", "Tanaka", "Khan", "Dubois", "Jansen", "Lopez"], r.u("pa.n2", "pi"))).alias("patron_name"),
        F.format_string("patron%05d@example.net", F.col("pi") + 1).alias("email"),
        ctx.ts(created).alias("created_at"),
        ctx.ts(F.col("first_pledge_s")).alias("first_pledge_at"),
        F.coalesce(F.col("spend"), F.lit(0)).cast("decimal(18,2)").alias("lifetime_spend_usd"),
        F.when(F.col("has_active") == 1, "active").otherwise("inactive").alias("status"),
        F.format_string("li_%07d", F.col("li") + 1).alias("listener_id"),
        *lineage(ctx, F.greatest(F.col("pledge_change_s"), F.col("last_tx_s"))),
    )
    return conform(out, schemas.PATRONS)


def transactions_table(w: World) -> DataFrame:
    ctx = w.ctx
    tx = w.tx.where(F.col("ts_s") >= F.lit(ctx.lo_s)) if ctx.lo_day > 0 else w.tx
    return conform(tx.select("*", *lineage(ctx, F.col("ts_s"))), schemas.TRANSACTIONS)


def posts_table(w: World) -> DataFrame:
    ctx = w.ctx
    out = w.po.select("*", ctx.ts(F.col("published_s")).alias("published_at"), *lineage(ctx, F.col("published_s")))
    return conform(out, schemas.POSTS)


def engagement_table(w: World) -> DataFrame:
    ctx = w.ctx
    ev = membership.engagement(ctx, w.po, w.pl)
    if ctx.lo_day > 0:
        ev = ev.where(F.col("ts_s") >= F.lit(ctx.lo_s))
    return conform(ev.select("*", *lineage(ctx, F.col("ts_s"))), schemas.ENGAGEMENT_EVENTS)


def events_table(w: World) -> DataFrame:
    ctx = w.ctx
    o = ctx.options
    event_date = F.date_add(F.lit(o.start_date), F.col("day"))
    # The batch of an event is its own day (inside the window): computed from the day index, not per timestamp.
    ev = podcast.events(ctx, w.ep, w.cr).select(
        "*",
        ctx.ts(F.col("ts_s")).alias("event_ts"),
        event_date.alias("event_date"),
        F.timestamp_seconds((F.lit(o.start_date.toordinal() - dt.date(1970, 1, 1).toordinal()) + F.col("day")).cast("long") * 86400 + LANDING_SECONDS).alias("_ingested_at"),
        F.concat(F.lit(f"seed={o.seed}/start={o.start_date.isoformat()}/batch="), event_date.cast("string")).alias("_batch_id"),
    )
    return conform(ev, schemas.EVENTS)


def ad_impressions_table(w: World, events: DataFrame) -> DataFrame:
    """Ads are served on listens: built from the events table as written (`events`), not from its plan again."""
    ctx = w.ctx
    lo, hi = ctx.options.start_date + dt.timedelta(days=ctx.lo_day), ctx.options.start_date + dt.timedelta(days=ctx.hi_day)
    daily = (
        events
        .where((F.col("event_type") == "listen") & (F.col("event_date") >= F.lit(lo)) & (F.col("event_date") < F.lit(hi)))
        .groupBy("episode_id", F.col("event_date").alias("ad_date"))
        .agg(F.count(F.lit(1)).alias("listens"))
    )
    ad = podcast.ad_impressions(ctx, daily, w.ep)
    ad_s = (F.unix_date("ad_date").cast("double") * F.lit(DAY))
    return conform(ad.select("*", *lineage(ctx, ad_s)), schemas.AD_IMPRESSIONS)


def partner_program_table(w: World) -> DataFrame:
    ctx = w.ctx
    return conform(podcast.partner_program(ctx, w.cr).select("*", *lineage(ctx, F.col("ts_s"))), schemas.PARTNER_PROGRAM)


# Write order: events before ad_impressions (read back from it); creators last, since it carries the run's metadata.
ORDER = (
    "events", "ad_impressions", "transactions", "engagement_events", "partner_program",
    "listeners", "shows", "episodes", "tiers", "pledges", "patrons", "posts", "creators",
)


def builders(w: World, written_events: Callable[[], DataFrame]) -> dict[str, Callable[[], DataFrame]]:
    """Each table's DataFrame, built when called; `written_events` reads the events table once it is written."""
    return {
        "creators": lambda: creators_table(w), "shows": lambda: shows_table(w), "episodes": lambda: episodes_table(w),
        "listeners": lambda: listeners_table(w), "patrons": lambda: patrons_table(w), "tiers": lambda: tiers_table(w),
        "pledges": lambda: pledges_table(w), "transactions": lambda: transactions_table(w), "posts": lambda: posts_table(w),
        "engagement_events": lambda: engagement_table(w), "events": lambda: events_table(w),
        "ad_impressions": lambda: ad_impressions_table(w, written_events()), "partner_program": lambda: partner_program_table(w),
    }


# ---------------------------------------------------------------- writing


def stored_options(spark: SparkSession, settings: Settings) -> GeneratorOptions:
    """The options of the run that produced the existing bronze tables (from creators' latest Delta commit)."""
    name = settings.table("bronze", "creators")
    if not table_exists(spark, name):
        raise CreatorLakeError(f"--append-days needs existing bronze tables, but {name} does not exist; run `creatorlake generate` first")
    row = spark.sql(f"describe history {name} limit 1").select("userMetadata").collect()
    try:
        meta = json.loads(row[0][0])[META_KEY]
    except (TypeError, ValueError, KeyError, IndexError):
        raise CreatorLakeError(f"{name} was not written by `creatorlake generate` (no run metadata); regenerate it") from None
    return GeneratorOptions.from_json(meta, settings)


# Tables whose rows of one date are spread over many tasks: one shuffle by date keeps it to one file per date.
CLUSTER_BY_DATE = ("transactions", "engagement_events", "ad_impressions")


def _write(df: DataFrame, table: schemas.BronzeTable, name: str, mode: str, lo: dt.date, hi: dt.date) -> None:
    if table.name in CLUSTER_BY_DATE:
        df = df.repartition(table.partition_by)
    if mode == "overwrite":
        replace_table(df, name, table.partition_by)
    elif table.kind == "event":
        column = table.partition_by or "lifecycle_ts"
        if table.partition_by:
            where = f"{column} >= DATE'{lo}' AND {column} < DATE'{hi}'"
        else:
            where = f"{column} >= TIMESTAMP'{lo} 00:00:00' AND {column} < TIMESTAMP'{hi} 00:00:00'"
        replace_rows_where(df, name, where)
    else:
        merge_rows(df, name, table.key)


def generate(
    spark: SparkSession,
    settings: Settings,
    options: GeneratorOptions,
    *,
    append_days: int | None = None,
    partitions: int | None = None,
    tables: tuple[str, ...] | None = None,
) -> dict[str, int]:
    """Generate (or, with append_days, advance) the bronze tables; returns rows per table."""
    if append_days is not None:
        if append_days <= 0:
            raise CreatorLakeError(f"--append-days must be a positive integer, not {append_days}")
        previous = stored_options(spark, settings)
        options = replace(previous, days=previous.days + append_days)
        lo_day, mode = previous.days, "append"
    else:
        lo_day, mode = 0, "overwrite"
    ctx = make_ctx(spark, options, lo_day, options.days, partitions)
    w = World(ctx)
    try:
        existing, combos = w.segments()
        check_segments(options.incidents, existing)
        check_combinations(options.incidents, combos)
        ensure_schemas(spark, settings)
        lo = options.start_date + dt.timedelta(days=lo_day)
        hi = options.end_date
        say(STAGE, f"{mode}: {options.creators:,} creators, {options.listeners:,} listeners, days {lo}..{hi - dt.timedelta(days=1)}, "
                   f"seed {options.seed}, {len(options.incidents)} incident(s) -> schema {settings.schema('bronze')}")
        meta = json.dumps({META_KEY: options.to_json()}, sort_keys=True)
        build = builders(w, lambda: read_table(spark, settings, "bronze", "events", made_by="generate"))
        counts: dict[str, int] = {}
        total_rows, total_s = 0, 0.0
        spark.conf.set(USER_METADATA, meta)
        try:
            for name in ORDER:
                if tables is not None and name not in tables:
                    continue
                table = schemas.table(name)
                full = settings.table("bronze", name)
                with timed(STAGE, name) as step:
                    _write(build[name](), table, full, mode, lo, hi)
                    step.rows = rows_written(spark, full)
                    counts[name] = spark.table(full).count() if mode == "append" else step.rows
                total_rows += step.rows
                total_s += step.elapsed
        finally:
            spark.conf.unset(USER_METADATA)
    finally:
        w.unpersist()
    say(STAGE, f"done: {rate(total_rows, total_s)} written; {len(counts)} Delta tables in schema "
               f"'{settings.schema('bronze')}' under {settings.warehouse_dir}")
    return counts
