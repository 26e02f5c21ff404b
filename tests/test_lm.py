"""The LM scorer interface and the neural backends, transformers and CTranslate2 (tiny GPT-2 loaded
through the real path)."""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path

import pytest

from lm_fixtures import tiny_gpt2_dir  # noqa: F401  (session fixture)
from tqcheck.config import Config
from tqcheck.errors import ModelError
from tqcheck.models import lm
from tqcheck.models.hub import ModelHub
from tqcheck.models.lm import TokenScores, char_aligned, get_lm_scorer, word_unigrams
from tqcheck.signals.base import SignalUnavailable


@pytest.fixture
def no_default_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure no neural default sneaks in from a local cache."""
    monkeypatch.setattr(lm, "DEFAULT_LM_MODELS", {"en": "tqcheck-test/absent-en", "*": "tqcheck-test/absent"})


def test_char_aligned_merges_byte_pieces_and_trims_spaces() -> None:
    text = " Über x 😀"
    # Byte-level BPE: "Ü" split into two byte tokens that both report (1, 2); a lone space token;
    # the emoji in four byte tokens with the same span.
    offsets = [(0, 1), (1, 2), (1, 2), (2, 5), (5, 6), (6, 7), (7, 8), (8, 9), (8, 9), (8, 9), (8, 9)]
    lps = [-1.0, -2.0, -3.0, -4.0, -0.5, -5.0, -0.25, -1.0, -1.0, -1.0, -1.0]
    tokens = char_aligned(text, offsets, lps)
    assert [(text[s:e]) for s, e, _ in tokens] == ["Ü", "ber", "x", "😀"]
    # Whitespace-only tokens hand their log-prob to the next token; nothing is lost.
    assert math.isclose(sum(t[2] for t in tokens), sum(lps))
    assert tokens[0][2] == pytest.approx(-1.0 - 2.0 - 3.0)
    assert tokens[2][2] == pytest.approx(-0.5 - 5.0)


def test_token_scores_formulas() -> None:
    ts = TokenScores(text="a b", tokens=[(0, 1, -2.0), (2, 3, -4.0)], unigram=[-3.0, -3.0], model_id="m",
                     neutral=[False, False])
    assert ts.logprob == -6.0
    assert ts.slor == pytest.approx((-6.0 + 6.0) / 2)
    assert ts.perplexity == pytest.approx(math.exp(3.0))
    assert ts.excess() == [-1.0, 1.0]
    empty = TokenScores(text="")
    assert (empty.slor, empty.perplexity, empty.logprob) == (0.0, 1.0, 0)


def test_word_unigrams_share_a_word_across_its_pieces() -> None:
    text = "coalition, 4,000"
    spans = [(0, 4), (4, 9), (9, 10), (11, 16)]
    u = word_unigrams(text, spans, "en")
    assert u[0] == pytest.approx(u[1])
    assert u[0] + u[1] == pytest.approx(lm.unigram_logprob("coalition"))
    assert u[2] == pytest.approx(lm.PUNCT_UNIGRAM)


BACKENDS = ["transformers", pytest.param("ctranslate2", marks=pytest.mark.skipif(
    importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed"))]
needs_ct2 = pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="ctranslate2 not installed")


def reference_logprob(model_dir: Path, tokenizer, text: str) -> float:  # type: ignore[no-untyped-def]
    """The text's log-probability computed directly with torch, BOS first."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    ids = [tokenizer.bos_token_id, *tokenizer(text, add_special_tokens=False)["input_ids"]]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1].float()
    return torch.log_softmax(logits, -1).gather(-1, torch.tensor(ids[1:]).unsqueeze(-1)).sum().item()


@pytest.mark.parametrize("backend", BACKENDS)
def test_tiny_gpt2_offsets_are_exact(tiny_gpt2_dir: Path, backend: str) -> None:  # noqa: F811
    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, backend=backend), ModelHub(), "en")
    assert scorer.backend == backend and scorer.model_id == str(tiny_gpt2_dir)
    texts = ["  The coalition meets in Paris.", "Über café crème 😀 thé\n\nnext", "", "a", "naïve 4,000"]
    for ts in scorer.score(texts):
        spans = [(s, e) for s, e, _ in ts.tokens]
        assert spans == sorted(spans)
        assert all(s < e for s, e in spans)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        # Spans never start or end in whitespace, and together they cover every visible character.
        assert all(not ts.text[s].isspace() and not ts.text[e - 1].isspace() for s, e in spans)
        covered = {i for s, e in spans for i in range(s, e)}
        visible = {i for i, c in enumerate(ts.text) if not c.isspace()}
        assert covered == visible - {0} or covered == visible  # no BOS: the first piece is unscored
        assert all(lp <= 0 for _, _, lp in ts.tokens)
        assert len(ts.unigram) == len(ts.tokens)
    emoji = scorer.score(["x 😀 y"])[0]
    assert "😀" in [emoji.text[s:e] for s, e, _ in emoji.tokens]
    leading = scorer.score(["  The"])[0]
    assert leading.tokens[0][0] == 2


