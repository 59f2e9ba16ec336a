"""Progress lines for long work: stage, rows, elapsed. They go to stderr so stdout stays data."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator


def say(stage: str, message: str) -> None:
    print(f"[{stage}] {message}", file=sys.stderr, flush=True)


def rate(rows: int, seconds: float) -> str:
    per_second = rows / seconds if seconds > 0 else float("inf")
    return f"{rows:,} rows in {seconds:.1f}s ({per_second:,.0f} rows/s)"


class Step:
    """What a timed step reports when it ends: set `rows` inside the block."""

    def __init__(self) -> None:
        self.rows: int | None = None
        self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@contextmanager
def timed(stage: str, what: str) -> Iterator[Step]:
    step = Step()
    say(stage, f"{what} ...")
    yield step
    if step.rows is None:
        say(stage, f"{what}: done in {step.elapsed:.1f}s")
    else:
        say(stage, f"{what}: {rate(step.rows, step.elapsed)}")
