"""What a generator run is asked to do: flags and conf resolved into one validated value."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from creatorlake.core.config import Settings, conf_dir, read_yaml
from creatorlake.core.errors import ConfigError, CreatorLakeError

GENERATOR_CONF = "generator.yml"
INCIDENTS_CONF = "incidents.yml"
DRIVERS = ("listens", "ad_load", "fill_rate", "cpm", "sub_conversion")
SEGMENT_KEYS = ("country_code", "category", "creator_tier")
INCIDENT_KEYS = {"name", "driver", "segment", "start", "days", "change"}


def generator_conf() -> dict[str, Any]:
    return read_yaml(conf_dir() / GENERATOR_CONF)


@dataclass(frozen=True)
class Incident:
    name: str
    driver: str
    segment: tuple[tuple[str, str], ...]
    start: dt.date
    days: int
    change: float

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "driver": self.driver, "segment": dict(self.segment),
            "start": self.start.isoformat(), "days": self.days, "change": self.change,
        }


@dataclass(frozen=True)
class GeneratorOptions:
    start_date: dt.date
    days: int
    n_creators: int
    n_listeners: int
    seed: int
    scale: float
    incidents: tuple[Incident, ...] = ()
    conf: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_defaults(cls, settings: Settings | None = None, **overrides: Any) -> "GeneratorOptions":
        """Defaults from conf/generator.yml, incidents from conf/incidents.yml; keyword overrides win.

        `incidents` may be a path, None/"none" (plant nothing) or a list of incident mappings.
        """
        conf = generator_conf()
        defaults = dict(conf.get("defaults", {}))
        unknown = set(overrides) - {"start_date", "days", "n_creators", "n_listeners", "seed", "scale", "incidents"}
        if unknown:
            raise CreatorLakeError(f"unknown generator option(s): {', '.join(sorted(unknown))}")
        values = {**defaults, **{k: v for k, v in overrides.items() if v is not None and k != "incidents"}}
        incidents_src = overrides.get("incidents", conf_dir() / INCIDENTS_CONF)
        options = cls(
            start_date=_date(values.get("start_date"), "start_date"),
            days=_positive_int(values.get("days"), "days"),
            n_creators=_positive_int(values.get("n_creators"), "n_creators"),
            n_listeners=_positive_int(values.get("n_listeners"), "n_listeners"),
            seed=_int(values.get("seed"), "seed"),
            scale=_positive_float(values.get("scale"), "scale"),
            conf=conf,
        )
        return replace(options, incidents=load_incidents(incidents_src, options))

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days)

    @property
    def creators(self) -> int:
        return max(1, round(self.n_creators * self.scale))

    @property
    def listeners(self) -> int:
        return max(1, round(self.n_listeners * self.scale))

    def to_json(self) -> dict[str, Any]:
        return {
            "start_date": self.start_date.isoformat(), "days": self.days, "n_creators": self.n_creators,
            "n_listeners": self.n_listeners, "seed": self.seed, "scale": self.scale,
            "incidents": [i.to_json() for i in self.incidents],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "GeneratorOptions":
        base = cls.from_defaults(None, **{k: data[k] for k in ("start_date", "days", "n_creators", "n_listeners", "seed", "scale")}, incidents=None)
        return replace(base, incidents=tuple(_incident(i, n, "stored run") for n, i in enumerate(data.get("incidents", []), 1)))


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CreatorLakeError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise CreatorLakeError(f"{name} must be an integer, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise CreatorLakeError(f"{name} must be an integer, not {value!r}") from None


def _positive_int(value: Any, name: str) -> int:
    number = _int(value, name)
    if number <= 0:
        raise CreatorLakeError(f"{name} must be a positive integer, not {value!r}")
    return number


def _positive_float(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CreatorLakeError(f"{name} must be a positive number, not {value!r}") from None
    if not number > 0 or number != number or number == float("inf"):
        raise CreatorLakeError(f"{name} must be a positive number, not {value!r}")
    return number


def load_incidents(source: Any, options: GeneratorOptions) -> tuple[Incident, ...]:
    """Parse and check incidents against the window (segment values are checked once creators exist)."""
    if source is None or (isinstance(source, str) and source.lower() == "none"):
        return ()
    if isinstance(source, (str, Path)):
        where = str(source)
        data = read_yaml(Path(source))
        if set(data) - {"incidents"}:
            raise ConfigError(f"{where}: unknown top-level key(s) {', '.join(sorted(map(str, set(data) - {'incidents'})))} (expected 'incidents')")
        items = data.get("incidents", [])
    else:
        where, items = "incidents", source
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ConfigError(f"{where}: 'incidents' must be a list")
    incidents = tuple(_incident(item, n, where) for n, item in enumerate(items, 1))
    names = [i.name for i in incidents]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: duplicate incident name(s) {', '.join(duplicates)}")
    for incident in incidents:
        if incident.start < options.start_date or incident.end > options.end_date:
            raise ConfigError(
                f"{where}: incident '{incident.name}' window {incident.start}..{incident.end - dt.timedelta(days=1)} "
                f"is outside the generated dates {options.start_date}..{options.end_date - dt.timedelta(days=1)}"
            )
    return incidents


def _incident(item: Any, number: int, where: str) -> Incident:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where}: incident #{number} must be a mapping")
    label = f"{where}: incident '{item.get('name', f'#{number}')}'"
    unknown = set(item) - INCIDENT_KEYS
    if unknown:
        raise ConfigError(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (known: {', '.join(sorted(INCIDENT_KEYS))})")
    missing = INCIDENT_KEYS - set(item)
    if missing:
        raise ConfigError(f"{label}: missing key(s) {', '.join(sorted(missing))}")
    if item["driver"] not in DRIVERS:
        raise ConfigError(f"{label}: unknown driver {item['driver']!r} (known: {', '.join(DRIVERS)})")
    segment = item["segment"] or {}
    if not isinstance(segment, Mapping):
        raise ConfigError(f"{label}: segment must be a mapping of {', '.join(SEGMENT_KEYS)}")
    bad_keys = set(segment) - set(SEGMENT_KEYS)
    if bad_keys:
        raise ConfigError(f"{label}: unknown segment key(s) {', '.join(sorted(map(str, bad_keys)))} (known: {', '.join(SEGMENT_KEYS)})")
    for key, value in segment.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{label}: segment {key} must be a non-empty string, not {value!r}")
    try:
        start = _date(item["start"], "start")
        days = _positive_int(item["days"], "days")
    except CreatorLakeError as exc:
        raise ConfigError(f"{label}: {exc}") from None
    change = item["change"]
    if isinstance(change, bool) or not isinstance(change, (int, float)) or change != change:
        raise ConfigError(f"{label}: change must be a number, not {change!r}")
    if change <= -1:
        raise ConfigError(f"{label}: change must be > -1 (a relative change), not {change}")
    return Incident(
        name=str(item["name"]), driver=item["driver"],
        segment=tuple(sorted((k, str(v)) for k, v in segment.items())),
        start=start, days=days, change=float(change),
    )


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


__all__ = ["GeneratorOptions", "Incident", "DRIVERS", "SEGMENT_KEYS", "asdict"]
