"""Randomized detection accuracy campaign: many small worlds, random incident sets.

Each world is generated with its own random seed and 6-10 incidents drawn at
random (driver, segment, start, 3-7 days, a change of 30-70% either way). Windows
may overlap in time and follow each other in related segments; two incidents never
share a day in nested segments (one segment containing the other, or the same),
since attribution would then be ambiguous. Plus one quiet world (no incidents).
Every world runs generate -> transform (+fct_segment_daily_metrics only) ->
detect -> explain -> evaluate; the figures go to --report (a markdown table, as
docs/root-cause.md quotes it).

    nice -n 10 .venv/bin/python bench/bench_detection_campaign.py --worlds 5
    nice -n 10 .venv/bin/python bench/bench_detection_campaign.py --worlds 2 --build-only   # worlds only

A world whose segment mart exists is not rebuilt, so a second run re-scores the
same worlds with the current detection code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import yaml

from creatorlake.anomaly.evaluate import TARGETS
from creatorlake.incidents import INCIDENT_DRIVERS

REPO = Path(__file__).resolve().parents[1]
START = dt.date(2026, 2, 2)  # generator.yml's start_date
BASELINE_DAYS = 35  # a full trailing window (and a week) before the first incident
# Segments a few hundred creators surely populate (the pairs are the generator's anchors).
SEGMENTS = (
    *[{"category": c} for c in ("comedy", "news", "true_crime", "education", "technology", "business", "sports", "society", "health")],
    *[{"country_code": c} for c in ("US", "GB", "DE", "BR", "CA")],
    {"creator_tier": "star"}, {"creator_tier": "established"},
    {"country_code": "DE", "category": "comedy"}, {"country_code": "US", "category": "true_crime"},
    {"country_code": "GB", "category": "news"}, {"country_code": "BR", "category": "sports"},
    {"country_code": "US", "category": "technology"}, {"country_code": "DE", "category": "business"},
)


def nested(a: dict, b: dict) -> bool:
    """One segment contains the other (or they are the same)."""
    return all(b.get(k) == v for k, v in a.items()) or all(a.get(k) == v for k, v in b.items())


def draw_incidents(rng: random.Random, days: int) -> list[dict]:
    count = rng.randint(6, 10)
    out: list[dict] = []
    while len(out) < count:
        segment = rng.choice(SEGMENTS)
        length = rng.randint(3, 7)
        start = rng.randint(BASELINE_DAYS, days - length - 1)
        clash = any(
            nested(segment, o["segment"]) and start < o["_start"] + o["days"] and o["_start"] < start + length for o in out
        )
        if clash:
            continue
        size = rng.uniform(0.3, 0.7)
        change = round(size if rng.random() < 0.5 else -size, 2)
        driver = rng.choice(INCIDENT_DRIVERS)
        label = "_".join(str(v).lower() for v in segment.values())
        out.append({"name": f"i{len(out)}_{label}_{driver}", "driver": driver, "segment": segment, "_start": start,
                    "start": (START + dt.timedelta(days=start)).isoformat(), "days": length, "change": change})
    return [{k: v for k, v in o.items() if not k.startswith("_")} for o in out]


def cli(*args: str) -> None:
    command = [sys.executable, "-m", "creatorlake.cli", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:1])} failed: {done.stderr.strip().splitlines()[-1:]}")


def build(lakehouse: Path, incidents: str, seed: int, args: argparse.Namespace) -> None:
    if (lakehouse / "gold" / "fct_segment_daily_metrics").exists():
        return
    cli("generate", "--lakehouse", str(lakehouse), "--days", str(args.days), "--n-creators", str(args.creators),
        "--n-listeners", str(args.listeners), "--seed", str(seed), "--incidents", incidents)
    cli("transform", "--lakehouse", str(lakehouse), "--select", "+fct_segment_daily_metrics")


def score(lakehouse: Path, incidents: str) -> dict:
    report = lakehouse / "evaluation.json"
    cli("detect", "--lakehouse", str(lakehouse))
    cli("explain", "--lakehouse", str(lakehouse))
    cli("evaluate", incidents, "--lakehouse", str(lakehouse), "--report", str(report))
    return json.loads(report.read_text())


def summary(worlds: list[dict], quiet: dict | None, args: argparse.Namespace) -> str:
    n = sum(w["incidents"] for w in worlds)
    recall = sum(round(w["recall"] * w["incidents"]) for w in worlds) / n if n else None
    attribution = sum(round(w["attribution_accuracy"] * w["incidents"]) for w in worlds) / n if n else None
    top20 = sum(w["top20_precision"] for w in worlds) / len(worlds) if worlds else None
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"
    lines = [
        "| world | seed | incidents | recall | attribution | top-20 precision | flagged share outside incidents |",
        "|---|---|---|---|---|---|---|",
    ]
    for w in worlds:
        lines.append(f"| {w['world']} | {w['seed']} | {w['incidents']} | {fmt(w['recall'])} | {fmt(w['attribution_accuracy'])} | "
                     f"{fmt(w['top20_precision'])} | {w['false_alarm_rate_outside_incidents']:.4f} |")
    lines.append(f"| **overall** | | {n} | **{fmt(recall)}** | **{fmt(attribution)}** | **{fmt(top20)}** (mean) | |")
    if quiet:
        lines.append(f"| quiet | {quiet['seed']} | 0 | | | | false alarm rate **{quiet['false_alarm_rate']:.4f}** of {quiet['scored_points']:,} scored points |")
    missed = [f"- world {w['world']}: {d['incident']} (detected {d['detected']}, revenue anomaly {d['revenue_anomaly']}, dominant {d['dominant_driver']})"
              for w in worlds for d in w["detail"] if not d["detected"] or d["dominant_driver"] != d["driver"]]
    targets = ", ".join(f"{k} {'<=' if k == 'false_alarm_rate' else '>='} {v}" for k, v in TARGETS.items())
    return "\n".join([
        f"Worlds of {args.days} days, {args.creators} creators, {args.listeners:,} listeners; targets: {targets}.",
        "", *lines, "", "Incidents missed or misattributed:", "", *(missed or ["- none"]), "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=101)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--creators", type=int, default=400)
    parser.add_argument("--listeners", type=int, default=60000)
    parser.add_argument("--root", type=Path, default=REPO / "bench" / "results" / "campaign")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--no-quiet", action="store_true")
    parser.add_argument("--report", type=Path, default=REPO / "bench" / "results" / "campaign.md", help="the figures, as a markdown table")
    args = parser.parse_args()
    worlds, quiet = [], None
    plan = [("quiet", args.first_seed - 1)] * (not args.no_quiet) + [(str(i + 1), args.first_seed + i) for i in range(args.worlds)]
    for name, seed in plan:
        lakehouse = args.root / f"world_{name}"
        lakehouse.mkdir(parents=True, exist_ok=True)
        if name == "quiet":
            incidents = "none"
        else:
            incidents = str(lakehouse / "incidents.yml")
            Path(incidents).write_text(yaml.safe_dump({"incidents": draw_incidents(random.Random(seed), args.days)}, sort_keys=False))
        began = time.monotonic()
        build(lakehouse, incidents, seed, args)
        built = time.monotonic() - began
        if args.build_only:
            print(f"world {name}: built in {built:.0f} s", flush=True)
            continue
        result = {"world": name, "seed": seed, **score(lakehouse, incidents)}
        print(f"world {name}: built {built:.0f} s, scored {time.monotonic() - began - built:.0f} s: recall {result['recall']}, "
              f"attribution {result['attribution_accuracy']}, top20 {result['top20_precision']}, fa {result['false_alarm_rate']}", flush=True)
        if name == "quiet":
            quiet = result
        else:
            worlds.append(result)
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(summary(worlds, quiet, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
