"""Configuration: tqcheck.toml, [tool.tqcheck] in pyproject.toml, flags on top, strict validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_tqcheck
from tqcheck.config import Config, from_mapping, load_config, parse_pairs
from tqcheck.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # stop discovery at this "repository"
    cfg = load_config(search_from=tmp_path)
    assert cfg == Config(cache_dir=cfg.cache_dir)
    assert cfg.penalties == {"minor": 1.0, "major": 5.0, "critical": 25.0}


def test_tqcheck_toml_is_discovered_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "tqcheck.toml").write_text('fail_under = 90\nignore = ["typography.doubled-space"]\n'
                                           '[penalties]\nmajor = 4\n', "utf-8")
    sub = tmp_path / "docs" / "fr"
    sub.mkdir(parents=True)
    cfg = load_config(search_from=sub)
    assert cfg.fail_under == 90
    assert cfg.ignore == ["typography.doubled-space"]
    assert cfg.penalties == {"minor": 1.0, "major": 4.0, "critical": 25.0}
    assert cfg.config_path == str(tmp_path / "tqcheck.toml")


def test_pyproject_tool_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.tqcheck]\nsource-lang = "fr"\n', "utf-8")
    assert load_config(search_from=tmp_path).source_lang == "fr"


def test_unknown_key_names_the_key() -> None:
    with pytest.raises(ConfigError, match="unknown configuration key 'fail_undr'"):
        from_mapping({"fail_undr": 3}, "tqcheck.toml")


def test_rule_selection_by_prefix() -> None:
    cfg = Config(select=["typography"], ignore=["typography.doubled-space"])
    assert cfg.rule_enabled("typography.space-before-punctuation")
    assert not cfg.rule_enabled("typography.doubled-space")
    assert not cfg.rule_enabled("grammar.repeated-word")
    assert not Config(ignore=["typo"]).rule_enabled("typo.x")
    assert Config(ignore=["typo"]).rule_enabled("typography.x"), "prefixes match whole dotted parts"


def test_model_pairs() -> None:
    assert parse_pairs(["en-fr=/m/a", "fr-en = b"], "--mt-model", "SRC-TGT") == {"en-fr": "/m/a", "fr-en": "b"}
    with pytest.raises(ConfigError, match="--mt-model expects SRC-TGT=ID_OR_PATH"):
        parse_pairs(["en-fr"], "--mt-model", "SRC-TGT")


def test_flags_override_the_file(tmp_path: Path) -> None:
    (tmp_path / "tqcheck.toml").write_text("fail_under = 99.9\n", "utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("Is it right ?\n", "utf-8")
    assert run_tqcheck("check", str(doc), "-f", "json", cwd=tmp_path).returncode == 1
    proc = run_tqcheck("check", str(doc), "-f", "json", "--fail-under", "10", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["gate"]["passed"] is True
    explicit = tmp_path / "other.toml"
    explicit.write_text('ignore = ["typography"]\n', "utf-8")
    proc = run_tqcheck("check", str(doc), "-f", "json", "--config", str(explicit), cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["documents"][0]["findings"] == []
