"""Validators shared by every config loader: each raises a one-line ConfigError naming where.

`where` names the place of the value, e.g. "/path/to/anomaly.yml: metrics.cpm.window" or a
flag such as "--days"; every message reads "<where> must be ..., not <value>".
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import math
import typing
from typing import Any, Iterable, Mapping, TypeVar

from creatorlake.core.errors import ConfigError


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    """A mapping; an absent (null) section is an empty one."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a mapping, not {type(value).__name__}")
    return value


def known_keys(value: Mapping[str, Any], known: Iterable[str], where: str, what: str = "key") -> None:
    """No key outside `known`: a misspelt option is an error, not silently ignored."""
    known = tuple(known)
    unknown = sorted(str(key) for key in value if key not in known)
    if unknown:
        raise ConfigError(f"{where}: unknown {what} '{unknown[0]}' (known: {', '.join(known)})")


def required(value: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in value:
        raise ConfigError(f"{where}: missing key '{key}'")
    return value[key]


def choice(value: Any, choices: Iterable[str], where: str) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise ConfigError(f"{where} must be one of {', '.join(choices)}, not {value!r}")
    return value


def text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a non-empty string, not {value!r}")
    return value


def integer(value: Any, where: str, minimum: int | None = None) -> int:
    """An integer (a YAML int, a whole float or a string of digits, as flags arrive)."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            number = None
    if number is None:
        raise ConfigError(f"{where} must be an integer, not {value!r}")
    if minimum is not None and number < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(f"{where} must be {kind}, not {value!r}")
    return number


def positive_int(value: Any, where: str) -> int:
    return integer(value, where, minimum=1)


def number(value: Any, where: str, minimum: float | None = None, *, above: float | None = None) -> float:
    """A finite number, at least `minimum` or strictly more than `above`."""
    result: float | None = None
    if not isinstance(value, bool) and isinstance(value, (int, float, str)):
        try:
            result = float(value)
        except ValueError:
            result = None
    if result is None or not math.isfinite(result):
        raise ConfigError(f"{where} must be a number, not {value!r}")
    if minimum is not None and result < minimum:
        raise ConfigError(f"{where} must be >= {minimum}, not {value!r}")
    if above is not None and not result > above:
        kind = "a positive number" if above == 0 else f"> {above}"
        raise ConfigError(f"{where} must be {kind}, not {value!r}")
    return result


def date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where} must be a date YYYY-MM-DD, not {value!r}") from None


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, not {value!r}")
    return value


R = TypeVar("R")
_SCALARS: dict[type, Any] = {float: number, int: integer, str: text, bool: boolean, dt.date: date}


def _child(where: str, key: Any) -> str:
    """The place of `key` inside `where`: "file.yml: a" for a file's top level ("file.yml:"), else "a.b"."""
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def _here(where: str) -> str:
    return where.rstrip(":")


def typed(value: Any, annotation: Any, where: str) -> Any:
    """`value` checked and converted to `annotation`: a scalar, tuple[T, ...] (a YAML list),
    Mapping[K, V] (a YAML mapping, keys converted too) or a dataclass (a `record`).
    `where` names the value; a file's top level is "<file>:"."""
    if dataclasses.is_dataclass(annotation):
        return record(annotation, value, where)
    if annotation in _SCALARS:
        return _SCALARS[annotation](value, where)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{_here(where)} must be a list, not {type(value).__name__}")
        return tuple(typed(item, args[0], f"{_here(where)}[{i}]") for i, item in enumerate(value))
    if origin in (dict, collections.abc.Mapping):
        key_type, value_type = args
        return {typed(k, key_type, f"{_here(where)} key {k!r}"): typed(v, value_type, _child(where, k)) for k, v in mapping(value, _here(where)).items()}
    raise TypeError(f"no config conversion for {annotation!r} ({where})")


def record(cls: type[R], raw: Any, where: str) -> R:
    """A frozen dataclass from a YAML mapping: no unknown key, every field without a default present,
    each value converted to its field's annotation."""
    values = mapping(raw, _here(where))
    fields = [f for f in dataclasses.fields(cls) if f.init]
    known_keys(values, [f.name for f in fields], _here(where))
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in fields:
        if f.name in values:
            kwargs[f.name] = typed(values[f.name], hints[f.name], _child(where, f.name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{_here(where)}: missing key '{f.name}'")
    return cls(**kwargs)
