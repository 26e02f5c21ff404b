"""The seed end to end: garbled passages get ranked round-trip suggestions when a translation model is
configured (tiny random Marian folders prove the plumbing), and say why they have none when not."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.conftest import SEED
from tqcheck.api import Checker
from tqcheck.config import Config
from tqcheck.ranking import rank_findings
from tqcheck.report import RenderOptions, render

GARBLED = "fluency.garbled-passage"

# Garbled passages come from the fluency signal; these tests start running once it is installed.
pytest.importorskip("tqcheck.signals.fluency", reason="the fluency signal (garbled passages) is not merged")


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from mt_fixtures import tiny_pair  # shared with the round-trip tests: built once per session

    en_fr, fr_en = tiny_pair(tmp_path_factory.getbasetemp())
    return {"en-fr": str(en_fr), "fr-en": str(fr_en)}


def _garbled(report) -> list:
    found = [f for f in report.findings if f.rule == GARBLED]
    assert found, "the seed must have garbled passages"
    return found


def test_without_a_round_trip_model_each_garbled_passage_says_why_it_has_no_fix() -> None:
    report = Checker(Config(source_lang="fr")).check_paths([SEED])
    for f in _garbled(report):
        assert f.suggestions == []
        assert f.evidence["no_suggestion"] == "round trip skipped (no en-fr model)"
        assert "models pull" in f.evidence["no_suggestion_fix"]
    text = render(report, "text", RenderOptions(width=120))
    assert "no fix: round trip skipped (no en-fr model)" in text


@pytest.mark.slow
def test_with_a_round_trip_model_each_garbled_passage_carries_ranked_suggestions(tiny_pair: dict[str, str],
                                                                                 tmp_path: Path) -> None:
    base = Config(source_lang="fr", mt_models=tiny_pair, max_length=24, cache_dir=str(tmp_path / "cache"))
    # One pipeline run; the ranker then runs twice on copies of its findings with the same models.
    checker = Checker(base.replace(rank_fixes=False))
    report = checker.check_paths([SEED])
    doc = report.documents[0].document
    garbled = _garbled(report)
    assert all(not f.suggestions for f in garbled)
    # Random-weight models write nonsense that the LM rightly finds less fluent (and the word list
    # does not know), so the default thresholds drop it, and each finding says so ...
    strict = copy.deepcopy(garbled)
    rank_findings([doc], [strict], base, checker.hub)
    for f in strict:
        assert f.suggestions or f.evidence["no_suggestion"].startswith("every candidate was dropped (")
    # ... while opening the thresholds shows the plumbing: candidates, scores, rewritten sentences.
    relaxed = copy.deepcopy(garbled)
    open_all = {"min_gain": -1e9, "min_similarity": -1.0, "min_word_zipf": 0.0}
    rank_findings([doc], [relaxed], base.replace(fix_thresholds=open_all), checker.hub)
    for f in relaxed:
        assert 1 <= len(f.suggestions) <= 3
        scores = [s.score for s in f.suggestions]
        assert all(isinstance(x, float) for x in scores) and scores == sorted(scores, reverse=True)
        seg = doc.segment_at(f.start)
        assert seg is not None
        end = max(seg.end, f.end)
        for s in f.suggestions:
            assert s.source == "roundtrip" and not s.safe
            assert "fluency_gain" in s.evidence and "similarity" in s.evidence
            # The sentence is the original one with exactly the finding's span replaced.
            assert s.sentence == doc.text[seg.start : f.start] + s.replacement + doc.text[f.end : end]
