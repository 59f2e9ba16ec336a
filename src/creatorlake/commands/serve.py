"""`creatorlake serve`: keep this lakehouse's Spark session warm for the commands that follow."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings
from creatorlake.server import serve, stop


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stop", action="store_true", help="stop the lakehouse's server (after the command it is running) instead of starting one")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.stop:
        return stop(settings)
    # `args.dispatch` is the CLI's own way to run a command line in this process (cli.py sets it),
    # run here for each client.
    return serve(settings, dispatch=args.dispatch)
