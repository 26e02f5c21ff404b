"""The fluency signal: span detection on constructed arrays, and the CLI on real text."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lm_fixtures import tiny_gpt2_dir  # noqa: F401  (session fixture)
from tqcheck.api import Checker
from tqcheck.cli import app
from tqcheck.config import Config
from tqcheck.formats import document_from_text
from tqcheck.models import lm
from tqcheck.signals.fluency import RULE_ID, find_runs, robust_stats, word_span

# Two paragraphs of the project's seed (an English news article machine-translated from French),
# with its garbled passages, names (Haider al-Abadi, Akismet) and acronyms (IS, US).
SEED = """\
The anti Islamic State coalition meets in Paris

The meeting, attended by Iraqi Prime Minister Haider al-Abadi, ministers and representatives of \
international organizations, must question the current method, which is to conduct raids and train \
Iraqi soldiers or moderate Syrian rebels for action on the ground. But the raids have taken on little \
“truck bombs” of the IS and training efforts have not prevented a collapse of the Iraqi Army in Ramadi \
and in the province of Al-Anbar. Taking over the capital of the predominantly Sunni province, May 17, \
by IS, followed by that of Palmyra, Syria, 20, was a setback for the international coalition and \
showed the strength of the jihadist group presented back since losing in Tikrit, Iraq, at the end of March.

US President Barack Obama had recognized “a tactical setback,” but ruled out for now any change in \
strategy. The coalition led by the Americans, however, recognized the need to increase its commitment \
in Iraq and the effectiveness of its three-pronged strategy: air strikes; training and equipping the \
Iraqi armed forces; and military and political inclusion of local Sunni forces .

Iraqi Prime Minister will explain to coalition members that his government intends to undertake , and \
how international partners can help him . Iraqis hope to mobilize Sunni tribes to reclaim the province \
of Al -Anbar , Baghdad but must also quickly control regain of Shiite militias .

