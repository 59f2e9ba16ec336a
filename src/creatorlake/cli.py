"""`creatorlake`: one command line for every stage of the lakehouse.

Each subcommand lives in a module with `add_arguments(parser)` and
`run(args, settings) -> int`; this file only wires them together, so a stage is
the same whether it runs here, under `spark-submit jobs/<job>.py` or on Databricks.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn, Sequence

from creatorlake.core.config import Settings, load_config
from creatorlake.core.errors import CreatorLakeError
from creatorlake.server import forward, running_server

PROG = "creatorlake"

# name -> (module, one-line help). Order is pipeline order: `run` goes through them in it.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("creatorlake.commands.generate", "generate synthetic bronze Delta tables"),
    "transform": ("creatorlake.commands.transform", "build silver and gold with dbt (local target)"),
    "detect": ("creatorlake.commands.detect", "flag rolling z-score anomalies per segment"),
    "explain": ("creatorlake.commands.explain", "decompose revenue changes into their drivers"),
    "impact": ("creatorlake.commands.impact", "estimate the causal impact of Comments, Analytics and the Partner Program"),
    "sql": ("creatorlake.commands.sql", "run a SQL query against the local lakehouse"),
    "serve": ("creatorlake.commands.serve", "keep the lakehouse's Spark session warm: later commands run in it"),
}
PIPELINE = ("generate", "transform", "detect", "explain", "impact")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lakehouse",
        metavar="DIR",
        help="lakehouse root (default: $CREATORLAKE_HOME, else lakehouse.root in conf/creatorlake.yml)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="CreatorLake: creator-monetization analytics on Spark, Delta Lake and dbt.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser, required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        add_common(command)
        importlib.import_module(module_name).add_arguments(command)
    run = sub.add_parser("run", help="run every pipeline stage in order", description="run every pipeline stage in order: " + ", ".join(PIPELINE))
    add_common(run)
    run.add_argument("--skip", action="append", default=[], choices=PIPELINE, help="leave out a stage (repeatable)")
    return parser


def run_pipeline(args: argparse.Namespace, settings: Settings) -> int:
    parser = build_parser()
    for stage in PIPELINE:
        if stage in args.skip:
            continue
        module = importlib.import_module(COMMANDS[stage][0])
        stage_args = parser.parse_args([stage, *(["--lakehouse", args.lakehouse] if args.lakehouse else [])])
        code = module.run(stage_args, settings)
        if code != 0:
            return code
    return 0


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run a parsed command in this process."""
    if args.command == "run":
        return run_pipeline(args, settings)
    return importlib.import_module(COMMANDS[args.command][0]).run(args, settings)


def _one_line(exc: CreatorLakeError) -> int:
    print(f"{PROG}: error: {exc}", file=sys.stderr)
    return 2


def run_here(argv: Sequence[str]) -> int:
    """A command line run in this process whatever serves the lakehouse: what `creatorlake serve` runs."""
    args = build_parser().parse_args(argv)
    try:
        return run_command(args, load_config(args.lakehouse))
    except CreatorLakeError as exc:
        return _one_line(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """A command line, run by the lakehouse's server when one runs (`creatorlake serve`), else here."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        settings = load_config(args.lakehouse)
        server = None if args.command == "serve" else running_server(settings.lakehouse_root)
        if server is not None:
            return forward(server, argv, settings.lakehouse_root)
        return run_command(args, settings)
    except CreatorLakeError as exc:
        return _one_line(exc)


if __name__ == "__main__":
    sys.exit(main())
