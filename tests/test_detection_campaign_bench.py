"""The pure parts of bench/bench_detection_campaign.py: which segments can carry which driver, and the draw (no Spark)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_detection_campaign.py"
spec = importlib.util.spec_from_file_location("bench_detection_campaign", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

DAYS = 120


def volumes(listens: float, paying_patrons: float) -> dict[tuple, dict[str, float]]:
    """Every candidate segment at the same volumes, except DE · business, which has a tenth of them."""
    out = {bench.segment_key(s): {"listens": listens, "paying_patrons": paying_patrons} for s in bench.SEGMENTS}
    out[("DE", "business", None)] = {"listens": listens / 10, "paying_patrons": paying_patrons / 10}
    return out


def test_a_driver_goes_only_to_segments_whose_volume_clears_its_floor_by_the_margin():
    floors = bench.volume_floors()
    (listens_column, listens_floor), (patrons_column, patrons_floor) = floors["listens"], floors["sub_conversion"]
    assert (listens_column, patrons_column) == ("listens", "paying_patrons")
    pairs = bench.eligible_pairs(volumes(bench.VOLUME_MARGIN * listens_floor, bench.VOLUME_MARGIN * patrons_floor), floors)
    de_business = {"country_code": "DE", "category": "business"}
    # At exactly the margin a listens-floored driver qualifies; a tenth of it does not, for any driver.
    assert ({"category": "comedy"}, "fill_rate") in pairs and ({"category": "comedy"}, "sub_conversion") in pairs
    assert not [d for s, d in pairs if s == de_business]
    # Paying patrons under the margin: no conversion incident anywhere, the ad drivers still everywhere else.
    pairs = bench.eligible_pairs(volumes(10 * listens_floor, patrons_floor), floors)
    assert "sub_conversion" not in {d for _, d in pairs}
    assert len(pairs) == (len(bench.SEGMENTS) - 1) * (len(floors) - 1)


def test_the_draw_plants_only_eligible_pairs_never_two_on_a_day_in_nested_segments():
    floors = bench.volume_floors()
    pairs = bench.eligible_pairs(volumes(10 * floors["listens"][1], bench.VOLUME_MARGIN * floors["sub_conversion"][1]), floors)
    for seed in range(30):
        incidents = bench.draw_incidents(random.Random(seed), DAYS, pairs)
        assert 6 <= len(incidents) <= 10
        for i, a in enumerate(incidents):
            assert (a["segment"], a["driver"]) in pairs and 3 <= a["days"] <= 7 and 0.3 <= abs(a["change"]) <= 0.7
            for b in incidents[i + 1:]:
                overlap = a["start"] <= b["start"] < _end(a) or b["start"] <= a["start"] < _end(b)
                assert not (overlap and bench.nested(a["segment"], b["segment"])), (a, b)
    assert bench.draw_incidents(random.Random(7), DAYS, pairs) == bench.draw_incidents(random.Random(7), DAYS, pairs)


def _end(incident: dict) -> str:
    return (dt.date.fromisoformat(incident["start"]) + dt.timedelta(days=incident["days"])).isoformat()


def test_an_incidents_planted_z_is_its_change_over_its_segments_noise_and_only_those_at_the_threshold_count_as_powered():
    noise = {("DE", "business", None): {"cpm": 0.1, "sub_conversion": 0.2}}
    de_business = {"country_code": "DE", "category": "business"}
    assert bench.planted_z({"segment": de_business, "driver": "cpm", "change": -0.45}, noise) == pytest.approx(4.5)
    assert bench.planted_z({"segment": de_business, "driver": "sub_conversion", "change": 0.6}, noise) == pytest.approx(3.0)
    # A segment or driver without measured noise has no planted z, and is never counted as powered.
    assert bench.planted_z({"segment": {"category": "news"}, "driver": "cpm", "change": 0.5}, noise) is None
    details = [{"planted_z": 4.0, "threshold": 4.0, "detected": True}, {"planted_z": 3.9, "threshold": 4.0, "detected": False},
               {"planted_z": None, "threshold": 4.0, "detected": False}]
    assert bench.powered({"detail": details}) == details[:1]
