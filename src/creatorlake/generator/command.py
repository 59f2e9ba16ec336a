"""`creatorlake generate`: not built yet (issue #3)."""

from __future__ import annotations

import argparse

from creatorlake.config import Settings
from creatorlake.progress import say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, settings: Settings) -> int:
    say("generate", "not built yet (issue #3); skipping")
    return 0
