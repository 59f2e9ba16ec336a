"""`creatorlake generate`: synthetic bronze Delta tables (flags > conf/generator.yml)."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings, conf_dir
from creatorlake.core.errors import CreatorLakeError
from creatorlake.generator.options import INCIDENTS_CONF, GeneratorOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=str, help="days in the generated window (default from conf/generator.yml: 180)")
    parser.add_argument("--n-creators", type=str, help="creators at scale 1 (default 500)")
    parser.add_argument("--n-listeners", type=str, help="listeners at scale 1 (default 200000)")
    parser.add_argument("--scale", type=str, help="multiplies entity counts (default 1)")
    parser.add_argument("--start-date", type=str, help="first generated day, YYYY-MM-DD (default from conf/generator.yml)")
    parser.add_argument("--seed", type=str, help="random seed (default 42)")
    parser.add_argument("--incidents", type=str, metavar="PATH", help=f"incidents YAML (default conf/{INCIDENTS_CONF}); 'none' plants nothing")
    parser.add_argument("--append-days", type=str, metavar="N", help="advance the existing bronze tables by N days instead of regenerating")
    parser.add_argument("--partitions", type=str, help="Spark partitions of the big tables (does not change the data)")


def _positive(value: str | None, flag: str) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise CreatorLakeError(f"{flag} must be a positive integer, not {value!r}") from None
    if number <= 0:
        raise CreatorLakeError(f"{flag} must be a positive integer, not {value!r}")
    return number


def _flag_values(args: argparse.Namespace) -> dict:
    return {
        "days": _positive(args.days, "--days"),
        "n_creators": _positive(args.n_creators, "--n-creators"),
        "n_listeners": _positive(args.n_listeners, "--n-listeners"),
        "scale": args.scale,
        "start_date": args.start_date,
        "seed": args.seed,
    }


def run(args: argparse.Namespace, settings: Settings) -> int:
    from creatorlake.generator.run import generate

    append_days = _positive(args.append_days, "--append-days")
    partitions = _positive(args.partitions, "--partitions")
    flags = _flag_values(args)
    if append_days is not None:
        given = [f"--{k.replace('_', '-')}" for k, v in flags.items() if v is not None] + (["--incidents"] if args.incidents else [])
        if given:
            raise CreatorLakeError(f"--append-days continues the existing run with its own settings; drop {', '.join(given)}")
        options = None
    else:
        incidents = args.incidents if args.incidents is not None else conf_dir() / INCIDENTS_CONF
        # Parse and validate every flag and the incidents file before Spark starts or anything is written.
        options = GeneratorOptions.from_defaults(settings, **flags, incidents=incidents)
    from creatorlake.core.spark import get_spark

    spark = get_spark(settings)
    if options is None:
        options = GeneratorOptions.from_defaults(settings, incidents=None)
    generate(spark, settings, options, append_days=append_days, partitions=partitions)
    return 0
