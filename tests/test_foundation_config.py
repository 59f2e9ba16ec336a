"""Config loading: file, environment and flag precedence; bad files named on one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from creatorlake.core.config import load_config, read_yaml
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
