"""The one config loader: the YAML files of the config directory, overridden by environment and flags.

The config directory is `--conf DIR`, else $CREATORLAKE_CONF, else the defaults shipped
inside the package (`creatorlake/conf/`), so an installed wheel finds its config anywhere.
Each file becomes one typed, frozen settings object; every default is written once, as
the default of its field, and nothing outside a loader reads the parsed YAML.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from creatorlake.core import validate
from creatorlake.core.errors import ConfigError

PACKAGED_CONF = Path(__file__).resolve().parents[1] / "conf"
# The source checkout this module runs from, if it runs from one (not from an installed wheel).
CHECKOUT = Path(__file__).resolve().parents[3]
CONF_ENV = "CREATORLAKE_CONF"
DBT_PROJECT_ENV = "CREATORLAKE_DBT_PROJECT"
CONF_FILE_NAME = "creatorlake.yml"
LAYERS = ("bronze", "silver", "gold")
DEFAULT_CACHE_DIR = "~/.cache/creatorlake"


def conf_dir(flag: str | os.PathLike[str] | None = None) -> Path:
    """Where the YAML config lives: the --conf flag, else $CREATORLAKE_CONF, else the packaged defaults."""
    chosen = flag or os.environ.get(CONF_ENV) or PACKAGED_CONF
    return Path(chosen).expanduser()


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


def section_fields(cls: type, raw: Any, where: str) -> dict[str, Any]:
    """The keys of a YAML section that name fields of `cls` (others are an error); absent ones keep the field's default."""
    values = validate.mapping(raw, where)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    validate.known_keys(values, names, where)
    missing = [f.name for f in dataclasses.fields(cls) if f.init and f.name not in values
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{where}: missing key '{missing[0]}'")
    return dict(values)


@dataclass(frozen=True)
class SparkSettings:
    """`spark:` the local session (a session that already exists, as on Databricks, is used as it is)."""

    app_name: str = "creatorlake"
    master: str = "local[2]"
    conf: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, where: str) -> "SparkSettings":
        values = section_fields(cls, raw, where)
        conf = validate.mapping(values.get("conf"), f"{where}.conf")
        return cls(
            app_name=validate.text(values.get("app_name", cls.app_name), f"{where}.app_name"),
            master=validate.text(values.get("master", cls.master), f"{where}.master"),
            conf={str(k): str(v) for k, v in conf.items()},
        )


@dataclass(frozen=True)
class DbtSettings:
    """`dbt:` the dbt project (`project_dir`, relative to the checkout) and the target `transform` builds."""

    project_dir: str = "dbt"
    local_target: str = "local"

    @classmethod
    def parse(cls, raw: Any, where: str) -> "DbtSettings":
        values = section_fields(cls, raw, where)
        return cls(
            project_dir=validate.text(values.get("project_dir", cls.project_dir), f"{where}.project_dir"),
            local_target=validate.text(values.get("local_target", cls.local_target), f"{where}.local_target"),
        )


@dataclass(frozen=True)
class IngestSettings:
    """`ingest:` how much of a landed file may be bad, and the largest file read."""

    max_bad_ratio: float = 0.05
    max_file_mb: int = 512

    @classmethod
    def parse(cls, raw: Any, where: str) -> "IngestSettings":
        values = section_fields(cls, raw, where)
        ratio = validate.number(values.get("max_bad_ratio", cls.max_bad_ratio), f"{where}.max_bad_ratio", 0.0)
        if ratio > 1:
            raise ConfigError(f"{where}.max_bad_ratio must lie in [0, 1], not {ratio!r}")
        return cls(
            max_bad_ratio=ratio,
            max_file_mb=validate.positive_int(values.get("max_file_mb", cls.max_file_mb), f"{where}.max_file_mb"),
        )


