"""Coverage-guided fuzz target (atheris) for the readers and the segmenter.

Run briefly in CI through tests/test_fuzz.py; run longer by hand:
    python tests/fuzz/fuzz_readers.py -max_total_time=600
Any exception other than tqcheck's own user errors is a bug.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from tqcheck.errors import TqcheckError
    from tqcheck.formats import READERS_FOR_FUZZING
    from tqcheck.segment import segment


def one_input(data: bytes) -> None:
    if not data:
        return
    reader = READERS_FOR_FUZZING[data[0] % len(READERS_FOR_FUZZING)]
    try:
        doc = reader(data[1:])
    except TqcheckError:
        return
    assert len(doc.check_text) == len(doc.text)
    if not doc.segments:
        segment(doc)
    pos = 0
    for s in doc.segments:
        assert pos <= s.start <= s.end <= len(doc.text)
        assert doc.check_text[s.start : s.end] == s.text
        pos = s.end


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
