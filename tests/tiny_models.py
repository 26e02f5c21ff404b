"""Tiny random-weight models built on the fly (well under a second each), saved to a folder and
loaded by tests through exactly the code path used for real models.

- :func:`build_tiny_marian`: SentencePiece + ``MarianMTModel`` (opus-mt layout: source.spm,
  target.spm, vocab.json, config.json, model.safetensors).
- :func:`build_tiny_gpt2`: byte-level BPE tokenizer + ``GPT2LMHeadModel``.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = [
    "The coalition meets in Paris on Tuesday.",
    "How to defeat the Islamic State?",
    "The raids have not stopped the jihadists.",
    "La coalition se réunit à Paris mardi.",
    "Comment vaincre l'État islamique ?",
    "Les raids n'ont pas arrêté les djihadistes.",
    "The prime minister will explain the plan to the members.",
    "Le Premier ministre expliquera le plan aux membres.",
    "Iraqis hope to mobilize Sunni tribes to reclaim the province.",
    "It is very important that all forces are under the command of the government.",
    "Über die Straße gehen Menschen mit Kaffee, café crème et thé.",
    "Numbers like 4,000 and 3.5 and dates like June 2 appear too.",
] * 4


def _train_spm(prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        minloglevel=2,
        bos_id=-1,
        eos_id=1,
        unk_id=2,
        pad_id=0,
        hard_vocab_limit=False,
    )


def build_tiny_marian(folder: str | Path, *, seed: int = 0, d_model: int = 16, layers: int = 1,
                      pad_last: bool = False) -> Path:
    """A Marian model with random weights and a real SentencePiece tokenizer.

    ``pad_last=True`` uses the exact opus-mt id layout (``</s>`` 0, ``<unk>`` 1, ``<pad>`` last and
    never generated), which CTranslate2's Marian converter relies on.
    """
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    _train_spm(out / "spm", vocab_size=120)
    (out / "spm.model").rename(out / "source.spm")
    (out / "source.spm").read_bytes()
    (out / "target.spm").write_bytes((out / "source.spm").read_bytes())
    (out / "spm.vocab").unlink()
    sp = spm.SentencePieceProcessor(model_file=str(out / "source.spm"))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    if pad_last:
        vocab = {"</s>": 0, "<unk>": 1}
        for piece in pieces:
            if piece != "<pad>":
                vocab.setdefault(piece, len(vocab))
        vocab["<pad>"] = len(vocab)
    else:
        vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
        for piece in pieces:
            vocab.setdefault(piece, len(vocab))
    pad, eos = vocab["<pad>"], vocab["</s>"]
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    (out / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "MarianTokenizer", "source_lang": "en", "target_lang": "fr",
                    "model_max_length": 512, "separate_vocabs": False}),
        "utf-8",
    )
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
        max_position_embeddings=128, pad_token_id=pad, eos_token_id=eos, decoder_start_token_id=pad,
        forced_eos_token_id=eos, bos_token_id=0, share_encoder_decoder_embeddings=True,
    )
    model = MarianMTModel(config).eval()
    model.generation_config.max_length = 24
    model.generation_config.num_beams = 1
    if pad_last:
        model.generation_config.bad_words_ids = [[pad]]
    model.save_pretrained(out, safe_serialization=True)
    return out


def build_tiny_gpt2(folder: str | Path, *, seed: int = 0, n_embd: int = 16, n_layer: int = 1) -> Path:
    """A GPT-2 with random weights and a byte-level BPE tokenizer trained on a tiny corpus."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>",
                                   eos_token="<|endoftext|>", unk_token="<|endoftext|>")
    fast.save_pretrained(out)
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=tok.get_vocab_size(), n_positions=256, n_embd=n_embd, n_layer=n_layer,
                        n_head=2, bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(config).eval().save_pretrained(out, safe_serialization=True)
    return out


def build_tiny_causal_lm(folder: str | Path, arch: str, *, seed: int = 0) -> Path:
    """A tiny random causal LM of the architecture of a default model ("llama": SmolLM2, with tied
    embeddings as SmolLM2 has; "qwen2": Qwen2.5), with the tiny GPT-2's byte-level BPE tokenizer."""
    import shutil

    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    out = Path(folder)
    gpt2 = build_tiny_gpt2(out.parent / f".{out.name}-tokenizer")
    out.mkdir(parents=True, exist_ok=True)
    for f in gpt2.iterdir():
        if f.name.startswith(("tokenizer", "special")):
            shutil.copy(f, out / f.name)
    classes = {"llama": (LlamaConfig, LlamaForCausalLM), "qwen2": (Qwen2Config, Qwen2ForCausalLM)}
    config_class, model_class = classes[arch]
    config = config_class(vocab_size=300, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                          bos_token_id=0, eos_token_id=0, tie_word_embeddings=arch == "llama")
    torch.manual_seed(seed)
    model_class(config).eval().save_pretrained(out, safe_serialization=True)
    return out