@pytest.mark.parametrize(("backend", "dtype", "tolerance"), [
    ("transformers", "auto", 1e-3),
    pytest.param("ctranslate2", "float32", 1e-3, marks=needs_ct2),
    # int8 weights: close to the float model, not equal (about 1% of the log-probability here).
    pytest.param("ctranslate2", "auto", 0.05, marks=needs_ct2),
])
def test_tiny_gpt2_log_probs_match_the_model(tiny_gpt2_dir: Path, backend: str, dtype: str,  # noqa: F811
                                             tolerance: float) -> None:
    cfg = Config(lm_models={"en": str(tiny_gpt2_dir)}, backend=backend, dtype=dtype)
    scorer = get_lm_scorer(cfg, ModelHub(), "en")
    assert scorer.dtype == ("int8" if backend == "ctranslate2" and dtype == "auto" else "float32")
    text = "Iraqis hope to mobilize Sunni tribes."
    expected = reference_logprob(tiny_gpt2_dir, scorer.tokenizer, text)
    assert scorer.score([text])[0].logprob == pytest.approx(expected, rel=tolerance, abs=1e-3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_batched_equals_one_by_one(tiny_gpt2_dir: Path, backend: str) -> None:  # noqa: F811
    cfg = Config(lm_models={"en": str(tiny_gpt2_dir)}, batch_size=3, backend=backend)
    scorer = get_lm_scorer(cfg, ModelHub(), "en")
    texts = ["Short.", "A much longer sentence about the coalition meeting in Paris on Tuesday.", "x",
             "Numbers like 4,000 appear.", "Über die Straße.", "", "The raids have taken on little truck bombs."]
    batched = scorer.score(texts)
    single = [scorer.score([t])[0] for t in texts]
    for a, b in zip(batched, single, strict=True):
        assert [t[:2] for t in a.tokens] == [t[:2] for t in b.tokens]
        assert a.logprob == pytest.approx(b.logprob, abs=1e-3)


@needs_ct2
def test_auto_backend_is_ctranslate2_converted_once_into_the_cache(tiny_gpt2_dir: Path,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    cfg = Config(lm_models={"en": str(tiny_gpt2_dir)}, cache_dir=str(tmp_path / "cache"))
    scorer = get_lm_scorer(cfg, ModelHub(), "en")
    assert scorer.backend == "ctranslate2"
    converted = list((tmp_path / "cache" / "ct2").glob("*/model.bin"))
    assert len(converted) == 1
    stamp = converted[0].stat().st_mtime_ns
    again = get_lm_scorer(cfg, ModelHub(), "en")  # a new process would find the same copy
    assert again is not scorer and converted[0].stat().st_mtime_ns == stamp
    assert [t.logprob for t in again.score(["The coalition meets."])] == \
        [t.logprob for t in scorer.score(["The coalition meets."])]


@needs_ct2
def test_auto_falls_back_to_transformers_when_conversion_fails(tiny_gpt2_dir: Path,  # noqa: F811
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from tqcheck.models import ct2

    def refuse(folder: Path, dest: Path) -> Path:
        raise ModelError(f"{folder}: cannot convert for CTranslate2 (unsupported architecture)")

    monkeypatch.setattr(ct2, "convert", refuse)
    auto = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}), ModelHub(), "en")
    assert auto.backend == "transformers"
    with pytest.raises(ModelError, match="cannot convert for CTranslate2"):
        get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, backend="ctranslate2"), ModelHub(), "en")


@needs_ct2
def test_ct2_scorer_runs_batches_on_parallel_workers(tiny_gpt2_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from tqcheck.models.lm_ct2 import cpu_threads

    monkeypatch.setenv("TQCHECK_CT2_THREADS", "8")
    assert cpu_threads() == (4, 2)
    monkeypatch.setenv("TQCHECK_CT2_THREADS", "1")
    assert cpu_threads() == (1, 1)
    monkeypatch.setenv("TQCHECK_CT2_THREADS", "2")
    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, batch_size=4), ModelHub(), "en")
    assert scorer.workers == 2 and scorer._group_size() == 4 * 2 * 8


def test_folder_without_safetensors_is_a_model_error(tmp_path: Path, tiny_gpt2_dir: Path) -> None:  # noqa: F811
    bad = tmp_path / "bin-only"
    bad.mkdir()
    for f in tiny_gpt2_dir.iterdir():
        if f.suffix != ".safetensors":
            (bad / f.name).write_bytes(f.read_bytes())
    with pytest.raises(ModelError, match="safetensors"):
        get_lm_scorer(Config(lm_models={"en": str(bad)}), ModelHub(), "en")


