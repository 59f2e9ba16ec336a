"""What a generator run is asked to do: flags and conf resolved into one validated value."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from creatorlake.metrics.catalog import SEGMENT_KEYS
from creatorlake.core import validate
from creatorlake.core.config import Settings, conf_dir, read_yaml
from creatorlake.core.errors import ConfigError
from creatorlake.generator.settings import WorldSettings
from creatorlake.incidents import Incident, is_none, load_incidents, parse_incidents

GENERATOR_CONF = "generator.yml"
INCIDENTS_CONF = "incidents.yml"


@dataclass(frozen=True)
class RunOptions:
    """When, how long, how big and which seed: `defaults:` of generator.yml, which flags override.
    Each is required there: the file is the one place of their defaults."""

    start_date: dt.date
    days: int
    n_creators: int
    n_listeners: int
    seed: int
    scale: float


RUN_OPTIONS = tuple(f.name for f in fields(RunOptions))
# How each run option is checked; `where` names the flag or the config key.
RUN_OPTION_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "start_date": validate.date,
    "days": validate.positive_int,
    "n_creators": validate.positive_int,
    "n_listeners": validate.positive_int,
    "seed": validate.integer,
    "scale": lambda value, where: validate.number(value, where, above=0),
}


@dataclass(frozen=True)
class GeneratorSettings:
    """generator.yml: the run defaults, and the knobs of the simulated world (every other section)."""

    defaults: RunOptions
    world: WorldSettings


def load_generator_settings(directory: Path | None = None) -> GeneratorSettings:
    path = (directory or conf_dir()) / GENERATOR_CONF
    raw = read_yaml(path)
    where = f"{path}: defaults"
    defaults = validate.mapping(validate.required(raw, "defaults", str(path)), where)
    validate.known_keys(defaults, RUN_OPTIONS, where)
    values = {name: RUN_OPTION_CHECKS[name](validate.required(defaults, name, where), f"{where}.{name}") for name in RUN_OPTIONS}
    world = validate.record(WorldSettings, {k: v for k, v in raw.items() if k != "defaults"}, f"{path}:")
    return GeneratorSettings(defaults=RunOptions(**values), world=world)


@dataclass(frozen=True)
class GeneratorOptions(RunOptions):
    """A run's options with what it plants and the world it simulates."""

    # The world's knobs (GeneratorSettings.world).
    world: WorldSettings = field(repr=False, compare=False)
    incidents: tuple[Incident, ...] = ()

    @classmethod
    def from_defaults(cls, settings: Settings | None = None, **overrides: Any) -> "GeneratorOptions":
        """Defaults from generator.yml, incidents from incidents.yml (both in the config directory); keyword overrides win.

        `incidents` may be a path, None/"none" (plant nothing) or a list of incident mappings.
        """
        directory = settings.conf_dir if settings is not None else conf_dir()
        generator = load_generator_settings(directory)
        validate.known_keys(overrides, (*RUN_OPTIONS, "incidents"), "generator options", "option")
        given = {k: RUN_OPTION_CHECKS[k](v, k) for k, v in overrides.items() if v is not None and k != "incidents"}
        options = cls(**{**asdict(generator.defaults), **given}, world=generator.world)
        incidents = overrides.get("incidents", directory / INCIDENTS_CONF)
        where = str(incidents) if isinstance(incidents, (str, Path)) else "incidents"
        return replace(options, incidents=options.checked_window(read_incidents(incidents), where))

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days)

    @property
    def creators(self) -> int:
        return max(1, round(self.n_creators * self.scale))

    @property
    def listeners(self) -> int:
        return max(1, round(self.n_listeners * self.scale))

    def inside_window(self, incidents: tuple[Incident, ...]) -> tuple[Incident, ...]:
        return tuple(i for i in incidents if self.start_date <= i.start and i.end <= self.end_date)

    def checked_window(self, incidents: tuple[Incident, ...], where: str = "incidents") -> tuple[Incident, ...]:
        """The incidents, each inside the generated dates (segment values are checked once creators exist)."""
        last = self.end_date - dt.timedelta(days=1)
        for incident in incidents:
            if incident.start < self.start_date or incident.end > self.end_date:
                raise ConfigError(
                    f"{where}: incident '{incident.name}' window {incident.start}..{incident.end - dt.timedelta(days=1)} "
                    f"is outside the generated dates {self.start_date}..{last}"
                )
        return incidents

    def to_json(self) -> dict[str, Any]:
        return {
            "start_date": self.start_date.isoformat(), "days": self.days, "n_creators": self.n_creators,
            "n_listeners": self.n_listeners, "seed": self.seed, "scale": self.scale,
            "incidents": [i.to_json() for i in self.incidents],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], settings: Settings | None = None) -> "GeneratorOptions":
        base = cls.from_defaults(settings, **{k: data[k] for k in RUN_OPTIONS}, incidents=None)
        return replace(base, incidents=parse_incidents(data.get("incidents", []), "stored run"))


def read_incidents(source: Any) -> tuple[Incident, ...]:
    """A path to an incidents file, 'none'/None, or a list of incident mappings."""
    if is_none(source) or isinstance(source, (str, Path)):
        return load_incidents(source)
    return parse_incidents(source, "incidents")


def check_segments(incidents: tuple[Incident, ...], existing: Mapping[str, set[str]]) -> None:
    """Every segment value must belong to at least one creator, and the combination to one creator too."""
    for incident in incidents:
        for key, value in incident.segment:
            if value not in existing[key]:
                raise ConfigError(f"incident '{incident.name}': no creator has {key}={value} (known: {', '.join(sorted(existing[key]))})")


def check_combinations(incidents: tuple[Incident, ...], combos: set[tuple[str, str, str]]) -> None:
    for incident in incidents:
        seg = dict(incident.segment)
        if not any(all(seg.get(k) in (None, v) for k, v in zip(SEGMENT_KEYS, combo)) for combo in combos):
            raise ConfigError(f"incident '{incident.name}': no creator is in segment {seg}")


__all__ = ["GeneratorOptions", "GeneratorSettings", "Incident", "SEGMENT_KEYS", "load_generator_settings"]
