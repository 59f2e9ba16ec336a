"""Planted incidents: the one model the generator plants and the evaluation scores against.

An incident changes one revenue driver of one segment by a relative amount over a
date window. Pure: parsing, validation and JSON, no Spark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from creatorlake.metrics.catalog import SEGMENT_KEYS, STREAM_BY_NAME, drivers
from creatorlake.core import validate
from creatorlake.core.config import read_yaml
from creatorlake.core.errors import ConfigError

# The drivers an incident can move: every ad-revenue factor and the subscription
# conversion (active listeners follow listens; the price paid per patron is the tier's).
INCIDENT_DRIVERS = STREAM_BY_NAME["ads"].factors + ("sub_conversion",)
assert set(INCIDENT_DRIVERS) <= set(drivers())
INCIDENT_KEYS = ("name", "driver", "segment", "start", "days", "change")
# A flag this many days either side of an incident's window still counts as detecting it.
TOLERANCE_DAYS = 1


@dataclass(frozen=True)
class Incident:
    name: str
    driver: str
    segment: tuple[tuple[str, str], ...]  # sorted (key, value) pairs; no pair for a key = every value
    start: dt.date
    days: int
    change: float

    @property
    def end(self) -> dt.date:
        """The first day after the window."""
        return self.start + dt.timedelta(days=self.days)

    @property
    def direction(self) -> str:
        return "drop" if self.change < 0 else "spike"

    @property
    def segment_key(self) -> tuple[str | None, ...]:
        """The segment in SEGMENT_KEYS order, None for "all", as the segment tables key it."""
        values = dict(self.segment)
        return tuple(values.get(key) for key in SEGMENT_KEYS)

    def covers(self, day: dt.date, tolerance: int = TOLERANCE_DAYS) -> bool:
        first = self.start - dt.timedelta(days=tolerance)
        last = self.end - dt.timedelta(days=1 - tolerance)
        return first <= day <= last

    def related(self, segment: Sequence[str | None]) -> bool:
        """The incident's segment, one containing it (fewer keys, same values) or one inside it (more keys)."""
        contains = all(s is None or s == i for s, i in zip(segment, self.segment_key))
        inside = all(i is None or s == i for s, i in zip(segment, self.segment_key))
        return contains or inside

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "driver": self.driver, "segment": dict(self.segment),
            "start": self.start.isoformat(), "days": self.days, "change": self.change,
        }


def parse_incident(item: Any, number: int, where: str) -> Incident:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where}: incident #{number} must be a mapping")
    label = f"{where}: incident '{item.get('name', f'#{number}')}'"
    validate.known_keys(item, INCIDENT_KEYS, label)
    missing = [key for key in INCIDENT_KEYS if key not in item]
    if missing:
        raise ConfigError(f"{label}: missing key(s) {', '.join(missing)}")
    if item["driver"] not in INCIDENT_DRIVERS:
        raise ConfigError(f"{label}: unknown driver {item['driver']!r} (known: {', '.join(INCIDENT_DRIVERS)})")
    segment = validate.mapping(item["segment"], f"{label}: segment")
    validate.known_keys(segment, SEGMENT_KEYS, f"{label}: segment", "segment key")
    for key, value in segment.items():
        validate.text(value, f"{label}: segment.{key}")
    if isinstance(item["change"], str):  # a relative change is a YAML number, never quoted
        raise ConfigError(f"{label}: change must be a number, not {item['change']!r}")
    change = validate.number(item["change"], f"{label}: change")
    if change <= -1:
        raise ConfigError(f"{label}: change must be > -1 (a relative change), not {item['change']}")
    return Incident(
        name=str(item["name"]),
        driver=item["driver"],
        segment=tuple(sorted((str(k), str(v)) for k, v in segment.items())),
        start=validate.date(item["start"], f"{label}: start"),
        days=validate.positive_int(item["days"], f"{label}: days"),
        change=change,
    )


def parse_incidents(items: Any, where: str) -> tuple[Incident, ...]:
    """A list of incident mappings (as `incidents:` in an incidents file holds them); names are unique."""
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ConfigError(f"{where}: 'incidents' must be a list")
    incidents = tuple(parse_incident(item, n, where) for n, item in enumerate(items, 1))
    names = [i.name for i in incidents]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: duplicate incident name(s) {', '.join(duplicates)}")
    return incidents


def is_none(source: Any) -> bool:
    """'none' (a flag value) or None: a world without planted incidents."""
    return source is None or (isinstance(source, str) and source.lower() == "none")


def load_incidents(source: str | Path | None) -> tuple[Incident, ...]:
    """An incidents file (`incidents: [...]`), or none for 'none'."""
    if is_none(source):
        return ()
    where = str(source)
    data = read_yaml(Path(source))
    validate.known_keys(data, ("incidents",), where, "top-level key")
    return parse_incidents(data.get("incidents"), where)
