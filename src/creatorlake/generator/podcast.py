"""Podcast streams inside the window: events, ad_impressions, partner_program.

Listens are planned per (episode, day) from the creator's popularity, weekly
seasonality, growth trend and the episode's age, then exploded to one row per
listen. A listen may bring its listener back to the show within 7 days (a
return listen) and may come with a follow, comment, share or report; Comments lift
both (the planted effect). A comment may be spam (more likely the longer its
creator's comment section has been open) and may be removed by moderation;
spam raises the report probability of the creator's listens (negative feedback). Everything is a function of the day, so a day's
rows are the same whichever run generates them.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from creatorlake.generator.membership import MONTH_DAYS
from creatorlake.generator.rand import pick_by
from creatorlake.generator.world import DAY, Ctx

RETURN_WINDOW_DAYS = 7


def _multiplicity(factor: Column, u: Column) -> Column:
    """How many rows a natural row becomes under a volume factor (expected value = factor)."""
    whole = F.floor(factor)
    return (whole + (u < (factor - whole)).cast("int")).cast("int")


def _seq(n: Column) -> Column:
    return F.when(n > 0, F.sequence(F.lit(0), n - 1)).otherwise(F.array().cast("array<int>"))


def _listener(ctx: Ctx, u: Column) -> Column:
    """A listener from the creator's audience pool; the head of the pool listens most."""
    n = ctx.options.listeners
    return F.pmod(F.col("pool_offset") + F.floor(F.col("pool") * F.pow(u, F.lit(1.6))).cast("long"), F.lit(n))


def _listener_id(number: Column) -> Column:
    """Same text as format_string('li_%07d'), without Java's formatter on the hot path."""
    digits = number.cast("string")
    return F.concat(F.lit("li_"), F.when(F.length(digits) < 7, F.lpad(digits, 7, "0")).otherwise(digits))


def episode_attrs(ep: DataFrame, ctx: Ctx) -> DataFrame:
    return ep.select(
        "episode_id", "show_id", "creator_id", "ci", "publish_s", "duration_s", "access_level", "comments_enabled", "comments_s",
        "pop", "pop_pct", "growth", "analytics_s", "pool", "pool_offset", "n_shows", "cadence",
        "country_code", "category", "creator_tier", "base_cpm", "base_fill", "cpm_mult", "base_ad_load",
        ctx.day_of(F.col("publish_s")).alias("pub_day"),
    )


def engagement_drift(ctx: Ctx) -> Column:
    """Platform-wide drift of return and follow propensities over calendar time, added to the creator's
    size factor (a confounder of any before/after comparison: the share of creators with Comments grows
    over the window). Additive, so creators' propensities move in parallel."""
    drift = ctx.world.effects.confounding.engagement_drift_per_year
    return F.lit(drift) * F.col("d") / F.lit(365.0)


def analytics_growth(ctx: Ctx) -> Column:
    """The planted Analytics effect: from the day after adoption, the creator's listens grow by an extra
    `weekly_growth_lift` of log listens per week (exp(lift * weeks since adoption))."""
    lift = ctx.world.effects.analytics.weekly_growth_lift
    weeks = F.greatest(F.lit(0.0), (F.col("d") - ctx.day_of(F.col("analytics_s"))).cast("double") / F.lit(7.0))
    return F.when(F.col("analytics_s").isNull() | F.lit(lift == 0.0), F.lit(1.0)).otherwise(F.exp(F.lit(lift) * weeks))


def spam_probability(ctx: Ctx) -> Column:
    """The planted comment spam: the probability that a comment of the creator on `day` is spam,
    spam_share on the day the creator turned Comments on plus spam_growth_per_week per whole week
    since (spammers find a comment section after it opens), capped at spam_share_max; 0 where the
    creator never turned Comments on."""
    c = ctx.world.effects.comments
    if c.spam_share == 0.0 and c.spam_growth_per_week == 0.0:
        return F.lit(0.0)
    weeks = F.greatest(F.lit(0), F.floor((F.col("day") - ctx.day_of(F.col("comments_s"))) / F.lit(7)))
    share = F.least(F.lit(c.spam_share_max), F.lit(c.spam_share) + F.lit(c.spam_growth_per_week) * weeks)
    return F.when(F.col("comments_s").isNull(), F.lit(0.0)).otherwise(share)


