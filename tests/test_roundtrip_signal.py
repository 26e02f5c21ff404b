"""The round-trip signal's logic with a scripted translator: pooling, scores, spans, skips."""

from __future__ import annotations

import pytest

from tqcheck.api import Checker
from tqcheck.config import Config
from tqcheck.formats import document_from_text
from tqcheck.models import translate as tr
from tqcheck.signals import REGISTRY
from tqcheck.signals.base import SignalUnavailable
from tqcheck.signals.divergence import divergences

ORIGINAL = ("The strategy to deal with advanced jihadist group will be at the heart of a meeting. "
            "The raids have taken on little truck bombs. The coalition meets in Paris on Tuesday.")
# What a pivot round trip brings back, sentence by sentence.
BACK = {
    "The strategy to deal with advanced jihadist group will be at the heart of a meeting.":
        "The strategy to counter the advancing jihadist group will be at the heart of a meeting.",
    "The raids have taken on little truck bombs.": "Airstrikes did little against car bombs.",
    "The coalition meets in Paris on Tuesday.": "The coalition meets in Paris on Tuesday.",
}


class ScriptedTranslator:
    """Forward: tag the text with the pivot; back: look the sentence up in BACK (n-best variants)."""

    def __init__(self, src: str, tgt: str, back: dict[str, str], calls: list) -> None:
        self.src, self.tgt, self.back, self.calls = src, tgt, back, calls
        self.model_id = f"scripted/{src}-{tgt}"

    def translate(self, texts, n_best=1):
        self.calls.append((self.src, self.tgt, list(texts), n_best))
        if self.src == "en":
            return [[f"[{self.tgt}] {t}"] * n_best for t in texts]
        out = []
        for t in texts:
            original = t.split("] ", 1)[1]
            best = self.back.get(original, original)
            out.append([best] + [f"{best} (variant {k})" for k in range(1, n_best)])
        return out

    def signature(self):
        return {"model": self.model_id, "revision": "test"}


@pytest.fixture
def scripted(monkeypatch):
    calls: list = []
    backs = {"fr": dict(BACK), "de": dict(BACK)}

    def fake(config, hub, src, tgt):
        return ScriptedTranslator(src, tgt, backs.get(src, {}), calls)

    monkeypatch.setattr(tr, "get_translator", fake)
    return calls, backs


def run(text_or_docs, **cfg):
    config = Config(signals=["roundtrip"], source_lang=cfg.pop("source_lang", "fr"), **cfg)
    docs = text_or_docs if isinstance(text_or_docs, list) else [document_from_text(text_or_docs)]
    return Checker(config).check_documents(docs)


def test_registered_after_rules():
    names = list(REGISTRY)
    assert names.index("roundtrip") == names.index("rules") + 1


def test_segments_carry_round_trip_text_and_sacrebleu_scores(scripted):
    report = run(ORIGINAL)
    doc = report.documents[0]
    segs = doc.document.segments
    assert len(segs) == 3
    for seg in segs:
        rt = seg.signals["roundtrip"]
        assert rt["text"] == BACK[seg.text] and rt["pivot"] == "fr"
        assert rt["pivot_text"] == f"[fr] {seg.text}"
        assert set(rt) >= {"chrf", "bleu", "ter"}
    same = segs[2].signals["roundtrip"]
    assert (same["chrf"], same["bleu"], same["ter"]) == (100.0, 100.0, 0.0)
    agg = doc.signals["roundtrip"]
    assert agg["segments"] == 3 and 0 < agg["chrf"] < 100 and "mean_sentence_chrf" in agg
    assert agg["signatures"]["chrf"].startswith("nrefs:1|") and "version:" in agg["signatures"]["bleu"]
    assert report.signature["roundtrip"]["metrics"]["ter"].startswith("nrefs:1|")


def test_divergent_span_becomes_a_finding_with_the_round_trip_wording(scripted):
    report = run(ORIGINAL)
    text = report.documents[0].document.text
    spans = [f for f in report.findings if f.rule == "roundtrip.divergence"]
    assert len(spans) == 1
    f = spans[0]
    assert text[f.start:f.end] == "deal with advanced"
    assert f.category.value == "fluency" and f.signal == "roundtrip"
    (s,) = f.suggestions
    assert (s.replacement, s.source, s.safe) == ("counter the advancing", "roundtrip", False)
    assert s.sentence == BACK[text[: text.index(".") + 1]]
    assert f.evidence["pivot"] == "fr" and f.evidence["chrf"] < 100 and "bleu" in f.evidence
    assert f.evidence["original_span"] == "deal with advanced"
    assert f.evidence["roundtrip_span"] == s.replacement


def test_heavily_changed_sentence_is_one_accuracy_finding(scripted):
    report = run(ORIGINAL)
    low = [f for f in report.findings if f.rule == "roundtrip.low-similarity"]
    assert len(low) == 1
    f = low[0]
    assert report.documents[0].document.text[f.start:f.end] == "The raids have taken on little truck bombs."
    assert f.category.value == "accuracy"
    assert f.suggestions[0].replacement == BACK["The raids have taken on little truck bombs."]
    assert f.evidence["changed_share"] >= 0.6 and f.evidence["chrf"] < 80


