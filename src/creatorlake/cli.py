"""`creatorlake`: one command line for every stage of the lakehouse.

The subcommands and their order are in `creatorlake.commands.registry`; this entry point
loads the settings, hands a command line to the lakehouse's server when one runs, and
reports errors, once for every command, each on one line. A stage is the same whether it
runs here, under `spark-submit jobs/<job>.py` or on Databricks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from creatorlake.commands.registry import PROG, run_command
from creatorlake.commands.registry import build_parser as build_command_parser
from creatorlake.core.config import CONF_ENV, Settings, load_config
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.served import running_server
from creatorlake.core.spark import SPARK_ERRORS, show_spark_logs, spark_error
from creatorlake.server import forward


def _spark_failed(exc: Exception) -> int:
    message, code = spark_error(exc)
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def _one_line(exc: CreatorLakeError) -> int:
    print(f"{PROG}: error: {exc}", file=sys.stderr)
    return exc.exit_code


def load_settings(args: argparse.Namespace) -> Settings:
    """The settings of a command line. --conf is exported as $CREATORLAKE_CONF so that everything
    this process starts or asks (dbt, a server's config check) sees the same config directory."""
    if args.conf:
        os.environ[CONF_ENV] = str(Path(args.conf).expanduser().resolve())
    return load_config(args.lakehouse, args.conf)


def build_parser() -> argparse.ArgumentParser:
    """Every command's parser; the commands run a command line in this process with `run_here`."""
    return build_command_parser(dispatch=run_here)


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
