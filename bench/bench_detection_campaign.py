"""Randomized detection accuracy campaign: many small worlds, random incident sets.

Each world is generated with its own random seed and 6-10 incidents drawn at
random (driver, segment, start, 3-7 days, a change of 30-70% either way). Windows
may overlap in time and follow each other in related segments; two incidents never
share a day in nested segments (one segment containing the other, or the same),
since attribution would then be ambiguous. Plus one quiet world (no incidents),
built first: a driver is planted only in segments whose daily volume there meets
the driver's scoring floor (anomaly.yml's min_volume) with a margin, since
detection never scores a series under its floor and such a miss says nothing of
detection. Every world runs generate -> transform (+fct_segment_daily_metrics
only) -> detect -> explain -> evaluate; the figures go to --report (a markdown
table, as docs/root-cause.md quotes it).

    nice -n 10 .venv/bin/python bench/bench_detection_campaign.py --worlds 5
    nice -n 10 .venv/bin/python bench/bench_detection_campaign.py --worlds 2 --build-only   # worlds only

A world whose segment mart exists is not rebuilt (nor its incidents redrawn), so a
second run re-scores the same worlds with the current detection code.
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

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.evaluate import TARGETS
from creatorlake.incidents import INCIDENT_DRIVERS

REPO = Path(__file__).resolve().parents[1]
START = dt.date(2026, 2, 2)  # generator.yml's start_date
BASELINE_DAYS = 35  # a full trailing window (and a week) before the first incident
# Candidate segments (the pairs are the generator's anchors); which drivers each can carry depends on the
# world's size (eligible_pairs).
SEGMENTS = (
    *[{"category": c} for c in ("comedy", "news", "true_crime", "education", "technology", "business", "sports", "society", "health")],
    *[{"country_code": c} for c in ("US", "GB", "DE", "BR", "CA")],
    {"creator_tier": "star"}, {"creator_tier": "established"},
    {"country_code": "DE", "category": "comedy"}, {"country_code": "US", "category": "true_crime"},
    {"country_code": "GB", "category": "news"}, {"country_code": "BR", "category": "sports"},
    {"country_code": "US", "category": "technology"}, {"country_code": "DE", "category": "business"},
)


SEGMENT_KEYS = ("country_code", "category", "creator_tier")
# A segment carries a driver when its median daily volume in the quiet world is at least this multiple of the
# driver's min_volume. The quiet world stands in for worlds of other seeds, which populate a country x category
# pair differently: DE · comedy had 2,160 listens a day at seed 100 and about 570 at seed 102. And a week of a
# 70% listens drop lowers a segment's 28-day trailing volume by about a sixth.
VOLUME_MARGIN = 3.0


def segment_key(segment: dict) -> tuple:
    return tuple(segment.get(k) for k in SEGMENT_KEYS)


def segment_mart(lakehouse: Path) -> Path:
    return lakehouse / "warehouse" / "gold.db" / "fct_segment_daily_metrics" / "_delta_log"


def segment_volumes(lakehouse: Path, columns: list[str]) -> dict[tuple, dict[str, float]]:
    """Each segment's median daily value of each volume column, from a built world's segment mart."""
    medians = ", ".join(f"percentile({c}, 0.5) as {c}" for c in columns)
    query = f"select {', '.join(SEGMENT_KEYS)}, {medians} from gold.fct_segment_daily_metrics group by all"
    lines = cli("sql", query, "--format", "json", "--lakehouse", str(lakehouse)).splitlines()
    rows = [json.loads(line) for line in lines if line.startswith("{")]
    return {tuple(r[k] for k in SEGMENT_KEYS): {c: float(r[c] or 0.0) for c in columns} for r in rows}


def volume_floors() -> dict[str, tuple[str, float]]:
    """driver -> (volume column, min_volume) as the shipped anomaly.yml scores it."""
    config = load_anomaly_config()
    return {d: (config.rule(d).volume_column, config.rule(d).min_volume) for d in INCIDENT_DRIVERS}


def eligible_pairs(volumes: dict[tuple, dict[str, float]], floors: dict[str, tuple[str, float]]) -> list[tuple[dict, str]]:
    """(segment, driver) pairs whose segment's volume clears the driver's floor by VOLUME_MARGIN."""
    return [(segment, driver) for segment in SEGMENTS for driver, (column, floor) in floors.items()
            if volumes.get(segment_key(segment), {}).get(column, 0.0) >= VOLUME_MARGIN * floor]


def relative_noise(lakehouse: Path) -> dict[tuple, dict[str, float]]:
    """Each segment's day-to-day noise of each incident driver in a built world, relative to its level: 1.4826 x the
    median absolute relative deviation from the segment's same-weekday median, over the days detection scores (after
    the first trailing window). It stands for detection's robust scale over its expected value, so |change| / noise
    is the z that a planted change of that size gets on an ordinary day."""
    config = load_anomaly_config()
    first_scored = START + dt.timedelta(days=max(config.rule(d).window for d in INCIDENT_DRIVERS))
    drivers = ", ".join(f"'{d}', cast({d} as double)" for d in INCIDENT_DRIVERS)
    same = " and ".join(f"d.{k} <=> m.{k}" for k in SEGMENT_KEYS)
    query = f"""
        with d as (
            select {', '.join(SEGMENT_KEYS)}, dayofweek(metric_date) as weekday, explode(map({drivers})) as (driver, x)
            from gold.fct_segment_daily_metrics where metric_date >= date'{first_scored}'),
        m as (select {', '.join(SEGMENT_KEYS)}, weekday, driver, percentile(x, 0.5) as level from d group by all)
        select {', '.join(f'd.{k}' for k in SEGMENT_KEYS)}, d.driver, 1.4826 * percentile(abs(d.x / m.level - 1), 0.5) as noise
        from d join m on {same} and d.weekday = m.weekday and d.driver = m.driver
        where m.level > 0 group by all"""
    lines = cli("sql", query, "--format", "json", "--lakehouse", str(lakehouse)).splitlines()
    out: dict[tuple, dict[str, float]] = {}
    for r in (json.loads(line) for line in lines if line.startswith("{")):
        if r["noise"]:
            out.setdefault(tuple(r[k] for k in SEGMENT_KEYS), {})[r["driver"]] = float(r["noise"])
    return out


def planted_z(incident: dict, noise: dict[tuple, dict[str, float]]) -> float | None:
    """The z a planted incident's change gets on an ordinary day of its segment (None: no noise measured there)."""
    scale = noise.get(segment_key(incident["segment"]), {}).get(incident["driver"])
    return abs(incident["change"]) / scale if scale else None


