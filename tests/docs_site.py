"""dbt's documentation site generated once per session over the tiny lakehouse, by `creatorlake docs`:
each `dbt docs generate` compiles the whole project and describes every schema, so the tests that
check the site and dbt's own catalog read one run."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from creatorlake.cli import main


@dataclass(frozen=True)
class DocsSite:
    out: Path  # the site the command wrote (--out)
    stdout: str
    dbt_catalog: dict  # catalog.json as `dbt docs generate` wrote it in dbt's target, before the command completed it
    dbt_index_written: bool  # dbt wrote index.html in its target


@pytest.fixture(scope="session")
def docs_site(settings, tiny_gold, tmp_path_factory) -> DocsSite:
    out = tmp_path_factory.mktemp("dbt-docs") / "site"
    target = settings.lakehouse_root / "dbt" / "target"
    for name in ("catalog.json", "index.html"):  # what the run below writes, not an earlier run
        (target / name).unlink(missing_ok=True)
    with contextlib.redirect_stdout(io.StringIO()) as stdout:
        assert main(["docs", "--out", str(out)]) == 0
    return DocsSite(out, stdout.getvalue(), json.loads((target / "catalog.json").read_text()), (target / "index.html").exists())
