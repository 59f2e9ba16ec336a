"""Shared benchmark helpers: medians of repeated runs and ratios measured in the same run."""

from __future__ import annotations

import statistics
import sys
import time
from typing import Callable


def median_seconds(run: Callable[[], object], repeats: int, warmup: int = 0) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def figure(name: str, value: float, unit: str) -> None:
    print(f"{name:<48} {value:>14,.2f} {unit}", flush=True)


def ratio(name: str, numerator: float, denominator: float, target: str = "") -> None:
    value = numerator / denominator if denominator else float("nan")
    suffix = f"   (target {target})" if target else ""
    print(f"{name:<48} {value:>14.2f} x{suffix}", flush=True)


def header(title: str, repeats: int) -> None:
    print(f"# {title} (medians of {repeats} runs; python {sys.version.split()[0]})", flush=True)