def nested(a: dict, b: dict) -> bool:
    """One segment contains the other (or they are the same)."""
    return all(b.get(k) == v for k, v in a.items()) or all(a.get(k) == v for k, v in b.items())


def draw_incidents(rng: random.Random, days: int, pairs: list[tuple[dict, str]]) -> list[dict]:
    """6-10 incidents on `pairs` (eligible_pairs): a segment first, then one of the drivers it can carry."""
    count = rng.randint(6, 10)
    segments = [s for s in SEGMENTS if any(s == p for p, _ in pairs)]
    out: list[dict] = []
    while len(out) < count:
        segment = rng.choice(segments)
        length = rng.randint(3, 7)
        start = rng.randint(BASELINE_DAYS, days - length - 1)
        clash = any(
            nested(segment, o["segment"]) and start < o["_start"] + o["days"] and o["_start"] < start + length for o in out
        )
        if clash:
            continue
        size = rng.uniform(0.3, 0.7)
        change = round(size if rng.random() < 0.5 else -size, 2)
        driver = rng.choice([d for p, d in pairs if p == segment])
        label = "_".join(str(v).lower() for v in segment.values())
        out.append({"name": f"i{len(out)}_{label}_{driver}", "driver": driver, "segment": segment, "_start": start,
                    "start": (START + dt.timedelta(days=start)).isoformat(), "days": length, "change": change})
    return [{k: v for k, v in o.items() if not k.startswith("_")} for o in out]


def cli(*args: str) -> str:
    command = [sys.executable, "-m", "creatorlake.cli", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:1])} failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def build(lakehouse: Path, incidents: str, seed: int, args: argparse.Namespace) -> None:
    cli("generate", "--lakehouse", str(lakehouse), "--days", str(args.days), "--n-creators", str(args.creators),
        "--n-listeners", str(args.listeners), "--seed", str(seed), "--incidents", incidents)
    cli("transform", "--lakehouse", str(lakehouse), "--select", "+fct_segment_daily_metrics")


def score(lakehouse: Path, incidents: str) -> dict:
    report = lakehouse / "evaluation.json"
    cli("detect", "--lakehouse", str(lakehouse))
    cli("explain", "--lakehouse", str(lakehouse))
    cli("evaluate", incidents, "--lakehouse", str(lakehouse), "--report", str(report))
    return json.loads(report.read_text())


def powered(world: dict) -> list[dict]:
    """The world's incident details whose planted change gets at least its rule's threshold on an ordinary day."""
    return [d for d in world["detail"] if d.get("planted_z") is not None and d["planted_z"] >= d["threshold"]]