def listens(ctx: Ctx, ep: DataFrame) -> DataFrame:
    """One row per listen in [lo_day, hi_day), with its listener, time and seconds listened."""
    r, pod = ctx.draws, ctx.world.podcast
    effects = ctx.world.effects.comments
    tau = pod.episode_decay_days
    max_age = pod.episode_max_age_days
    sigma = pod.daily_noise_sigma
    weekday0 = ctx.options.start_date.weekday()
    weekday = F.element_at(F.array(*[F.lit(float(x)) for x in pod.weekday_factor]), (F.pmod(F.col("d") + weekday0, F.lit(7)) + 1).cast("int"))
    base_lo = ctx.lo_day - RETURN_WINDOW_DAYS
    days = ctx.spark.range(base_lo, ctx.hi_day, numPartitions=ctx.partitions).select(F.col("id").cast("int").alias("d"))
    eps = episode_attrs(ep, ctx)
    pairs = days.crossJoin(F.broadcast(eps)).where((F.col("d") >= F.col("pub_day")) & (F.col("d") < F.col("pub_day") + max_age))
    age = (F.col("d") - F.col("pub_day")).cast("double")
    access = F.when(F.col("access_level") == "patron_only", F.lit(0.3)).otherwise(F.lit(1.0))
    lam = (
        F.lit(pod.listens_per_creator_day) * F.col("pop") / F.col("n_shows") * weekday
        * F.exp(F.col("growth") * F.col("d") / F.lit(365.0))
        * F.exp(-age / F.lit(tau)) * F.col("cadence") / F.lit(tau) * access
        * F.exp(F.lit(sigma) * r.z("ls.noise", "ci", "d") - F.lit(sigma * sigma / 2))
        * analytics_growth(ctx)
    )
    origin = F.concat(F.col("episode_id"), F.lit("-"), F.date_format(ctx.date_of_day(F.col("d")), "yyyyMMdd"), F.lit("-"))
    planned = pairs.select("*", F.floor(lam + r.u("ls.n", "episode_id", "d")).cast("int").alias("n")).where(F.col("n") > 0).select(
        "*", origin.alias("_origin")
    )
    base = planned.select("*", F.explode(F.sequence(F.lit(0), F.col("n") - 1)).alias("k"))
    bk = ("episode_id", "d", "k")
    p_return = (
        F.lit(pod.return_listen_prob) * (F.lit(0.7) + F.lit(0.6) * F.col("pop_pct") + engagement_drift(ctx))
        * F.when(F.col("comments_enabled"), F.lit(1.0 + effects.return_listen_lift)).otherwise(F.lit(1.0))
    )
    return_day = F.col("d") + F.lit(1) + F.floor(r.u("ls.ret.d", *bk) * RETURN_WINDOW_DAYS).cast("int")
    n_listen = _multiplicity(ctx.incident_factor("listens", F.col("d")), r.u("ls.m", *bk))
    n_return = F.when(
        r.u("ls.ret", *bk) < p_return, _multiplicity(ctx.incident_factor("listens", F.col("rd")), r.u("ls.rm", *bk))
    ).otherwise(F.lit(0))
    # Item j of a base listen: its _nl listen copies first, then its _nr return copies. A plain
    # sequence keeps the explode in generated code (a transform() lambda would run interpreted).
    is_listen_copy = F.col("_j") < F.col("_nl")
    staged = base.select("*", return_day.alias("rd")).select("*", n_listen.alias("_nl"), n_return.alias("_nr"))
    rows = staged.select("*", F.explode(_seq(F.col("_nl") + F.col("_nr"))).alias("_j")).select(
        "*",
        F.when(is_listen_copy, F.lit("l")).otherwise(F.lit("r")).alias("code"),
        F.when(is_listen_copy, F.col("d")).otherwise(F.col("rd")).alias("day"),
        F.when(is_listen_copy, F.col("_j")).otherwise(F.col("_j") - F.col("_nl")).alias("copy"),
    ).where((F.col("day") >= ctx.lo_day) & (F.col("day") < ctx.hi_day))
    ik = ("episode_id", "d", "k", "code", "copy")
    natural = F.col("copy") == 0
    origin_listener = _listener(ctx, r.u("ls.who", *bk))
    listener = F.when(natural, origin_listener).otherwise(_listener(ctx, r.u("ls.who.c", *ik)))
    day_start = F.lit(ctx.start_s) + F.col("day") * F.lit(DAY)
    pub_offset = F.when(F.col("day") == F.col("pub_day"), F.col("publish_s") - day_start).otherwise(F.lit(0.0))
    secs = F.when(natural & (F.col("code") == "l"), r.u("ls.t", *bk)).otherwise(r.u("ls.t.c", *ik))
    seconds = day_start + pub_offset + secs * (F.lit(DAY - 1.0) - pub_offset)
    duration = F.col("duration_s").cast("double")
    p_complete = F.least(F.lit(0.8), F.greatest(F.lit(0.15), F.lit(0.85) - duration / F.lit(9000.0)))
    complete_min = F.ceil(duration * 0.9)
    listened = F.when(
        r.u("ls.done", *ik) < p_complete,
        complete_min + F.floor(r.u("ls.s", *ik) * (duration - complete_min + 1)),
    ).otherwise(F.floor(r.u("ls.s", *ik) * duration * 0.9))
    return rows.select(
        "*",
        F.concat(F.col("_origin"), F.col("k").cast("string"), F.lit("-"), F.col("code"), F.col("copy").cast("string")).alias("event_id"),
        listener.alias("li"),
        seconds.alias("ts_s"),
        F.least(F.col("duration_s"), listened.cast("int")).alias("listened_s"),
    )


