"""Crash trials: SIGKILL a stage at a random point, rerun it, and check the lakehouse converges.

    python bench/crash_trials.py [--trials 10] [--seed 1] [--work DIR]
    python bench/crash_trials.py --replay impact:123456      # one trial again, by the seed it printed

A clean run first builds a small world through generate, transform, detect, explain and
impact, and ingests files exported from its bronze into an empty lakehouse; it records a
checksum of every table. Each trial starts one stage on that lakehouse (ingest: on a new,
empty one), kills its whole process group (the CLI and its JVM) with SIGKILL after a random
share of the stage's clean duration (a start that finishes first, on a quieter machine, is
followed by another killed within the time it took, up to three starts), reruns the same
command to the end, and then requires
every bronze, silver and gold table to equal the clean run's (row count and an order-free
hash of every column except the ingestion wall-clock), `DESCRIBE HISTORY` of each Delta
table to be readable and `VACUUM ... LITE DRY RUN` to run (from the log, seconds a table;
`--full-vacuum` lists the directories too, which also counts the never-committed files a
killed write leaves, at about a minute a table). The trials follow each other on the
same lakehouse (a copy would not do: the metastore holds absolute table paths), so each
also starts from whatever the crashes before it left. A failing trial names its stage and
seed; `--replay STAGE:SEED` runs it alone. Exit status 1 when any trial fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

WORLD = ["--days", "42", "--n-creators", "24", "--n-listeners", "3000", "--seed", "7"]
# The stages killed, in pipeline order; a trial of each kills exactly this command line and reruns it.
STAGES = {
    "generate": ["generate", *WORLD],
    "transform": ["transform", "--full-refresh"],
    "detect": ["detect"],
    "impact": ["impact"],
}
INGEST = "ingest"
# Trials per stage for the default --trials 10: a transform trial costs five of the others.
WEIGHTS = {"generate": 2, INGEST: 3, "transform": 1, "detect": 2, "impact": 2}
# Files exported from the clean bronze for the ingest trials: the membership export (the podcast event
# log of even this small world is 150,000 lines, minutes of parsing per trial).
EXPORTED = ("creators", "tiers", "patrons", "pledges", "transactions", "posts", "engagement_events")
# Starts of a stage per trial: one that finishes before its kill point is started again, killed sooner.
KILL_ATTEMPTS = 3
# Columns holding the wall clock of the ingestion itself, the only ones a rerun may change.
WALL_CLOCK_COLUMNS = ("_ingested_at", "ingested_at")
LAYERS = ("bronze", "silver", "gold")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "creatorlake.cli", *args]


def say(message: str) -> None:
    print(f"[crash] {message}", file=sys.stderr, flush=True)


def run(argv: list[str], lakehouse: Path, timeout: float) -> float:
    """Run a command line to the end on `lakehouse`; its seconds, or a one-line failure."""
    started = time.perf_counter()
    done = subprocess.run([*argv, "--lakehouse", str(lakehouse)], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SystemExit(f"crash trials: `{' '.join(argv[3:])}` failed on {lakehouse}: {last}")
    return time.perf_counter() - started


def killed_run(argv: list[str], lakehouse: Path, after: float) -> float | None:
    """Start the command in its own process group and SIGKILL the group after `after` seconds;
    None if it was still running (so it was killed), else the seconds it took to finish first."""
    started = time.perf_counter()
    process = subprocess.Popen([*argv, "--lakehouse", str(lakehouse)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        process.wait(timeout=after)
        return time.perf_counter() - started
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None


def checksums(lakehouse: Path, out: Path, timeout: float, full_vacuum: bool = False) -> dict:
    """Every table's checksum and health, computed in a process of its own (one Derby metastore, one JVM)."""
    subprocess.run([sys.executable, __file__, "--checksum", str(lakehouse), str(out), *(["--full-vacuum"] if full_vacuum else [])],
                   check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text())


