"""Memberships: pledges, transactions, patrons, posts and engagement over each creator's whole life.

Arrivals are per-creator renewal processes anchored at the creator's created_at
(pledge k starts after k hashed gaps), lifetimes are latent, and the window end
only censors them: a pledge whose latent end lies after the window end is still
active, after an append it may show up churned.
"""

from __future__ import annotations

import math

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from creatorlake.generator.rand import lookup, pick_by
from creatorlake.generator.world import DAY, Ctx, change_at, plan_at, price_at

MONTH_DAYS = 30.4375
SEGMENT = ("country_code", "category", "creator_tier")


def _renewal(ctx: Ctx, cr: DataFrame, rate: Column, salt: str, offset_days: float) -> DataFrame:
    """Rows (ci, k, at_s) of a renewal process per creator: gaps of (0.5 + u) / rate days, censored at hi."""
    r = ctx.draws
    horizon = (F.lit(ctx.hi_s) - F.col("created_s")) / F.lit(DAY)
    count = F.ceil(F.lit(2.0) * F.col("_rate") * horizon + F.lit(2.0)).cast("int")
    gaps = cr.select("*", rate.alias("_rate")).select("*", F.explode(F.sequence(F.lit(0), count)).alias("k")).select(
        "*", ((F.lit(0.5) + r.u(salt + ".gap", "ci", "k")) / F.col("_rate")).alias("_gap")
    )
    cumulative = F.sum("_gap").over(Window.partitionBy("ci").orderBy("k").rowsBetween(Window.unboundedPreceding, Window.currentRow))
    return gaps.select("*", (F.col("created_s") + F.lit(offset_days * DAY) + cumulative * F.lit(DAY)).alias("at_s")).where(
        F.col("at_s") < F.lit(ctx.hi_s)
    )


def patron_pool(ctx: Ctx) -> int:
    m = ctx.world.membership
    return max(1, min(ctx.options.listeners, round(m.patrons_per_creator * ctx.options.creators)))


def listener_of_patron(ctx: Ctx) -> Column:
    """A patron is a listener: pool index -> a distinct listener index (multiplication by a unit mod n)."""
    n = ctx.options.listeners
    a = int(n * 0.6180339887) | 1
    while math.gcd(a, n) != 1:
        a += 1
    return F.pmod(F.col("pi") * F.lit(a) + F.lit(ctx.options.seed % n), F.lit(n))


