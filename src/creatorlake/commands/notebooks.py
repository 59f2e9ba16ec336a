"""`creatorlake notebooks run`: the analysis notebooks, executed headless against the lakehouse."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.served import running_server
from creatorlake.notebooks.execute import NOTEBOOK_GLOB, kernel_env, notebooks_dir, run_all

STAGE = "notebooks"
# Unity Catalog names: letters, digits and underscores.
_NAME = re.compile(r"^[A-Za-z0-9_]*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    run_ = sub.add_parser("run", help="execute every notebook and write it as .ipynb and HTML",
                          description="execute the analysis notebooks (notebooks/NN_*.py) headless, each in its own kernel, "
                                      "and write each as an executed .ipynb and as HTML")
    run_.add_argument("--out", metavar="DIR", help="output folder (default: <lakehouse>/reports/notebooks)")
    run_.add_argument("--notebooks", metavar="DIR", help=f"folder of the notebooks, {NOTEBOOK_GLOB} (default: notebooks/ in the repository)")
    run_.add_argument("--catalog", default="", help="the notebooks' catalog widget (default: none, the session's catalog)")
    run_.add_argument("--schema-prefix", default="", metavar="P", help="the notebooks' schema_prefix widget: read <P>gold (default: none)")
    run_.add_argument("--lakehouse", metavar="DIR", default=argparse.SUPPRESS, help="lakehouse root")


def run(args: argparse.Namespace, settings: Settings) -> int:
    for value, flag in ((args.catalog, "--catalog"), (args.schema_prefix, "--schema-prefix")):
        if not _NAME.match(value):
            raise CreatorLakeError(f"{flag} must be letters, digits and underscores, got '{value}'")
    server = running_server(settings.lakehouse_root)
    if server is not None and "SPARK_REMOTE" not in os.environ:
        # Each notebook's kernel opens the lakehouse itself; its Derby metastore admits one process.
        raise CreatorLakeError(f"a `creatorlake serve` process (pid {server.pid}) holds {settings.lakehouse_root}, and the notebooks' "
                               "kernels need its metastore: stop it first (`creatorlake serve --stop`)")
    sources = sorted(notebooks_dir(args.notebooks).glob(NOTEBOOK_GLOB))
    out = Path(args.out).expanduser() if args.out else settings.lakehouse_root / "reports" / "notebooks"
    widgets = {"catalog": args.catalog, "schema_prefix": args.schema_prefix}
    executed = run_all(sources, out, widgets, kernel_env(settings), progress=lambda message: say(STAGE, message))
    for notebook in executed:
        print(notebook.ipynb)
        print(notebook.html)
    say(STAGE, f"{len(executed)} notebooks executed; written to {out}")
    return 0
