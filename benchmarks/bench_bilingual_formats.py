"""Speed of the bilingual readers, the source signal and write-back on a large generated file.

Writes an XLIFF 1.2, a PO and a TSV file of N units (the sample units of tests/data/bilingual,
repeated with numbered variations) into a temporary folder and times: reading (safe parse +
offset scan + masking), the source signal (model-free), and write-back of one edit per unit
(plus a byte-identity check of a write-back without edits).

Usage: python benchmarks/bench_bilingual_formats.py [--units N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "data" / "bilingual"))


def main() -> None:
    import make_samples as ms

    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import read_document, write_back
    from tqcheck.formats.bilingual import Edit

    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=20000)
    args = ap.parse_args()
    base = ms.UNITS
    ms.UNITS = [(f"{uid}-{k}", src.replace("Save", f"Save {k}"), tgt, rule)
                for k in range(args.units // len(base) + 1) for uid, src, tgt, rule in base][: args.units]
    checker = Checker(Config(signals=["source"], source_lang="en"))
    print(f"{'format':8s} {'units':>6s} {'MB':>5s} {'read s':>7s} {'check s':>8s} {'write s':>8s}  identical")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("xliff", ms.xliff12()), ("po", ms.po()), ("tsv", ms.tsv())):
            path = Path(tmp) / f"big.{ {'xliff': 'xlf'}.get(name, name)}"
            path.write_text(text, "utf-8")
            t0 = time.perf_counter()
            doc = read_document(path)
            t1 = time.perf_counter()
            report = checker.check_documents([doc])
            t2 = time.perf_counter()
            edits = [Edit(s.end, s.end, "!") for s in doc.segments]
            out = write_back(doc, edits)
            t3 = time.perf_counter()
            same = write_back(doc, []) == path.read_bytes()
            size = path.stat().st_size / 1e6
            units = len(doc.meta["units"])
            print(f"{name:8s} {units:6d} {size:5.1f} {t1 - t0:7.2f} {t2 - t1:8.2f} {t3 - t2:8.2f}  {same}"
                  f"   ({len(report.findings)} findings, {len(out) - len(path.read_bytes())} bytes added)")


if __name__ == "__main__":
    main()
