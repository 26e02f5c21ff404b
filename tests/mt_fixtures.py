"""Shared tiny translation models for the round-trip and model tests, built once per session.

The models are real Marian folders (SentencePiece + safetensors) with random weights, in the
exact opus-mt id layout, loaded through the same code path as downloaded models.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from tiny_models import build_tiny_marian


@cache
def tiny_pair(base: Path) -> tuple[Path, Path]:
    """(en-fr, fr-en) folders; different seeds so the two directions differ."""
    en_fr = build_tiny_marian(base / "tiny-en-fr", seed=1, d_model=32, pad_last=True)
    fr_en = build_tiny_marian(base / "tiny-fr-en", seed=2, d_model=32, pad_last=True)
    return en_fr, fr_en


def copy_model(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


@cache
def tiny_m2m100(base: Path) -> Path:
    """A random-weight M2M100 (multilingual: language codes as tokens) with a real SentencePiece model."""
    import json

    import sentencepiece as spm
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    from tiny_models import _train_spm

    out = base / "tiny-m2m100"
    out.mkdir(parents=True, exist_ok=True)
    _train_spm(out / "spm", vocab_size=120)
    (out / "spm.model").rename(out / "sentencepiece.bpe.model")
    (out / "spm.vocab").unlink()
    sp = spm.SentencePieceProcessor(model_file=str(out / "sentencepiece.bpe.model"))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(sp.get_piece_size()):
        vocab.setdefault(sp.id_to_piece(i), len(vocab))
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    tok = M2M100Tokenizer(str(out / "vocab.json"), str(out / "sentencepiece.bpe.model"), src_lang="en",
                          tgt_lang="fr")
    tok.save_pretrained(out)
    # Language tokens come after the SentencePiece vocabulary.
    size = max([*tok.get_vocab().values(), *tok.lang_token_to_id.values()]) + 1
    config = M2M100Config(
        vocab_size=size, d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=128,
        pad_token_id=1, eos_token_id=2, bos_token_id=0, decoder_start_token_id=2,
    )
    torch.manual_seed(0)
    M2M100ForConditionalGeneration(config).eval().save_pretrained(out, safe_serialization=True)
    return out


@cache
def tiny_nllb(base: Path) -> Path:
    """A random-weight NLLB-200 (an M2M100 model with NllbTokenizer: ``fra_Latn``-style language codes
    as tokens, the source code first, the target code forced as the first output token).

    The tokenizer is a BPE trained on the tiny corpus with NLLB's Metaspace pre-tokenizer, built the
    way transformers v5 builds NllbTokenizer (vocabulary + merges); the 202 NLLB language codes are
    added after it, as in the real models."""
    import json

    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer

    from tiny_models import CORPUS

    out = base / "tiny-nllb"
    out.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bpe.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=150, show_progress=False,
                                                        special_tokens=["<s>", "<pad>", "</s>", "<unk>"]))
    state = json.loads(bpe.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    tok = NllbTokenizer(vocab=state["vocab"], merges=merges, src_lang="fra_Latn", tgt_lang="eng_Latn")
    tok.save_pretrained(out)
    config = M2M100Config(
        vocab_size=len(tok), d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_position_embeddings=128,
        pad_token_id=1, eos_token_id=2, bos_token_id=0, decoder_start_token_id=2,
    )
    torch.manual_seed(0)
    M2M100ForConditionalGeneration(config).eval().save_pretrained(out, safe_serialization=True)
    return out
