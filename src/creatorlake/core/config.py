"""The one config loader: `conf/*.yml`, overridden by environment and flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from creatorlake.core.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[3]
CONF_FILE_NAME = "creatorlake.yml"


def conf_dir() -> Path:
    """Where the YAML config lives: $CREATORLAKE_CONF, else the repo's `conf/`."""
    return Path(os.environ.get("CREATORLAKE_CONF", REPO_ROOT / "conf")).expanduser()


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping, turning every way it can be wrong into one line."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise ConfigError(f"{path} is not valid YAML{line}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping at the top level, not {type(data).__name__}")
    return data


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise ConfigError(f"{where}: missing key '{key}'")
    return mapping[key]


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    raw: Mapping[str, Any]
    lakehouse_root: Path
    cache_dir: Path

    @property
    def schemas(self) -> Mapping[str, str]:
        return self.raw["schemas"]

    def schema(self, layer: str) -> str:
        try:
            return self.schemas[layer]
        except KeyError:
            raise ConfigError(f"unknown layer '{layer}' (known: {', '.join(self.schemas)})") from None

    def table(self, layer: str, name: str) -> str:
        return f"{self.schema(layer)}.{name}"

    @property
    def spark_conf(self) -> Mapping[str, str]:
        return {k: str(v) for k, v in self.raw["spark"].get("conf", {}).items()}

    @property
    def warehouse_dir(self) -> Path:
        return self.lakehouse_root / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        return self.lakehouse_root / "metastore_db"

    @property
    def dbt_project_dir(self) -> Path:
        return REPO_ROOT / self.raw["dbt"]["project_dir"]

    def section(self, name: str) -> Mapping[str, Any]:
        return self.raw.get(name, {})

    def with_schemas(self, **names: str) -> "Settings":
        """The same settings writing to other schemas, e.g. a test's own `bronze_det`."""
        unknown = set(names) - set(self.schemas)
        if unknown:
            raise ConfigError(f"unknown layer(s): {', '.join(sorted(unknown))}")
        return replace(self, raw={**self.raw, "schemas": {**self.schemas, **names}})


def load_config(lakehouse: str | os.PathLike[str] | None = None) -> Settings:
    """Load `conf/creatorlake.yml`; `lakehouse` (a flag) beats $CREATORLAKE_HOME beats the file."""
    path = conf_dir() / CONF_FILE_NAME
    raw = read_yaml(path)
    for key in ("lakehouse", "schemas", "spark", "delta", "dbt"):
        _require(raw, key, str(path))
    for layer in ("bronze", "silver", "gold"):
        _require(raw["schemas"], layer, f"{path}: schemas")
    root = lakehouse or os.environ.get("CREATORLAKE_HOME") or _require(raw["lakehouse"], "root", f"{path}: lakehouse")
    cache = os.environ.get("CREATORLAKE_CACHE") or raw["delta"].get("cache_dir", "~/.cache/creatorlake")
    return Settings(
        raw=raw,
        lakehouse_root=Path(root).expanduser().resolve(),
        cache_dir=Path(cache).expanduser().resolve(),
    )
