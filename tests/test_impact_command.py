"""`creatorlake impact` on bad input: a one-line error naming the problem, exit 2, no table written."""

from __future__ import annotations

import pandas as pd
import pytest

from creatorlake.cli import run_here
from creatorlake.core.errors import CreatorLakeError
from creatorlake.impact.features import estimate_all

RESULT_TABLES = ("feature_impact", "feature_impact_event_study", "feature_impact_balance", "partner_cohort_trajectory")


def test_a_lakehouse_without_the_panels_is_a_one_line_error(spark, settings, lakehouse, capsys):
    panel = settings.table("gold", "fct_creator_week_panel")
    if spark.catalog.tableExists(panel):
        pytest.skip("this session's lakehouse already has the panel")
    code = run_here(["impact", "--lakehouse", str(lakehouse)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("creatorlake: error:") and "fct_creator_week_panel" in err[-1]
    assert not any(spark.catalog.tableExists(settings.table("gold", t)) for t in RESULT_TABLES)


def panel_without(**columns) -> pd.DataFrame:
    weeks = pd.date_range("2026-02-02", periods=6, freq="7D")
    rows = [{"creator_id": f"cr_{i}", "week_start_date": w, "comments_adoption_week": None, "analytics_adoption_week": None,
             "partner_eligible_week": None, "partner_active_week": None, "comments_enabled_listen_share": 0.0,
             "listens": 100, "follows": 1, "first_listens": 50, "returning_first_listens_7d": 5, "return_rate_7d": 0.1,
             "creator_tier": "emerging", "category": "news", "country_code": "US"} for i in range(20) for w in weeks]
    return pd.DataFrame(rows).drop(columns=list(columns))


def test_a_panel_without_adoption_columns_names_the_column():
    with pytest.raises(CreatorLakeError, match="comments_adoption_week"):
        estimate_all(panel_without(comments_adoption_week=True), pd.DataFrame())


def test_an_outcome_without_variance_names_the_outcome():
    # Every creator-week has the same return rate: nothing to estimate, and the error says which outcome.
    with pytest.raises(CreatorLakeError, match="return_rate_7d has no variance"):
        estimate_all(panel_without(), pd.DataFrame())