def pledges(ctx: Ctx, cr: DataFrame, ti: DataFrame) -> DataFrame:
    r, m = ctx.draws, ctx.world.membership
    rate = F.lit(m.pledges_per_creator_day) * F.pow(F.col("pop"), F.lit(m.pledge_popularity_power))
    arrivals = _renewal(ctx, cr, rate, "pl", 1.0).withColumnRenamed("at_s", "start_s")
    pool = patron_pool(ctx)
    pk = ("ci", "k")
    pl = arrivals.select("*", F.floor(r.u("pl.patron", *pk) * F.lit(float(pool))).cast("long").alias("pi"))
    # A patron pledges to a creator once (the earliest arrival wins), so no two pledges of a pair ever overlap.
    first_of_pair = Window.partitionBy("pi", "ci").orderBy("start_s", "k")
    pl = pl.withColumn("_pair_n", F.row_number().over(first_of_pair)).where(F.col("_pair_n") == 1)

    tier_weights = [(i + 1, w) for i, w in enumerate(m.tier_pick)]
    picked = F.least(pick_by(r.u("pl.tier", *pk), tier_weights), F.col("n_tiers"))
    pl = pl.select("*", picked.alias("picked_rank"))
    tier_cols = ti.select("ci", F.col("tier_rank").alias("picked_rank"), F.col("archive_s").alias("_picked_archive_s"))
    pl = pl.join(tier_cols, on=["ci", "picked_rank"], how="left")
    # New pledges cannot join an archived tier; they land on the entry tier instead.
    archived = F.col("_picked_archive_s").isNotNull() & (F.col("_picked_archive_s") <= F.col("start_s"))
    pl = pl.select("*", F.when(archived, F.lit(1)).otherwise(F.col("picked_rank")).alias("tier_rank"))
    prices = ("price_usd", "new_price_usd", "price_change_s")
    pl = pl.join(ti.select("ci", "tier_rank", "tier_id", *[F.col(c).alias(f"_t_{c}") for c in prices]), on=["ci", "tier_rank"], how="left")
    # A pledge pays its tier's price when it starts; a later price change does not touch it.
    pl = pl.select("*", price_at(F.col("start_s"), "_t_").alias("price_usd"))

    churn = lookup(dict(m.monthly_churn), F.col("creator_tier"))
    life_days = r.exp("pl.life", *pk) * F.lit(MONTH_DAYS) / churn + F.lit(1.0)
    reason = r.pick("pl.reason", m.churn_reasons, *pk)
    months_paid = F.floor(life_days / F.lit(MONTH_DAYS))
    end_s = F.when(
        F.col("churn_reason_latent") == "payment_failed",
        F.col("start_s") + (F.col("_months") * F.lit(MONTH_DAYS) + F.lit(5.0)) * F.lit(DAY),
    ).otherwise(F.col("start_s") + F.col("_life") * F.lit(DAY))
    declined = r.u("pl.declined", *pk) < m.declined_share
    pl = pl.select(
        "*", life_days.alias("_life"), reason.alias("churn_reason_latent"), months_paid.alias("_months"), declined.alias("is_declined")
    ).select("*", end_s.alias("end_s"))
    pause = F.when(
        ~F.col("is_declined") & (r.u("pl.pause", *pk) < m.pause_share),
        F.col("start_s") + r.u("pl.pause.t", *pk) * (F.col("end_s") - F.col("start_s")),
    )
    pl = pl.select("*", pause.alias("pause_s")).select(
        "*", F.when(F.col("is_declined"), F.col("start_s")).otherwise(F.least("end_s", F.coalesce("pause_s", "end_s"))).alias("stop_s")
    )
    # The pledge's one tier move (generator.yml `changes:`): to the next tier up (the top tier: one down),
    # while it is active and the new tier is not archived; from then on it pays that tier's price.
    switch_rank = F.when(F.col("tier_rank") < F.col("n_tiers"), F.col("tier_rank") + 1).otherwise(F.col("tier_rank") - 1)
    switch_at = change_at(ctx, ctx.world.changes.pledge_tier_per_day, "chg.pledge", "ci", "k", after=F.greatest(F.col("start_s"), F.lit(ctx.start_s)))
    targets = ti.select(
        "ci", F.col("tier_rank").alias("_switch_rank"), F.col("tier_id").alias("switch_tier_id"), F.col("archive_s").alias("_switch_archive_s"),
        *[F.col(c).alias(f"_s_{c}") for c in prices],
    )
    pl = pl.select("*", switch_rank.alias("_switch_rank"), switch_at.alias("_switch_at")).join(targets, on=["ci", "_switch_rank"], how="left")
    can_switch = (
        ~F.col("is_declined") & F.col("switch_tier_id").isNotNull() & (F.col("_switch_at") < F.col("stop_s"))
        & (F.col("_switch_archive_s").isNull() | (F.col("_switch_archive_s") > F.col("_switch_at")))
    )
    pl = pl.select("*", F.when(can_switch, F.col("_switch_at")).alias("switch_s"), price_at(F.col("_switch_at"), "_s_").alias("switch_price_usd"))
    is_first = F.row_number().over(Window.partitionBy("pi").orderBy("start_s", "ci", "k")) == 1
    hi = F.lit(ctx.hi_s)
    has_ended = ~F.col("is_declined") & (F.col("end_s") < hi)
    is_paused = ~F.col("is_declined") & ~has_ended & F.col("pause_s").isNotNull() & (F.col("pause_s") < hi)
    status = F.when(F.col("is_declined"), "declined").when(has_ended, "churned").when(is_paused, "paused").otherwise("active")
    return pl.select(
        "*",
        F.format_string("pl_%04d_%05d", F.col("ci") + 1, F.col("k") + 1).alias("pledge_id"),
        F.format_string("pa_%05d", F.col("pi") + 1).alias("patron_id"),
        is_first.alias("is_first_pledge"),
        status.alias("pledge_status"),
        F.when(has_ended, F.col("end_s")).alias("ended_s"),
        F.when(has_ended | is_paused, F.when(F.col("pause_s") < F.col("end_s"), F.col("pause_s"))).alias("paused_s"),
        F.when(has_ended, F.col("churn_reason_latent")).alias("churn_reason"),
    )


