"""Invariants, keys and realism of the shared tiny bronze lakehouse (the bronze contract)."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from creatorlake.bronze import schemas

pytestmark = pytest.mark.usefixtures("tiny_bronze")


def bronze(spark, settings, name):
    return spark.table(settings.table("bronze", name))


@pytest.mark.parametrize("table", schemas.TABLES, ids=lambda t: t.name)
def test_every_table_has_exactly_its_declared_columns_and_types(spark, settings, table):
    actual = bronze(spark, settings, table.name).schema
    assert [(f.name, f.dataType) for f in actual.fields] == [(f.name, f.dataType) for f in table.schema.fields]


@pytest.mark.parametrize("table", schemas.TABLES, ids=lambda t: t.name)
def test_keys_are_unique_and_not_null(spark, settings, table):
    df = bronze(spark, settings, table.name)
    key = list(table.key)
    assert df.where(" or ".join(f"{k} is null" for k in key)).count() == 0
    assert df.groupBy(*key).count().where("count > 1").count() == 0


FOREIGN_KEYS = [
    ("shows", "creator_id", "creators", "creator_id"),
    ("episodes", "show_id", "shows", "show_id"),
    ("episodes", "creator_id", "creators", "creator_id"),
    ("patrons", "listener_id", "listeners", "listener_id"),
    ("tiers", "creator_id", "creators", "creator_id"),
    ("pledges", "patron_id", "patrons", "patron_id"),
    ("pledges", "creator_id", "creators", "creator_id"),
    ("pledges", "tier_id", "tiers", "tier_id"),
    ("transactions", "pledge_id", "pledges", "pledge_id"),
    ("transactions", "patron_id", "patrons", "patron_id"),
    ("transactions", "creator_id", "creators", "creator_id"),
    ("posts", "creator_id", "creators", "creator_id"),
    ("posts", "minimum_tier_id", "tiers", "tier_id"),
    ("engagement_events", "post_id", "posts", "post_id"),
    ("engagement_events", "patron_id", "patrons", "patron_id"),
    ("engagement_events", "creator_id", "creators", "creator_id"),
    ("events", "listener_id", "listeners", "listener_id"),
    ("events", "creator_id", "creators", "creator_id"),
    ("events", "show_id", "shows", "show_id"),
    ("events", "episode_id", "episodes", "episode_id"),
    ("ad_impressions", "episode_id", "episodes", "episode_id"),
    ("ad_impressions", "show_id", "shows", "show_id"),
    ("ad_impressions", "creator_id", "creators", "creator_id"),
    ("partner_program", "creator_id", "creators", "creator_id"),
]


@pytest.mark.parametrize("child,column,parent,key", FOREIGN_KEYS, ids=lambda x: str(x))
def test_foreign_key_resolves(spark, settings, child, column, parent, key):
    children = bronze(spark, settings, child).where(F.col(column).isNotNull()).select(F.col(column).alias("k"))
    parents = bronze(spark, settings, parent).select(F.col(key).alias("k"))
    assert children.join(parents, "k", "left_anti").count() == 0


def test_denormalised_creator_and_show_ids_agree(spark, settings):
    ep = bronze(spark, settings, "episodes").select("episode_id", F.col("show_id").alias("s"), F.col("creator_id").alias("c"))
    sh = bronze(spark, settings, "shows").select(F.col("show_id").alias("s"), F.col("creator_id").alias("sc"))
    assert ep.join(sh, "s").where("c <> sc").count() == 0
    for name in ("events", "ad_impressions"):
        rows = bronze(spark, settings, name).where("episode_id is not null").join(ep, "episode_id")
        assert rows.where("creator_id <> c or show_id <> s").count() == 0
    tx = bronze(spark, settings, "transactions").join(
        bronze(spark, settings, "pledges").select("pledge_id", F.col("patron_id").alias("p"), F.col("creator_id").alias("c")), "pledge_id"
    )
    assert tx.where("patron_id <> p or creator_id <> c").count() == 0


def test_no_event_precedes_its_listeners_signup_or_its_episodes_publish(spark, settings):
    ev = bronze(spark, settings, "events")
    li = bronze(spark, settings, "listeners").select("listener_id", "signup_ts")
    ep = bronze(spark, settings, "episodes").select("episode_id", "publish_ts")
    assert ev.join(li, "listener_id").where("event_ts < signup_ts").count() == 0
    assert ev.join(ep, "episode_id").where("event_ts < publish_ts").count() == 0


def test_transaction_amounts_add_up_to_the_cent_and_reversals_are_negative(spark, settings):
    tx = bronze(spark, settings, "transactions")
    assert tx.where("gross_amount_usd <> platform_fee_usd + processing_fee_usd + net_amount_usd").count() == 0
    assert tx.where("transaction_type in ('refund', 'chargeback') and gross_amount_usd >= 0").count() == 0
    assert tx.where("transaction_type = 'pledge_payment' and gross_amount_usd <= 0").count() == 0
    assert {r[0] for r in tx.select("transaction_type").distinct().collect()} <= {"pledge_payment", "refund", "chargeback"}


def test_platform_fee_follows_the_plan_schedule(spark, settings):
    tx = bronze(spark, settings, "transactions").where("transaction_type = 'pledge_payment' and transaction_status = 'succeeded'")
    rate = F.col("platform_fee_usd") / F.col("gross_amount_usd")
    rates = {round(float(r[0]), 2) for r in tx.select(F.round(rate, 2)).distinct().collect()}
    assert rates <= {0.05, 0.08, 0.12}


def test_ad_revenue_is_filled_times_cpm_to_the_cent(spark, settings):
    ad = bronze(spark, settings, "ad_impressions")
    assert ad.where("filled_impressions > impressions or filled_impressions < 0").count() == 0
    exact = F.col("filled_impressions").cast("decimal(20,0)") * F.col("cpm_used") / F.lit(1000)
    assert ad.where(F.abs(F.col("revenue_usd") - exact) > F.lit(0.005)).count() == 0


def test_ad_impressions_has_one_row_per_episode_day_with_listens(spark, settings):
    listens = bronze(spark, settings, "events").where("event_type = 'listen'").select("episode_id", F.col("event_date").alias("ad_date")).distinct()
    ad = bronze(spark, settings, "ad_impressions").select("episode_id", "ad_date")
    assert listens.exceptAll(ad).count() == 0 and ad.exceptAll(listens).count() == 0


def test_a_patron_never_has_two_open_pledges_to_one_creator(spark, settings):
    pl = bronze(spark, settings, "pledges").where("pledge_status <> 'declined'").select(
        "pledge_id", "patron_id", "creator_id", "started_at", F.coalesce("ended_at", "pause_started_at").alias("stop")
    )
    a, b = pl.alias("a"), pl.alias("b")
    overlap = a.join(b, (F.col("a.patron_id") == F.col("b.patron_id")) & (F.col("a.creator_id") == F.col("b.creator_id"))
                     & (F.col("a.pledge_id") < F.col("b.pledge_id")), "inner").where(
        (F.col("a.started_at") < F.coalesce(F.col("b.stop"), F.lit("9999-01-01").cast("timestamp")))
        & (F.col("b.started_at") < F.coalesce(F.col("a.stop"), F.lit("9999-01-01").cast("timestamp")))
    )
    assert overlap.count() == 0


def test_enumerations_hold(spark, settings):
    def values(table, column):
        return {r[0] for r in bronze(spark, settings, table).select(column).distinct().collect()}

    assert values("events", "event_type") <= {"listen", "follow", "comment", "share", "report", "analytics_view", "creator_login"}
    assert schemas.EVENTS.columns[2].enum == ("listen", "follow", "comment", "share", "report", "analytics_view", "creator_login")
    assert values("partner_program", "status") <= {"eligible", "applied", "approved", "active", "payout", "rejected"}
    assert values("pledges", "pledge_status") <= {"active", "paused", "churned", "declined"}
    assert values("transactions", "transaction_status") <= {"pending", "succeeded", "failed", "refunded"}
    assert values("creators", "plan_type") <= {"lite", "pro", "premium"}
    assert values("creators", "creator_tier") == {"emerging", "established", "star"}
    assert values("posts", "access_level") <= {"public", "patron_only", "tier_specific"}
    assert values("engagement_events", "event_type") <= {"view", "like", "unlike", "comment", "share"}
    pp = bronze(spark, settings, "partner_program")
    assert pp.where("status = 'rejected' and reason is null").count() == 0
    assert pp.where("(status = 'payout') <> (payout_usd is not null)").count() == 0


def test_segment_attributes_are_never_null(spark, settings):
    cr = bronze(spark, settings, "creators")
    assert cr.where("country_code is null or category is null or creator_tier is null").count() == 0


def test_pledge_state_columns_agree_with_status(spark, settings):
    pl = bronze(spark, settings, "pledges")
    assert pl.where("pledge_status = 'churned' and (ended_at is null or churn_reason is null)").count() == 0
    assert pl.where("pledge_status <> 'churned' and (ended_at is not null or churn_reason is not null)").count() == 0
    assert pl.where("pledge_status = 'paused' and pause_started_at is null").count() == 0
    assert pl.where("ended_at < started_at or pause_started_at < started_at").count() == 0


def test_podcast_streams_stay_inside_the_window_and_memberships_reach_back(spark, settings):
    from creatorlake.generator import GeneratorOptions
    from conftest import TINY_BRONZE

    options = GeneratorOptions.from_defaults(settings, **TINY_BRONZE, incidents=None)
    ev = bronze(spark, settings, "events").agg(F.min("event_date"), F.max("event_date")).collect()[0]
    assert ev[0] >= options.start_date and ev[1] < options.end_date
    tx_first = bronze(spark, settings, "transactions").agg(F.min("transaction_date")).collect()[0][0]
    assert tx_first < options.start_date


def test_listens_dominate_events_and_popularity_is_heavy_tailed(spark, settings):
    ev = bronze(spark, settings, "events")
    by_type = dict(ev.groupBy("event_type").count().collect())
    assert by_type["listen"] > 0.8 * sum(by_type.values())
    per_creator = sorted((r[1] for r in ev.where("event_type = 'listen'").groupBy("creator_id").count().collect()), reverse=True)
    top_share = sum(per_creator[: max(1, len(per_creator) // 5)]) / sum(per_creator)
    assert top_share > 0.4  # the top fifth of creators get far more than a fifth of listens


def test_bigger_creators_adopt_comments_earlier(spark, settings):
    cr = bronze(spark, settings, "creators").where("comments_enabled_at is not null")
    order = {"star": 0, "established": 1, "emerging": 2}
    means = {r[0]: r[1] for r in cr.groupBy("creator_tier").agg(F.avg(F.unix_timestamp("comments_enabled_at"))).collect()}
    tiers = sorted(means, key=order.get)
    assert [means[t] for t in tiers] == sorted(means[t] for t in tiers)


def test_comments_lift_follows_and_return_listens_within_creators(spark, settings):
    """Within each creator, episodes with Comments get more follows and more return listens per listen."""
    from pyspark.sql import Window

    ev = bronze(spark, settings, "events").where("episode_id is not null")
    ep = bronze(spark, settings, "episodes").select("episode_id", "comments_enabled")
    listens = ev.where("event_type = 'listen'")
    # A return listen: the listener listened to the same episode in the 7 days before.
    w = Window.partitionBy("listener_id", "episode_id").orderBy("event_ts")
    previous = F.lag("event_ts").over(w)
    returns = listens.select("*", previous.alias("prev")).where(
        F.col("prev").isNotNull() & (F.unix_timestamp("event_ts") - F.unix_timestamp("prev") <= 7 * 86400)
    )
    per = (
        listens.groupBy("creator_id", "episode_id").agg(F.count(F.lit(1)).alias("listens"))
        .join(ev.where("event_type = 'follow'").groupBy("episode_id").agg(F.count(F.lit(1)).alias("follows")), "episode_id", "left")
        .join(returns.groupBy("episode_id").agg(F.count(F.lit(1)).alias("returns")), "episode_id", "left")
        .join(ep, "episode_id")
        .fillna(0, ["follows", "returns"])
        .groupBy("creator_id", "comments_enabled").agg(F.sum("listens").alias("l"), F.sum("follows").alias("f"), F.sum("returns").alias("r"))
    )
    rows = per.collect()
    by_creator: dict[str, dict[bool, tuple[int, int, int]]] = {}
    for row in rows:
        by_creator.setdefault(row["creator_id"], {})[row["comments_enabled"]] = (row["l"], row["f"], row["r"])
    both = {c: v for c, v in by_creator.items() if True in v and False in v}
    assert both, "some creators must have episodes with and without Comments"

    def lift(i: int) -> float:
        # Mantel-Haenszel style pooled ratio: compares on/off within each creator.
        num = sum(v[True][i] * v[False][0] / (v[True][0] + v[False][0]) for v in both.values())
        den = sum(v[False][i] * v[True][0] / (v[True][0] + v[False][0]) for v in both.values())
        return num / den

    assert lift(1) > 1.1
    assert lift(2) > 1.1


def test_only_comments_carry_a_moderation_verdict_and_spam_and_reports_are_planted(spark, settings):
    """is_spam and is_removed are set on every comment and on nothing else; the shipped effects plant spam,
    removals (mostly of spam) and reports."""
    events = bronze(spark, settings, "events")
    verdicts = events.groupBy((F.col("event_type") == "comment").alias("is_comment")).agg(
        F.count_if(F.col("is_spam").isNull() | F.col("is_removed").isNull()).alias("missing"),
        F.count_if(F.col("is_spam").isNotNull() | F.col("is_removed").isNotNull()).alias("set"),
        F.count("*").alias("n"),
    )
    by_kind = {r["is_comment"]: r for r in verdicts.collect()}
    assert by_kind[True]["missing"] == 0 and by_kind[False]["set"] == 0
    comments = events.where("event_type = 'comment'").agg(
        F.count_if("is_spam").alias("spam"), F.count_if(F.expr("is_spam and is_removed")).alias("spam_removed"),
        F.count_if(F.expr("not is_spam and is_removed")).alias("ham_removed"), F.count("*").alias("n"),
    ).first()
    assert 0 < comments["spam"] < comments["n"]
    assert comments["spam_removed"] > comments["ham_removed"]
    assert events.where("event_type = 'report'").count() > 0
