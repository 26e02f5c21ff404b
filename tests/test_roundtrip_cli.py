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
        assert f["suggestions"][0]["source"] == "roundtrip" and f["suggestions"][0]["safe"] is False

    # Second run: identical report, and no model is loaded at all (everything from the cache).
    def no_models(*a, **k):
        raise AssertionError("model loaded on a warm run")

    monkeypatch.setattr(tr, "load_backend", no_models)
    code2, out2, _ = run_cli(args, capsys)
    assert (code2, out2) == (code, out)


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
