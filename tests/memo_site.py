"""The tiny lakehouse's memo, written once per session (registered in conftest)."""

from __future__ import annotations

import pytest

from creatorlake.cli import build_parser, run_command


@pytest.fixture(scope="session")
def memo(spark, explained, tmp_path_factory):
    """The memo of the tiny lakehouse after `impact`, as `creatorlake run` leaves it."""
    if not spark.catalog.tableExists(explained.table("gold", "feature_impact")):
        assert run_command(build_parser().parse_args(["impact"]), explained) == 0
    out = tmp_path_factory.mktemp("memo")
    assert run_command(build_parser().parse_args(["memo", "--out", str(out)]), explained) == 0
    return out, (out / "memo.md").read_text(), explained
