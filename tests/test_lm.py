"""The LM scorer interface and the transformers backend (tiny GPT-2 loaded through the real path)."""

from __future__ import annotations

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


def test_tiny_gpt2_offsets_are_exact(tiny_gpt2_dir: Path) -> None:  # noqa: F811
    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}), ModelHub(), "en")
    assert scorer.backend == "transformers" and scorer.model_id == str(tiny_gpt2_dir)
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


def test_tiny_gpt2_log_probs_match_the_model(tiny_gpt2_dir: Path) -> None:  # noqa: F811
    import torch

    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}), ModelHub(), "en")
    text = "Iraqis hope to mobilize Sunni tribes."
    ts = scorer.score([text])[0]
    ids = [scorer.bos_id, *scorer.tokenizer(text, add_special_tokens=False)["input_ids"]]
    with torch.no_grad():
        logits = scorer.model(torch.tensor([ids])).logits[0, :-1].float()
    expected = torch.log_softmax(logits, -1).gather(-1, torch.tensor(ids[1:]).unsqueeze(-1)).sum().item()
    assert ts.logprob == pytest.approx(expected, abs=1e-3)


def test_batched_equals_one_by_one(tiny_gpt2_dir: Path) -> None:  # noqa: F811
    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, batch_size=3), ModelHub(), "en")
    texts = ["Short.", "A much longer sentence about the coalition meeting in Paris on Tuesday.", "x",
             "Numbers like 4,000 appear.", "Über die Straße."]
    batched = scorer.score(texts)
    single = [scorer.score([t])[0] for t in texts]
    for a, b in zip(batched, single, strict=False):
        assert [t[:2] for t in a.tokens] == [t[:2] for t in b.tokens]
        assert a.logprob == pytest.approx(b.logprob, abs=1e-4)


def test_model_loads_once_per_hub(tiny_gpt2_dir: Path) -> None:  # noqa: F811
    hub = ModelHub()
    cfg = Config(lm_models={"en": str(tiny_gpt2_dir)})
    assert get_lm_scorer(cfg, hub, "en") is get_lm_scorer(cfg, hub, "en")


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
