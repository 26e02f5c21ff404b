"""Configuration: defaults, then ``tqcheck.toml`` or ``[tool.tqcheck]`` in ``pyproject.toml``, then flags.

Validated once, here: an unknown key or a value of the wrong type is a :class:`ConfigError`
that names the key and the file.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "tqcheck.toml"
DEFAULT_PENALTIES = {"minor": 1.0, "major": 5.0, "critical": 25.0}


def default_signals() -> list[str]:
    """Every registered signal, in the order the pipeline runs them; model signals skip
    themselves (into the report's ``skipped`` list) when their models are unavailable."""
    from tqcheck.signals import REGISTRY

    return list(REGISTRY)


def default_cache_dir() -> str:
    env = os.environ.get("TQCHECK_CACHE_DIR")
    if env:
        return env
    import platformdirs

    return platformdirs.user_cache_dir("tqcheck")


@dataclass
class Config:
    #: Target language of the documents (ISO 639-1) or "auto".
    lang: str = "en"
    #: Language the documents were translated from, "auto" (guess it) or None (unknown).
    source_lang: str | None = None
    #: Input format: auto (by suffix), text or markdown.
    input_format: str = "auto"
    #: Signals to run, in order.
    signals: list[str] = field(default_factory=default_signals)
    #: Rule ids or dotted prefixes to run (empty: all) and to leave out.
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    #: MQM penalty points per severity.
    penalties: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PENALTIES))
    #: Gate: fail when a document scores below this, or has a finding this severe or worse.
    fail_under: float | None = None
    fail_on: str | None = None
    #: Per-category score thresholds, e.g. {"accuracy" = 90}.
    category_fail_under: dict[str, float] = field(default_factory=dict)
    #: Model overrides: "src-tgt" -> hub id or local folder; "lang" -> id/folder.
    mt_models: dict[str, str] = field(default_factory=dict)
    lm_models: dict[str, str] = field(default_factory=dict)
    embed_model: str | None = None
    #: Model backend for translation and neural LMs: auto (ctranslate2 when installed), transformers, ctranslate2.
    backend: str = "auto"
    device: str = "auto"
    dtype: str = "auto"
    beam_size: int = 4
    n_best: int = 1
    max_length: int = 256
    batch_size: int = 16
    #: Extra pivot languages for the round trip (besides the source language).
    pivots: list[str] = field(default_factory=list)
    #: Rank suggested fixes (fluency gain, meaning kept) and keep the best few per finding.
    rank_fixes: bool = True
    #: Which ranked candidates get the sentence-embedding meaning check: "auto" (those a model made,
    #: e.g. round-trip rewrites; lexicon and rule alternatives are ranked by fluency alone, so a
    #: rules + n-gram check never loads torch), "always" (every unsafe candidate) or "never".
    rank_embedder: str = "auto"
    #: Overrides of the ranking thresholds in tqcheck/data/ranking.toml, e.g. {min_similarity = 0.8}.
    fix_thresholds: dict[str, float] = field(default_factory=dict)
    #: At most this many findings per rule and document; the rest are counted, not listed,
    #: so a pathological input ("a a a a ...") cannot flood the report.
    max_findings_per_rule: int = 1000
    cache_dir: str = field(default_factory=default_cache_dir)
    use_cache: bool = True
    #: Glossary for the source signal's terminology checks: a CSV or TBX file.
    glossary: str | None = None
    #: Where the configuration was read from (set by the loader, not a user key).
    config_path: str | None = None
    #: True when --lang/--source-lang were given: they then win over languages a file declares.
    lang_override: bool = False

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    def rule_enabled(self, rule_id: str) -> bool:
        def matches(patterns: list[str]) -> bool:
            return any(rule_id == p or rule_id.startswith(p.rstrip(".*") + ".") for p in patterns)

        if self.select and not matches(self.select):
            return False
        return not matches(self.ignore)

    @property
    def fail_on_severity(self) -> Severity | None:
        return Severity(self.fail_on) if self.fail_on else None


_USER_KEYS = {f.name: f for f in dataclasses.fields(Config) if f.name not in ("config_path", "lang_override")}
_CHOICES = {
    "backend": {"auto", "transformers", "ctranslate2"},
    "device": {"auto", "cpu", "cuda", "mps"},
    "dtype": {"auto", "float32", "float16", "bfloat16", "int8"},
    "input_format": {"auto", "text", "markdown", "xliff", "po", "tmx", "tsv", "csv"},
    "fail_on": {None, "minor", "major", "critical"},
    "rank_embedder": {"auto", "always", "never"},
}


