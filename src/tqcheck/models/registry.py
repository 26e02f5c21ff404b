"""Language pair -> translation model, from data (``models/data/mt_models.toml``) plus overrides.

An override (``--mt-model en-fr=ID_OR_PATH`` or ``mt_models`` in the configuration) wins over the
defaults; a local folder works everywhere a hub id does. Multilingual models (NLLB-200, M2M100)
need their own language codes, which the registry supplies.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqcheck.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from tqcheck.config import Config

#: Model families tqcheck knows how to drive; "marian" needs no language codes.
FAMILIES = ("marian", "nllb", "m2m100")


@dataclass(frozen=True)
class ModelSpec:
    """What translates ``src`` -> ``tgt``: a hub id or folder, its family and language codes."""

    src: str
    tgt: str
    model: str
    family: str = "marian"
    #: The model's own codes for the languages (NLLB: "fra_Latn"; M2M100: "fr"); None for Marian.
    src_code: str | None = None
    tgt_code: str | None = None
    #: "configured" (override), "default" (opus-mt) or "multilingual" (fallback family).
    origin: str = "default"

    @property
    def pair(self) -> str:
        return f"{self.src}-{self.tgt}"


@lru_cache(maxsize=1)
def registry_data() -> dict[str, Any]:
    text = resources.files("tqcheck.models").joinpath("data/mt_models.toml").read_text("utf-8")
    return tomllib.loads(text)


def opus_pairs() -> list[str]:
    return list(registry_data()["opus_mt"]["pairs"])


def family_codes(family: str) -> dict[str, str]:
    return dict(registry_data().get("family", {}).get(family, {}).get("codes", {}))


def guess_family(model: str) -> str:
    """The family from a hub id, e.g. ``facebook/nllb-200-distilled-600M`` -> nllb."""
    low = model.lower()
    if "nllb" in low:
        return "nllb"
    if "m2m100" in low or "m2m_100" in low:
        return "m2m100"
    return "marian"


def family_of_folder(folder: Path) -> str:
    """The family from a model folder's files (config.json model_type, tokenizer class)."""
    def read(name: str) -> dict[str, Any]:
        try:
            data = json.loads((folder / name).read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    tok_class = str(read("tokenizer_config.json").get("tokenizer_class", "")).lower()
    model_type = str(read("config.json").get("model_type", "")).lower()
    if "nllb" in tok_class:
        return "nllb"
    if model_type == "m2m_100" or "m2m100" in tok_class:
        return "m2m100"
    if model_type == "marian" or "marian" in tok_class:
        return "marian"
    return guess_family(str(folder))


def with_codes(spec: ModelSpec, family: str) -> ModelSpec:
    """``spec`` with ``family`` and that family's codes for its languages (ConfigError if unknown)."""
    if family == "marian":
        return replace(spec, family=family, src_code=None, tgt_code=None)
    codes = family_codes(family)
    missing = [lang for lang in (spec.src, spec.tgt) if lang not in codes]
    if missing:
        raise ConfigError(
            f"{spec.model}: no {family} language code known for {', '.join(missing)} "
            f"(add it to tqcheck/models/data/mt_models.toml)"
        )
    return replace(spec, family=family, src_code=codes[spec.src], tgt_code=codes[spec.tgt])


def default_spec(src: str, tgt: str) -> ModelSpec:
    """The default model for a pair: opus-mt where it exists, otherwise the multilingual family."""
    data = registry_data()
    pair = f"{src}-{tgt}"
    if pair in data["opus_mt"]["pairs"]:
        model = data["opus_mt"]["template"].format(src=src, tgt=tgt)
        return ModelSpec(src, tgt, model, "marian", origin="default")
    family = data["multilingual"]["default"]
    model = data["family"][family]["model"]
    return with_codes(ModelSpec(src, tgt, model, origin="multilingual"), family)


def model_spec(config: Config, src: str, tgt: str) -> ModelSpec:
    """The model for ``src -> tgt``: a configured override, else the default."""
    if src == tgt:
        raise ConfigError(f"cannot translate {src} into itself; the pivot must differ from the text language")
    override = config.mt_models.get(f"{src}-{tgt}")
    if not override:
        return default_spec(src, tgt)
    folder = Path(override).expanduser()
    family = family_of_folder(folder) if folder.is_dir() else guess_family(override)
    return with_codes(ModelSpec(src, tgt, override, origin="configured"), family)


def known_pairs(config: Config) -> list[str]:
    """Every pair with an opus-mt default or a configured override, sorted."""
    return sorted(set(opus_pairs()) | set(config.mt_models))
