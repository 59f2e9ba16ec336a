"""Column expressions more than one stage builds."""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F


def case(key: Column, values: dict[str, Column], otherwise: Column) -> Column:
    """`values[key]`, or `otherwise` where key is null or none of the names (a lookup by name, as one CASE)."""
    cases = [(key == name, value) for name, value in values.items()]
    first, *rest = cases
    return reduce(lambda acc, pair: acc.when(*pair), rest, F.when(*first)).otherwise(otherwise)
