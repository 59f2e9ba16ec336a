"""`creatorlake generate`: synthetic bronze Delta tables (flags > generator.yml of the config directory)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from creatorlake.core import validate
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.spark import get_spark
from creatorlake.generator.options import INCIDENTS_CONF, RUN_OPTION_CHECKS, GeneratorOptions
from creatorlake.generator.run import STAGE, generate
from creatorlake.incidents import load_incidents


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=str, help="days in the generated window (default from generator.yml: 180)")
    parser.add_argument("--n-creators", type=str, help="creators at scale 1 (default 500)")
    parser.add_argument("--n-listeners", type=str, help="listeners at scale 1 (default 200000)")
    parser.add_argument("--scale", type=str, help="multiplies entity counts (default 1)")
    parser.add_argument("--start-date", type=str, help="first generated day, YYYY-MM-DD (default from generator.yml)")
    parser.add_argument("--seed", type=str, help="random seed (default 42)")
    parser.add_argument("--incidents", type=str, metavar="PATH", help=f"incidents YAML (default {INCIDENTS_CONF} of the config directory); 'none' plants nothing")
    parser.add_argument("--append-days", type=str, metavar="N", help="advance the existing bronze tables by N days instead of regenerating")
    parser.add_argument("--partitions", type=str, help="Spark partitions of the big tables (does not change the data)")


def _positive(value: str | None, flag: str) -> int | None:
    return None if value is None else validate.positive_int(value, flag)


def _flag_values(args: argparse.Namespace) -> dict:
    """The run options given as flags, each checked under its flag's name."""
    values = {name: getattr(args, name) for name in ("days", "n_creators", "n_listeners", "scale", "start_date", "seed")}
    return {name: None if value is None else RUN_OPTION_CHECKS[name](value, "--" + name.replace("_", "-")) for name, value in values.items()}


def with_default_incidents(options: GeneratorOptions, settings: Settings) -> GeneratorOptions:
    """The default incidents that lie inside the generated dates (a short world plants fewer);
    an incidents file given with --incidents must fit the window whole."""
    default = load_incidents(settings.conf_dir / INCIDENTS_CONF)
    planted = options.inside_window(default)
    if len(planted) < len(default):
        say(STAGE, f"{len(default) - len(planted)} of the {len(default)} default incidents lie outside the generated dates: not planted")
    return replace(options, incidents=planted)


def run(args: argparse.Namespace, settings: Settings) -> int:
    append_days = _positive(args.append_days, "--append-days")
    partitions = _positive(args.partitions, "--partitions")
    flags = _flag_values(args)
    if append_days is not None:
        given = [f"--{k.replace('_', '-')}" for k, v in flags.items() if v is not None] + (["--incidents"] if args.incidents else [])
        if given:
            raise CreatorLakeError(f"--append-days continues the existing run with its own settings; drop {', '.join(given)}")
        options = None
    else:
        # Parse and validate every flag and the incidents file before Spark starts or anything is written.
        if args.incidents is not None:
            options = GeneratorOptions.from_defaults(settings, **flags, incidents=args.incidents)
        else:
            options = with_default_incidents(GeneratorOptions.from_defaults(settings, **flags, incidents=None), settings)
    spark = get_spark(settings)
    if options is None:
        options = GeneratorOptions.from_defaults(settings, incidents=None)
    generate(spark, settings, options, append_days=append_days, partitions=partitions)
    return 0