def _check_type(key: str, value: Any, where: str) -> Any:
    f = _USER_KEYS[key]
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    t = str(f.type)
    ok: bool
    if t.startswith("list"):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif t.startswith("dict[str, float]"):
        ok = isinstance(value, dict) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                             for v in value.values())
    elif t.startswith("dict"):
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    elif t.startswith("bool"):
        ok = isinstance(value, bool)
    elif t.startswith("int"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif t.startswith("float"):
        ok = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
    else:  # str or str | None
        ok = isinstance(value, str) or (value is None and default is None)
    if not ok:
        raise ConfigError(f"{where}: '{key}' has the wrong type ({type(value).__name__}); expected {t}")
    if key in _CHOICES and value not in _CHOICES[key]:
        allowed = ", ".join(sorted(c for c in _CHOICES[key] if c))
        raise ConfigError(f"{where}: '{key}' must be one of {allowed}, not {value!r}")
    return value


def validate(config: Config, where: str = "configuration") -> Config:
    _normalize_languages(config, where)
    for key in ("fail_on", "backend", "device", "dtype", "input_format", "rank_embedder"):
        _check_type(key, getattr(config, key), where)
    for name in config.penalties:
        if name not in DEFAULT_PENALTIES:
            raise ConfigError(f"{where}: unknown severity '{name}' in penalties; use minor, major, critical")
    if config.fail_under is not None and not 0 <= config.fail_under <= 100:
        raise ConfigError(f"{where}: fail_under must be between 0 and 100, not {config.fail_under}")
    gated_categories = [c.value for c in Category if c is not Category.NON_CONTENT]
    for name, limit in config.category_fail_under.items():
        if name not in gated_categories:
            raise ConfigError(f"{where}: unknown category '{name}' in category_fail_under; "
                              f"use {', '.join(gated_categories)}")
        if not 0 <= limit <= 100:
            raise ConfigError(f"{where}: category_fail_under.{name} must be between 0 and 100, not {limit}")
    for pair in config.mt_models:
        if len(pair.split("-")) != 2 or not all(pair.split("-")):
            raise ConfigError(f"{where}: mt_models key {pair!r} must look like SRC-TGT, e.g. en-fr")
    for key in ("beam_size", "n_best", "max_length", "batch_size", "max_findings_per_rule"):
        if getattr(config, key) < 1:
            raise ConfigError(f"{where}: '{key}' must be at least 1")
    return config


def _normalize_languages(config: Config, where: str) -> None:
    """``en-GB``/``EN``/``eng`` -> ``en`` for lang, source_lang and pivots (see language.py)."""
    from tqcheck.language import normalize_code

    try:
        config.lang = normalize_code(config.lang)
        if config.source_lang is not None:
            config.source_lang = normalize_code(config.source_lang)
        config.pivots = [normalize_code(p) for p in config.pivots]
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if "auto" in config.pivots:
        raise ConfigError(f"{where}: pivots must be language codes, not 'auto'")


def from_mapping(data: dict[str, Any], where: str, base: Config | None = None) -> Config:
    values: dict[str, Any] = {}
    for key, value in data.items():
        norm = key.replace("-", "_")
        if norm not in _USER_KEYS:
            raise ConfigError(f"{where}: unknown configuration key '{key}'")
        values[norm] = _check_type(norm, value, where)
    if "penalties" in values:
        values["penalties"] = {**DEFAULT_PENALTIES, **{k: float(v) for k, v in values["penalties"].items()}}
    cfg = (base or Config()).replace(**values)
    return validate(cfg, where)


def find_config_file(start: Path) -> Path | None:
    """``tqcheck.toml``, else a ``pyproject.toml`` with ``[tool.tqcheck]``, in ``start`` or a parent."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "tqcheck" in tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}):
                    return pyproject
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                continue
        if (directory / ".git").exists():
            break
    return None


def load_config(path: str | os.PathLike[str] | None = None, *, search_from: Path | None = None) -> Config:
    """Load an explicit file, or discover one from ``search_from`` (default: the working directory)."""
    if path is None:
        found = find_config_file((search_from or Path.cwd()).resolve())
        if found is None:
            return Config()
        path = found
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: configuration file not found")
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML ({exc})") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{p}: cannot read configuration ({exc})") from None
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("tqcheck", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{p}: [tool.tqcheck] must be a table")
    cfg = from_mapping(data, str(p))
    cfg.config_path = str(p)
    if cfg.glossary and not Path(cfg.glossary).expanduser().is_absolute():
        # A relative glossary path is relative to the configuration file, not the working directory.
        cfg.glossary = str(p.parent / cfg.glossary)
    return cfg


def parse_pairs(values: list[str] | None, option: str, key_shape: str) -> dict[str, str]:
    """Parse repeatable ``KEY=VALUE`` options such as ``--mt-model en-fr=DIR``."""
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ConfigError(f"{option} expects {key_shape}=ID_OR_PATH, got {item!r}")
        out[key.strip()] = value.strip()
    return out