This site uses Akismet to reduce spam. Learn how your comment data is processed.
"""


@pytest.fixture(autouse=True)
def _no_default_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lm, "DEFAULT_LM_MODELS", {"en": "tqcheck-test/absent-en", "*": "tqcheck-test/absent"})


# -- span detection on constructed arrays ------------------------------------------------------------
def test_find_runs_single_peak() -> None:
    assert find_runs([0, 0, 3, 4, 0, 0], 0.5) == [(2, 3, pytest.approx(6.0))]


def test_find_runs_cuts_trailing_ordinary_tokens() -> None:
    # After the peak the sum drops (0.2 - 0.5 < 0): the run ends at the peak.
    runs = find_runs([2.0, 3.0, 0.2, 0.2, -5.0], 0.5)
    assert runs == [(0, 1, pytest.approx(4.0))]


def test_find_runs_bridges_one_dip_between_strong_tokens() -> None:
    runs = find_runs([3.0, 0.0, 3.0], 0.5)
    assert runs == [(0, 2, pytest.approx(2.5 - 0.5 + 2.5))]


def test_find_runs_disjoint_runs_in_order() -> None:
    runs = find_runs([2.0, -3.0, -3.0, 0.0, 4.0, 1.5, -9.0, 0.9], 0.5)
    assert [(a, b) for a, b, _ in runs] == [(0, 0), (4, 5), (7, 7)]
    assert runs[1][2] == pytest.approx(3.5 + 1.0)


def test_find_runs_nothing_surprising() -> None:
    assert find_runs([], 0.5) == []
    assert find_runs([0.1, -2.0, 0.5], 0.5) == []


def test_robust_stats_ignore_outliers_and_blend_priors() -> None:
    values = [-2.0, -1.0, 0.0, 1.0, 2.0] * 20 + [100.0] * 5
    med, sigma = robust_stats(values, -5.0, 9.0, 60, 0.1)
    assert med == pytest.approx(0.0, abs=1e-9) and sigma == pytest.approx(1.4826, rel=1e-3)
    med, sigma = robust_stats([1.0, 1.0, 1.0], -1.0, 2.0, 6, 0.5)  # half weight on the prior
    assert med == pytest.approx(0.0) and sigma == pytest.approx(1.0)
    assert robust_stats([], -1.0, 2.0, 6, 0.5) == (-1.0, 2.0)
    assert robust_stats([3.0] * 100, 0.0, 1.0, 6, 0.7)[1] == 0.7


def test_word_span_snaps_to_words_and_trims_punctuation() -> None:
    text = "the “truck bombs” of al-Abadi."
    assert word_span(text, 6, 8) == (5, 10)  # "ru" -> "truck"
    assert word_span(text, 4, 17) == (5, 16)  # quotes trimmed
    assert text[slice(*word_span(text, 24, 26))] == "al-Abadi"


# -- the signal through the pipeline ---------------------------------------------------------------
def _fluency(report_json: dict) -> list[dict]:
    return [f for f in report_json["documents"][0]["findings"] if f["rule"] == RULE_ID]


def test_seed_every_segment_scored_garbling_flagged_names_spared(tmp_path: Path) -> None:
    path = tmp_path / "seed.txt"
    path.write_text(SEED, "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    doc = report["documents"][0]
    for seg in doc["segments"]:
        if not seg["non_content"]:
            numbers = seg["signals"]["fluency"]
            assert numbers["backend"] == "ngram" and "pocketsphinx" in numbers["model"]
            assert {"slor", "slor_total", "perplexity", "logprob", "tokens"} <= set(numbers)
            assert numbers["slor_total"] == pytest.approx(numbers["slor"] * numbers["tokens"],
                                                    abs=0.001 * numbers["tokens"])
    assert doc["signals"]["fluency"]["backend"] == "ngram"
    found = _fluency(report)
    spans = [SEED[f["start"]:f["end"]] for f in found]
    truck = SEED.index("taken on little")
    assert any(f["start"] < truck + 15 and truck < f["end"] for f in found), spans
    assert any("regain" in s for s in spans), spans
    # No alarm on names and acronyms, and no flood.
    for name in ["Haider al-Abadi", " IS ", "US President", "Akismet", "Barack Obama", "Al-Anbar"]:
        at = SEED.index(name)
        assert not any(f["start"] < at + len(name) and at < f["end"] for f in found), (name, spans)
    assert len(found) <= 6, spans
    for f in found:
        assert f["evidence"]["fluency.model"].startswith("cmu-us-english-trigram")
        assert 0 < f["confidence"] < 1
        assert f["text"] == SEED[f["start"]:f["end"]]


@pytest.mark.parametrize("backend", ["auto", "transformers", "ctranslate2"])
def test_lm_model_flag_switches_backend(tmp_path: Path, tiny_gpt2_dir: Path, backend: str) -> None:  # noqa: F811
    if backend != "transformers" and importlib.util.find_spec("ctranslate2") is None:
        pytest.skip("ctranslate2 not installed")
    expected = "transformers" if backend == "transformers" else "ctranslate2"
    path = tmp_path / "seed.txt"
    path.write_text(SEED, "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--lm-model", f"en={tiny_gpt2_dir}",
                                      "--backend", backend, str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    doc = report["documents"][0]
    assert doc["signals"]["fluency"] == doc["signals"]["fluency"] | {"backend": expected,
                                                                      "model": str(tiny_gpt2_dir)}
    signature = report["signature"].get("fluency") or {}
    if "en" in signature:  # present when the model was loaded before the report was signed
        assert signature["en"]["model"] == str(tiny_gpt2_dir)
    for seg in doc["segments"]:
        if not seg["non_content"]:
            assert seg["signals"]["fluency"]["model"] == str(tiny_gpt2_dir)
    for f in _fluency(report):  # a random model may or may not flag; when it does, it says so
        assert f["evidence"]["fluency.model"] == str(tiny_gpt2_dir)
        assert f["evidence"]["fluency.backend"] == expected


def test_lm_model_bad_folder_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty-model").mkdir()
    (tmp_path / "a.txt").write_text("Hello there.", "utf-8")
    from tqcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", "--lm-model", f"en={tmp_path / 'empty-model'}", str(tmp_path / "a.txt")])
    assert exc.value.code == 2


def test_french_without_model_is_skipped_with_fix(tmp_path: Path) -> None:
    (tmp_path / "fr.txt").write_text("La coalition se réunit à Paris.", "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--lang", "fr", str(tmp_path / "fr.txt")])
    assert result.exit_code == 0, result.output
    skipped = [s for s in json.loads(result.output)["skipped"] if s["signal"] == "fluency"]
    assert skipped and "--lm-model fr=" in skipped[0]["fix"]


def test_non_content_segments_are_not_scored() -> None:
    checker = Checker(Config(signals=["fluency"]))
    doc = checker.prepare(document_from_text("The coalition meets in Paris.\n\nClick to comment\n"))
    doc.segments[1].non_content = True
    out = checker.signals[0].run([doc])[0]
    assert 0 in out.segments and 1 not in out.segments


def test_many_documents_share_one_scoring_pass() -> None:
    calls: list[int] = []
    checker = Checker(Config(signals=["fluency"]))
    scorer = checker.signals[0].scorer_for("en")
    original = scorer.score

    def counting(texts: list[str]):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return original(texts)

    scorer.score = counting  # type: ignore[method-assign]
    report = checker.check_documents([document_from_text("One sentence here."),
                                      document_from_text("Another one. And a third.")])
    assert calls == [3]
    assert all(seg.signals["fluency"]["tokens"] > 0 for d in report.documents for seg in d.document.segments)