def checksum_main(lakehouse: str, out: str, full_vacuum: bool) -> None:
    from creatorlake.core.config import load_config
    from creatorlake.core.spark import get_spark

    settings = load_config(lakehouse)
    spark = get_spark(settings, app_name="crash-checksum")
    spark.conf.set("spark.sql.shuffle.partitions", "2")  # small tables: Spark's 200 default is pure overhead
    vacuum = "dry run" if full_vacuum else "lite dry run"
    tables = {}
    for layer in LAYERS:
        schema = settings.schema(layer)
        if not spark.catalog.databaseExists(schema):
            continue
        for table in spark.catalog.listTables(schema):
            if table.isTemporary:
                continue
            name = f"{schema}.{table.name}"
            df = spark.table(name)
            columns = [c for c in df.columns if c not in WALL_CLOCK_COLUMNS]
            hashed = ", ".join(f"`{c}`" for c in columns)
            got = spark.sql(f"select count(*) n, sum(cast(xxhash64({hashed}) as decimal(38,0))) h from {name}").first()
            health = "ok"
            if table.tableType == "VIEW":  # dbt's staging views: no Delta log of their own to check
                tables[name] = {"rows": got.n, "hash": str(got.h), "health": health}
                continue
            try:
                spark.sql(f"describe history {name}").collect()
                spark.sql(f"vacuum {name} {vacuum}").collect()
            except Exception as exc:  # a corrupt log is exactly what a trial must report
                health = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            tables[name] = {"rows": got.n, "hash": str(got.h), "health": health}
    Path(out).write_text(json.dumps(tables, indent=1, sort_keys=True))


def export_main(lakehouse: str, directory: str) -> None:
    """The clean bronze as the files a platform would land: CSV with a header, the event log as JSON lines."""
    from creatorlake.bronze import schemas
    from creatorlake.core.config import load_config
    from creatorlake.core.spark import get_spark
    from creatorlake.ingest.read import file_columns

    settings = load_config(lakehouse)
    spark = get_spark(settings, app_name="crash-export")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name in EXPORTED:
        df = spark.table(settings.table("bronze", name)).select(*file_columns(schemas.table(name)))
        json_lines = name.endswith("events") and name != "engagement_events"
        staging = target / f".{name}"
        writer = df.coalesce(1).write.mode("overwrite").option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
        (writer.json(str(staging)) if json_lines else writer.option("header", True).csv(str(staging)))
        part = next(staging.glob("part-*"))
        part.rename(target / f"{name}{'.jsonl' if json_lines else '.csv'}")
        shutil.rmtree(staging)


def differences(clean: dict, after: dict) -> list[str]:
    problems = [f"{name}: missing after the rerun" for name in clean if name not in after]
    problems += [f"{name}: not in the clean run" for name in after if name not in clean]
    for name in sorted(set(clean) & set(after)):
        if after[name]["health"] != "ok":
            problems.append(f"{name}: {after[name]['health']}")
        elif (clean[name]["rows"], clean[name]["hash"]) != (after[name]["rows"], after[name]["hash"]):
            problems.append(f"{name}: {after[name]['rows']} rows / hash {after[name]['hash']}, clean {clean[name]['rows']} / {clean[name]['hash']}")
    return problems


