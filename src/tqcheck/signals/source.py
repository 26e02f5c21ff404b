"""Source-aware checks: compare each target with its source (bilingual files, or a plain target
aligned with ``--source``).

Model-free checks always run: numbers, dates, URLs, e-mail addresses, placeholders, inline
tags, names, end punctuation, length ratio, whitespace and line breaks, untranslated and
missing targets, inconsistent translations, and terminology from a glossary. When a
translation model for the pair is available, forward translation (source -> target) and
back-translation (target -> source) add mistranslation, omission and addition findings; when a
multilingual embedding model is configured, cross-lingual similarity adds low-similarity
findings. Findings use the MQM categories: accuracy (omission, addition, mistranslation,
untranslated), terminology, locale-convention (number and date formats), fluency.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.signals import source_checks as sc
from tqcheck.signals.base import Signal, SignalOutput, SignalUnavailable

#: rule id -> (category, severity, MQM subtype, confidence)
RULES: dict[str, tuple[Category, Severity, str, float]] = {
    "source.missing-target": (Category.ACCURACY, Severity.MAJOR, "accuracy/untranslated", 1.0),
    "source.untranslated": (Category.ACCURACY, Severity.MAJOR, "accuracy/untranslated", 0.9),
    "source.number-mismatch": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.9),
    "source.number-format": (Category.LOCALE_CONVENTION, Severity.MINOR, "locale-convention/number-format", 0.8),
    "source.date-mismatch": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.8),
    "source.date-format": (Category.LOCALE_CONVENTION, Severity.MAJOR, "locale-convention/date-format", 0.8),
    "source.url-mismatch": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.95),
    "source.email-mismatch": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.95),
    "source.placeholder-mismatch": (Category.ACCURACY, Severity.CRITICAL, "accuracy/mistranslation", 0.95),
    "source.tag-mismatch": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.95),
    "source.name-missing": (Category.ACCURACY, Severity.MINOR, "accuracy/omission", 0.5),
    "source.code-mismatch": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.85),
    "source.accelerator": (Category.ACCURACY, Severity.MAJOR, "accuracy/omission", 0.7),
    "source.brackets": (Category.FLUENCY, Severity.MINOR, "fluency/punctuation", 0.6),
    "source.start-case": (Category.FLUENCY, Severity.MINOR, "fluency/grammar", 0.5),
    "source.end-punctuation": (Category.FLUENCY, Severity.MINOR, "fluency/punctuation", 0.7),
    "source.length-ratio": (Category.ACCURACY, Severity.MINOR, "accuracy/omission-or-addition", 0.5),
    "source.plural-forms": (Category.ACCURACY, Severity.MAJOR, "accuracy/omission", 0.95),
    "source.whitespace": (Category.FLUENCY, Severity.MINOR, "fluency/whitespace", 0.8),
    "source.newlines": (Category.FLUENCY, Severity.MINOR, "fluency/whitespace", 0.8),
    "source.inconsistent-translation": (Category.FLUENCY, Severity.MINOR, "fluency/inconsistency", 0.7),
    "source.term-missing": (Category.TERMINOLOGY, Severity.MAJOR, "terminology/wrong-term", 0.8),
    "source.term-forbidden": (Category.TERMINOLOGY, Severity.MAJOR, "terminology/wrong-term", 0.9),
    "source.mistranslation": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.5),
    "source.omission": (Category.ACCURACY, Severity.MAJOR, "accuracy/omission", 0.5),
    "source.addition": (Category.ACCURACY, Severity.MINOR, "accuracy/addition", 0.5),
    "source.low-similarity": (Category.ACCURACY, Severity.MAJOR, "accuracy/mistranslation", 0.5),
}

_KIND_RULE = {
    "number": "source.number-mismatch", "number-format": "source.number-format", "date": "source.date-mismatch",
    "date-format": "source.date-format", "url": "source.url-mismatch", "email": "source.email-mismatch",
    "placeholder": "source.placeholder-mismatch", "tag": "source.tag-mismatch", "name": "source.name-missing",
    "end-punctuation": "source.end-punctuation", "code": "source.code-mismatch", "brackets": "source.brackets",
    "start-case": "source.start-case",
    "accelerator": "source.accelerator", "length": "source.length-ratio", "whitespace": "source.whitespace",
    "newlines": "source.newlines",
}


@dataclass
class Pair:
    """A target text with its source, wherever it came from."""

    source: str
    target: str
    #: File span of each target character.
    tmap: list[tuple[int, int]]
    #: File span of the whole target (for findings about the whole text).
    span: tuple[int, int]
    segment: int | None = None
    src_tags: list[str] | None = None
    tgt_tags: list[str] | None = None
    unit_id: str = ""
    context: str = ""
    flags: set[str] = field(default_factory=set)
    translated: bool = True
    #: Bilingual units keep whitespace; aligned sentences were trimmed.
    exact_edges: bool = True
    clean_source: str = ""
    clean_target: str = ""

    def file_span(self, a: int, b: int) -> tuple[int, int]:
        if not self.tmap:
            return self.span
        if a >= b:
            at = self.tmap[a][0] if a < len(self.tmap) else self.tmap[-1][1]
            return at, at
        return self.tmap[a][0], self.tmap[min(b, len(self.tmap)) - 1][1]


def pairs_of(doc: Document) -> list[Pair]:
    """Units of a bilingual document, or aligned sentences of a plain target with a source."""
    units = doc.meta.get("units")
    out: list[Pair] = []
    if units is not None:
        for u in units:
            if u.target.present:
                tmap = u.target.mapping()
                span = (u.target.start, u.target.end)
            else:
                tmap, span = [], (u.source.start, u.source.end)
            out.append(Pair(u.source.plain, u.target.plain, tmap, span, u.segment, u.source.tags, u.target.tags,
                            u.id, u.context, set(u.flags), u.translated, True, u.source.clean, u.target.clean))
        return out
    for seg in doc.segments:
        if seg.source is None or seg.non_content:
            continue
        # Masked like the source (Markdown code, link targets): compare like with like.
        target = seg.text
        tmap = [(seg.start + i, seg.start + i + 1) for i in range(len(target))]
        out.append(Pair(seg.source, target, tmap, (seg.start, seg.end), seg.index, exact_edges=False,
                        clean_source=seg.source.replace(sc.MASK, " "), clean_target=target.replace(sc.MASK, " ")))
    return out


class SourceSignal(Signal):
    name = "source"
    description = ("Source-aware accuracy checks (bilingual files, --source): numbers, dates, URLs, "
                   "placeholders, tags, names, terminology, consistency; MT and embeddings when available.")

    def prepare(self) -> None:
        self.glossary = None
        path = getattr(self.config, "glossary", None)
        if path:
            from tqcheck.terminology import load_glossary

            self.glossary = load_glossary(path)

    def run(self, docs: Sequence[Document]) -> list[SignalOutput]:
        outputs = [SignalOutput() for _ in docs]
        all_pairs: list[tuple[int, Pair]] = []
        for i, doc in enumerate(docs):
            pairs = pairs_of(doc)
            if not pairs:
                continue
            src_lang = doc.source_language or _guess_source_language(pairs)
            for pair in pairs:
                self._check_pair(doc, pair, src_lang, outputs[i])
                all_pairs.append((i, pair))
            self._alignment_findings(doc, outputs[i])
            outputs[i].document.update({
                "pairs": len(pairs),
                "translated": sum(p.translated for p in pairs),
                "fuzzy": sum("fuzzy" in p.flags for p in pairs),
                "source_language": src_lang,
            })
            if "alignment" in doc.meta:
                align = doc.meta["alignment"]
                outputs[i].document["alignment"] = {k: align[k] for k in
                                                    ("method", "ratio", "source_sentences", "target_sentences")}
        self._consistency(docs, all_pairs, outputs)
        self._model_checks(docs, all_pairs, outputs)
        return outputs

    # -- findings ---------------------------------------------------------------------------------

    def _emit(self, out: SignalOutput, rule: str, pair: Pair | None, span: tuple[int, int], message: str,
              replacement: str | None = None, confidence: float | None = None, **evidence: Any) -> None:
        if not self.config.rule_enabled(rule):
            return
        category, severity, mqm, conf = RULES[rule]
        ev = {"mqm": mqm, **({"unit": pair.unit_id} if pair and pair.unit_id else {}), **evidence}
        out.findings.append(Finding(
            rule=rule, category=category, severity=severity, start=span[0], end=span[1], message=message,
            suggestions=[Suggestion(replacement, safe=False, source="source")] if replacement is not None else [],
            confidence=conf if confidence is None else confidence, evidence=ev, signal=self.name))

    def _check_pair(self, doc: Document, pair: Pair, src_lang: str | None, out: SignalOutput) -> None:
        tgt_lang = doc.language
        src, tgt = pair.source, pair.target
        if not pair.translated:
            if sc.normalise(src) and "locked" not in pair.flags:
                self._emit(out, "source.missing-target", pair, (pair.span[0], pair.span[0]),
                           "no translation: the target is empty or missing", source=sc.normalise(src)[:200])
            return
        for flag in (f for f in pair.flags if f.startswith("nplurals:")):
            have, want = flag.partition(":")[2].split("/")
            self._emit(out, "source.plural-forms", pair, pair.file_span(0, len(tgt.rstrip())),
                       f"this plural entry has {have} translated forms; the Plural-Forms header asks for {want}",
                       forms=int(have), nplurals=int(want))
        numbers = {"pair": pair.unit_id} if pair.unit_id else {}
        if pair.segment is not None:
            out.segments[pair.segment] = numbers
        if sc.normalise(src) == sc.normalise(tgt) and not sc.untranslatable(src) and src_lang != tgt_lang:
            self._emit(out, "source.untranslated", pair, pair.file_span(0, len(tgt)),
                       "the translation is identical to the source (not translated?)")
            return
        issues: list[sc.Issue] = []
        date_issues, s_dates, t_dates = sc.compare_dates(src, tgt, src_lang, tgt_lang)
        time_issues, s_times, t_times = sc.compare_times(src, tgt, src_lang, tgt_lang)
        date_issues += time_issues
        s_dates, t_dates = s_dates + s_times, t_dates + t_times
        s_skip = s_dates + [(x[0], x[1]) for x in sc.urls(src) + sc.emails(src) + sc.placeholders(src)
                            + sc.versions(src)]
        t_skip = t_dates + [(x[0], x[1]) for x in sc.urls(tgt) + sc.emails(tgt) + sc.placeholders(tgt)
                            + sc.versions(tgt)]
        issues += date_issues
        issues += sc.compare_numbers(src, tgt, src_lang, tgt_lang, s_skip, t_skip)
        issues += sc.compare_literals("url", "URL", sc.urls(src), sc.urls(tgt))
        issues += sc.compare_literals("number", "version number", sc.versions(src), sc.versions(tgt))
        issues += sc.compare_literals("email", "e-mail address", sc.emails(src), sc.emails(tgt))
        issues += sc.compare_literals("placeholder", "placeholder", sc.placeholders(src), sc.placeholders(tgt))
        if pair.src_tags or pair.tgt_tags:
            issues += sc.compare_tags(pair.src_tags or [], pair.tgt_tags or [])
        issues += sc.compare_tags([t for _, _, t in sc.markup_tags(src)], [t for _, _, t in sc.markup_tags(tgt)])
        issues += sc.compare_names(src, tgt, src_lang, tgt_lang)
        issues += sc.compare_literals("code", "option, function or path", sc.code_literals(src),
                                      sc.code_literals(tgt))
        if not any(i.kind == "placeholder" for i in issues):
            issues += sc.compare_brackets(src, tgt)
        issues += sc.compare_start_case(src, tgt)
        if pair.unit_id:  # bilingual units are where UI strings with accelerators live
            issues += sc.compare_accelerators(src, tgt)
        issues += sc.compare_end_punctuation(src, tgt, tgt_lang)
        issues += sc.compare_length(src, tgt, src_lang, tgt_lang)
        if pair.exact_edges:
            issues += sc.compare_whitespace(src, tgt)
        for issue in issues:
            rule = _KIND_RULE[issue.kind]
            span = pair.file_span(issue.start, issue.end) if issue.end > issue.start or issue.kind in (
                "end-punctuation", "whitespace") else pair.file_span(0, len(tgt.rstrip()))
            self._emit(out, rule, pair, span, issue.message, issue.replacement, **(issue.evidence or {}))
        if self.glossary is not None:
            self._terminology(pair, src_lang, tgt_lang, out)

    def _terminology(self, pair: Pair, src_lang: str | None, tgt_lang: str | None, out: SignalOutput) -> None:
        from tqcheck.terminology import entries_for, find_term, tokens

        src_words, tgt_words = tokens(pair.source), tokens(pair.target)
        for entry in entries_for(self.glossary, src_lang, tgt_lang):  # type: ignore[arg-type]
            in_source = next(find_term(entry.source, pair.source, src_lang, src_words), None) is not None
            if not in_source and entry.targets:
                continue
            flagged = False
            for bad in entry.forbidden:
                for a, b in find_term(bad, pair.target, tgt_lang, tgt_words):
                    flagged = True
                    wanted = _inflect_like(entry.targets[0], bad, pair.target[a:b]) if entry.targets else None
                    self._emit(out, "source.term-forbidden", pair, pair.file_span(a, b),
                               f"“{pair.target[a:b]}” is a forbidden translation of “{entry.source}”"
                               + (f"; the glossary says “{wanted}”" if wanted else ""),
                               wanted, term=entry.source, note=entry.note)
            if entry.targets and in_source and not flagged and not any(
                    next(find_term(t, pair.target, tgt_lang, tgt_words), None) for t in entry.targets):
                allowed = " or ".join(f"“{t}”" for t in entry.targets)
                self._emit(out, "source.term-missing", pair, pair.file_span(0, len(pair.target.rstrip())),
                           f"the source has the glossary term “{entry.source}”; the translation should use {allowed}",
                           term=entry.source, allowed=entry.targets, note=entry.note)

    def _alignment_findings(self, doc: Document, out: SignalOutput) -> None:
        """Source sentences the aligner found no translation for, and target sentences without source."""
        for gap in doc.meta.get("alignment_gaps", []):
            rule = "source.omission" if gap["kind"] == "omission" else "source.addition"
            text = gap["text"]
            if gap["kind"] == "omission":
                msg = f"no translation found for the source sentence “{_short(text)}”"
            else:
                msg = f"this sentence has no counterpart in the source: “{_short(text)}”"
            self._emit(out, rule, None, (gap["start"], gap["end"]), msg, confidence=gap.get("confidence", 0.5),
                       source_index=gap.get("source_index"))

    def _consistency(self, docs: Sequence[Document], pairs: list[tuple[int, Pair]],
                     outputs: list[SignalOutput]) -> None:
        """One source (same context) translated in different ways across the run."""
        by_source: dict[tuple[str, str], list[tuple[int, Pair]]] = defaultdict(list)
        for i, pair in pairs:
            if pair.translated and sc.normalise(pair.clean_source):
                by_source[(sc.normalise(pair.clean_source).lower(), pair.context)].append((i, pair))
        for (_, _), group in by_source.items():
            variants: dict[str, list[tuple[int, Pair]]] = defaultdict(list)
            for i, pair in group:
                variants[sc.normalise(pair.clean_target)].append((i, pair))
            if len(variants) < 2:
                continue
            # The most frequent variant (first seen on a tie) is taken as the reference.
            ranked = sorted(variants.items(), key=lambda kv: -len(kv[1]))
            reference = ranked[0][0]
            for _, members in ranked[1:]:
                for i, pair in members:
                    self._emit(outputs[i], "source.inconsistent-translation", pair,
                               pair.file_span(0, len(pair.target.rstrip())),
                               f"“{_short(pair.clean_source)}” is translated differently elsewhere: "
                               f"“{_short(reference)}”", variants=len(variants), reference=reference)

    # -- model-based accuracy -------------------------------------------------------------------

    def _model_checks(self, docs: Sequence[Document], pairs: list[tuple[int, Pair]],
                      outputs: list[SignalOutput]) -> None:
        if not pairs:
            return
        by_lang: dict[tuple[str | None, str], list[tuple[int, Pair]]] = defaultdict(list)
        for i, pair in pairs:
            if pair.translated and pair.segment is not None:
                doc = docs[i]
                src_lang = doc.source_language or _guess_source_language([p for j, p in pairs if j == i])
                by_lang[(src_lang, doc.language)].append((i, pair))
        for (src_lang, tgt_lang), group in by_lang.items():
            if src_lang is None or src_lang == tgt_lang:
                continue
            from tqcheck.signals import source_model

            try:
                source_model.translation_checks(self, src_lang, tgt_lang, group, outputs)
            except SignalUnavailable as exc:
                for i, _ in group[:1]:
                    outputs[i].skipped.append((exc.reason, exc.fix))
            try:
                source_model.similarity_checks(self, group, outputs, tgt_lang)
            except SignalUnavailable as exc:
                if self.config.embed_model:
                    outputs[group[0][0]].skipped.append((exc.reason, exc.fix))

    def signature(self) -> dict[str, Any]:
        sig: dict[str, Any] = {"checks": sorted(RULES)}
        if self.glossary is not None:
            sig["glossary"] = self.glossary.path
        return sig


def _inflect_like(wanted: str, base: str, found: str) -> str:
    """Carry the ending and capital of the form found over to the wanted term
    ("jihadistes" for "jihadiste" -> "djihadistes")."""
    if found.lower().startswith(base.lower()) and len(found) > len(base):
        wanted += found[len(base):]
    if found[:1].isupper() and wanted[:1].islower():
        wanted = wanted[0].upper() + wanted[1:]
    return wanted


def _short(text: str, n: int = 60) -> str:
    text = re.sub(r"\s+", " ", text.replace(sc.MASK, "")).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def _guess_source_language(pairs: list[Pair]) -> str | None:
    sample = " ".join(p.clean_source for p in pairs[:200])[:5000]
    if not sample.strip():
        return None
    from tqcheck.language import detect_language

    return detect_language(sample)
