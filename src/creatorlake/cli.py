"""`creatorlake`: one command line for every stage of the lakehouse.

Each subcommand lives in a module with `add_arguments(parser)` and
`run(args, settings) -> int`; this file only wires them together, so a stage is
the same whether it runs here, under `spark-submit jobs/<job>.py` or on Databricks.
Errors are reported here, once for every command, each on one line.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from creatorlake.core.config import CONF_ENV, Settings, load_config
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.served import running_server
from creatorlake.core.spark import SPARK_ERRORS, show_spark_logs, spark_error
from creatorlake.server import forward

PROG = "creatorlake"

# name -> (module, one-line help). Order is pipeline order: `run` goes through them in it.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("creatorlake.commands.generate", "generate synthetic bronze Delta tables"),
    "ingest": ("creatorlake.commands.ingest", "land CSV / JSON-lines files in bronze; bad rows go to bronze._quarantine"),
    "quarantine": ("creatorlake.commands.quarantine", "list, show or retry the rows ingestion quarantined"),
    "transform": ("creatorlake.commands.transform", "build silver and gold with dbt (local target)"),
    "detect": ("creatorlake.commands.detect", "flag rolling z-score anomalies per segment"),
    "explain": ("creatorlake.commands.explain", "decompose revenue changes into their drivers"),
    "evaluate": ("creatorlake.commands.evaluate", "score the anomalies and explanations against planted incidents"),
    "impact": ("creatorlake.commands.impact", "estimate the causal impact of Comments, Analytics and the Partner Program"),
    "dashboards": ("creatorlake.commands.dashboards", "build the Lakeview dashboards, or render them as a static site"),
    "verify": ("creatorlake.commands.verify", "reconcile money and counts per month bronze -> silver -> gold"),
    "memo": ("creatorlake.commands.memo", "write the product memo (what happened, why, what to build next) from the gold tables"),
    "sql": ("creatorlake.commands.sql", "run a SQL query against the local lakehouse"),
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


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="CreatorLake: creator-monetization analytics on Spark, Delta Lake and dbt.", epilog=EXIT_CODES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser, required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text, epilog=EXIT_CODES)
        add_common(command)
        # The server runs its clients' command lines with this: handed to the commands, none imports the CLI.
        command.set_defaults(dispatch=run_here)
        importlib.import_module(module_name).add_arguments(command)
    run = sub.add_parser("run", help="run every pipeline stage in order", description="run every pipeline stage in order: " + ", ".join(PIPELINE), epilog=EXIT_CODES)
    add_common(run)
    run.add_argument("--skip", action="append", default=[], choices=PIPELINE, help="leave out a stage (repeatable)")
    return parser


def run_pipeline(args: argparse.Namespace, settings: Settings) -> int:
    parser = build_parser()
    for stage in PIPELINE:
        if stage in args.skip:
            continue
        module = importlib.import_module(COMMANDS[stage][0])
        common = [*(["--lakehouse", args.lakehouse] if args.lakehouse else []), *(["--conf", args.conf] if args.conf else [])]
        # A freshly generated bronze is a new world: silver and gold are rebuilt, not appended to.
        rebuild = ["--full-refresh"] if stage == "transform" and "generate" not in args.skip else []
        stage_args = parser.parse_args([stage, *common, *rebuild])
        code = module.run(stage_args, settings)
        if code != 0:
            return code
    return 0


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run a parsed command in this process."""
    if args.command == "run":
        return run_pipeline(args, settings)
    return importlib.import_module(COMMANDS[args.command][0]).run(args, settings)


def _spark_failed(exc: Exception) -> int:
    message, code = spark_error(exc)
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _one_line(exc: CreatorLakeError) -> int:
    print(f"{PROG}: error: {exc}", file=sys.stderr)
    return 2


def load_settings(args: argparse.Namespace) -> Settings:
    """The settings of a command line. --conf is exported as $CREATORLAKE_CONF so that everything
    this process starts or asks (dbt, a server's config check) sees the same config directory."""
    if args.conf:
        os.environ[CONF_ENV] = str(Path(args.conf).expanduser().resolve())
    return load_config(args.lakehouse, args.conf)


def run_here(argv: Sequence[str]) -> int:
    """A command line run in this process whatever serves the lakehouse: what `creatorlake serve` runs."""
    args = build_parser().parse_args(argv)
    try:
        return run_command(args, load_settings(args))
    except CreatorLakeError as exc:
        return _one_line(exc)
    except SPARK_ERRORS as exc:
        return _spark_failed(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """A command line, run by the lakehouse's server when one runs (`creatorlake serve`), else here."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.verbose:
        show_spark_logs()
    try:
        settings = load_settings(args)
        server = None if args.command == "serve" else running_server(settings.lakehouse_root)
        if server is not None:
            return forward(server, argv, settings.lakehouse_root)
        return run_command(args, settings)
    except CreatorLakeError as exc:
        return _one_line(exc)
    except SPARK_ERRORS as exc:
        return _spark_failed(exc)


if __name__ == "__main__":
    sys.exit(main())
