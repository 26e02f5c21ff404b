"""LanguageTool's HTTP protocol (``/v2/check``, ``/v2/languages``) on top of a tqcheck Report.

Everything here is pure: parse the request parameters, turn LanguageTool's annotated text
(``data``) into the plain text tqcheck checks plus a map back to the client's offsets, and turn
a :class:`~tqcheck.results.Report` into LanguageTool's JSON. Offsets sent to clients are UTF-16
code units into the text *with* markup, as LanguageTool (a Java program) counts them; tqcheck's
own offsets are code points into the plain text.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tqcheck import __version__
from tqcheck.findings import Finding
from tqcheck.results import DocumentResult, Report

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: LanguageTool's API version; clients check it.
API_VERSION = 1
#: Characters of context on each side of a match, as LanguageTool's server sends by default.
CONTEXT_SIZE = 40
#: ``level=default`` leaves out findings the signals are less sure of than this; ``picky`` shows all.
DEFAULT_LEVEL_MIN_CONFIDENCE = 0.5
LEVELS = ("default", "picky")
#: LanguageTool's ``mode``. Clients such as LibreOffice split a check into ``allButTextLevelOnly``
#: (sentence rules) and ``textLevelOnly`` (rules across paragraphs) and merge the two answers; all
#: of tqcheck's findings are reported under the first, so they never arrive twice.
MODES = ("all", "allButTextLevelOnly", "textLevelOnly")
#: Below this the detector's guess is not reported (tqcheck.language.detect_language's threshold).
DETECTION_MIN_CONFIDENCE = 0.5


class RequestError(ValueError):
    """A /v2/check request LanguageTool itself would refuse (HTTP 400); the message says why."""


# --------------------------------------------------------------------------------------------
# Data: languages and issue types
# --------------------------------------------------------------------------------------------


@cache
def _data(name: str) -> dict[str, Any]:
    return tomllib.loads((resources.files("tqcheck.server") / "data" / name).read_text("utf-8"))


def languages() -> list[dict[str, str]]:
    """GET /v2/languages: ``[{name, code, longCode}]``, base languages then their variants."""
    data = _data("languages.toml")
    out = []
    for code, name in data["names"].items():
        out.append({"name": name, "code": code, "longCode": code})
        for long_code, variant in data["variants"].items():
            if long_code.split("-")[0] == code:
                out.append({"name": variant, "code": code, "longCode": long_code})
    return out


def language_name(code: str) -> str:
    """Display name of a LanguageTool code such as ``en-US`` (falls back to the base name)."""
    data = _data("languages.toml")
    if code in data["variants"]:
        return data["variants"][code]
    return data["names"].get(code.split("-")[0].lower(), code)


def canonical_code(code: str) -> str:
    """``en_us`` or ``EN-us`` -> ``en-US`` (the spelling /v2/languages lists)."""
    parts = re.split(r"[-_]", code.strip())
    head = parts[0].lower()
    rest = [p.upper() if len(p) == 2 else p for p in parts[1:]]
    return "-".join([head, *rest])


def base_language(code: str) -> str:
    """``en-US`` -> ``en``; raises RequestError for a language tqcheck does not know."""
    from tqcheck.language import SUPPORTED

    base = re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()
    if base not in SUPPORTED:
        raise RequestError(
            f"language {code!r} is not supported; use 'auto' or one of {', '.join(SUPPORTED)} "
            "(see GET /v2/languages)"
        )
    return base


def _issue_type(finding: Finding) -> str:
    table = _data("languagetool.toml")["issue_type"]
    best = ""
    for prefix in table["rule"]:
        if (finding.rule == prefix or finding.rule.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    if best:
        return table["rule"][best]
    return table["category"].get(finding.category.value, "uncategorized")


def _type_name(finding: Finding) -> str:
    return _data("languagetool.toml")["type_name"].get(finding.category.value, "Other")


def category_id(rule_id: str) -> str:
    """LanguageTool category of a tqcheck rule: its group, e.g. ``TYPOGRAPHY``."""
    return rule_id.split(".", 1)[0].upper().replace("-", "_")


def _humanize(slug: str) -> str:
    text = slug.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower() if text else slug


def rule_description(rule_id: str) -> str:
    from tqcheck.rules.docs import rule_info

    doc = rule_info(rule_id)
    return str(doc["what"] or "") if doc else "" or _humanize(rule_id.rsplit(".", 1)[-1])


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _bool(name: str, value: str | None) -> bool:
    if value is None or value == "":
        return False
    low = value.strip().lower()
    if low in ("true", "1", "yes", "on"):
        return True
    if low in ("false", "0", "no", "off"):
        return False
    raise RequestError(f"'{name}' must be true or false, not {value!r}")


@dataclass
class CheckRequest:
    """The parameters of one /v2/check call that tqcheck honours."""

    text: AnnotatedText
    #: As the client sent it (``en-US``, ``auto``); answered back in ``language.code``.
    language: str
    #: Our source language (LanguageTool's ``motherTongue``), as a base code.
    mother_tongue: str | None = None
    enabled_rules: tuple[str, ...] = ()
    disabled_rules: tuple[str, ...] = ()
    enabled_categories: tuple[str, ...] = ()
    disabled_categories: tuple[str, ...] = ()
    enabled_only: bool = False
    level: str = "default"
    mode: str = "all"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CheckRequest:
        text, data = params.get("text"), params.get("data")
        if text is not None and data is not None:
            raise RequestError("set only 'text' or 'data', not both")
        if text is None and data is None:
            raise RequestError("missing 'text' or 'data' parameter")
        annotated = AnnotatedText.from_text(text) if text is not None else AnnotatedText.from_json(data or "")
        language = (params.get("language") or "").strip()
        if not language:
            raise RequestError("missing 'language' parameter (a code such as en-US, or 'auto')")
        if language.lower() != "auto":
            base_language(language)
        mother = (params.get("motherTongue") or "").strip()
        level = (params.get("level") or "default").strip().lower()
        if level not in LEVELS:
            raise RequestError(f"'level' must be default or picky, not {level!r}")
        mode = (params.get("mode") or "all").strip()
        if mode not in MODES:
            raise RequestError(f"'mode' must be one of {', '.join(MODES)}, not {mode!r}")
        req = cls(
            text=annotated,
            language="auto" if language.lower() == "auto" else canonical_code(language),
            mother_tongue=base_language(mother) if mother else None,
            enabled_rules=_csv(params.get("enabledRules")),
            disabled_rules=_csv(params.get("disabledRules")),
            enabled_categories=tuple(c.upper() for c in _csv(params.get("enabledCategories"))),
            disabled_categories=tuple(c.upper() for c in _csv(params.get("disabledCategories"))),
            enabled_only=_bool("enabledOnly", params.get("enabledOnly")),
            level=level,
            mode=mode,
        )
        if req.enabled_only and not (req.enabled_rules or req.enabled_categories):
            raise RequestError("'enabledOnly=true' needs 'enabledRules' or 'enabledCategories'")
        return req

    def keeps(self, finding: Finding) -> bool:
        """Rule and category selection as LanguageTool applies it (all tqcheck rules are on by
        default, so ``enabledRules`` only matters together with ``enabledOnly``)."""
        categories = {category_id(finding.rule), finding.category.value.upper().replace("-", "_")}
        if _matches(finding.rule, self.disabled_rules) or categories & set(self.disabled_categories):
            return False
        if self.enabled_only:
            return _matches(finding.rule, self.enabled_rules) or bool(
                categories & set(self.enabled_categories)
            )
        return self.level == "picky" or finding.confidence >= DEFAULT_LEVEL_MIN_CONFIDENCE


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    """Exact ids as LanguageTool sends them; dotted prefixes (``typography``) select a group."""
    return any(rule_id == p or rule_id.startswith(p.rstrip(".*") + ".") for p in patterns)


# --------------------------------------------------------------------------------------------
# Annotated text
# --------------------------------------------------------------------------------------------


@dataclass
class AnnotatedText:
    """LanguageTool's annotated text: parts of text to check and markup to skip.

    ``plain`` is what tqcheck checks (text parts, plus ``interpretAs`` for markup, so that
    ``<p>`` can stand for a paragraph break); ``original`` is the text with markup, which the
    client's offsets refer to. ``to_original`` maps an offset in ``plain`` to ``original``.
    """

    plain: str
    original: str
    #: (plain_start, plain_end, original_start, original_end, is_markup) per part, in order.
    parts: list[tuple[int, int, int, int, bool]] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> AnnotatedText:
        return cls(text, text, [(0, len(text), 0, len(text), False)])

    @classmethod
    def from_json(cls, data: str) -> AnnotatedText:
        try:
            obj = json.loads(data)
        except json.JSONDecodeError as exc:
            raise RequestError(f"'data' is not valid JSON ({exc.msg} at position {exc.pos})") from None
        items = obj.get("annotation") if isinstance(obj, dict) else None
        if not isinstance(items, list):
            raise RequestError("'data' must be a JSON object with an 'annotation' array")
        plain: list[str] = []
        original: list[str] = []
        parts: list[tuple[int, int, int, int, bool]] = []
        p = o = 0
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise RequestError(f"'data' annotation {i} must be an object")
            if "text" in item and "markup" in item:
                raise RequestError(f"'data' annotation {i} has both 'text' and 'markup'")
            if "text" in item:
                text = item["text"]
                if not isinstance(text, str):
                    raise RequestError(f"'data' annotation {i}: 'text' must be a string")
                checked, is_markup = text, False
            elif "markup" in item:
                text = item["markup"]
                checked = item.get("interpretAs", "")
                if not isinstance(text, str) or not isinstance(checked, str):
                    raise RequestError(f"'data' annotation {i}: 'markup' and 'interpretAs' must be strings")
                is_markup = True
            else:
                raise RequestError(f"'data' annotation {i} needs 'text' or 'markup'")
            parts.append((p, p + len(checked), o, o + len(text), is_markup))
            plain.append(checked)
            original.append(text)
            p += len(checked)
            o += len(text)
        return cls("".join(plain), "".join(original), parts)

    def __post_init__(self) -> None:
        self._starts = [part[0] for part in self.parts]

    def to_original(self, offset: int, *, end: bool = False) -> int:
        """Map a plain-text offset into the original. A start inside markup's ``interpretAs``
        goes to the markup's start, an end to its end; at a boundary a start belongs to the part
        that follows and an end to the part before, so a span never swallows adjacent markup."""
        if not self.parts:
            return 0
        if end:
            # The part with p_start < offset <= p_end (parts are contiguous in plain).
            i = max(bisect.bisect_left(self._starts, offset) - 1, 0)
        else:
            # The part with p_start <= offset < p_end, or the last part at the very end.
            i = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        p0, _p1, o0, o1, is_markup = self.parts[i]
        if is_markup:
            return o1 if end else o0
        return o0 + min(max(offset - p0, 0), o1 - o0)


class Utf16Offsets:
    """Code-point offsets to UTF-16 offsets in O(log n) (characters outside the BMP count
    twice); gives the same numbers as :meth:`tqcheck.document.OffsetMap.utf16_offset`."""

    def __init__(self, text: str) -> None:
        self._astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF] if not text.isascii() else []

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset)


# --------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------


def software() -> dict[str, Any]:
    return {
        "name": "tqcheck",
        "version": __version__,
        "buildDate": None,
        "apiVersion": API_VERSION,
        "premium": False,
        "status": "",
    }


def _context(original: str, start: int, end: int, u16: Utf16Offsets) -> tuple[dict[str, Any], int]:
    """LanguageTool's context: up to CONTEXT_SIZE characters each side, ``...`` where cut,
    newlines shown as spaces; offset and length in UTF-16 units within the context string."""
    a = max(start - CONTEXT_SIZE, 0)
    b = min(end + CONTEXT_SIZE, len(original))
    prefix = "..." if a > 0 else ""
    suffix = "..." if b < len(original) else ""
    text = prefix + re.sub(r"[\r\n]", " ", original[a:b]) + suffix
    offset = len(prefix) + u16(start) - u16(a)
    length = u16(end) - u16(start)
    return {"text": text, "offset": offset, "length": length}, length


def _sentence(result: DocumentResult, finding: Finding) -> str:
    doc = result.document
    seg = doc.segment_at(finding.start)
    if seg is not None:
        return doc.text[seg.start : seg.end].strip()
    line_start = doc.text.rfind("\n", 0, finding.start) + 1
    line_end = doc.text.find("\n", finding.end)
    return doc.text[line_start : line_end if line_end >= 0 else len(doc.text)].strip()


def match_dict(
    result: DocumentResult, finding: Finding, annotated: AnnotatedText, u16: Utf16Offsets
) -> dict[str, Any]:
    start = annotated.to_original(finding.start)
    end = max(annotated.to_original(finding.end, end=True), start)
    context, length = _context(annotated.original, start, end, u16)
    rule_name = finding.rule.rsplit(".", 1)[-1]
    group = finding.rule.split(".", 1)[0]
    return {
        "message": finding.message,
        "shortMessage": _humanize(rule_name),
        "replacements": [{"value": s.replacement} for s in finding.suggestions],
        "offset": u16(start),
        "length": length,
        "context": context,
        "sentence": _sentence(result, finding),
        "type": {"typeName": _type_name(finding)},
        "rule": {
            "id": finding.rule,
            "description": rule_description(finding.rule),
            "issueType": _issue_type(finding),
            "category": {"id": category_id(finding.rule), "name": _humanize(group)},
        },
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
        # tqcheck's own numbers, ignored by LanguageTool clients.
        "tqcheck": {
            "category": finding.category.value,
            "severity": finding.severity.value,
            "confidence": round(finding.confidence, 4),
            "signal": finding.signal,
            "safe": [s.safe for s in finding.suggestions],
        },
    }


def check_response(
    report: Report,
    request: CheckRequest,
    *,
    confidences: Mapping[str, float],
) -> dict[str, Any]:
    """The /v2/check answer for a one-document report checked from ``request.text.plain``.

    ``confidences`` are the language detector's per-language scores: ``detectedLanguage`` is the
    most likely language when the detector is reasonably sure, else the language that was used.
    """
    result = report.documents[0]
    doc = result.document
    annotated = request.text
    u16 = Utf16Offsets(annotated.original)
    code = doc.language if request.language == "auto" else request.language
    top = next(iter(confidences.items()), None)
    if top is not None and top[1] >= DETECTION_MIN_CONFIDENCE:
        det_code, confidence = top
    else:
        det_code, confidence = doc.language, confidences.get(doc.language, 0.0)
    matches = [match_dict(result, f, annotated, u16) for f in result.findings if request.keeps(f)]
    sentence_ranges = []
    for seg in doc.segments:
        a = annotated.to_original(seg.start)
        b = max(annotated.to_original(seg.end, end=True), a)
        sentence_ranges.append([u16(a), u16(b)])
    return {
        "software": software(),
        "warnings": {"incompleteResults": False},
        "language": {
            "name": language_name(code),
            "code": code,
            "detectedLanguage": {
                "name": language_name(det_code),
                "code": det_code,
                "confidence": round(confidence, 4),
                "source": "lingua",
            },
        },
        "matches": matches,
        "sentenceRanges": sentence_ranges,
        "tqcheck": {
            "score": round(result.score, 2),
            "words": result.words,
            "gate": {"passed": report.gate.passed, "reasons": report.gate.reasons},
            "skipped": [{"signal": s.signal, "reason": s.reason, "fix": s.fix} for s in report.skipped],
        },
    }
