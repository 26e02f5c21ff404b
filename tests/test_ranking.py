"""Ranking suggested fixes: constructed candidates, a tiny LM, fake embedders and translators."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tqcheck.candidates import minimal_rewrite
from tqcheck.config import Config
from tqcheck.document import Document, Segment
from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.models.hub import ModelHub
from tqcheck.ranking import Thresholds, fluency, rank_candidates, rank_findings
from tqcheck.signals.base import SignalUnavailable

GARBLED = "But the raids have taken on little truck bombs of the IS and training failed."
SPAN = "taken on little truck bombs"


@dataclass
class Scores:
    logprob: float
    tokens: list[tuple[int, int, float]] = field(default_factory=list)
    slor: float | None = None


class FakeLM:
    """Fluency by table (unknown sentences score 0); records what it was asked."""

    def __init__(self, table: dict[str, float]) -> None:
        self.table = table
        self.calls: list[list[str]] = []

    def score(self, texts: list[str]) -> list[Scores]:
        self.calls.append(list(texts))
        return [Scores(0.0, slor=self.table.get(t, 0.0)) for t in texts]


class FakeEmbedder:
    def __init__(self, table: dict[str, float]) -> None:
        self.table = table

    def similarity(self, a: list[str], b: list[str]) -> list[float]:
        return [1.0 if x == y else self.table.get(y, 0.9) for x, y in zip(a, b, strict=True)]


class TinyGPT2Scorer:
    """A causal LM scorer over a tiny random GPT-2 loaded with transformers: total log-probability
    and per-token spans, the interface the ranker reads (no SLOR, so it uses the mean)."""

    def __init__(self, folder: Path) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModelForCausalLM.from_pretrained(folder).eval()

    def score(self, texts: list[str]) -> list[Scores]:
        import torch

        out = []
        for text in texts:
            enc = self.tok(text, return_offsets_mapping=True)
            ids = [self.tok.bos_token_id, *enc["input_ids"]]
            with torch.inference_mode():
                logits = self.model(torch.tensor([ids])).logits[0]
            logp = torch.log_softmax(logits[:-1], dim=-1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]
            toks = [(s, e, float(lp)) for (s, e), lp in zip(enc["offset_mapping"], logp, strict=True)]
            out.append(Scores(float(logp.sum()), toks))
        return out


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> TinyGPT2Scorer:
    from tests.tiny_models import build_tiny_gpt2

    return TinyGPT2Scorer(build_tiny_gpt2(tmp_path_factory.mktemp("gpt2")))


def sentence_with(replacement: str) -> str:
    return GARBLED.replace(SPAN, replacement)


def test_ranking_with_a_tiny_lm_orders_by_fluency_gain_and_drops_what_reads_worse(tiny_lm) -> None:
    options = ["had little effect on truck bombs", "have little effect on truck bombs", "truck truck truck",
               "raids raids on on", "failed to stop the truck bombs"]
    cands = [(Suggestion(o, source="roundtrip"), sentence_with(o)) for o in options]
    kept, dropped = rank_candidates(GARBLED, cands, tiny_lm, None, Thresholds(keep=3))
    # Recompute the gains independently from the LM's token scores.
    base = tiny_lm.score([GARBLED])[0]
    gains = {o: fluency(tiny_lm.score([sentence_with(o)])[0]) - fluency(base) for o in options}
    assert math.isclose(fluency(base), base.logprob / len(base.tokens))
    better = sorted((o for o in options if gains[o] >= 0), key=lambda o: -gains[o])
    assert [s.replacement for s in kept] == better[:3]
    assert {s.replacement for s, _ in dropped} == {o for o in options if gains[o] < 0}
    for s in kept:
        assert s.score == pytest.approx(gains[s.replacement], abs=1e-3)
        assert s.evidence["fluency_gain"] == pytest.approx(gains[s.replacement], abs=1e-3)
        assert s.sentence == sentence_with(s.replacement)
    assert all("less fluent" in why for _, why in dropped)


def test_meaning_changes_are_dropped_and_similarity_enters_the_score() -> None:
    good, drift, worse = sentence_with("had little effect on"), sentence_with("bombed"), sentence_with("x")
    lm = FakeLM({GARBLED: -2.0, good: -1.0, drift: 0.5, worse: -3.0})
    emb = FakeEmbedder({good: 0.9, drift: 0.5, worse: 0.95})
    cands = [(Suggestion("bombed", source="roundtrip"), drift), (Suggestion("x", source="lexicon"), worse),
             (Suggestion("had little effect on", source="roundtrip"), good)]
    kept, dropped = rank_candidates(GARBLED, cands, lm, emb, Thresholds(min_similarity=0.75,
                                                                        similarity_weight=2.0))
    assert [s.replacement for s in kept] == ["had little effect on"]
    assert kept[0].score == pytest.approx(1.0 + 2.0 * (0.9 - 1.0))
    assert kept[0].evidence == {"fluency_gain": 1.0, "fluency_before": -2.0, "fluency_after": -1.0,
                                "similarity": 0.9, "ranked_by": ["fluency", "similarity"]}
    why = dict((s.replacement, w) for s, w in dropped)
    assert why["bombed"].startswith("changes the meaning (similarity 0.50")
    assert why["x"].startswith("less fluent (gain -1.00")


def test_safe_fixes_are_scored_but_never_dropped_and_keep_caps_the_rest() -> None:
    s = "Why ? Because ."
    safe = (Suggestion("", safe=True), "Why? Because .")
    lm = FakeLM({s: 0.0, "Why? Because .": -5.0})
    unsafe = [(Suggestion(f"w{i}", source="lexicon"), f"{s} w{i}") for i in range(5)]
    for i in range(5):
        lm.table[f"{s} w{i}"] = float(i)
    kept, _ = rank_candidates(s, [*unsafe, safe], lm, None, Thresholds(keep=2))
    assert kept[0].safe and kept[0].score == -5.0
    assert [k.replacement for k in kept[1:]] == ["w4", "w3"]


def test_every_distinct_sentence_is_scored_once_in_one_batch() -> None:
    lm = FakeLM({})
    same = sentence_with("a")
    rank_candidates(GARBLED, [(Suggestion("a"), same), (Suggestion("a", source="lexicon"), same)], lm, None)
    assert lm.calls == [[GARBLED, same]]


# ---------------------------------------------------------------------------------------------
# Minimal regions


@pytest.mark.parametrize("rewrite,region,replacement", [
    # a phrase the rewrite moved next to the span is taken whole
    ("But the raids have had little effect on the IS truck bombs and training failed.",
     "taken on little truck bombs of the IS", "had little effect on the IS truck bombs"),
    # a change that starts before the span widens the region to the left
    ("But the raids had little effect on truck bombs of the IS and training failed.",
     "have taken on little truck bombs", "had little effect on truck bombs"),
    # a deletion inside the span
    ("But the raids have taken little truck bombs of the IS and training failed.",
     "taken on little truck bombs", "taken little truck bombs"),
])
def test_minimal_rewrite_cuts_the_changed_region_around_the_span(rewrite: str, region: str,
                                                                 replacement: str) -> None:
    i = GARBLED.index(SPAN)
    r = minimal_rewrite(GARBLED, rewrite, i, i + len(SPAN))
    assert r is not None
    assert GARBLED[r.start : r.end] == region
    assert r.replacement == replacement
    assert r.rewritten == GARBLED[: r.start] + replacement + GARBLED[r.end :]


def test_minimal_rewrite_ignores_changes_away_from_the_span() -> None:
    i = GARBLED.index(SPAN)
    elsewhere = GARBLED.replace("training failed", "the training failed")
    assert minimal_rewrite(GARBLED, elsewhere, i, i + len(SPAN)) is None
    assert minimal_rewrite(GARBLED, GARBLED, i, i + len(SPAN)) is None


def test_minimal_rewrite_deletion_takes_one_space_along() -> None:
    s = "He said that that was it."
    r = minimal_rewrite(s, "He said that was it.", 13, 17)
    assert r is not None and r.rewritten == "He said that was it."


# ---------------------------------------------------------------------------------------------
# The pipeline stage


def _doc(signals: dict | None = None, source_language: str | None = "fr") -> tuple[Document, Finding]:
    text = f"Title\n\n{GARBLED} Then it ended."
    start = text.index(GARBLED)
    doc = Document(text=text, source_language=source_language)
    doc.segments = [Segment(0, 0, 5, "Title"), Segment(1, start, start + len(GARBLED), GARBLED),
                    Segment(2, start + len(GARBLED) + 1, len(text), "Then it ended.")]
    if signals:
        doc.segments[1].signals["roundtrip"] = signals
    f_start = text.index(SPAN)
    finding = Finding("fluency.garbled-passage", Category.FLUENCY, Severity.MAJOR, f_start,
                      f_start + len(SPAN), "garbled", signal="fluency")
    return doc, finding


class FakeTranslator:
    def __init__(self, outputs: dict[str, list[str]]) -> None:
        self.outputs = outputs
        self.calls: list[tuple[list[str], int]] = []

    def translate(self, texts: list[str], n_best: int = 1) -> list[list[str]]:
        self.calls.append((list(texts), n_best))
        return [self.outputs.get(t, [t])[:n_best] for t in texts]


def test_stored_n_best_round_trips_become_ranked_suggestions_for_exactly_the_span() -> None:
    better = "But the raids have had little effect on truck bombs of the IS and training failed."
    worse = "But the raids have bombs bombs on little truck bombs of the IS and training failed."
    # The round-trip signal's layout: best text, pivot text, scores, n-best alternatives, per pivot.
    entry = {"text": better, "pivot_text": "Mais les raids ont pris peu", "chrf": 40.0,
             "alternatives": [{"text": better, "chrf": 40.0}, {"text": worse, "chrf": 30.0}]}
    doc, f = _doc({"pivot": "fr", **entry, "pivots": {"fr": entry, "de": {"text": GARBLED}}})
    lm = FakeLM({GARBLED: -3.0, better: -1.0, worse: -4.0})
    notes = rank_findings([doc], [[f]], Config(signals=["rules"]), ModelHub(), lm_factory=lambda lang: lm,
                          embed_factory=lambda: FakeEmbedder({}))
    assert notes == []
    assert [s.replacement for s in f.suggestions] == ["had little effect on truck bombs"]
    s = f.suggestions[0]
    assert (s.source, s.safe, s.sentence) == ("roundtrip", False, better)
    assert s.score == pytest.approx(2.0 + 2.0 * (0.9 - 1.0))
    assert doc.text[f.start : f.end] == SPAN  # the region was exactly the span
    assert f.evidence["dropped_suggestions"][0]["why"].startswith("less fluent")


def test_the_ranker_runs_its_own_n_best_round_trip_through_every_pivot() -> None:
    rewrite = "But the raids had little effect on truck bombs of the IS and training failed."
    doc, f = _doc()
    fr = FakeTranslator({GARBLED: ["Mais les raids ...", "Les raids ..."]})
    back = FakeTranslator({"Mais les raids ...": [rewrite, GARBLED], "Les raids ...": [GARBLED]})
    de = FakeTranslator({})
    factories = {("en", "fr"): fr, ("fr", "en"): back, ("en", "de"): de}

    def translator(src: str, tgt: str) -> FakeTranslator:
        if (src, tgt) not in factories:
            raise SignalUnavailable(f"no {src}-{tgt}", "pull it")
        return factories[(src, tgt)]

    lm = FakeLM({GARBLED: -3.0, rewrite: -1.0})
    th = Thresholds.load()
    rank_findings([doc], [[f]], Config(pivots=["de"]), ModelHub(), lm_factory=lambda lang: lm,
                  embed_factory=lambda: FakeEmbedder({}), translator_factory=translator)
    assert fr.calls == [([GARBLED], th.forward_n_best)]
    assert back.calls == [(["Mais les raids ...", "Les raids ..."], th.back_n_best)]
    # The change starts before the span: the finding is widened and the replacement covers it exactly.
    assert doc.text[f.start : f.end] == "have taken on little truck bombs"
    assert f.evidence["span_widened_from"] == [doc.text.index(SPAN), doc.text.index(SPAN) + len(SPAN)]
    assert [s.replacement for s in f.suggestions] == ["had little effect on truck bombs"]
    assert f.suggestions[0].evidence["pivot"] == "fr"


def test_no_model_says_why_there_is_no_suggestion() -> None:
    doc, f = _doc()

    def translator(src: str, tgt: str) -> FakeTranslator:
        raise SignalUnavailable(f"translation model for {src}-{tgt} is not in the local cache",
                                f"tqcheck models pull {src}-{tgt}")

    rank_findings([doc], [[f]], Config(), ModelHub(), translator_factory=translator,
                  lm_factory=lambda lang: FakeLM({}))
    assert f.suggestions == []
    assert f.evidence["no_suggestion"] == "round trip skipped (no en-fr model)"
    assert f.evidence["no_suggestion_fix"] == "tqcheck models pull en-fr"


def test_no_source_language_and_unselected_round_trip_are_explained() -> None:
    doc, f = _doc(source_language=None)
    rank_findings([doc], [[f]], Config(), ModelHub(), translator_factory=lambda s, t: FakeTranslator({}))
    assert f.evidence["no_suggestion"] == "round trip skipped (source language unknown)"
    doc, f = _doc()
    rank_findings([doc], [[f]], Config(signals=["rules"]), ModelHub())
    assert "not among the selected signals" in f.evidence["no_suggestion"]


def test_all_candidates_dropped_is_reported_with_the_reasons() -> None:
    worse = "But the raids have bombs on little truck bombs of the IS and training failed."
    doc, f = _doc({"text": worse})
    rank_findings([doc], [[f]], Config(signals=["rules"]), ModelHub(),
                  lm_factory=lambda lang: FakeLM({GARBLED: -1.0, worse: -2.0}),
                  embed_factory=lambda: FakeEmbedder({}))
    assert f.suggestions == []
    assert f.evidence["no_suggestion"] == "every candidate was dropped (1 less fluent)"


def test_missing_embedder_and_lm_are_noted_not_fatal() -> None:
    better = "But the raids have had little effect on truck bombs of the IS and training failed."
    doc, f = _doc({"text": better})

    def unavailable(*_: object) -> None:
        raise SignalUnavailable("no model here", "pass --embed-model")

    notes = rank_findings([doc], [[f]], Config(signals=["rules"]), ModelHub(), lm_factory=unavailable,
                          embed_factory=unavailable)
    assert [s.replacement for s in f.suggestions] == ["had little effect on truck bombs"]
    assert f.suggestions[0].score is None  # nothing measured, nothing invented
    assert any("meaning of suggested fixes not checked" in r for r, _ in notes)
    assert any("fluency of suggested fixes not measured" in r for r, _ in notes)


def test_rank_fixes_off_leaves_findings_alone() -> None:
    doc, f = _doc({"text": "But the raids had it."})
    assert rank_findings([doc], [[f]], Config(rank_fixes=False), ModelHub()) == []
    assert f.suggestions == [] and "no_suggestion" not in f.evidence


def test_config_overrides_the_data_thresholds(tmp_path: Path) -> None:
    from tqcheck.config import load_config

    cfg_file = tmp_path / "tqcheck.toml"
    cfg_file.write_text("fix_thresholds = { min_similarity = 0.5, min_gain = -1.5, keep = 2 }\n", "utf-8")
    th = Thresholds.load(load_config(cfg_file))
    assert (th.min_similarity, th.min_gain, th.keep) == (0.5, -1.5, 2)
    assert Thresholds.load(Config()) == Thresholds.load()
    with pytest.raises(ConfigError, match="unknown key 'min_simlarity'"):
        Thresholds.load(Config(fix_thresholds={"min_simlarity": 0.5}))


def test_a_candidate_that_brings_in_a_non_word_is_dropped() -> None:
    lm = FakeLM({})
    cands = [(Suggestion("theseses bombs", source="roundtrip"), sentence_with("theseses bombs")),
             (Suggestion("Daech bombs", source="roundtrip"), sentence_with("Daech bombs")),
             (Suggestion("had little effect on", source="roundtrip"), sentence_with("had little effect on"))]
    kept, dropped = rank_candidates(GARBLED, cands, lm, None, lang="en")
    assert [s.replacement for s in kept] == ["Daech bombs", "had little effect on"]  # names are exempt
    assert dropped[0][1] == "brings in an unknown word (theseses)"
    # Without a language the check is off.
    kept, _ = rank_candidates(GARBLED, cands, lm, None)
    assert len(kept) == 3


class EncodingEmbedder:
    """Embeds with ``encode`` (the real Embedder's method): one vector per distinct sentence."""

    def __init__(self) -> None:
        self.encoded: list[list[str]] = []

    def encode(self, texts: list[str]):
        import numpy as np

        self.encoded.append(list(texts))
        return np.array([[len(t), t.count("e") + 1.0] for t in texts])


def test_each_distinct_sentence_is_embedded_once_and_safe_fixes_are_not_embedded() -> None:
    import numpy as np

    emb = EncodingEmbedder()
    a, b = sentence_with("had little effect on"), sentence_with("hit")
    safe = GARBLED.replace(" of", "  of")
    cands = [(Suggestion("had little effect on", source="roundtrip"), a), (Suggestion("hit", source="lexicon"), b),
             (Suggestion(" ", safe=True), safe)]
    kept, _ = rank_candidates(GARBLED, cands, None, emb, Thresholds(min_similarity=-1.0))
    assert emb.encoded == [[GARBLED, a, b]]
    vec = {t: np.array([len(t), t.count("e") + 1.0]) for t in (GARBLED, a)}
    expected = vec[GARBLED] @ vec[a] / (np.linalg.norm(vec[GARBLED]) * np.linalg.norm(vec[a]))
    by = {s.replacement: s for s in kept}
    assert by["had little effect on"].evidence["similarity"] == pytest.approx(expected, abs=1e-4)
    assert "similarity" not in by[" "].evidence


def test_ranking_work_per_document_is_bounded_most_severe_first() -> None:
    """A flood of findings (e.g. 'a a a a ...') must not make the ranker score thousands of sentences."""
    text = " ".join(f"Word{i} is is here." for i in range(30))
    doc = Document(text=text)
    from tqcheck.segment import segment

    segment(doc)
    found = []
    for i, seg in enumerate(doc.segments):
        at = seg.start + seg.text.index(" is") + 3
        found.append(Finding("grammar.repeated-word", Category.FLUENCY,
                             Severity.MAJOR if i == 29 else Severity.MINOR, at, at + 3, "Repeated word",
                             suggestions=[Suggestion("", safe=False, source="rule")]))
    lm = FakeLM({})
    rank_findings([doc], [found], Config(fix_thresholds={"max_findings_per_document": 5}), ModelHub(),
                  lm_factory=lambda lang: lm, embed_factory=lambda: FakeEmbedder({}))
    scored = {t for call in lm.calls for t in call}
    ranked = [f for f in found if "not_ranked" not in f.evidence]
    assert len(ranked) == 5 and len(scored) <= 10
    assert found[29] in ranked, "the most severe finding is ranked first"
    assert found[0] in ranked and found[10] not in ranked
    assert found[10].evidence["not_ranked"] == "more than 5 findings in the document"
    assert found[10].suggestions[0].replacement == ""  # unranked suggestions are kept
