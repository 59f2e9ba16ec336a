"""`creatorlake docs [--out DIR]`: dbt's documentation site of the project, generated against the
local lakehouse (so its catalog holds the built tables' columns and types), as a directory that
opens from disk: `static_index.html` is the whole site in one file, `index.html` with
`manifest.json` and `catalog.json` is dbt's usual site (it needs `dbt docs serve` or any web server)."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from creatorlake.core.config import Settings
from creatorlake.core.dbt import run_dbt
from creatorlake.core.errors import WorkFailed
from creatorlake.core.progress import say
from creatorlake.core.spark import get_spark

STAGE = "docs"
SITE_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="directory for the site (default <lakehouse>/reports/dbt-docs)")


def site_dir(settings: Settings, out: str | None) -> Path:
    return Path(out).expanduser() if out else settings.lakehouse_root / "reports" / "dbt-docs"


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings.dbt_project_dir  # no dbt project (an installed wheel ships none): one line, before Spark starts
    spark = get_spark(settings, app_name="creatorlake-docs")
    # --quiet: stdout holds the site's path only; dbt still prints its errors.
    outcome = run_dbt(spark, settings, ["docs", "generate", "--static", "--quiet"])
    if not outcome.success:
        raise WorkFailed(f"dbt docs generate failed ({'; '.join(outcome.failures) or 'see the dbt log under the lakehouse'})")
    target = settings.lakehouse_root / "dbt" / "target"
    out = site_dir(settings, args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in SITE_FILES:
        shutil.copyfile(target / name, out / name)
    say(STAGE, f"dbt docs generate in {outcome.seconds:.1f}s")
    print(out / "static_index.html")
    return 0