def summary(worlds: list[dict], quiet: dict | None, args: argparse.Namespace) -> str:
    n = sum(w["incidents"] for w in worlds)
    recall = sum(round(w["recall"] * w["incidents"]) for w in worlds) / n if n else None
    attribution = sum(round(w["attribution_accuracy"] * w["incidents"]) for w in worlds) / n if n else None
    top20 = sum(w["top20_precision"] for w in worlds) / len(worlds) if worlds else None
    strong = [d for w in worlds for d in powered(w)]
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"
    share = lambda found, of: f"{fmt(found / of if of else None)} ({found}/{of})"
    lines = [
        "| world | seed | incidents | recall | attribution | top-20 precision | flagged share outside incidents | recall where planted z >= threshold |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for w in worlds:
        mine = powered(w)
        lines.append(f"| {w['world']} | {w['seed']} | {w['incidents']} | {fmt(w['recall'])} | {fmt(w['attribution_accuracy'])} | "
                     f"{fmt(w['top20_precision'])} | {w['false_alarm_rate_outside_incidents']:.4f} | {share(sum(d['detected'] for d in mine), len(mine))} |")
    lines.append(f"| **overall** | | {n} | **{fmt(recall)}** | **{fmt(attribution)}** | **{fmt(top20)}** (mean) | | "
                 f"**{share(sum(d['detected'] for d in strong), len(strong))}** |")
    if quiet:
        lines.append(f"| quiet | {quiet['seed']} | 0 | | | | false alarm rate **{quiet['false_alarm_rate']:.4f}** of {quiet['scored_points']:,} scored points | |")
    z = lambda d: "n/a" if d.get("planted_z") is None else f"{d['planted_z']:.1f}"
    missed = [f"- world {w['world']}: {d['incident']} (planted z {z(d)}; detected {d['detected']}, revenue anomaly {d['revenue_anomaly']}, "
              f"dominant {d['dominant_driver']})"
              for w in worlds for d in w["detail"] if not d["detected"] or d["dominant_driver"] != d["driver"]]
    targets = ", ".join(f"{k} {'<=' if k == 'false_alarm_rate' else '>='} {v}" for k, v in TARGETS.items())
    return "\n".join([
        f"Worlds of {args.days} days, {args.creators} creators, {args.listeners:,} listeners; targets: {targets}.",
        "Planted z: the incident's |change| over its segment's relative day-to-day noise of the driver in the quiet world "
        "(relative_noise), the z its change gets on an ordinary day.",
        "", *lines, "", "Incidents missed or misattributed:", "", *(missed or ["- none"]), "",
    ])


def with_planted_z(result: dict, incidents: Path, noise: dict[tuple, dict[str, float]]) -> dict:
    """The evaluation with each incident's planted z and its rule's threshold in its detail."""
    config = load_anomaly_config()
    planted = {i["name"]: i for i in yaml.safe_load(incidents.read_text())["incidents"]}
    detail = [{**d, "planted_z": planted_z(planted[d["incident"]], noise), "threshold": config.rule(d["driver"]).threshold}
              for d in result["detail"]]
    return {**result, "detail": detail}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worlds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=101)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--creators", type=int, default=400)
    parser.add_argument("--listeners", type=int, default=60000)
    parser.add_argument("--root", type=Path, default=REPO / "bench" / "results" / "campaign")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--summarize", action="store_true", help="rewrite the report from the worlds' last evaluations, scoring nothing")
    parser.add_argument("--no-quiet", action="store_true", help="do not score the quiet world (it is still built: its volumes decide the draw)")
    parser.add_argument("--report", type=Path, default=REPO / "bench" / "results" / "campaign.md", help="the figures, as a markdown table")
    args = parser.parse_args()
    worlds, quiet = [], None
    plan = [("quiet", args.first_seed - 1)] + [(str(i + 1), args.first_seed + i) for i in range(args.worlds)]
    pairs: list[tuple[dict, str]] = []
    noise: dict[tuple, dict[str, float]] = {}  # measured on the quiet world; without it no incident has a planted z
    for name, seed in plan:
        lakehouse = args.root / f"world_{name}"
        lakehouse.mkdir(parents=True, exist_ok=True)
        built_before = segment_mart(lakehouse).exists()
        evaluation = lakehouse / "evaluation.json"
        if args.summarize and not (built_before and (name == "quiet" or evaluation.exists())):
            print(f"world {name}: not built or not scored, left out", flush=True)
            continue
        incidents = "none" if name == "quiet" else str(lakehouse / "incidents.yml")
        if not built_before and name != "quiet":
            drawn = draw_incidents(random.Random(seed), args.days, pairs)
            Path(incidents).write_text(yaml.safe_dump({"incidents": drawn}, sort_keys=False))
        began = time.monotonic()
        if not built_before:
            build(lakehouse, incidents, seed, args)
        built = time.monotonic() - began
        if name == "quiet":
            floors = volume_floors()
            pairs = eligible_pairs(segment_volumes(lakehouse, sorted({c for c, _ in floors.values()})), floors)
            print(f"segments x drivers above their volume floor in the quiet world: {len(pairs)} of {len(SEGMENTS) * len(floors)}", flush=True)
            noise = relative_noise(lakehouse)
        if args.build_only or (name == "quiet" and (args.no_quiet or (args.summarize and not evaluation.exists()))):
            print(f"world {name}: " + ("built before" if built_before else f"built in {built:.0f} s"), flush=True)
            continue
        scored = json.loads(evaluation.read_text()) if args.summarize else score(lakehouse, incidents)
        result = {"world": name, "seed": seed, **scored}
        if name != "quiet":
            result = with_planted_z(result, Path(incidents), noise)
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
