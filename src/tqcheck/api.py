"""The Python API the CLI uses too: ``check(path_or_text, config) -> Report``.

Data flows one way: read -> Document -> segment -> signals (in order) -> findings and
per-segment numbers -> scoring -> Report. Nothing here prints or renders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from tqcheck import __version__
from tqcheck.config import Config, load_config, validate
from tqcheck.document import Document
from tqcheck.errors import ConfigError, TqcheckError
from tqcheck.findings import Category, Finding, Skipped
from tqcheck.formats import document_from_text, read_document
from tqcheck.models.hub import ModelHub
from tqcheck.results import Report
from tqcheck.scoring import evaluate_gate, score_document
from tqcheck.segment import segment
from tqcheck.signals import REGISTRY, Signal, SignalOutput, SignalUnavailable, load_signal_class


class Checker:
    """Builds the signals once (models load once) and checks any number of documents."""

    def __init__(self, config: Config | None = None, hub: ModelHub | None = None) -> None:
        self.config = validate(config or Config())
        self.hub = hub or ModelHub()
        self.signals: list[Signal] = []
        self.skipped: list[Skipped] = []
        for name in self.config.signals:
            if name not in REGISTRY:
                known = ", ".join(REGISTRY)
                raise ConfigError(f"unknown signal '{name}'; known signals: {known}")
            signal = load_signal_class(name)(self.config, self.hub)
            try:
                signal.prepare()
            except SignalUnavailable as exc:
                self._skip(name, exc.reason, exc.fix)
                continue
            self.signals.append(signal)

    def _skip(self, signal: str, reason: str, fix: str) -> None:
        entry = Skipped(signal, reason, fix)
        if entry not in self.skipped:
            self.skipped.append(entry)

    def prepare(self, doc: Document) -> Document:
        """Set the languages (declared by a bilingual file, configured, detected or guessed),
        segment (and align) the document, and record what was decided and why in
        ``doc.meta["language"]`` (shown in the report)."""
        from tqcheck.source_guess import choose_source, choose_target

        declared = doc.meta.get("declared_language")
        if declared and not self.config.lang_override:
            info = choose_target(doc, str(declared))  # a bilingual file says which language its targets are in
            info["target_set_by"] = "document"
        else:
            info = choose_target(doc, self.config.lang)
        if self.config.lang_override and self.config.source_lang not in (None, "auto"):
            doc.source_language = None  # --source-lang on the command line wins over the file
        # Bilingual readers (XLIFF, PO, ...) arrive with one segment per unit already.
        if not doc.segments:
            segment(doc)
            if doc.source_text is not None:
                from tqcheck.align import align_document

                align_document(doc, self.config, self.hub)
        choose_source(doc, self.config.source_lang, info, self._guess_translate())
        doc.meta["language"] = info
        return doc

    def _guess_translate(self):  # type: ignore[no-untyped-def]
        """``translate(src, tgt, texts)`` for the source guess's round-trip evidence, when the
        round-trip signal is on (its models are the ones that would load anyway)."""
        if self.config.source_lang != "auto" or "roundtrip" not in self.config.signals:
            return None
        try:
            from tqcheck.models.translate import get_translator
        except ImportError:
            return None

        def translate(src: str, tgt: str, texts: list[str]) -> list[str]:
            translator = get_translator(self.config, self.hub, src, tgt)
            return [hyps[0] for hyps in translator.translate(texts, 1)]

        return translate

    def check_documents(self, docs: Sequence[Document]) -> Report:
        docs = [self.prepare(d) for d in docs]
        findings: list[list[Finding]] = [[] for _ in docs]
        doc_signals: list[dict[str, object]] = [{} for _ in docs]
        for signal in self.signals:
            try:
                outputs = signal.run(docs)
            except SignalUnavailable as exc:
                self._skip(signal.name, exc.reason, exc.fix)
                continue
            for i, (doc, out) in enumerate(zip(docs, outputs, strict=True)):
                self._merge(doc, out, signal.name, findings[i], doc_signals[i])
        self._run_fusers(docs, findings)
        self._run_finishers(docs, findings)
        report = Report(skipped=list(self.skipped), signature=self.signature())
        for doc, found, sigs in zip(docs, findings, doc_signals, strict=True):
            found.sort(key=Finding.sort_key)
            result = score_document(doc, _dedupe(found), self.config)
            result.signals = {"language": doc.meta["language"], **sigs} if "language" in doc.meta else sigs
            report.documents.append(result)
        report.gate = evaluate_gate(report, self.config)
        return report

    def _merge(self, doc: Document, out: SignalOutput, name: str, found: list[Finding],
               doc_signals: dict[str, object]) -> None:
        kept, dropped = _cap_per_rule(out.findings, self.config.max_findings_per_rule)
        found.extend(kept)
        if dropped:
            out.document = {**out.document, "findings_not_listed": dropped}
        for index, numbers in out.segments.items():
            doc.segments[index].signals.setdefault(name, {}).update(numbers)
        if out.document:
            doc_signals[name] = out.document
        for reason, fix in out.skipped:
            self._skip(name, reason, fix)
        # Page furniture found now is skipped by every later (model) signal.
        for f in out.findings:
            if f.category is Category.NON_CONTENT:
                for seg in doc.segments:
                    if f.start <= seg.start and seg.end <= f.end:
                        seg.non_content = True

    def _run_fusers(self, docs: list[Document], findings: list[list[Finding]]) -> None:
        from tqcheck.signals import FUSERS

        for fuse in FUSERS:
            for doc, found in zip(docs, findings, strict=True):
                found[:] = fuse(doc, found, self.config)

    def _run_finishers(self, docs: list[Document], findings: list[list[Finding]]) -> None:
        import importlib

        from tqcheck.signals import FINISHERS

        for name, target in FINISHERS.items():
            module, _, fn = target.partition(":")
            for reason, fix in getattr(importlib.import_module(module), fn)(docs, findings, self.config,
                                                                             self.hub):
                self._skip(name, reason, fix)

    def signature(self) -> dict[str, object]:
        sig: dict[str, object] = {"tool": "tqcheck", "version": __version__}
        for signal in self.signals:
            sig[signal.name] = signal.signature()
        return sig

    def check_paths(self, paths: Iterable[str | os.PathLike[str]]) -> Report:
        docs = [read_document(p, None if self.config.input_format == "auto" else self.config.input_format)
                for p in paths]
        return self.check_documents(docs)


def _cap_per_rule(findings: list[Finding], limit: int) -> tuple[list[Finding], dict[str, int]]:
    """Keep the first ``limit`` findings of each rule; count the rest per rule."""
    counts: dict[str, int] = {}
    kept: list[Finding] = []
    for f in findings:
        n = counts.get(f.rule, 0) + 1
        counts[f.rule] = n
        if n <= limit:
            kept.append(f)
    return kept, {rule: n - limit for rule, n in counts.items() if n > limit}


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, int, int]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.start, f.end)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check(
    source: str | os.PathLike[str] | Document,
    config: Config | None = None,
    *,
    text: bool = False,
) -> Report:
    """Check one document: a path (``text=False``), a string of text (``text=True``) or a Document.

    >>> report = check("How to defeat the Islamic State ?", text=True)
    >>> [f.rule for f in report.findings]
    ['typography.space-before-punctuation']
    """
    config = config or load_config()
    checker = Checker(config)
    if isinstance(source, Document):
        doc = source
    elif text:
        doc = document_from_text(str(source))
    else:
        doc = read_document(Path(source), None if config.input_format == "auto" else config.input_format)
    return checker.check_documents([doc])


__all__ = ["Checker", "TqcheckError", "check"]