def events(ctx: Ctx, ep: DataFrame, cr: DataFrame) -> DataFrame:
    """All podcast app events: listens with their follows, comments, shares and reports, plus creator-side events.

    A comment carries its moderation verdict (`is_spam`, `is_removed`; null on other events). A report is
    negative feedback on the episode: a base rate per listen, raised on episodes with comments by the spam
    their creator's section draws (the planted guardrail effect)."""
    r, pod = ctx.draws, ctx.world.podcast
    effects = ctx.world.effects.comments
    ls = listens(ctx, ep).select("*", spam_probability(ctx).alias("_p_spam"))
    size = (F.lit(0.7) + F.lit(0.6) * F.col("pop_pct") + engagement_drift(ctx))
    p_follow = F.lit(pod.follow_prob) * size * F.when(
        F.col("comments_enabled"), F.lit(1.0 + effects.follow_lift)
    ).otherwise(F.lit(1.0))
    follow = r.u("ev.f", "event_id") < p_follow
    comment = F.col("comments_enabled") & (r.u("ev.c", "event_id") < pod.comment_prob)
    share = r.u("ev.s", "event_id") < pod.share_prob
    spam_exposure = F.when(F.col("comments_enabled"), F.col("_p_spam")).otherwise(F.lit(0.0))
    p_report = F.lit(pod.report_prob) * (F.lit(1.0) + F.lit(effects.report_lift_per_spam_share) * spam_exposure)
    report = r.u("ev.r", "event_id") < p_report
    is_spam = r.u("ev.spam", "event_id") < F.col("_p_spam")
    p_removed = F.when(is_spam, F.lit(effects.spam_removal_prob)).otherwise(F.lit(effects.false_removal_prob))
    is_removed = r.u("ev.rm", "event_id") < p_removed
    empty = F.array().cast("array<string>")
    kinds = F.concat(
        F.array(F.lit("listen")),
        F.when(follow, F.array(F.lit("follow"))).otherwise(empty),
        F.when(comment, F.array(F.lit("comment"))).otherwise(empty),
        F.when(share, F.array(F.lit("share"))).otherwise(empty),
        F.when(report, F.array(F.lit("report"))).otherwise(empty),
    )
    day_end = F.lit(ctx.start_s) + (F.col("day") + 1) * F.lit(DAY) - F.lit(1.0)
    x = ls.select("*", is_spam.alias("_spam"), is_removed.alias("_removed"), F.explode(kinds).alias("event_type"))
    is_listen = F.col("event_type") == "listen"
    is_comment = F.col("event_type") == "comment"
    after = F.col("ts_s") + r.u("ev.dt", "event_id", "event_type") * (day_end - F.col("ts_s")) * 0.5
    podcast_events = x.select(
        F.when(is_listen, F.col("event_id")).otherwise(F.concat(F.col("event_id"), F.lit("."), F.substring("event_type", 1, 1))).alias("event_id"),
        F.when(is_listen, F.col("ts_s")).otherwise(after).alias("ts_s"),
        "event_type",
        _listener_id(F.col("li") + 1).alias("listener_id"),
        "day",
        "creator_id", "show_id", "episode_id",
        F.when(is_listen, F.col("listened_s")).alias("listened_s"),
        F.when(is_comment, F.col("_spam")).alias("is_spam"),
        F.when(is_comment, F.col("_removed")).alias("is_removed"),
    )
    return podcast_events.unionByName(creator_events(ctx, cr))


