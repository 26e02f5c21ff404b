"""Memory pressure: an out-of-memory error makes the batch size shrink instead of failing the run."""

from __future__ import annotations

import pytest

from lm_fixtures import tiny_gpt2_dir  # noqa: F401  (session fixture)
from mt_fixtures import tiny_pair
from tqcheck.config import Config
from tqcheck.errors import ModelError
from tqcheck.models import translate as tr
from tqcheck.models.hub import ModelHub
from tqcheck.models.memory import is_out_of_memory, run_adaptive
from tqcheck.models.translate import get_translator


class OOMBackend:
    """Fails like torch does when a batch holds more than ``fits`` texts."""

    name = "oom"
    device = "cpu"
    compute_type = "float32"

    def __init__(self, fits: int) -> None:
        self.fits = fits
        self.sizes: list[int] = []

    def translate(self, texts, n_best, options, spec):
        self.sizes.append(options.batch_size)
        if options.batch_size > self.fits:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return [[t[::-1]] for t in texts]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return tiny_pair(tmp_path_factory.getbasetemp())


def test_out_of_memory_is_recognised() -> None:
    assert is_out_of_memory(MemoryError())
    assert is_out_of_memory(RuntimeError("[enforce fail at alloc_cpu.cpp] DefaultCPUAllocator: can't allocate memory"))
    assert is_out_of_memory(RuntimeError("CUDA out of memory. Tried to allocate 20.00 MiB"))
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    assert not is_out_of_memory(ValueError("out of memory"))  # only errors allocators raise


def test_run_adaptive_halves_until_it_fits_and_keeps_order() -> None:
    seen: list[int] = []

    def run(chunk: list[int], size: int) -> list[int]:
        seen.append(size)
        if size > 3:
            raise MemoryError
        return [x * 10 for x in chunk]

    out, size = run_adaptive(list(range(50)), 16, run)
    assert out == [x * 10 for x in range(50)]
    assert size == 2 and seen[:4] == [16, 8, 4, 2]


def test_a_batch_of_one_that_does_not_fit_is_an_error() -> None:
    def run(chunk: list[int], size: int) -> list[int]:
        raise MemoryError

    with pytest.raises(MemoryError):
        run_adaptive([1, 2], 4, run)


def test_translator_adapts_its_batch_size_and_reports_it(models, tmp_path, monkeypatch) -> None:
    en_fr, fr_en = models
    backend = OOMBackend(fits=4)
    monkeypatch.setattr(tr, "load_backend", lambda *a, **k: backend)
    cfg = Config(mt_models={"en-fr": str(en_fr), "fr-en": str(fr_en)}, cache_dir=str(tmp_path), use_cache=False,
                 batch_size=32)
    t = get_translator(cfg, ModelHub(), "en", "fr")
    texts = [f"sentence number {i}" for i in range(40)]
    assert t.translate(texts) == [[s[::-1]] for s in texts]
    assert backend.sizes[:4] == [32, 16, 8, 4]
    assert t.signature()["batch_size"] == 4 and t.signature()["batch_size_reduced_from"] == 32
    backend.sizes.clear()
    t.translate(["another one"])
    assert backend.sizes == [4], "later calls start from the size that fitted"


def test_translator_out_of_memory_at_size_one_is_a_clear_model_error(models, tmp_path, monkeypatch) -> None:
    en_fr, fr_en = models
    monkeypatch.setattr(tr, "load_backend", lambda *a, **k: OOMBackend(fits=0))
    cfg = Config(mt_models={"en-fr": str(en_fr), "fr-en": str(fr_en)}, cache_dir=str(tmp_path), use_cache=False)
    t = get_translator(cfg, ModelHub(), "en", "fr")
    with pytest.raises(ModelError, match="out of memory even one sentence at a time"):
        t.translate(["one"])


def test_lm_scorer_splits_batches_that_do_not_fit(tiny_gpt2_dir, monkeypatch) -> None:  # noqa: F811
    from tqcheck.models.lm import get_lm_scorer

    scorer = get_lm_scorer(Config(lm_models={"en": str(tiny_gpt2_dir)}, batch_size=8), ModelHub(), "en")
    texts = [f"The coalition meets in Paris on day {i}." for i in range(8)]
    expected = [t.logprob for t in scorer.score(texts)]
    real_run = scorer._run
    sizes: list[int] = []

    def tight(batch, encoded, raw):  # type: ignore[no-untyped-def]
        sizes.append(len(batch))
        if len(batch) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 1.00 GiB")
        return real_run(batch, encoded, raw)

    monkeypatch.setattr(scorer, "_run", tight)
    got = [t.logprob for t in scorer.score(texts)]
    assert got == pytest.approx(expected, abs=1e-4)
    assert sizes[0] == 8 and max(sizes[1:]) <= 4 and scorer.batch_size <= 2
