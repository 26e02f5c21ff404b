"""Precision of the model-free rules on real French->English machine translation.

Data: ``../shared/eval/lig-fr-en`` (LIG post-editing corpus, Potet et al. 2012; research use, never
copied into the repository). ``mt-moses.en`` is Moses output (tokenised, lower-cased); it is
detokenised with sacremoses and re-capitalised so that it looks like copy. ``postedit.en`` is the
human post-edit of that output: the clean side.

Figures printed:

* **precision** on the MT side: a finding is correct when its span overlaps an MT token that the
  post-editor replaced or deleted, or when the post-editor inserted something inside the span
  (word alignment by ``difflib`` over lower-cased word and punctuation tokens, i.e. an
  edit-distance alignment like TER without shifts; lower-cased because the MT side lost its
  capitals). A finding whose span holds no word
  (a space) is correct when a neighbouring token was changed or when the post-edit no longer has
  that exact spacing. The chance level (the share of MT tokens that were changed) is printed too:
  a rule firing at random would score about that.
* **findings per 1,000 words** on the post-edited side (lower is better; every finding there is
  either a false alarm or an error the post-editor left in).

Usage: ``python benchmarks/eval_rules.py [--limit N] [--source-lang fr|none] [--show N]``
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "eval" / "lig-fr-en"
sys.path.insert(0, str(HERE.parent / "src"))

from tqcheck.api import Checker  # noqa: E402
from tqcheck.config import Config  # noqa: E402
from tqcheck.document import Document, Segment  # noqa: E402
from tqcheck.findings import Finding  # noqa: E402
from tqcheck.segment import word_count  # noqa: E402

NOT_EVALUATED = ("punctuation.unbalanced-quotes", "punctuation.unbalanced-brackets")
#: Exact typography: a finding of these is a fact about the text (a doubled space is one), so on
#: the clean side it is an error the post-editor left, not a false alarm. Reported separately.
EXACT = ("typography.", "locale.space-before-percent")
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


def detokenise(lines: list[str]) -> list[str]:
    """Moses detokenisation, then capitals where the tokeniser's lower-casing removed them:
    the first letter of each sentence and the pronoun "I"."""
    from sacremoses import MosesDetokenizer

    detok = MosesDetokenizer(lang="en")
    out = []
    for line in lines:
        text = detok.detokenize(line.split())
        text = re.sub(r"(^|[.!?][\"”’)]?\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
        text = re.sub(r"\bi\b(?=\s|'|’)", "I", text)
        out.append(text)
    return out


def documents(lines: list[str], name: str) -> list[Document]:
    """One document per line, one segment per document (the corpus is sentence-aligned)."""
    docs = []
    for i, line in enumerate(lines):
        doc = Document(text=line, path=f"{name}:{i + 1}")
        doc.segments = [Segment(index=0, start=0, end=len(line), text=line)] if line.strip() else []
        docs.append(doc)
    return docs


def changed_tokens(mt: str, pe: str) -> tuple[list[tuple[int, int]], list[bool], set[int]]:
    """Token spans of ``mt``; for each, whether the post-editor changed (replaced or deleted) it;
    and the positions k where the post-editor inserted something before MT token k."""
    mt_tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(mt)]
    a = [mt[s:e].lower() for s, e in mt_tokens]
    b = [t.lower() for t in _TOKEN.findall(pe)]
    changed = [False] * len(a)
    inserted: set[int] = set()
    for op, i1, i2, _, _ in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            for k in range(i1, i2):
                changed[k] = True
        elif op == "insert":
            inserted.add(i1)
    return mt_tokens, changed, inserted


def is_correct(f: Finding, mt: str, pe: str, spans: list[tuple[int, int]], changed: list[bool],
               inserted: set[int]) -> bool:
    hit = [k for k, (s, e) in enumerate(spans) if s < f.end and f.start < e]
    if hit:
        # Changed: a token in the span was replaced or deleted, or something was inserted
        # between two of its tokens ("1 200" -> "1,200").
        return any(changed[k] for k in hit) or any(k in inserted for k in hit[1:])
    # A span with no token (a space): look at the tokens on either side.
    before = [k for k, (_, e) in enumerate(spans) if e <= f.start]
    after = [k for k, (s, _) in enumerate(spans) if s >= f.end]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    if any(changed[k] for k in near):
        return True
    left = mt[spans[before[-1]][0]:f.start] if before else ""
    right = mt[f.end:spans[after[0]][1]] if after else ""
    return (left + mt[f.start:f.end] + right).lower() not in pe.lower()


def run(checker: Checker, lines: list[str], name: str) -> list[list[Finding]]:
    report = checker.check_documents(documents(lines, name))
    return [r.findings for r in report.documents]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=0, help="only the first N lines (0: all)")
    ap.add_argument("--source-lang", default="fr", help="fr (default) or none (unknown source)")
    ap.add_argument("--show", type=int, default=0, help="print N wrong findings per rule group")
    args = ap.parse_args(argv)
    if not (args.data / "mt-moses.en").is_file():
        print(f"eval data not found in {args.data}", file=sys.stderr)
        return 2
    read = lambda n: (args.data / n).read_text("utf-8").splitlines()  # noqa: E731
    mt_raw, pe = read("mt-moses.en"), read("postedit.en")
    if args.limit:
        mt_raw, pe = mt_raw[: args.limit], pe[: args.limit]
    t0 = time.perf_counter()
    mt = detokenise(mt_raw)
    source = None if args.source_lang in ("none", "auto", "") else args.source_lang
    # The corpus is one sentence per line with its paragraphs lost, so a quotation or an aside
    # that spans sentences looks unbalanced on every line: the paragraph-level balance rules
    # cannot be judged on it and are left out (they are tested on paragraphs in tests/).
    checker = Checker(Config(signals=["rules"], lang="en", source_lang=source,
                             ignore=list(NOT_EVALUATED)))
    t1 = time.perf_counter()
    mt_findings = run(checker, mt, "mt")
    t2 = time.perf_counter()
    pe_findings = run(checker, pe, "pe")
    t3 = time.perf_counter()

    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    bad_tokens = all_tokens = 0
    wrong: dict[str, list[str]] = defaultdict(list)
    for line_mt, line_pe, found in zip(mt, pe, mt_findings, strict=True):
        spans, changed, inserted = changed_tokens(line_mt, line_pe)
        bad_tokens += sum(changed)
        all_tokens += len(changed)
        for f in found:
            ok = is_correct(f, line_mt, line_pe, spans, changed, inserted)
            per_rule[f.rule]["correct" if ok else "wrong"] += 1
            if not ok and len(wrong[f.rule.split(".")[0]]) < args.show:
                wrong[f.rule.split(".")[0]].append(f"{line_mt[f.start:f.end]!r} in: {line_mt}\n      PE: {line_pe}")
    pe_words = sum(word_count(x) for x in pe)
    pe_rule = Counter(f.rule for found in pe_findings for f in found)
    n_pe = sum(pe_rule.values())
    correct = sum(c["correct"] for c in per_rule.values())
    total = correct + sum(c["wrong"] for c in per_rule.values())

    print(f"LIG fr-en, {len(mt)} lines; source language: {source or 'unknown'}; "
          f"{sum(1 for _ in checker.signals[0].rules)} rules")
    print(f"MT side   : {total} findings, {correct} on words the post-editor changed -> "
          f"precision {correct / total if total else 0:.3f} "
          f"(chance level {bad_tokens / max(all_tokens, 1):.3f} = share of MT tokens changed)")
    n_exact = sum(n for r, n in pe_rule.items() if r.startswith(EXACT))
    print(f"Clean side: {n_pe} findings in {pe_words} words -> {1000 * n_pe / max(pe_words, 1):.3f} per 1,000 words; "
          f"without exact typography ({n_exact}: spaces the post-editor left) "
          f"{1000 * (n_pe - n_exact) / max(pe_words, 1):.3f}")
    print(f"Time      : detokenise+load {t1 - t0:.1f}s, MT {t2 - t1:.1f}s, PE {t3 - t2:.1f}s "
          f"({(len(mt) + len(pe)) / max(t3 - t1, 1e-9):.0f} lines/s)")
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for rule, c in per_rule.items():
        groups[rule.split(".")[0]].update(c)
    print("\nPer group (MT side: findings, precision | clean side: findings):")
    for group in sorted(set(groups) | {r.split(".")[0] for r in pe_rule}, key=lambda g: -sum(groups[g].values())):
        c = groups[group]
        n = c["correct"] + c["wrong"]
        pe_n = sum(v for r, v in pe_rule.items() if r.split(".")[0] == group)
        print(f"  {group:<52} {n:>5} {c['correct'] / n if n else 0:>5.2f} | {pe_n:>4}")
    print("\nPer rule (MT side: findings, precision | clean side: findings):")
    for rule in sorted(set(per_rule) | set(pe_rule), key=lambda r: -sum(per_rule[r].values())):
        c = per_rule[rule]
        n = c["correct"] + c["wrong"]
        prec = f"{c['correct'] / n:.2f}" if n else "  - "
        print(f"  {rule:<52} {n:>5} {prec:>5} | {pe_rule[rule]:>4}")
    for group, examples in wrong.items():
        print(f"\nWrong {group} findings (first {len(examples)}):")
        for e in examples:
            print("   ", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
