"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning, Azure DevOps, VS Code SARIF viewer).

- One run; ``tool.driver.rules`` holds every rule that has a result, with help text from the rule
  declaration (``tqcheck rules explain`` shows the same).
- Regions carry 1-based lines and columns. SARIF's default ``columnKind`` is ``utf16CodeUnits``
  (SARIF 2.1.0, 3.14.17), which is what we emit and declare explicitly.
- ``partialFingerprints["tqcheckFingerprint/v1"]`` is the same fingerprint the baseline uses
  (rule, path, hash of the surrounding text), so alerts survive edits elsewhere in the file.
- Levels: critical -> error, major -> warning, minor and page furniture -> note.
- With a baseline, each result has ``baselineState`` ``unchanged`` (known) or ``new``.
- Suggestions become ``fixes`` (a replacement of exactly the flagged region).
"""

from __future__ import annotations

import json
from typing import Any

from tqcheck import __version__
from tqcheck.document import Document
from tqcheck.findings import Finding
from tqcheck.fingerprint import FINGERPRINT_VERSION, fingerprints
from tqcheck.report import RenderOptions
from tqcheck.report.common import display_path, level_of, rule_help, span_of
from tqcheck.report.json import _clean
from tqcheck.results import Report

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/tqcheck/tqcheck"
FINGERPRINT_KEY = f"tqcheckFingerprint/{FINGERPRINT_VERSION}"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}


def _uri(path: str) -> str:
    from pathlib import PurePath
    from urllib.parse import quote

    shown = display_path(path)
    if PurePath(shown).is_absolute():
        return PurePath(shown).as_uri()
    return quote(shown, safe="/")


def _region(doc: Document, f: Finding, snippet: bool = True) -> dict[str, Any]:
    span = span_of(doc, f)
    region: dict[str, Any] = {
        "startLine": span.start.line,
        "startColumn": span.start.column_utf16,
        "endLine": span.end.line,
        "endColumn": span.end.column_utf16,
    }
    if snippet:
        region["snippet"] = {"text": doc.text[f.start : f.end]}
    return region


def _rule_descriptor(rule_id: str, example: Finding) -> dict[str, Any]:
    h = rule_help(rule_id, example)
    return {
        "id": rule_id,
        "shortDescription": {"text": h.short},
        "fullDescription": {"text": h.text.split("\n", 1)[0] if h.text else h.short},
        "help": {"text": h.text, "markdown": h.markdown},
        "defaultConfiguration": {"level": _SARIF_LEVEL[level_of(example)]},
        "properties": {"tags": [h.category, rule_id.split(".", 1)[0]], "category": h.category,
                       "severity": h.severity},
    }


def sarif_dict(report: Report) -> dict[str, Any]:
    has_baseline = "baseline" in report.signature
    rule_ids: list[str] = sorted({f.rule for f in report.findings})
    examples = {}
    for f in report.findings:
        examples.setdefault(f.rule, f)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results = []
    notifications = []
    for result in report.documents:
        doc = result.document
        location = {"uri": _uri(doc.path)}
        if result.error:
            notifications.append({
                "level": "error",
                "message": {"text": f"{display_path(doc.path)}: could not be checked ({result.error})"},
                "locations": [{"physicalLocation": {"artifactLocation": location}}],
            })
            continue
        prints = fingerprints(doc, result.findings)
        for i, (f, fp) in enumerate(zip(result.findings, prints, strict=True)):
            item: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _SARIF_LEVEL[level_of(f)],
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {"artifactLocation": location,
                                                    "region": _region(doc, f)}}],
                "partialFingerprints": {FINGERPRINT_KEY: fp},
                "properties": {
                    "category": f.category.value,
                    "severity": f.severity.value,
                    "confidence": f.confidence,
                    "signal": f.signal,
                },
            }
            if f.evidence:
                item["properties"]["evidence"] = f.evidence
            if has_baseline:
                item["baselineState"] = "unchanged" if i in result.baseline_known else "new"
            if f.suggestions:
                item["fixes"] = [
                    {
                        "description": {"text": f"Replace with “{s.replacement}”" if s.replacement
                                        else "Delete the flagged text"},
                        "artifactChanges": [{
                            "artifactLocation": location,
                            "replacements": [{"deletedRegion": _region(doc, f, snippet=False),
                                              "insertedContent": {"text": s.replacement}}],
                        }],
                    }
                    for s in f.suggestions
                ]
            results.append(item)
    for s in report.skipped:
        notifications.append({"level": "warning",
                              "message": {"text": f"{s.signal} skipped: {s.reason} Fix: {s.fix}"},
                              "descriptor": {"id": f"skipped.{s.signal}"}})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tqcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rid, examples[rid]) for rid in rule_ids],
            }},
            "invocations": [invocation],
            "columnKind": "utf16CodeUnits",
            "results": results,
            "properties": {
                "gate": {"passed": report.gate.passed, "reasons": report.gate.reasons},
                "signature": report.signature,
                "scores": {d.path: d.score for d in report.documents if not d.error},
            },
        }],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(_clean(sarif_dict(report)), ensure_ascii=False, indent=2) + "\n"
