"""Start-up costs of the default check that were cut, held in place by behaviour (never by timings):
a model missing from the local cache is found missing without the hub client, lexicon regexes
compile on first use, and wordfreq's tables are built once per language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _python(code: str, env: dict[str, str]) -> dict:
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


RESOLVE = """
import json, sys
from tqcheck.models.resolve import resolve_model
from tqcheck.signals.base import SignalUnavailable
out = {}
for repo in ("Helsinki-NLP/opus-mt-en-fr", "acme/tiny-model"):
    try:
        out[repo] = str(resolve_model(repo, purpose="translation", option="--mt-model en-fr=DIR"))
    except SignalUnavailable as exc:
        out[repo] = "unavailable: " + exc.reason + " | " + exc.fix
        out["client_imported_" + repo] = "huggingface_hub.hf_api" in sys.modules
print(json.dumps(out))
"""


def test_a_model_missing_from_the_cache_is_unavailable_without_the_hub_client(tmp_path: Path) -> None:
    hub = tmp_path / "hub"
    snapshot = hub / "models--acme--tiny-model" / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}", "utf-8")
    (hub / "models--acme--tiny-model" / "refs").mkdir()
    (hub / "models--acme--tiny-model" / "refs" / "main").write_text(snapshot.name, "utf-8")
    out = _python(RESOLVE, {"HF_HUB_CACHE": str(hub), "HF_HUB_OFFLINE": "1"})
    missing = out["Helsinki-NLP/opus-mt-en-fr"]
    assert missing.startswith("unavailable: translation model 'Helsinki-NLP/opus-mt-en-fr' is not in the local")
    assert "tqcheck models pull Helsinki-NLP/opus-mt-en-fr" in missing and "--mt-model en-fr=DIR" in missing
    assert out["client_imported_Helsinki-NLP/opus-mt-en-fr"] is False
    # A model that is in the cache still resolves through huggingface_hub, to its snapshot folder.
    assert Path(out["acme/tiny-model"]) == snapshot


LEXICON = """
import json
from tqcheck.rules.engine import Context, load_rules
rules = [r for r in load_rules() if r.kind == "lexicon"]
compiled_at_load = sum("regex" in vars(r.options["pattern"]) for r in rules)
ff = next(r for r in rules if r.id == "false-friend.fr-en.recognize-admit")
hits = [m.replacements for m in ff.find("Obama had recognized a tactical setback.", Context("en", "fr"))]
other = next(r for r in rules if r.sources == ("de",) or "de" in r.sources)
list(other.find("Obama had recognized a tactical setback.", Context("en", "de")))
compiled = sorted(r.id for r in rules if "regex" in vars(r.options["pattern"]))
print(json.dumps({"rules": len(rules), "compiled_at_load": compiled_at_load, "hits": hits,
                  "compiled": compiled}))
"""


def test_lexicon_regexes_compile_on_first_use_and_still_match() -> None:
    out = _python(LEXICON, {})
    assert out["rules"] > 300 and out["compiled_at_load"] == 0
    assert out["hits"] and "acknowledged" in out["hits"][0]
    # Only the entry that was tried compiled (the German one's anchor words are not in the text).
    assert out["compiled"] == ["false-friend.fr-en.recognize-admit"]


WORDFREQ = """
import json, functools, wordfreq
inner = wordfreq.get_frequency_dict.__wrapped__
built = []
def traced(*a, **k):
    built.append([a, k])
    return inner(*a, **k)
wordfreq.get_frequency_dict = functools.lru_cache(maxsize=None)(traced)
from tqcheck.api import check
from tqcheck.config import Config
check("Les gouvernement is very important pour the coalition.", Config(source_lang="fr"), text=True)
langs = [a[0] for a, k in built]
print(json.dumps({"langs": langs}))
"""


def test_each_wordfreq_table_is_built_once_per_language() -> None:
    """wordfreq caches its tables by call signature: ``f("en", wordlist="best")`` and wordfreq's own
    ``f("en", "best")`` would each build the same 300,000-word dict."""
    langs = _python(WORDFREQ, {"HF_HUB_OFFLINE": "1"})["langs"]
    assert "en" in langs and "fr" in langs
    assert len(langs) == len(set(langs)), langs