@dataclass(frozen=True)
class Settings:
    """Resolved settings of `creatorlake.yml` for one process."""

    conf_dir: Path
    lakehouse_root: Path
    cache_dir: Path
    # layer (bronze, silver, gold) -> schema name
    schemas: Mapping[str, str]
    spark: SparkSettings
    dbt: DbtSettings
    ingest: IngestSettings = IngestSettings()
    # The Unity Catalog catalog tables are named in (a deployed job's --catalog); None locally.
    catalog: str | None = None

    def schema(self, layer: str) -> str:
        try:
            return self.schemas[layer]
        except KeyError:
            raise ConfigError(f"unknown layer '{layer}' (known: {', '.join(self.schemas)})") from None

    def table(self, layer: str, name: str) -> str:
        return f"{self.schema(layer)}.{name}"

    @property
    def conf_file(self) -> Path:
        return self.conf_dir / CONF_FILE_NAME

    @property
    def spark_conf(self) -> Mapping[str, str]:
        return self.spark.conf

    @property
    def warehouse_dir(self) -> Path:
        return self.lakehouse_root / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        return self.lakehouse_root / "metastore_db"

    @property
    def dbt_project_dir(self) -> Path:
        """$CREATORLAKE_DBT_PROJECT, else dbt.project_dir (absolute, or relative to the checkout, else to
        the current directory); an installed wheel ships no dbt project, so say how to point at one."""
        configured = os.environ.get(DBT_PROJECT_ENV) or self.dbt.project_dir
        path = Path(configured).expanduser()
        candidates = [path] if path.is_absolute() else [CHECKOUT / path, Path.cwd() / path]
        for candidate in candidates:
            if (candidate / "dbt_project.yml").is_file():
                return candidate.resolve()
        raise ConfigError(
            f"no dbt project (dbt_project.yml) at {configured!r}: set dbt.project_dir in {self.conf_file} "
            f"or ${DBT_PROJECT_ENV} to the directory of the CreatorLake dbt project"
        )

    def with_schemas(self, **names: str) -> "Settings":
        """The same settings writing to other schemas, e.g. a test's own `bronze_det`."""
        unknown = set(names) - set(self.schemas)
        if unknown:
            raise ConfigError(f"unknown layer(s): {', '.join(sorted(unknown))}")
        return replace(self, schemas={**self.schemas, **names})


def load_config(lakehouse: str | os.PathLike[str] | None = None, conf: str | os.PathLike[str] | None = None) -> Settings:
    """Load `creatorlake.yml` from the config directory (`conf`, a flag, beats $CREATORLAKE_CONF beats
    the packaged defaults); `lakehouse` (a flag) beats $CREATORLAKE_HOME beats lakehouse.root."""
    directory = conf_dir(conf).resolve()
    path = directory / CONF_FILE_NAME
    raw = read_yaml(path)
    where = str(path)
    validate.known_keys(raw, ("lakehouse", "schemas", "spark", "delta", "dbt", "ingest"), where)
    lakehouse_section = validate.mapping(validate.required(raw, "lakehouse", where), f"{where}: lakehouse")
    validate.known_keys(lakehouse_section, ("root",), f"{where}: lakehouse")
    schemas = validate.mapping(validate.required(raw, "schemas", where), f"{where}: schemas")
    validate.known_keys(schemas, LAYERS, f"{where}: schemas", "layer")
    for layer in LAYERS:
        validate.text(validate.required(schemas, layer, f"{where}: schemas"), f"{where}: schemas.{layer}")
    delta = validate.mapping(raw.get("delta"), f"{where}: delta")
    validate.known_keys(delta, ("cache_dir",), f"{where}: delta")
    root = lakehouse or os.environ.get("CREATORLAKE_HOME") or validate.text(
        validate.required(lakehouse_section, "root", f"{where}: lakehouse"), f"{where}: lakehouse.root"
    )
    cache = os.environ.get("CREATORLAKE_CACHE") or validate.text(delta.get("cache_dir", DEFAULT_CACHE_DIR), f"{where}: delta.cache_dir")
    return Settings(
        conf_dir=directory,
        lakehouse_root=Path(root).expanduser().resolve(),
        cache_dir=Path(cache).expanduser().resolve(),
        schemas={layer: schemas[layer] for layer in LAYERS},
        spark=SparkSettings.parse(validate.required(raw, "spark", where), f"{where}: spark"),
        dbt=DbtSettings.parse(validate.required(raw, "dbt", where), f"{where}: dbt"),
        ingest=IngestSettings.parse(raw.get("ingest"), f"{where}: ingest"),
    )