def _attempt(code: str, ts: Column, tx_type: str, status: Column, reason: Column, sign: int, fee_ts: Column) -> Column:
    return F.struct(
        F.lit(code).alias("code"), ts.alias("ts"), F.lit(tx_type).alias("transaction_type"), status.alias("transaction_status"),
        reason.alias("failure_reason"), F.lit(sign).alias("sign"), fee_ts.alias("fee_ts"),
    )


def transactions(ctx: Ctx, pl: DataFrame) -> DataFrame:
    """Monthly payment attempts while a pledge bills, retries after failures, rare refunds and chargebacks."""
    r, m = ctx.draws, ctx.world.membership
    hi = F.lit(ctx.hi_s)
    month = F.lit(MONTH_DAYS * DAY)
    billing_end = F.least(F.col("stop_s"), hi)
    n_months = F.greatest(F.lit(0), F.ceil((billing_end - F.col("start_s")) / month).cast("int") - 1)
    pays = pl.select("*", F.explode(F.sequence(F.lit(0), n_months)).alias("m")).select(
        "*", (F.col("start_s") + F.col("m") * month).alias("pay_s")
    ).where((F.col("pay_s") < hi) & ((F.col("pay_s") < F.col("stop_s")) | F.col("is_declined")))
    key = ("ci", "k", "m")
    fail_reason = r.pick("tx.reason", m.failure_reasons, *key)
    retry_reason = r.pick("tx.reason.retry", m.failure_reasons, *key)
    last_of_failed_churn = (F.col("churn_reason_latent") == "payment_failed") & (F.col("m") == F.col("_months"))
    first_fails = F.col("is_declined") | last_of_failed_churn | (r.u("tx.fail", *key) < m.payment_failure_prob)
    retry_s = F.col("pay_s") + F.lit(3 * DAY) + r.u("tx.retry.t", *key) * F.lit(3600.0 * 6)
    retry_ok = ~last_of_failed_churn & (r.u("tx.retry", *key) < m.retry_success_prob)
    has_retry = first_fails & ~F.col("is_declined") & (retry_s < F.col("stop_s"))
    paid_s = F.when(first_fails, retry_s).otherwise(F.col("pay_s"))
    paid = ~first_fails | (has_retry & retry_ok)
    refund = paid & (r.u("tx.refund", *key) < m.refund_prob)
    chargeback = paid & ~refund & (r.u("tx.cb", *key) < m.chargeback_prob)
    ok = F.lit("succeeded")
    attempts = F.array(
        _attempt("a", F.col("pay_s"), "pledge_payment", F.when(first_fails, "failed").otherwise(ok), F.when(first_fails, fail_reason), 1, F.col("pay_s")),
        F.when(has_retry, _attempt("b", retry_s, "pledge_payment", F.when(retry_ok, ok).otherwise("failed"), F.when(~retry_ok, retry_reason), 1, retry_s)),
        F.when(refund, _attempt("r", paid_s + F.lit(DAY) + r.u("tx.refund.t", *key) * F.lit(13 * DAY), "refund", ok, F.lit(None).cast("string"), -1, paid_s)),
        F.when(chargeback, _attempt("c", paid_s + F.lit(10 * DAY) + r.u("tx.cb.t", *key) * F.lit(45 * DAY), "chargeback", ok, F.lit(None).cast("string"), -1, paid_s)),
    )
    rows = pays.select("*", F.explode(attempts).alias("a")).where(F.col("a").isNotNull()).select(
        "*",
        F.format_string("tx_%04d_%05d_%03d", F.col("ci") + 1, F.col("k") + 1, F.col("m")).alias("_tx_base"),
    ).select(
        "*",
        F.concat(F.col("_tx_base"), F.col("a.code")).alias("transaction_id"),
        F.col("a.ts").alias("ts_s"),
        F.col("a.transaction_type").alias("transaction_type"),
        F.col("a.transaction_status").alias("_status0"),
        F.col("a.failure_reason").alias("_reason0"),
        F.col("a.sign").alias("sign"),
        F.col("a.fee_ts").alias("fee_ts"),
    ).where(F.col("ts_s") < hi)
    rows = rows.unionByName(_extra_payments(ctx, pl), allowMissingColumns=True)
    return _apply_conversion_drops(ctx, rows)