def test_default_english_is_the_embedded_ngram(no_default_models: None) -> None:
    scorer = get_lm_scorer(Config(), ModelHub(), "en")
    assert scorer.backend == "ngram"
    assert "pocketsphinx" in scorer.model_id


def test_uncached_hub_id_falls_back_for_english_and_says_so(no_default_models: None) -> None:
    notes: list[tuple[str, str]] = []
    scorer = get_lm_scorer(Config(lm_models={"en": "nobody/not-cached-lm"}), ModelHub(), "en", notes)
    assert scorer.backend == "ngram"
    assert notes and "nobody/not-cached-lm" in notes[0][0] and "embedded n-gram" in notes[0][0]


def test_other_languages_need_a_model(no_default_models: None) -> None:
    with pytest.raises(SignalUnavailable) as exc:
        get_lm_scorer(Config(), ModelHub(), "fr")
    assert "--lm-model fr=" in exc.value.fix


@needs_ct2
def test_loading_the_ct2_scorer_leaves_torch_threads_alone(tiny_gpt2_dir: Path, tmp_path: Path,  # noqa: F811
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # CTranslate2 sets the OpenMP thread count of the thread that loads a model; tqcheck loads it on
    # a thread of its own, so torch work later in the process keeps every core.
    import torch

    before = torch.get_num_threads()
    monkeypatch.setenv("TQCHECK_CT2_THREADS", "1")
    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, cache_dir=str(tmp_path)), ModelHub(), "en")
    scorer.score(["The coalition meets in Paris."])
    assert scorer.backend == "ctranslate2" and torch.get_num_threads() == before


@needs_ct2
def test_a_ct2_load_error_is_raised_to_the_caller() -> None:
    from tqcheck.models.ct2 import off_thread

    def boom() -> None:
        raise RuntimeError("no such model")

    with pytest.raises(RuntimeError, match="no such model"):
        off_thread(boom)
    assert off_thread(lambda: 42) == 42


@needs_ct2
@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_default_model_architectures_score_the_same_on_both_engines(tmp_path: Path, arch: str) -> None:
    # The default neural LMs are SmolLM2 (Llama, tied embeddings), Qwen2.5 and GPT-2s: CTranslate2's
    # converted copy must give the float model's log-probabilities, or its scores would be silently wrong.
    from tiny_models import build_tiny_causal_lm

    folder = build_tiny_causal_lm(tmp_path / arch, arch)
    texts = ["The coalition meets in Paris on Tuesday.", "How to defeat the Islamic State?", "Über café crème"]
    got = {}
    for backend, dtype in (("transformers", "auto"), ("ctranslate2", "float32")):
        cfg = Config(lm_models={"en": str(folder)}, backend=backend, dtype=dtype, cache_dir=str(tmp_path / "cache"))
        scorer = get_lm_scorer(cfg, ModelHub(), "en")
        assert scorer.backend == backend
        got[backend] = [t.logprob for t in scorer.score(texts)]
    assert got["ctranslate2"] == pytest.approx(got["transformers"], abs=1e-2)
    reference = [reference_logprob(folder, scorer.tokenizer, t) for t in texts]
    assert got["transformers"] == pytest.approx(reference, abs=1e-3)


@needs_ct2
def test_an_unwritable_cache_dir_falls_back_to_transformers_or_is_one_clear_error(tiny_gpt2_dir: Path,  # noqa: F811
                                                                                  tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    auto = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, cache_dir=str(blocked)), ModelHub(), "en")
    assert auto.backend == "transformers" and auto.score(["The coalition meets."])[0].n > 0
    cfg = Config(lm_models={"en": str(tiny_gpt2_dir)}, cache_dir=str(blocked), backend="ctranslate2")
    with pytest.raises(ModelError, match="cannot write the CTranslate2 copy"):
        get_lm_scorer(cfg, ModelHub(), "en")


@needs_ct2
def test_a_damaged_converted_copy_is_converted_again(tiny_gpt2_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    cfg = Config(lm_models={"en": str(tiny_gpt2_dir)}, cache_dir=str(tmp_path))
    expected = get_lm_scorer(cfg, ModelHub(), "en").score(["The coalition meets."])[0].logprob
    (copy,) = (tmp_path / "ct2").glob("*/model.bin")
    size = copy.stat().st_size
    copy.write_bytes(copy.read_bytes()[:100])  # a full disk or a killed copy
    again = get_lm_scorer(cfg, ModelHub(), "en")
    assert again.backend == "ctranslate2", "not a silent fall back to transformers on every later run"
    assert copy.stat().st_size == size
    assert again.score(["The coalition meets."])[0].logprob == pytest.approx(expected)