def test_stable_sentences_make_no_findings(scripted):
    report = run("The coalition meets in Paris on Tuesday.")
    assert report.findings == []


def test_all_documents_are_pooled_into_one_call_per_direction(scripted):
    calls, _ = scripted
    docs = [document_from_text(ORIGINAL),
            document_from_text("The coalition meets in Paris on Tuesday. New one."),
            document_from_text("Another text entirely.")]
    report = run(docs)
    # The signal's own work is the first two calls (later ones come from fix ranking).
    assert [c[:2] for c in calls[:2]] == [("en", "fr"), ("fr", "en")]
    forward = calls[0][2]
    assert len(forward) == len(set(forward)) == 5  # deduplicated across documents
    assert all(d.document.segments[0].signals["roundtrip"]["text"] for d in report.documents)


def test_non_content_segments_are_skipped(scripted):
    calls, _ = scripted
    doc = document_from_text(ORIGINAL)
    Checker(Config(signals=[])).prepare(doc)
    doc.segments[1].non_content = True
    report = run([doc])
    assert "roundtrip" not in report.documents[0].document.segments[1].signals
    assert doc.segments[1].text not in calls[0][2]


def test_unknown_source_language_skips_with_a_fix(scripted):
    report = run(ORIGINAL, source_lang=None)
    (skip,) = [s for s in report.skipped if s.signal == "roundtrip"]
    assert skip.signal == "roundtrip" and "source language is unknown" in skip.reason
    assert "--source-lang fr" in skip.fix
    assert report.findings == []


def test_source_language_equal_to_the_text_language_skips_with_a_reason(scripted):
    report = run(ORIGINAL, source_lang="en")
    (skip,) = [s for s in report.skipped if s.signal == "roundtrip"]
    assert "already in its source language (en)" in skip.reason and "pivots" in skip.fix


def test_bilingual_documents_bring_their_own_source_language(scripted):
    doc = document_from_text(ORIGINAL)
    doc.source_language = "de"
    report = run([doc], source_lang=None)
    assert [s for s in report.skipped if s.signal == "roundtrip"] == []
    assert doc.segments[0].signals["roundtrip"]["pivot"] == "de"


def test_several_pivots_keep_only_spans_every_round_trip_changed(scripted):
    _, backs = scripted
    # German brings the first sentence back unchanged: its span is not confirmed.
    backs["de"]["The strategy to deal with advanced jihadist group will be at the heart of a meeting."] = (
        "The strategy to deal with advanced jihadist group will be at the heart of a meeting.")
    report = run(ORIGINAL, pivots=["de"])
    assert not [f for f in report.findings if f.rule == "roundtrip.divergence"]
    seg = report.documents[0].document.segments[0].signals["roundtrip"]
    assert set(seg["pivots"]) == {"fr", "de"} and seg["pivot"] == "fr"
    assert set(report.documents[0].signals["roundtrip"]["pivots"]) == {"fr", "de"}


def test_n_best_alternatives_are_stored_with_their_scores(scripted):
    report = run(ORIGINAL, n_best=3)
    rt = report.documents[0].document.segments[0].signals["roundtrip"]
    assert len(rt["alternatives"]) == 3
    assert all({"text", "chrf", "bleu", "ter"} <= set(a) for a in rt["alternatives"])
    assert rt["chrf"] == max(a["chrf"] for a in rt["alternatives"])


def test_missing_models_skip_with_both_pull_commands(monkeypatch):
    def unavailable(config, hub, src, tgt):
        raise tr.ModelUnavailable(f"Helsinki-NLP/opus-mt-{src}-{tgt}", f"{src}-{tgt}")

    monkeypatch.setattr(tr, "get_translator", unavailable)
    report = run(ORIGINAL)
    (skip,) = [s for s in report.skipped if s.signal == "roundtrip"]
    assert "tqcheck models pull Helsinki-NLP/opus-mt-en-fr Helsinki-NLP/opus-mt-fr-en" in skip.fix
    assert "--mt-model en-fr=DIR --mt-model fr-en=DIR" in skip.fix


def test_signal_unavailable_is_the_error_type_for_missing_models():
    assert issubclass(tr.ModelUnavailable, SignalUnavailable)


@pytest.mark.parametrize("original, back, expected", [
    ("He left the room.", "He has left the room.", [("He", "He has")]),
    ("Left he.", "So left he.", [("Left", "So left")]),
    ("How to defeat the Islamic State ?", "How to defeat the Islamic State?", []),
    ("A big dog barks.", "A BIG dog barks.", []),
    ("The cat sat on the mat.", "The cat on the mat.", [("cat sat", "cat")]),
    ("The strategy to deal with advanced group.", "The strategy to counter the advancing group.",
     [("deal with advanced", "counter the advancing")]),
    ("Totally different.", "", [("Totally different.", "")]),
])
def test_divergence_alignment(original, back, expected):
    got = [(original[d.start:d.end], d.replacement) for d in divergences(original, back)]
    assert got == expected