def _extra_payments(ctx: Ctx, pl: DataFrame) -> DataFrame:
    """Positive sub_conversion incidents: extra one-off payments (a promotion) from patrons active that day."""
    m = ctx.world.membership
    frames = []
    for n, incident in enumerate(ctx.options.incidents):
        if incident.driver != "sub_conversion" or incident.change <= 0:
            continue
        lo = (incident.start - ctx.options.start_date).days
        q = incident.change * (1.0 / MONTH_DAYS) * (1.0 - m.payment_failure_prob)
        day_s = F.lit(ctx.start_s) + F.col("d") * F.lit(DAY)
        rows = pl.where(ctx.in_segment(incident) & ~F.col("is_declined")).select(
            "*", F.explode(F.sequence(F.lit(lo), F.lit(lo + incident.days - 1))).alias("d")
        ).select("*", (day_s + ctx.draws.u(f"tx.x{n}.t", "ci", "k", "d") * F.lit(DAY)).alias("ts_s")).where(
            (F.col("ts_s") >= F.col("start_s")) & (F.col("ts_s") < F.col("stop_s"))
            & (ctx.draws.u(f"tx.x{n}", "ci", "k", "d") < F.lit(min(1.0, q)))
        )
        frames.append(rows.select(
            "*",
            F.format_string("tx_%04d_%05d_x%d_%d", F.col("ci") + 1, F.col("k") + 1, F.lit(n), F.col("d")).alias("transaction_id"),
            F.lit("pledge_payment").alias("transaction_type"),
            F.lit("succeeded").alias("_status0"),
            F.lit(None).cast("string").alias("_reason0"),
            F.lit(1).alias("sign"),
            F.col("ts_s").alias("fee_ts"),
            F.lit(-1).alias("m"),
        ))
    if not frames:
        return pl.limit(0).select("*", *[F.lit(None).cast(t).alias(c) for c, t in (
            ("d", "int"), ("ts_s", "double"), ("transaction_id", "string"), ("transaction_type", "string"), ("_status0", "string"),
            ("_reason0", "string"), ("sign", "int"), ("fee_ts", "double"), ("m", "int"))])
    out = frames[0]
    for f in frames[1:]:
        out = out.unionByName(f)
    return out


def _apply_conversion_drops(ctx: Ctx, rows: DataFrame) -> DataFrame:
    """Negative sub_conversion incidents: a share of the segment's successful payments that day fail instead."""
    m = ctx.world.membership
    day = ctx.day_of(F.col("ts_s"))
    drop = F.lit(False)
    for n, incident in enumerate(ctx.options.incidents):
        if incident.driver != "sub_conversion" or incident.change >= 0:
            continue
        lo = (incident.start - ctx.options.start_date).days
        hit = ctx.in_segment(incident) & (day >= lo) & (day < lo + incident.days)
        drop = drop | (hit & (ctx.draws.u(f"tx.drop{n}", "transaction_id") < F.lit(-incident.change)))
    is_payment_ok = (F.col("transaction_type") == "pledge_payment") & (F.col("_status0") == "succeeded")
    dropped = is_payment_ok & drop
    status = F.when(dropped, "failed").otherwise(F.col("_status0"))
    reason = F.when(dropped, F.lit("card_declined")).otherwise(F.col("_reason0"))
    plan = plan_at(F.col("fee_ts"))
    fee_rate = lookup(dict(m.platform_fee), plan)
    method = ctx.draws.pick("patron.method", m.payment_methods, "pi")
    proc = m.processing_fee
    proc_rate = lookup({k: v.rate for k, v in proc.items()}, F.col("payment_method"))
    proc_fixed = lookup({k: v.fixed for k, v in proc.items()}, F.col("payment_method"))
    # After a tier move the pledge bills the new tier's price (payments and their refunds alike, by fee_ts).
    amount = F.when(F.col("switch_s") <= F.col("fee_ts"), F.col("switch_price_usd")).otherwise(F.col("price_usd"))
    money = "decimal(18,2)"
    out = rows.select("*", status.alias("transaction_status"), reason.alias("failure_reason"), method.alias("payment_method"))
    is_ok = F.col("transaction_status") == "succeeded"
    gross = F.when(F.col("sign") < 0, -amount).otherwise(amount).cast(money)
    platform = F.when(is_ok, (F.col("sign") * F.round(amount * fee_rate.cast("decimal(6,4)"), 2))).otherwise(F.lit(0)).cast(money)
    processing = (
        F.when(~is_ok, F.lit(0))
        .when(F.col("transaction_type") == "pledge_payment", F.round(amount * proc_rate.cast("decimal(6,4)") + proc_fixed.cast("decimal(6,2)"), 2))
        .when(F.col("transaction_type") == "chargeback", F.lit(m.chargeback_fee_usd).cast("decimal(6,2)"))
        .otherwise(F.lit(0))
    ).cast(money)
    out = out.select("*", gross.alias("gross_amount_usd"), platform.alias("platform_fee_usd"), processing.alias("processing_fee_usd"))
    return out.select(
        "*",
        (F.col("gross_amount_usd") - F.col("platform_fee_usd") - F.col("processing_fee_usd")).cast(money).alias("net_amount_usd"),
        ctx.ts(F.col("ts_s")).alias("transaction_at"),
    ).withColumn("transaction_date", F.to_date("transaction_at"))


