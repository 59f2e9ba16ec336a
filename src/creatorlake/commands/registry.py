"""The registry of `creatorlake` subcommands: their modules, the pipeline order, and the parser.

Each subcommand lives in a module of this package with `add_arguments(parser)` and
`run(args, settings) -> int`. The modules are named here, not imported (importlib loads
them when the parser is built), so a command may import the registry (the `databricks
stage` command runs the other stages) without a cycle. `creatorlake.cli` is the entry point.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Callable, NoReturn, Sequence

from creatorlake.core.config import Settings

PROG = "creatorlake"

# name -> (module, one-line help). Order is pipeline order: `run` goes through them in it.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("creatorlake.commands.generate", "generate synthetic bronze Delta tables"),
    "ingest": ("creatorlake.commands.ingest", "land CSV / JSON-lines files in bronze; bad rows go to bronze._quarantine"),
    "quarantine": ("creatorlake.commands.quarantine", "list, show or retry the rows ingestion quarantined"),
    "transform": ("creatorlake.commands.transform", "build silver and gold with dbt (local target)"),
    "freshness": ("creatorlake.commands.freshness", "dbt source freshness: is every daily bronze batch in?"),
    "docs": ("creatorlake.commands.docs", "generate dbt's documentation site of the project under the lakehouse"),
    "detect": ("creatorlake.commands.detect", "flag rolling z-score anomalies per segment"),
    "alerts": ("creatorlake.commands.alerts", "raise new anomaly and creator-health alerts once; --fail-on exits 1 on one"),
    "explain": ("creatorlake.commands.explain", "decompose revenue changes into their drivers"),
    "evaluate": ("creatorlake.commands.evaluate", "score the anomalies and explanations against planted incidents"),
    "impact": ("creatorlake.commands.impact", "estimate the causal impact of Comments, Analytics and the Partner Program"),
    "dashboards": ("creatorlake.commands.dashboards", "build the Lakeview dashboards, or render them as a static site"),
    "verify": ("creatorlake.commands.verify", "reconcile money and counts per month bronze -> silver -> gold"),
    "memo": ("creatorlake.commands.memo", "write the product memo (what happened, why, what to build next) from the gold tables"),
    "notebooks": ("creatorlake.commands.notebooks", "run the analysis notebooks headless and write them as .ipynb and HTML"),
    "sql": ("creatorlake.commands.sql", "run a SQL query against the local lakehouse"),
    "metrics": ("creatorlake.commands.metrics", "query the semantic layer's metrics (MetricFlow) on the local lakehouse"),
    "databricks": ("creatorlake.commands.databricks", "the deployed bundle: job runs, table counts, remote SQL"),
    "serve": ("creatorlake.commands.serve", "keep the lakehouse's Spark session warm: later commands run in it"),
}
PIPELINE = ("generate", "transform", "detect", "explain", "impact", "verify", "memo")
EXIT_CODES = (
    "exit status: 0 when the command succeeded; 1 when its work failed (a query that fails while it runs, "
    "say on a division by zero or a value that does not cast); 2 for bad input (a bad flag or config, SQL that does not parse "
    "or names a table or column that does not exist). Every error is one line on stderr."
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show Spark's own logs, at INFO ($CREATORLAKE_LOG_LEVEL picks another level; a running server keeps its own)",
    )
    parser.add_argument(
        "--lakehouse",
        metavar="DIR",
        help="lakehouse root (default: $CREATORLAKE_HOME, else lakehouse.root in creatorlake.yml)",
    )
    parser.add_argument(
        "--conf",
        metavar="DIR",
        help="config directory holding creatorlake.yml and the others (default: $CREATORLAKE_CONF, else the packaged defaults)",
    )


def build_parser(dispatch: Callable[[Sequence[str]], int] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; `dispatch` (how to run a command line in this process) is
    handed to the commands, for the server, so that none of them imports the CLI."""
    parser = OneLineParser(prog=PROG, description="CreatorLake: creator-monetization analytics on Spark, Delta Lake and dbt.", epilog=EXIT_CODES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser, required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text, epilog=EXIT_CODES)
        add_common(command)
        command.set_defaults(dispatch=dispatch)
        importlib.import_module(module_name).add_arguments(command)
    run = sub.add_parser("run", help="run every pipeline stage in order", description="run every pipeline stage in order: " + ", ".join(PIPELINE), epilog=EXIT_CODES)
    add_common(run)
    run.add_argument("--skip", action="append", default=[], choices=PIPELINE, help="leave out a stage (repeatable)")
    return parser


def pipeline_command_lines(args: argparse.Namespace) -> list[list[str]]:
    """The command line of each stage `run` runs, in order."""
    common = [*(["--lakehouse", args.lakehouse] if args.lakehouse else []), *(["--conf", args.conf] if args.conf else [])]
    lines = []
    for stage in PIPELINE:
        if stage in args.skip:
            continue
        # A freshly generated bronze is a new world: silver and gold are rebuilt, not appended to.
        rebuild = ["--full-refresh"] if stage == "transform" and "generate" not in args.skip else []
        lines.append([stage, *common, *rebuild])
    return lines


def run_pipeline(args: argparse.Namespace, settings: Settings) -> int:
    parser = build_parser()
    for argv in pipeline_command_lines(args):
        code = importlib.import_module(COMMANDS[argv[0]][0]).run(parser.parse_args(argv), settings)
        if code != 0:
            return code
    return 0


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run a parsed command in this process."""
    if args.command == "run":
        return run_pipeline(args, settings)
    return importlib.import_module(COMMANDS[args.command][0]).run(args, settings)
