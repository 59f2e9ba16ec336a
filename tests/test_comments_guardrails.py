"""The Comments guardrails end to end: the spam share of comments, the removed share and negative feedback per 1,000
listens that the generator plants (`effects.comments`) are recovered from the tiny world's gold within their
sampling error. The memo's side is in test_comments_two_worlds.py."""

from __future__ import annotations

import math

from conftest import TINY_BRONZE
from pyspark.sql import functions as F

from creatorlake.generator import GeneratorOptions
from creatorlake.generator.options import load_generator_settings

# A planted rate is recovered when gold's count lies within this many standard deviations of its expectation.
Z = 4.0


def planted_probabilities(spark, settings):
    """Every listen and comment of bronze with the probabilities the generator drew it with (the planted model of
    generator.yml, written here from its documentation): `p_spam` of the creator that day, and for listens
    `p_report` (a report follows the listen)."""
    world = load_generator_settings(settings.conf_dir).world
    c, base = world.effects.comments, world.podcast.report_prob
    start = GeneratorOptions.from_defaults(settings, **TINY_BRONZE).start_date
    events = spark.table(settings.table("bronze", "events")).where(F.col("event_type").isin("listen", "comment"))
    creators = spark.table(settings.table("bronze", "creators")).select("creator_id", "comments_enabled_at")
    episodes = spark.table(settings.table("bronze", "episodes")).select("episode_id", "comments_enabled")
    adopted_day = F.datediff(F.to_date("comments_enabled_at"), F.lit(start))
    weeks = F.greatest(F.lit(0), F.floor((F.datediff("event_date", F.lit(start)) - adopted_day) / 7))
    p_spam = F.when(F.col("comments_enabled_at").isNull(), F.lit(0.0)).otherwise(
        F.least(F.lit(c.spam_share_max), F.lit(c.spam_share) + F.lit(c.spam_growth_per_week) * weeks))
    exposure = F.when(F.col("comments_enabled"), F.col("p_spam")).otherwise(F.lit(0.0))
    return (events.join(creators, "creator_id").join(episodes, "episode_id").select("*", p_spam.alias("p_spam"))
            .select("*", (F.lit(base) * (1 + F.lit(c.report_lift_per_spam_share) * exposure)).alias("p_report"),
                    (F.col("p_spam") * c.spam_removal_prob + (1 - F.col("p_spam")) * c.false_removal_prob).alias("p_removed")))


def within_sampling_error(observed: float, probabilities: dict) -> bool:
    """observed count against the sum of independent Bernoulli probabilities: |observed - mean| <= Z sd."""
    return abs(observed - probabilities["mean"]) <= Z * math.sqrt(probabilities["var"])


def bernoulli(df, p: str) -> dict:
    row = df.agg(F.sum(p).alias("mean"), F.sum(F.col(p) * (1 - F.col(p))).alias("var"), F.count("*").alias("n")).first()
    return {"mean": float(row["mean"]), "var": float(row["var"]), "n": int(row["n"])}


def test_planted_spam_removal_and_negative_feedback_are_recovered_from_gold(spark, settings, tiny_gold):
    planted = planted_probabilities(spark, settings)
    comments, listens = planted.where("event_type = 'comment'"), planted.where("event_type = 'listen'")
    spam, removed, reports = bernoulli(comments, "p_spam"), bernoulli(comments, "p_removed"), bernoulli(listens, "p_report")
    gold = spark.table(settings.table("gold", "fct_creator_week_panel")).agg(
        *(F.sum(c).alias(c) for c in ("comments", "spam_comments", "removed_comments", "negative_feedback", "listens"))).first()
    assert gold["comments"] == spam["n"] > 0 and gold["listens"] == reports["n"]
    # Recovered as rates: gold's share against the planted expectation, within Z standard errors of the sample.
    assert within_sampling_error(gold["spam_comments"], spam), (gold["spam_comments"] / gold["comments"], spam["mean"] / spam["n"])
    assert within_sampling_error(gold["removed_comments"], removed), (gold["removed_comments"] / gold["comments"], removed["mean"] / removed["n"])
    assert within_sampling_error(gold["negative_feedback"], reports), (1000 * gold["negative_feedback"] / gold["listens"], 1000 * reports["mean"] / reports["n"])
    # The planted spam is not the base rate: without it, feedback would sit at report_prob (outside the error band).
    base = load_generator_settings(settings.conf_dir).world.podcast.report_prob * reports["n"]
    assert gold["negative_feedback"] > base
    # And the segment-day mart, which detection scores, carries the same counts on its platform rows.
    platform = spark.table(settings.table("gold", "fct_segment_daily_metrics")).where(
        "country_code is null and category is null and creator_tier is null").agg(F.sum("spam_comments"), F.sum("negative_feedback")).first()
    assert tuple(platform) == (gold["spam_comments"], gold["negative_feedback"])