def posts(ctx: Ctx, cr: DataFrame) -> DataFrame:
    r, m = ctx.draws, ctx.world.membership
    rate = F.lit(m.posts_per_creator_day) * F.pow(F.col("pop"), F.lit(0.3))
    po = _renewal(ctx, cr, rate, "po", 2.0).withColumnRenamed("at_s", "published_s")
    key = ("ci", "k")
    access = r.pick("po.access", m.post_access, *key)
    min_rank = F.least(F.col("n_tiers"), F.lit(2) + F.floor(r.u("po.tier", *key) * 2).cast("int"))
    topics = ["Behind the scenes", "Bonus episode", "Q&A", "Early access", "Monthly update", "Live recording", "Patron shout-outs", "Extended cut"]
    topic = F.element_at(F.array(*[F.lit(t) for t in topics]), (F.floor(r.u("po.title", *key) * len(topics)) + 1).cast("int"))
    return po.select(
        "*",
        F.format_string("po_%04d_%04d", F.col("ci") + 1, F.col("k") + 1).alias("post_id"),
        F.concat_ws(" ", topic, F.format_string("#%d", F.col("k") + 1)).alias("title"),
        r.pick("po.type", m.post_types, *key).alias("post_type"),
        access.alias("access_level"),
        F.when(access == "tier_specific", F.format_string("ti_%04d_%d", F.col("ci") + 1, min_rank)).alias("minimum_tier_id"),
        (r.u("po.pin", *key) < 0.03).alias("is_pinned"),
    )


def engagement(ctx: Ctx, po: DataFrame, pl: DataFrame) -> DataFrame:
    """Patrons with a pledge active when a post is published engage with it over the following days."""
    r, m = ctx.draws, ctx.world.membership
    members = pl.where(~F.col("is_declined")).select(
        "ci", F.col("k").alias("pk"), "pi", "patron_id", F.col("start_s").alias("p_start_s"), F.col("stop_s").alias("p_stop_s")
    )
    pairs = po.select("ci", F.col("k").alias("qk"), "post_id", "creator_id", "published_s").join(members, on="ci", how="inner").where(
        (F.col("p_start_s") <= F.col("published_s")) & (F.col("p_stop_s") > F.col("published_s"))
    )
    key = ("ci", "qk", "pk")
    mean = m.engagement_per_patron_post
    n = F.floor(F.lit(mean) * r.exp("en.n", *key) + r.u("en.n2", *key)).cast("int")
    ev = pairs.select("*", n.alias("_n")).where(F.col("_n") > 0).select("*", F.explode(F.sequence(F.lit(0), F.col("_n") - 1)).alias("j"))
    ekey = ("ci", "qk", "pk", "j")
    ev = ev.select(
        "*",
        (F.col("published_s") + F.lit(60.0) + r.exp("en.t", *ekey) * F.lit(2 * DAY)).alias("ts_s"),
        r.pick("en.type", m.engagement_types, *ekey).alias("event_type"),
        F.format_string("ev_%04d_%04d_%05d_%d", F.col("ci") + 1, F.col("qk") + 1, F.col("pk") + 1, F.col("j")).alias("event_id"),
    ).where(F.col("ts_s") < F.lit(ctx.hi_s))
    return ev.select("*", ctx.ts(F.col("ts_s")).alias("event_at")).withColumn("event_date", F.to_date("event_at"))


SEGMENT_COLS = SEGMENT