def creator_events(ctx: Ctx, cr: DataFrame) -> DataFrame:
    """Creator logins and Creator Analytics views, per creator per day."""
    r, pod = ctx.draws, ctx.world.podcast
    days = ctx.spark.range(ctx.lo_day, ctx.hi_day, numPartitions=max(1, ctx.partitions // 4)).select(F.col("id").cast("int").alias("d"))
    cd = days.crossJoin(F.broadcast(cr.select("ci", "creator_id", "pop_pct", "analytics_s")))
    day_start = F.lit(ctx.start_s) + F.col("d") * F.lit(DAY)
    key = ("ci", "d")
    login = r.u("cx.login", *key) < F.lit(pod.login_prob) * (F.lit(0.6) + F.lit(0.6) * F.col("pop_pct"))
    adopted_day = ctx.day_of(F.col("analytics_s"))
    uses = F.col("analytics_s").isNotNull() & (F.col("d") > adopted_day)
    n_views = F.when(uses, F.floor(F.lit(pod.analytics_views_per_day) * r.exp("cx.n", *key) + r.u("cx.n2", *key))).otherwise(F.lit(0)).cast("int")
    first_view = F.col("analytics_s").isNotNull() & (F.col("d") == adopted_day)
    # Item i of a creator-day: its login (if any), its first analytics view (if any), then its views j = 0, 1, ...
    counts = cd.select("*", login.cast("int").alias("_nlogin"), first_view.cast("int").alias("_nfirst"), n_views.alias("_nviews"))
    skipped = F.col("_nlogin") + F.col("_nfirst")
    x = counts.select("*", F.explode(_seq(skipped + F.col("_nviews"))).alias("_i")).select(
        "*",
        F.when(F.col("_i") < F.col("_nlogin"), F.lit("login")).when(F.col("_i") < skipped, F.lit("first")).otherwise(F.lit("view")).alias("code"),
        F.when(F.col("_i") < skipped, F.lit(0)).otherwise(F.col("_i") - skipped).alias("j"),
    )
    seconds = F.when(F.col("code") == "first", F.col("analytics_s")).otherwise(day_start + r.u("cx.t", "ci", "d", "code", "j") * F.lit(DAY - 1.0))
    return x.select(
        F.format_string("cx_%04d_%s_%s%d", F.col("ci") + 1, F.date_format(ctx.date_of_day(F.col("d")), "yyyyMMdd"), F.col("code"), F.col("j")).alias("event_id"),
        seconds.alias("ts_s"),
        F.col("d").alias("day"),
        F.when(F.col("code") == "login", "creator_login").otherwise("analytics_view").alias("event_type"),
        F.lit(None).cast("string").alias("listener_id"),
        "creator_id",
        F.lit(None).cast("string").alias("show_id"),
        F.lit(None).cast("string").alias("episode_id"),
        F.lit(None).cast("int").alias("listened_s"),
        F.lit(None).cast("boolean").alias("is_spam"),
        F.lit(None).cast("boolean").alias("is_removed"),
    )


def ad_impressions(ctx: Ctx, daily_listens: DataFrame, ep: DataFrame) -> DataFrame:
    """One row per episode per day with listens: slots from listens x ad load, fill by country, CPM by country and genre."""
    r, pod = ctx.draws, ctx.world.podcast
    eps = episode_attrs(ep, ctx)
    x = daily_listens.join(eps, on="episode_id", how="inner").select("*", F.datediff("ad_date", F.lit(ctx.options.start_date)).alias("d"))
    key = ("episode_id", "d")
    sigma_ad, sigma_cpm = pod.ad_noise_sigma, pod.cpm_noise_sigma
    length = F.sqrt(F.col("duration_s").cast("double") / F.lit(2520.0))
    ad_load = F.col("base_ad_load") * length * F.exp(F.lit(sigma_ad) * r.z("ad.load", *key)) * ctx.incident_factor("ad_load", F.col("d"))
    impressions = F.floor(F.col("listens") * ad_load + r.u("ad.imp", *key)).cast("long")
    fill = F.least(F.lit(1.0), F.col("base_fill") * F.exp(F.lit(sigma_ad) * r.z("ad.fill", *key)) * ctx.incident_factor("fill_rate", F.col("d")))
    filled = F.least(F.col("impressions"), F.floor(F.col("impressions") * fill + r.u("ad.fill.n", *key)).cast("long"))
    cpm = (
        F.col("base_cpm") * F.col("cpm_mult") * F.exp(F.lit(sigma_cpm) * r.z("ad.cpm", *key))
        * ctx.incident_factor("cpm", F.col("d")) * partner_cpm_factor(ctx, F.col("d"))
    )
    y = x.select("*", impressions.alias("impressions")).select(
        "*", filled.alias("filled_impressions"), F.round(cpm, 4).cast("decimal(10,4)").alias("cpm_used")
    )
    revenue = (F.col("filled_impressions").cast("decimal(18,0)") * F.col("cpm_used") / F.lit(1000)).cast("decimal(18,2)")
    return y.select(
        "*",
        revenue.alias("revenue_usd"),
        F.to_timestamp(F.concat(F.col("ad_date").cast("string"), F.lit(" 23:55:00"))).alias("ad_ts"),
    )


def partner_lifecycle(ctx: Ctx) -> dict[str, Column]:
    """The creator's Partner Program steps (flags and times), functions of `ci` and `pop_pct` only."""
    r, p = ctx.draws, ctx.world.partner_program
    key = ("ci",)
    eligible = r.u("pp.el", *key) < F.when(F.col("pop_pct") >= 0.25, F.lit(p.eligible_share)).otherwise(F.lit(0.1))
    eligible_s = F.lit(ctx.start_s) + r.exp("pp.el.t", *key) * F.lit(p.eligible_mean_days * DAY)
    applied = eligible & (r.u("pp.ap", *key) < p.apply_prob)
    applied_s = eligible_s + (F.lit(1.0) + r.exp("pp.ap.t", *key) * 6) * F.lit(DAY)
    approved = applied & (r.u("pp.ok", *key) < p.approve_prob)
    decided_s = applied_s + (F.lit(3.0) + r.u("pp.ok.t", *key) * 11) * F.lit(DAY)
    active = approved & (r.u("pp.act", *key) < p.activate_prob)
    active_s = decided_s + (F.lit(1.0) + r.u("pp.act.t", *key) * 4) * F.lit(DAY)
    return {"eligible": eligible, "eligible_s": eligible_s, "applied": applied, "applied_s": applied_s,
            "approved": approved, "decided_s": decided_s, "active": active, "active_s": active_s}


def partner_cpm_factor(ctx: Ctx, day: Column) -> Column:
    """The planted Partner Program effect: from the day after activation, the creator's ad CPM is
    multiplied by 1 + `ad_revenue_lift` (so its ad revenue at the same listens is, too)."""
    lift = ctx.world.effects.partner_program.ad_revenue_lift
    if lift == 0.0:
        return F.lit(1.0)
    steps = partner_lifecycle(ctx)
    active_day = ctx.day_of(steps["active_s"])
    return F.when(steps["active"] & (day > active_day), F.lit(1.0 + lift)).otherwise(F.lit(1.0))


def partner_program(ctx: Ctx, cr: DataFrame) -> DataFrame:
    """eligible -> applied -> approved | rejected -> active -> monthly payouts, with drop-offs at each step."""
    r, p = ctx.draws, ctx.world.partner_program
    key = ("ci",)
    steps = partner_lifecycle(ctx)
    eligible, eligible_s, applied, applied_s = steps["eligible"], steps["eligible_s"], steps["applied"], steps["applied_s"]
    approved, decided_s, active, active_s = steps["approved"], steps["decided_s"], steps["active"], steps["active_s"]
    reason = r.pick("pp.reason", p.rejection_reasons, *key)
    st = "struct<status:string,ts:double,reason:string,j:int>"
    none = F.array().cast(f"array<{st}>")

    def step(cond: Column, status: str, ts: Column, why: Column | None = None) -> Column:
        item = F.struct(F.lit(status).alias("status"), ts.alias("ts"), (why if why is not None else F.lit(None).cast("string")).alias("reason"), F.lit(-1).alias("j"))
        return F.when(cond, F.array(item)).otherwise(none)

    c = cr.select("*", eligible.alias("_el"), eligible_s.alias("eligible_s")).select(
        "*", applied.alias("_ap"), applied_s.alias("applied_s")
    ).select("*", approved.alias("_ok"), decided_s.alias("decided_s")).select("*", active.alias("_act"), active_s.alias("active_s"))
    months = F.greatest(F.lit(0), F.ceil((F.lit(ctx.hi_s) - F.col("active_s")) / F.lit(MONTH_DAYS * DAY)).cast("int"))
    payouts = F.when(
        F.col("_act"),
        F.transform(F.sequence(F.lit(1), F.greatest(F.lit(1), months)), lambda j: F.struct(
            F.lit("payout").alias("status"), (F.col("active_s") + j * F.lit(MONTH_DAYS * DAY)).alias("ts"), F.lit(None).cast("string").alias("reason"), j.alias("j"))),
    ).otherwise(none)
    items = F.concat(
        step(F.col("_el"), "eligible", F.col("eligible_s")),
        step(F.col("_ap"), "applied", F.col("applied_s")),
        step(F.col("_ok"), "approved", F.col("decided_s")),
        step(F.col("_ap") & ~F.col("_ok"), "rejected", F.col("decided_s"), reason),
        step(F.col("_act"), "active", F.col("active_s")),
        payouts,
    )
    x = c.select("*", F.explode(items).alias("it")).select(
        "*", F.col("it.status").alias("status"), F.col("it.ts").alias("ts_s"), F.col("it.reason").alias("reason"), F.col("it.j").alias("j")
    ).where((F.col("ts_s") >= F.lit(ctx.lo_s)) & (F.col("ts_s") < F.lit(ctx.hi_s)))
    amount = F.lit(p.payout_per_popularity_usd) * F.col("pop") * (F.lit(0.8) + r.u("pp.pay", "ci", "j") * 0.4) * F.exp(
        F.col("growth") * (F.col("ts_s") - F.lit(ctx.start_s)) / F.lit(365 * DAY)
    )
    return x.select(
        "*",
        ctx.ts(F.col("ts_s")).alias("lifecycle_ts"),
        F.when(F.col("status") == "payout", F.round(amount, 2)).cast("decimal(18,2)").alias("payout_usd"),
    )


__all__ = ["events", "ad_impressions", "partner_program", "listens", "pick_by"]
