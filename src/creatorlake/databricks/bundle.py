"""The bundle of one target, merged the way the Databricks CLI merges it.

The CLI cannot run here, so the offline checks and `creatorlake databricks status`
use this merge. It does the part of `databricks bundle validate` the bundle uses, and
no more:

- databricks.yml plus every file its `include` globs match (sorted), their
  `resources` merged per type; a resource defined in two files is an error;
- the target's `variables`, `resources` (maps merged; the lists of tasks,
  environments and job clusters merged by key, as the CLI does), `run_as`,
  `presets` and `mode`;
- variable values: an override (`--var`) beats the target's value beats the default;
  a variable without any is an error;
- `${var.*}`, `${bundle.name}`, `${bundle.target}` and
  `${workspace.current_user.short_name}` / `.userName` substituted; a string that is
  one whole reference takes the value with its type (complex variables); any other
  reference is an error;
- development mode: names prefixed "[dev <short_name>] ", schemas "dev_<short_name>_"
  unless `experimental.skip_name_prefix_for_schema`, schedules paused; a
  `presets.trigger_pause_status` fills a schedule's unset pause status; `run_as` is
  copied to every job.

Not modelled: variable lookups, permissions, sync, and path translation (paths stay
relative to the file that defines the resource; `resource_path` resolves them).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from creatorlake.core.config import read_yaml
from creatorlake.core.errors import ConfigError

BUNDLE_FILE = "databricks.yml"
REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")
# Lists the CLI merges element by element on this key (target overrides of a job).
KEYED_LISTS = {"tasks": "task_key", "environments": "environment_key", "job_clusters": "job_cluster_key"}


@dataclass(frozen=True)
class User:
    """The deploying identity, as the CLI learns it from the workspace (`current_user.me`)."""

    user_name: str

    @property
    def short_name(self) -> str:
        """The CLI's short name: the e-mail's local part, lower case, every other character `_`."""
        local = self.user_name.split("@", 1)[0].lower()
        return "".join(c if c.isalnum() else "_" for c in local)


@dataclass(frozen=True)
class BundleTarget:
    """One target, merged and substituted."""

    name: str
    target: str
    mode: str | None
    variables: Mapping[str, Any]
    resources: Mapping[str, Mapping[str, Any]]
    origins: Mapping[tuple[str, str], Path] = field(repr=False)

    def resource(self, kind: str, key: str) -> Mapping[str, Any]:
        try:
            return self.resources[kind][key]
        except KeyError:
            raise ConfigError(f"bundle target {self.target} has no {kind} resource '{key}'") from None

    def resource_path(self, kind: str, key: str, relative: str) -> Path:
        """A path written in a resource, resolved against the file that defines it."""
        return (self.origins[(kind, key)] / relative).resolve()

    def schema(self, layer: str) -> str:
        return self.resource("schemas", layer)["name"]

    @property
    def catalog(self) -> str:
        return self.variables["catalog"]


def read_bundle(root: Path) -> tuple[dict[str, Any], dict[tuple[str, str], Path]]:
    """databricks.yml with its included resources, and the directory each resource came from."""
    main_file = root / BUNDLE_FILE
    config = read_yaml(main_file)
    origins: dict[tuple[str, str], Path] = {}
    resources: dict[str, dict[str, Any]] = {}
    files = [main_file]
    for pattern in config.get("include", []):
        files += sorted(p for p in root.glob(pattern) if p.is_file())
    for path in files:
        part = config if path == main_file else read_yaml(path)
        unknown = set(part) - {"resources"} if path != main_file else set()
        if unknown:
            raise ConfigError(f"{path}: an included file may only hold resources here, found {', '.join(sorted(unknown))}")
        for kind, items in (part.get("resources") or {}).items():
            for key, body in (items or {}).items():
                if (kind, key) in origins:
                    raise ConfigError(f"{kind} resource '{key}' is defined in both {origins[(kind, key)]} and {path.parent}")
                resources.setdefault(kind, {})[key] = body
                origins[(kind, key)] = path.parent
    config["resources"] = resources
    return config, origins


def merge_override(base: Any, override: Any) -> Any:
    """A target's override over the base: maps merged, keyed lists merged by key, other values replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if key in KEYED_LISTS and isinstance(value, list) and isinstance(base.get(key), list):
                merged[key] = merge_by_key(base[key], value, KEYED_LISTS[key])
            else:
                merged[key] = merge_override(base[key], value) if key in base else value
        return merged
    return copy.deepcopy(override)


def merge_by_key(base: list[dict], override: list[dict], key: str) -> list[dict]:
    merged = {item[key]: item for item in base}
    for item in override:
        merged[item[key]] = merge_override(merged[item[key]], item) if item[key] in merged else item
    return list(merged.values())


