"""The round trip end to end through the CLI, with real tiny Marian folders and with no models."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from mt_fixtures import tiny_pair
from tqcheck.cli import main
from tqcheck.models import translate as tr

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_f567bacb1f41f539.txt"


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> tuple[Path, Path]:
    return tiny_pair(tmp_path_factory.getbasetemp())


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("TQCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-empty"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(args, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_check_runs_the_round_trip_with_local_models(models, env, capsys, monkeypatch):
    en_fr, fr_en = models
    args = ["check", str(SEED), "--source-lang", "fr", "--mt-model", f"en-fr={en_fr}",
            "--mt-model", f"fr-en={fr_en}", "--format", "json"]
    code, out, err = run_cli(args, capsys)
    assert code in (0, 1), err
    report = json.loads(out)
    assert [s for s in report["skipped"] if s["signal"] == "roundtrip"] == []
    doc = report["documents"][0]
    content = [s for s in doc["segments"] if not s["non_content"]]
    assert content
    for seg in content:
        rt = seg["signals"]["roundtrip"]
        assert isinstance(rt["text"], str) and rt["pivot"] == "fr"
        assert all(isinstance(rt[k], (int, float)) for k in ("chrf", "bleu", "ter"))
    agg = doc["signals"]["roundtrip"]
    assert agg["segments"] == len(content) and {"chrf", "bleu", "ter", "signatures", "models"} <= set(agg)
    assert report["signature"]["roundtrip"]["models"]["en-fr"][0]["model"] == str(en_fr)
    found = [f for f in doc["findings"] if f["rule"].startswith("roundtrip.")]
    assert found, "random-weight models change every sentence"
    for f in found:
        assert {"chrf", "bleu", "ter", "pivot", "roundtrip"} <= set(f["evidence"])
        # Fix ranking may drop a garbage round trip (random weights), and then says so.
        offered = f["suggestions"] or f["evidence"].get("dropped_suggestions", [])
        assert offered and all(s["source"] == "roundtrip" for s in offered)
        assert all(s["safe"] is False for s in f["suggestions"])

    # Second run: identical report, and no model is loaded at all (everything from the cache).
    def no_models(*a, **k):
        raise AssertionError("model loaded on a warm run")

    monkeypatch.setattr(tr, "load_backend", no_models)
    code2, out2, _ = run_cli(args, capsys)
    assert (code2, out2) == (code, out)


def test_signal_with_real_models_pools_batches_and_suggests(models, tmp_path):
    """The signal on its own (before fix ranking): every finding carries its round-trip wording."""
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import read_document
    from tqcheck.models.hub import ModelHub
    from tqcheck.signals.roundtrip import RoundTripSignal

    en_fr, fr_en = models
    cfg = Config(source_lang="fr", mt_models={"en-fr": str(en_fr), "fr-en": str(fr_en)},
                 cache_dir=str(tmp_path / "cache"), beam_size=2, n_best=2, signals=[])
    docs = [Checker(cfg).prepare(read_document(SEED)) for _ in range(2)]
    signal = RoundTripSignal(cfg, ModelHub())
    signal.prepare()
    outputs = signal.run(docs)
    fwd, bwd = signal.translators[("en", "fr")]
    content = [s for s in docs[0].segments if not s.non_content]
    # Two identical documents: each sentence went through each model once, in pooled batches.
    assert fwd.model_texts == len({" ".join(s.text.split()) for s in content})
    assert fwd.model_batches == -(-fwd.model_texts // cfg.batch_size)
    assert 1 <= bwd.model_texts <= fwd.model_texts  # identical pivot texts are translated back once
    for out in outputs:
        assert set(out.segments) == {s.index for s in content}
        assert all(len(v["alternatives"]) == 2 for v in out.segments.values())
        assert out.findings
        for f in out.findings:
            (s,) = f.suggestions
            assert s.source == "roundtrip" and not s.safe and s.sentence
            assert f.evidence["chrf"] == out.segments[docs[0].segment_at(f.start).index]["chrf"]


def test_no_local_models_and_no_network_skips_with_the_fix(env, capsys, monkeypatch):
    connects: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connects.append(addr))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    code, out, err = run_cli(["check", str(SEED), "--source-lang", "fr", "--format", "json"], capsys)
    assert code in (0, 1) and err == ""
    report = json.loads(out)
    (skip,) = [s for s in report["skipped"] if s["signal"] == "roundtrip"]
    assert "not available locally" in skip["reason"]
    assert "tqcheck models pull Helsinki-NLP/opus-mt-en-fr Helsinki-NLP/opus-mt-fr-en" in skip["fix"]
    assert "--mt-model en-fr=DIR" in skip["fix"]
    # The other signals still ran.
    assert any(f["rule"].startswith("typography.") for f in report["documents"][0]["findings"])
    assert connects == []


def test_text_report_names_the_skip_and_fix(env, capsys):
    _code, out, _ = run_cli(["check", str(SEED), "--source-lang", "fr"], capsys)
    assert "roundtrip" in out and "tqcheck models pull" in out


def test_models_list_path_and_pull(models, env, capsys, monkeypatch):
    en_fr, _ = models
    code, out, _ = run_cli(["models", "list", "--format", "json", "--mt-model", f"en-fr={en_fr}",
                            "en-fr", "fr-en", "en-pt"], capsys)
    rows = {r["pair"]: r for r in json.loads(out)}
    assert rows["en-fr"]["available"] and rows["en-fr"]["path"] == str(en_fr)
    assert not rows["fr-en"]["available"] and rows["fr-en"]["model"] == "Helsinki-NLP/opus-mt-fr-en"
    assert rows["en-pt"]["family"] == "nllb" and rows["en-pt"]["codes"] == ["eng_Latn", "por_Latn"]

    code, out, _ = run_cli(["models", "path", "en-fr", "--mt-model", f"en-fr={en_fr}"], capsys)
    assert (code, out.strip()) == (0, str(en_fr))
    code, _, err = run_cli(["models", "path", "fr-en"], capsys)
    assert code == 2 and "tqcheck models pull Helsinki-NLP/opus-mt-fr-en" in err and err.count("\n") == 1

    # pull refuses while offline mode is on, in one line.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = run_cli(["models", "pull", "en-fr"], capsys)
    assert code == 2 and "HF_HUB_OFFLINE" in err and err.count("\n") == 1

    # pull downloads only safetensors, configs and tokenizers (the hub call is faked here).
    monkeypatch.delenv("HF_HUB_OFFLINE")
    seen = {}

    def fake_download(repo_id, revision=None, allow_patterns=None):
        seen.update(repo_id=repo_id, patterns=allow_patterns)
        return str(en_fr)

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    code, out, err = run_cli(["models", "pull", "fr-en", "--no-convert"], capsys)
    assert code == 0, err
    assert seen["repo_id"] == "Helsinki-NLP/opus-mt-fr-en"
    assert "*.safetensors" in seen["patterns"] and not any(p.endswith(".bin") for p in seen["patterns"])
    assert str(en_fr) in out


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_one_nllb_folder_serves_both_directions_of_the_round_trip(tmp_path_factory, env, capsys, backend):
    import importlib.util

    from mt_fixtures import tiny_nllb

    if backend == "ctranslate2" and importlib.util.find_spec("ctranslate2") is None:
        pytest.skip("ctranslate2 not installed")
    nllb = tiny_nllb(tmp_path_factory.getbasetemp())
    doc = env / "article.txt"
    doc.write_text("The coalition meets in Paris on Tuesday. The raids have not stopped the jihadists.\n", "utf-8")
    args = ["check", str(doc), "--source-lang", "fr", "--mt-model", f"en-fr={nllb}", "--mt-model",
            f"fr-en={nllb}", "--backend", backend, "--signals", "roundtrip", "--format", "json"]
    code, out, err = run_cli(args, capsys)
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["skipped"] == []
    legs = report["signature"]["roundtrip"]["models"]["en-fr"]  # out to French and back
    assert [leg["pair"] for leg in legs] == ["en-fr", "fr-en"]
    for leg in legs:
        assert leg["model"] == str(nllb) and leg["family"] == "nllb" and leg["backend"] == backend
    segments = report["documents"][0]["segments"]
    assert len(segments) == 2
    for seg in segments:
        rt = seg["signals"]["roundtrip"]
        assert rt["pivot"] == "fr" and "_Latn" not in rt["text"] and 0 <= rt["chrf"] <= 100
