"""Random draws as pure functions of (seed, salt, row key): the same value whatever the partitioning.

Every draw hashes the run's seed, a salt naming the draw and the columns that
identify the row, so a row's values never depend on which task computes it,
on the number of partitions, or on which window the row was generated in.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from pyspark.sql import Column
from pyspark.sql import functions as F

_BITS = 53
_MASK = (1 << _BITS) - 1


class Draws:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def u(self, salt: str, *keys: Any) -> Column:
        """Uniform on [0, 1)."""
        cols = [k if isinstance(k, Column) else F.col(k) for k in keys]
        h = F.xxhash64(F.lit(self.seed), F.lit(salt), *cols)
        return h.bitwiseAND(F.lit(_MASK)).cast("double") / float(1 << _BITS)

    def z(self, salt: str, *keys: Any) -> Column:
        """Standard normal (Box-Muller on two hashed uniforms)."""
        u1 = F.lit(1.0) - self.u(salt + ".1", *keys)
        u2 = self.u(salt + ".2", *keys)
        return F.sqrt(F.lit(-2.0) * F.log(u1)) * F.cos(F.lit(2 * math.pi) * u2)

    def exp(self, salt: str, *keys: Any) -> Column:
        """Exponential with mean 1."""
        return -F.log(F.lit(1.0) - self.u(salt, *keys))

    def pick(self, salt: str, weights: Mapping[Any, float] | Sequence[tuple[Any, float]], *keys: Any) -> Column:
        """A value drawn with the given relative weights."""
        return pick_by(self.u(salt, *keys), weights)


def pick_by(u: Column, weights: Mapping[Any, float] | Sequence[tuple[Any, float]]) -> Column:
    items = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    total = float(sum(w for _, w in items))
    expr = None
    cumulative = 0.0
    for value, weight in items[:-1]:
        cumulative += weight / total
        expr = (F.when(u < cumulative, F.lit(value)) if expr is None else expr.when(u < cumulative, F.lit(value)))
    last = F.lit(items[-1][0])
    return last if expr is None else expr.otherwise(last)


def lookup(mapping: Mapping[Any, Any], key: Column) -> Column:
    """A literal map applied to a column."""
    pairs = []
    for k, v in mapping.items():
        pairs += [F.lit(k), F.lit(v)]
    return F.element_at(F.create_map(*pairs), key)
