"""`creatorlake explain`: not built yet (issue #5)."""

from __future__ import annotations

import argparse

from creatorlake.config import Settings
from creatorlake.progress import say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, settings: Settings) -> int:
    say("explain", "not built yet (issue #5); skipping")
    return 0