class Trials:
    def __init__(self, work: Path, timeout: float, full_vacuum: bool = False):
        self.work, self.timeout, self.full_vacuum = work, timeout, full_vacuum
        self.clean, self.files, self.ingest_clean = work / "clean", work / "files", work / "ingest_clean"
        self.state = work / "clean.json"
        # The clean stages done so far and their seconds, so an interrupted clean run resumes.
        self.progress = work / "clean.progress.json"

    def ingest_argv(self) -> list[str]:
        return ["ingest", *sorted(str(p) for p in self.files.iterdir() if not p.name.startswith(".")), "--auto"]

    def prepare(self) -> dict:
        """The clean run (once per work directory): durations and checksums."""
        if self.state.is_file():
            return json.loads(self.state.read_text())
        if not self.progress.is_file():
            shutil.rmtree(self.work, ignore_errors=True)
            self.work.mkdir(parents=True)
            self.progress.write_text("{}")
        seconds = json.loads(self.progress.read_text())
        for stage, argv in [("generate", STAGES["generate"]), ("transform", STAGES["transform"]), ("detect", STAGES["detect"]),
                            ("explain", ["explain"]), ("impact", STAGES["impact"])]:
            if stage in seconds:
                continue
            say(f"clean run: {stage} ...")
            seconds[stage] = run(cli(*argv), self.clean, self.timeout)
            self.progress.write_text(json.dumps(seconds))
        if INGEST not in seconds:
            shutil.rmtree(self.files, ignore_errors=True)
            shutil.rmtree(self.ingest_clean, ignore_errors=True)
            subprocess.run([sys.executable, __file__, "--export", str(self.clean), str(self.files)], check=True, timeout=self.timeout,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            say("clean run: ingest of the exported files ...")
            seconds[INGEST] = run(cli(*self.ingest_argv()), self.ingest_clean, self.timeout)
            self.progress.write_text(json.dumps(seconds))
        state = {
            "seconds": seconds,
            "clean": checksums(self.clean, self.work / "clean.sums.json", self.timeout),
            "ingest_clean": checksums(self.ingest_clean, self.work / "ingest_clean.sums.json", self.timeout),
        }
        self.state.write_text(json.dumps(state, indent=1))
        say(f"clean run done: {', '.join(f'{k} {v:.0f}s' for k, v in seconds.items())}")
        return state

    def trial(self, state: dict, stage: str, seed: int) -> dict:
        rng = random.Random(seed)
        after = rng.uniform(0.1, 0.9) * state["seconds"][stage]
        lakehouse = self.work / f"trial-{stage}-{seed}" if stage == INGEST else self.clean
        argv = cli(*(self.ingest_argv() if stage == INGEST else STAGES[stage]))
        for _ in range(KILL_ATTEMPTS):
            if stage == INGEST:
                shutil.rmtree(lakehouse, ignore_errors=True)
            finished_in = killed_run(argv, lakehouse, after)
            if finished_in is None:
                break
            # The stage ran faster than in the clean run (a quieter machine): kill the next start within the time it just took.
            after = rng.uniform(0.1, 0.9) * finished_in
        killed = finished_in is None
        rerun = run(argv, lakehouse, self.timeout)
        sums = checksums(lakehouse, self.work / f"trial-{stage}-{seed}.sums.json", self.timeout, self.full_vacuum)
        problems = differences(state["ingest_clean" if stage == INGEST else "clean"], sums)
        if stage == INGEST:
            shutil.rmtree(lakehouse, ignore_errors=True)
        return {"stage": stage, "seed": seed, "kill_after_s": round(after, 1), "killed": killed, "rerun_s": round(rerun, 1),
                "tables": len(sums), "problems": problems}


def plan(trials: int, seed: int) -> list[tuple[str, int]]:
    """`trials` (stage, trial seed) pairs: rounds over the stages, each stage in as many rounds as its
    weight, so any five trials kill every stage once."""
    rng = random.Random(seed)
    rounds = [stage for r in range(max(WEIGHTS.values())) for stage, n in WEIGHTS.items() if n > r]
    stages = [rounds[i % len(rounds)] for i in range(trials)]
    return [(stage, rng.randrange(1, 10**6)) for stage in stages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1, help="seeds the trials' stages, kill points and order")
    parser.add_argument("--work", default="/tmp/creatorlake-crash", help="work directory (the clean run is kept there and reused)")
    parser.add_argument("--replay", metavar="STAGE:SEED", help="run one trial again")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds any one command may take")
    parser.add_argument("--full-vacuum", action="store_true", help="VACUUM DRY RUN listing the directories (about a minute a table)")
    parser.add_argument("--checksum", nargs=2, metavar=("LAKEHOUSE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--export", nargs=2, metavar=("LAKEHOUSE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.checksum:
        checksum_main(*args.checksum, args.full_vacuum)
        return 0
    if args.export:
        export_main(*args.export)
        return 0
    if args.trials < 1:
        parser.error(f"--trials must be 1 or more, not {args.trials}")
    trials = Trials(Path(args.work), args.timeout, args.full_vacuum)
    if args.replay:
        stage, _, seed = args.replay.partition(":")
        if stage not in WEIGHTS or not seed.isdigit():
            parser.error(f"--replay takes STAGE:SEED with STAGE one of {', '.join(WEIGHTS)}, not {args.replay!r}")
        chosen = [(stage, int(seed))]
    else:
        chosen = plan(args.trials, args.seed)
    state = trials.prepare()
    results = []
    started = time.perf_counter()
    for n, (stage, seed) in enumerate(chosen, 1):
        result = trials.trial(state, stage, seed)
        results.append(result)
        verdict = "converged" if not result["problems"] else f"FAILED ({len(result['problems'])} table(s))"
        say(f"trial {n}/{len(chosen)} {stage}:{seed} killed after {result['kill_after_s']}s"
            f"{'' if result['killed'] else ' (had already finished)'}, rerun {result['rerun_s']}s, "
            f"{result['tables']} tables: {verdict} [{time.perf_counter() - started:.0f}s]")
        for problem in result["problems"]:
            say(f"  {problem}   (replay: --replay {stage}:{seed})")
    report = Path(args.work) / "crash_trials.json"
    report.write_text(json.dumps({"clean_seconds": state["seconds"], "trials": results}, indent=1))
    failed = [r for r in results if r["problems"]]
    killed = sum(r["killed"] for r in results)
    print(f"{len(results)} trials ({killed} killed mid-run), {len(failed)} failed; report in {report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
