"""The memo's Comments guardrails and decision in two worlds that differ only in the planted return-listen lift: the
suite's tiny world, whose shipped lift is too small for it to show (the rule says do not build), and its twin in
schemas of its own with a lift it can show (the rule says build). Each memo's guardrail numbers and decision must be
what its gold gives. That a world with nothing planted has no spam is the generator's test."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml
from conftest import TINY_BRONZE
from test_memo_command import comments_decision, guardrail_ratios, guardrail_row, guardrail_weeks, row_of, rule_window

from creatorlake.cli import build_parser, run_command
from creatorlake.core.dbt import run_dbt
from creatorlake.generator import GeneratorOptions, generate
from creatorlake.memo.config import load_memo_config

# The gold tables the memo reads that dbt builds (detect, explain and impact make the others).
MEMO_MARTS = ("+fct_segment_daily_metrics", "+fct_events", "+fct_creator_monthly_performance", "+fct_creator_week_panel", "+fct_partner_funnel",
              "+fct_episode_comments_impact")


# The lift world's return-listen lift. The shipped 0.25 is too small for the tiny world, where three creators adopt
# Comments inside the window: its did2s CI of the 7-day return rate spans 0 (+0.13, CI -0.05 to +0.31), so the rule
# could not say "build" there. Eight times that is plain at this size, and still a probability (0.08 x 3 = 0.24).
LIFT_WORLD_RETURN_LISTEN_LIFT = 2.0


def world(spark, settings, tmp_path_factory, name: str, effects: dict):
    """The tiny world with `effects` planted, in its own schemas: bronze, the memo's marts (no dbt tests: the suite's
    build tests the same models), detect, explain, impact and the memo."""
    conf = tmp_path_factory.mktemp(f"conf_{name}")
    shutil.copytree(settings.conf_dir, conf, dirs_exist_ok=True)
    raw = yaml.safe_load((conf / "generator.yml").read_text())
    raw["effects"] = effects
    (conf / "generator.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
    s = replace(settings, conf_dir=conf).with_schemas(bronze=f"{name}_bronze", silver=f"{name}_silver", gold=f"{name}_gold")
    generate(spark, s, GeneratorOptions.from_defaults(s, **TINY_BRONZE))
    outcome = run_dbt(spark, s, ["build", "--select", *MEMO_MARTS, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"])
    assert outcome.success, outcome.failures
    out = tmp_path_factory.mktemp(f"memo_{name}")
    for stage in (["detect"], ["explain"], ["impact"], ["memo", "--out", str(out)]):
        assert run_command(build_parser().parse_args(stage), s) == 0, stage
    return out, (out / "memo.md").read_text(), s


@pytest.fixture(scope="module")
def lift(spark, settings, tmp_path_factory):
    """The shipped effects (rising spam among them) with a return-listen lift the tiny world can show."""
    effects = yaml.safe_load((settings.conf_dir / "generator.yml").read_text())["effects"]
    effects["comments"]["return_listen_lift"] = LIFT_WORLD_RETURN_LISTEN_LIFT
    return world(spark, settings, tmp_path_factory, "lift", effects)


def decision_of(md: str) -> str:
    return row_of(md, "Improve Comments moderation and prompts").split(" | ")[1]


def test_two_worlds_memo_numbers_are_their_gold_and_the_comments_decision_follows_the_rule(spark, lift, memo):
    config = load_memo_config()
    worlds = {"lift": lift, "shipped": memo}
    decisions, weeks = {}, {}
    for name, (out, md, settings) in worlds.items():
        weeks[name] = guardrail_weeks(spark, settings)
        for guardrail, (this, before) in guardrail_ratios(weeks[name][:2]).items():
            assert row_of(md, guardrail).startswith(guardrail_row(guardrail, this, before)), (name, guardrail)
        decisions[name] = decision_of(md)
        assert decisions[name] == comments_decision(spark, settings, config, weeks[name]), name
    # Both worlds plant the same rising spam, which passes its threshold over the rule's window.
    for name in worlds:
        spam_now, spam_before = guardrail_ratios(rule_window(weeks[name], config.comments))["Spam share of comments"]
        assert spam_now - spam_before > config.comments.spam_share_rise_pp, name
    # So the decision turns on the return rate alone: its CI is above 0 with the lift the tiny world can show, and
    # spans 0 with the shipped one.
    assert decisions["lift"] == "build", row_of(lift[1], "Improve Comments moderation and prompts")
    assert decisions["shipped"] == "do not build", row_of(memo[1], "Improve Comments moderation and prompts")
