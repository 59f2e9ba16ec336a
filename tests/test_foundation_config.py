"""Config loading: file, environment and flag precedence; bad files named on one line."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from creatorlake.core import config
from creatorlake.core.config import PACKAGED_CONF, SparkSettings, load_config, read_yaml
from creatorlake.core.errors import ConfigError


def test_flag_beats_environment_beats_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CREATORLAKE_HOME", str(tmp_path / "from_env"))
    assert load_config().lakehouse_root == (tmp_path / "from_env").resolve()
    assert load_config(tmp_path / "from_flag").lakehouse_root == (tmp_path / "from_flag").resolve()
    monkeypatch.delenv("CREATORLAKE_HOME")
    assert load_config().lakehouse_root == Path("lakehouse").resolve()


def test_with_schemas_redirects_one_layer(settings):
    moved = settings.with_schemas(bronze="bronze_elsewhere")
    assert moved.table("bronze", "events") == "bronze_elsewhere.events"
    assert moved.table("gold", "x") == settings.table("gold", "x")
    with pytest.raises(ConfigError, match="unknown layer"):
        settings.with_schemas(platinum="p")


def test_invalid_yaml_is_named_on_one_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(ConfigError) as err:
        read_yaml(bad)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)


def test_missing_and_non_mapping_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        read_yaml(tmp_path / "nope.yml")
    listing = tmp_path / "list.yml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        read_yaml(listing)


def test_missing_section_is_named(monkeypatch, tmp_path):
    (tmp_path / "creatorlake.yml").write_text("lakehouse: {root: x}\n")
    monkeypatch.setenv("CREATORLAKE_CONF", str(tmp_path))
    with pytest.raises(ConfigError, match="missing key 'schemas'"):
        load_config()


# ---------------------------------------------------------------- the config directory: --conf > $CREATORLAKE_CONF > packaged


def conf_copy(tmp_path: Path, name: str, **replacements: str) -> Path:
    """A copy of the packaged config directory; `replacements` maps a file to its new text."""
    directory = tmp_path / name
    shutil.copytree(PACKAGED_CONF, directory)
    for file, text in replacements.items():
        (directory / file).write_text(text)
    return directory


def test_conf_flag_beats_environment_beats_packaged_defaults(monkeypatch, tmp_path):
    from_flag, from_env = conf_copy(tmp_path, "flag"), conf_copy(tmp_path, "env")
    monkeypatch.setenv("CREATORLAKE_CONF", str(from_env))
    assert load_config(conf=from_flag).conf_dir == from_flag.resolve()
    assert load_config().conf_dir == from_env.resolve()
    monkeypatch.delenv("CREATORLAKE_CONF")
    assert load_config().conf_dir == PACKAGED_CONF.resolve()


def test_the_cli_reads_the_conf_flag_before_the_environment(monkeypatch, tmp_path, capsys):
    """Each directory's anomaly.yml is broken differently: the error says whose file was read (before Spark starts)."""
    from creatorlake.cli import main

    broken = lambda window: yaml.safe_dump({"metrics": {"cpm": {"window": window}}})  # noqa: E731
    from_flag = conf_copy(tmp_path, "flag", **{"anomaly.yml": broken(5)})
    from_env = conf_copy(tmp_path, "env", **{"anomaly.yml": broken(6)})
    monkeypatch.setenv("CREATORLAKE_CONF", str(from_env))
    assert main(["detect", "--lakehouse", str(tmp_path / "lh"), "--conf", str(from_flag)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(from_flag / "anomaly.yml") in err[0] and "window 5" in err[0], err
    assert not (tmp_path / "lh").exists()


PACKAGED_SETTINGS = yaml.safe_load((PACKAGED_CONF / "creatorlake.yml").read_text())


def settings_with(section: str, value) -> dict:
    return {**PACKAGED_SETTINGS, section: value}


@pytest.mark.parametrize(
    "raw, key, problem",
    [
        (settings_with("spark", {**PACKAGED_SETTINGS["spark"], "master": 2}), "spark.master", "must be a non-empty string"),
        (settings_with("spark", {**PACKAGED_SETTINGS["spark"], "mastr": "local[1]"}), "spark", "unknown key 'mastr'"),
        (settings_with("spark", {**PACKAGED_SETTINGS["spark"], "conf": ["a"]}), "spark.conf", "must be a mapping"),
        (settings_with("schemas", {"bronze": "b", "silver": "s"}), "schemas", "missing key 'gold'"),
        (settings_with("schemas", {**PACKAGED_SETTINGS["schemas"], "platinum": "p"}), "schemas", "unknown layer 'platinum'"),
        (settings_with("dbt", {"project_dir": ""}), "dbt.project_dir", "must be a non-empty string"),
        (settings_with("delta", {"cache_dir": 3}), "delta.cache_dir", "must be a non-empty string"),
        ({**PACKAGED_SETTINGS, "sparkk": {}}, "creatorlake.yml", "unknown key 'sparkk'"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_file_and_key(monkeypatch, tmp_path, raw, key, problem):
    directory = conf_copy(tmp_path, "conf", **{"creatorlake.yml": yaml.safe_dump(raw)})
    monkeypatch.delenv("CREATORLAKE_CACHE", raising=False)
    with pytest.raises(ConfigError) as err:
        load_config(conf=directory)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(directory / "creatorlake.yml")), message
    assert key in message and problem in message, message


def test_settings_are_typed_and_absent_keys_take_the_field_default(tmp_path):
    spark = {k: v for k, v in PACKAGED_SETTINGS["spark"].items() if k != "master"}
    directory = conf_copy(tmp_path, "conf", **{"creatorlake.yml": yaml.safe_dump(settings_with("spark", spark))})
    settings = load_config(conf=directory)
    assert settings.spark.master == SparkSettings.master
    assert settings.spark.app_name == PACKAGED_SETTINGS["spark"]["app_name"]
    assert settings.spark_conf["spark.sql.shuffle.partitions"] == str(PACKAGED_SETTINGS["spark"]["conf"]["spark.sql.shuffle.partitions"])
    assert settings.dbt.local_target == PACKAGED_SETTINGS["dbt"]["local_target"]
    assert settings.schemas == PACKAGED_SETTINGS["schemas"]


def assert_one_line_naming(tmp_path: Path, raw: dict, key: str, problem: str) -> None:
    """generator.yml holding `raw` is refused with one line naming the file, the key and the problem."""
    from creatorlake.generator.options import load_generator_settings

    directory = conf_copy(tmp_path, "conf", **{"generator.yml": yaml.safe_dump(raw)})
    with pytest.raises(ConfigError) as err:
        load_generator_settings(directory)
    message = str(err.value)
    assert "\n" not in message and str(directory / "generator.yml") in message
    assert key in message and problem in message, message


@pytest.mark.parametrize(
    "defaults, key, problem",
    [
        ({"days": 0}, "defaults.days", "must be a positive integer"),
        ({"scale": "big"}, "defaults.scale", "must be a number"),
        ({"start_date": "2026-13-01"}, "defaults.start_date", "must be a date"),
        ({"colour": "red"}, "defaults", "unknown key 'colour'"),
    ],
)
def test_a_bad_generator_default_is_one_line_naming_the_file_and_key(tmp_path, defaults, key, problem):
    raw = yaml.safe_load((PACKAGED_CONF / "generator.yml").read_text())
    raw["defaults"] = {**raw["defaults"], **defaults}
    assert_one_line_naming(tmp_path, raw, key, problem)


def test_the_dbt_project_is_found_in_the_checkout_else_the_error_says_how_to_point_at_one(monkeypatch, tmp_path, settings):
    assert (settings.dbt_project_dir / "dbt_project.yml").is_file()
    monkeypatch.setattr(config, "CHECKOUT", tmp_path)  # as from an installed wheel: no checkout around it
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        settings.dbt_project_dir
    assert "\n" not in str(err.value)
    assert "dbt.project_dir" in str(err.value) and config.DBT_PROJECT_ENV in str(err.value)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "dbt_project.yml").write_text("name: x\n")
    monkeypatch.setenv(config.DBT_PROJECT_ENV, str(tmp_path / "elsewhere"))
    assert settings.dbt_project_dir == (tmp_path / "elsewhere").resolve()


def _edited(raw: dict, path: str, value) -> dict:
    """A deep copy of `raw` with the dotted `path` set to `value` (DELETE removes the key)."""
    raw = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node = raw
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return raw


DELETE = object()


@pytest.mark.parametrize(
    "path, value, key, problem",
    [
        ("podcast.follow_prob", "often", "podcast.follow_prob", "must be a number"),
        ("podcast.weekday_factor", 1.0, "podcast.weekday_factor", "must be a list"),
        ("creators.countries.US.cpm", None, "creators.countries.US.cpm", "must be a number"),
        ("creators.countries.US.colour", "red", "creators.countries.US", "unknown key 'colour'"),
        ("membership.tier_names", ["Supporter", ""], "membership.tier_names[1]", "must be a non-empty string"),
        ("podcast.cadences", {"weekly": 1}, "podcast.cadences key 'weekly'", "must be a number"),
        ("partner_program.apply_prob", DELETE, "partner_program", "missing key 'apply_prob'"),
        ("effects.comments.like_lift", 0.1, "effects.comments", "unknown key 'like_lift'"),
    ],
)
def test_a_bad_world_knob_is_one_line_naming_the_file_and_key(tmp_path, path, value, key, problem):
    raw = _edited(yaml.safe_load((PACKAGED_CONF / "generator.yml").read_text()), path, value)
    assert_one_line_naming(tmp_path, raw, key, problem)


def test_a_left_out_effect_is_no_effect(tmp_path):
    from creatorlake.generator.options import load_generator_settings

    raw = _edited(yaml.safe_load((PACKAGED_CONF / "generator.yml").read_text()), "effects.partner_program", DELETE)
    world = load_generator_settings(conf_copy(tmp_path, "conf", **{"generator.yml": yaml.safe_dump(raw)})).world
    shipped = load_generator_settings(PACKAGED_CONF).world
    assert shipped.effects.partner_program.ad_revenue_lift > 0
    assert world.effects.partner_program.ad_revenue_lift == 0.0
    assert world.effects.comments == shipped.effects.comments