def substitute(value: Any, lookup: Mapping[str, Any], where: str) -> Any:
    """`${...}` references replaced; a lone reference keeps the referenced value's type."""
    if isinstance(value, dict):
        return {k: substitute(v, lookup, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, lookup, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    whole = REFERENCE.fullmatch(value)
    if whole:
        return substitute(_look_up(whole.group(1), lookup, where), lookup, where)

    def one(match: re.Match[str]) -> str:
        found = substitute(_look_up(match.group(1), lookup, where), lookup, where)
        if isinstance(found, (dict, list)):
            raise ConfigError(f"{where}: complex value ${{{match.group(1)}}} used inside a string")
        return str(found)

    return REFERENCE.sub(one, value)


def _look_up(name: str, lookup: Mapping[str, Any], where: str) -> Any:
    if name not in lookup:
        raise ConfigError(f"{where}: unknown reference ${{{name}}}")
    return lookup[name]


def variable_values(config: Mapping[str, Any], target: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    declared = config.get("variables") or {}
    undeclared = (set(target.get("variables") or {}) | set(overrides)) - set(declared)
    if undeclared:
        raise ConfigError(f"variables not declared in {BUNDLE_FILE}: {', '.join(sorted(undeclared))}")
    values = {}
    for name, spec in declared.items():
        for source in (overrides, target.get("variables") or {}, spec):
            key = name if source is not spec else "default"
            if key in source:
                values[name] = source[key]
                break
        else:
            raise ConfigError(f"no value for variable '{name}': pass --var {name}=... or set BUNDLE_VAR_{name}")
    return values


def load_target(root: Path, target: str | None, user: User, overrides: Mapping[str, Any] | None = None) -> BundleTarget:
    """The resolved bundle of `target` (the default target when None), deployed by `user`."""
    config, origins = read_bundle(Path(root))
    targets = config.get("targets") or {}
    if target is None:
        defaults = [name for name, spec in targets.items() if (spec or {}).get("default")]
        if len(defaults) != 1:
            raise ConfigError(f"{BUNDLE_FILE} must mark exactly one target default, found {len(defaults)}")
        target = defaults[0]
    if target not in targets:
        raise ConfigError(f"unknown bundle target '{target}' (known: {', '.join(targets)})")
    spec = targets[target] or {}
    name = config["bundle"]["name"]
    lookup: dict[str, Any] = {
        "bundle.name": name,
        "bundle.target": target,
        "workspace.current_user.short_name": user.short_name,
        "workspace.current_user.userName": user.user_name,
    }
    raw_values = variable_values(config, spec, overrides or {})
    lookup.update({f"var.{k}": v for k, v in raw_values.items()})
    variables = {k: substitute(v, lookup, f"variables.{k}") for k, v in raw_values.items()}
    lookup.update({f"var.{k}": v for k, v in variables.items()})

    resources = merge_override(config["resources"], spec.get("resources") or {})
    for kind, items in (spec.get("resources") or {}).items():
        for key in items:
            origins.setdefault((kind, key), Path(root))
    resources = substitute(resources, lookup, "resources")
    run_as = substitute(spec.get("run_as", config.get("run_as")), lookup, "run_as")
    presets = substitute({**(config.get("presets") or {}), **(spec.get("presets") or {})}, lookup, "presets")
    skip_schema_prefix = bool((config.get("experimental") or {}).get("skip_name_prefix_for_schema"))
    apply_mode(resources, spec.get("mode"), presets, run_as, user, skip_schema_prefix)
    return BundleTarget(name=name, target=target, mode=spec.get("mode"), variables=variables, resources=resources, origins=origins)


def apply_mode(resources: dict, mode: str | None, presets: Mapping[str, Any], run_as: Any, user: User, skip_schema_prefix: bool) -> None:
    """Development mode's prefixes and paused schedules, the presets and run_as, as the CLI applies them."""
    presets = dict(presets)
    if mode == "development":
        presets.setdefault("name_prefix", f"[dev {user.short_name}] ")
        presets.setdefault("trigger_pause_status", "PAUSED")
    prefix = presets.get("name_prefix", "")
    pause = presets.get("trigger_pause_status")
    for job in resources.get("jobs", {}).values():
        job["name"] = prefix + job.get("name", "")
        if pause and "schedule" in job:
            job["schedule"].setdefault("pause_status", pause)
        if run_as:
            job["run_as"] = run_as
    for dashboard in resources.get("dashboards", {}).values():
        dashboard["display_name"] = prefix + dashboard.get("display_name", "")
    if not skip_schema_prefix:
        for schema in resources.get("schemas", {}).values():
            schema["name"] = normalized_prefix(prefix) + schema["name"]


def normalized_prefix(prefix: str) -> str:
    """The CLI's prefix for Unity Catalog names: '[dev jane] ' -> 'dev_jane_'."""
    trimmed = prefix.replace("[", "").strip(" ")
    suffix = "_" if trimmed.endswith("]") else ""
    return "".join(c if c.isalnum() else "_" for c in trimmed.lower()) + suffix


def env_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """Variable values from BUNDLE_VAR_<name>, the environment variables the CLI reads."""
    prefix = "BUNDLE_VAR_"
    return {key[len(prefix):]: value for key, value in environ.items() if key.startswith(prefix)}
