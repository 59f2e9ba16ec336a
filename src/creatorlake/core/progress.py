"""Progress lines for long work: stage, rows, elapsed. They go to stderr so stdout stays data."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

# A step that runs longer than this says it is still alive, and for how long, this often. It names
# no Spark task counts: those live in the driver's JVM, which a Spark Connect client
# (Databricks serverless) cannot reach, and the package touches no JVM object.
HEARTBEAT_SECONDS = 30.0


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


def _heartbeat(stage: str, what: str, step: Step, finished: threading.Event, every: float) -> None:
    while not finished.wait(every):
        say(stage, f"{what}: running for {step.elapsed:.0f}s")


@contextmanager
def timed(stage: str, what: str, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> Iterator[Step]:
    step = Step()
    say(stage, f"{what} ...")
    finished = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(stage, what, step, finished, heartbeat_seconds), daemon=True)
    beat.start()
    try:
        yield step
    finally:
        finished.set()
        beat.join()
    if step.rows is None:
        say(stage, f"{what}: done in {step.elapsed:.1f}s")
    else:
        say(stage, f"{what}: {rate(step.rows, step.elapsed)}")
