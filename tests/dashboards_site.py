"""The dashboards' static site rendered once per session over the tiny lakehouse (detect and explain run first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from creatorlake.cli import build_parser, run_command


@pytest.fixture(scope="session")
def explained(spark, settings, tiny_gold):
    """The tiny lakehouse with its anomalies and their explanations, as `make run` leaves it."""
    for stage in ("detect", "explain"):
        assert run_command(build_parser().parse_args([stage]), settings) == 0
    return settings


@pytest.fixture(scope="session")
def rendered_site(explained, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dashboards") / "site"
    assert run_command(build_parser().parse_args(["dashboards", "render", "--out", str(out)]), explained) == 0
    return out
