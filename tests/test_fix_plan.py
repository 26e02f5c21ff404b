"""Choosing fixes: overlap resolution, safe vs unsafe, --select/--ignore, encodings."""

from __future__ import annotations

import codecs

import pytest

from tqcheck.config import Config
from tqcheck.document import Document, Segment
from tqcheck.errors import ConfigError
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.fixes import Edit, apply_edits, conflicts, encode_like, parse_apply, plan, resolve
from tqcheck.results import DocumentResult


def edit(start: int, end: int, text: str = "x", severity: Severity = Severity.MINOR, rule: str = "r.a") -> Edit:
    return Edit(start, end, text, rule, severity, "rule", True)


def test_higher_severity_wins_an_overlap_even_when_it_starts_later() -> None:
    minor, major = edit(0, 5, "m"), edit(3, 8, "M", Severity.MAJOR)
    chosen, skipped = resolve([minor, major])
    assert chosen == [major]
    assert skipped == [(minor, major)]


def test_same_severity_earlier_start_then_longer_span_wins() -> None:
    early, late = edit(0, 4, "a"), edit(2, 6, "b")
    assert resolve([late, early])[0] == [early]
    short, long = edit(2, 4, "s"), edit(2, 9, "l")
    assert resolve([short, long])[0] == [long]


def test_resolution_does_not_depend_on_input_order() -> None:
    edits = [edit(0, 3, "a"), edit(2, 5, "b"), edit(4, 9, "c", Severity.MAJOR), edit(10, 10, "d"),
             edit(10, 10, "e"), edit(9, 12, "f"), edit(20, 22, "g", rule="r.z"), edit(20, 22, "h", rule="r.b")]
    first = resolve(edits)
    assert resolve(list(reversed(edits))) == first
    assert resolve(edits[3:] + edits[:3]) == first
    chosen = first[0]
    assert all(not conflicts(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :])
    # The major edit and the earliest start survive; a tie on everything else goes to the rule id.
    assert edit(4, 9, "c", Severity.MAJOR) in chosen and edit(0, 3, "a") in chosen
    assert edit(20, 22, "h", rule="r.b") in chosen and edit(20, 22, "g", rule="r.z") not in chosen


def test_insertions_conflict_only_at_the_same_point_or_inside_a_span() -> None:
    assert conflicts(edit(5, 5), edit(5, 5, "y"))
    assert conflicts(edit(5, 5), edit(3, 7))
    assert not conflicts(edit(5, 5), edit(5, 8))  # touching the edge: both apply
    assert not conflicts(edit(0, 3), edit(3, 6))  # adjacent replacements do not overlap


def test_the_same_change_from_two_rules_is_applied_once_not_reported_as_a_conflict() -> None:
    chosen, skipped = resolve([edit(1, 2, "", rule="r.one"), edit(1, 2, "", rule="r.two")])
    assert len(chosen) == 1 and skipped == []


def test_apply_edits_rebuilds_the_text_and_refuses_overlaps() -> None:
    text = "How to win ? Now  ."
    assert apply_edits(text, [edit(10, 11, ""), edit(16, 18, "")]) == "How to win? Now."
    with pytest.raises(ValueError):
        apply_edits(text, [edit(0, 5), edit(3, 6)])


def _result(text: str, findings: list[Finding]) -> DocumentResult:
    doc = Document(text=text, segments=[Segment(0, 0, len(text), text)])
    return DocumentResult(document=doc, findings=findings)


def _finding(rule: str, start: int, end: int, *suggestions: Suggestion,
             severity: Severity = Severity.MINOR) -> Finding:
    return Finding(rule, Category.FLUENCY, severity, start, end, "m", list(suggestions))


def test_plan_applies_safe_fixes_by_default_and_unsafe_only_when_asked() -> None:
    text = "He is sensible to cold ."
    findings = [
        _finding("typography.space-before-punctuation", 22, 23, Suggestion("", safe=True)),
        _finding("lexicon.false-friend", 6, 14, Suggestion("sensitive", source="lexicon")),
    ]
    safe = plan(_result(text, findings), Config())
    assert apply_edits(text, safe.edits) == "He is sensible to cold."
    assert [f.rule for f, _ in safe.needs_unsafe] == ["lexicon.false-friend"]
    assert safe.needs_unsafe[0][1] == ("lexicon",)
    both = plan(_result(text, findings), Config(), parse_apply(["lexicon"]))
    assert apply_edits(text, both.edits) == "He is sensitive to cold."
    # Asking for another source does not apply the lexicon fix.
    other = plan(_result(text, findings), Config(), parse_apply(["roundtrip"]))
    assert apply_edits(text, other.edits) == "He is sensible to cold."


def test_plan_takes_the_best_allowed_suggestion() -> None:
    text = "a b c"
    f = _finding("x.y", 2, 3, Suggestion("R", source="roundtrip", score=2.0),
                 Suggestion("L", source="lexicon", score=1.0))
    assert apply_edits(text, plan(_result(text, [f]), Config(), parse_apply(["lexicon"])).edits) == "a L c"
    assert apply_edits(text, plan(_result(text, [f]), Config(), parse_apply(None, unsafe=True)).edits) == "a R c"


def test_plan_respects_select_and_ignore() -> None:
    text = "Why ?  Yes ."
    findings = [
        _finding("typography.space-before-punctuation", 3, 4, Suggestion("", safe=True)),
        _finding("typography.doubled-space", 5, 7, Suggestion(" ", safe=True)),
        _finding("typography.space-before-punctuation", 10, 11, Suggestion("", safe=True)),
    ]
    only = plan(_result(text, findings), Config(select=["typography.doubled-space"]))
    assert apply_edits(text, only.edits) == "Why ? Yes ."
    rest = plan(_result(text, findings), Config(ignore=["typography.doubled-space"]))
    assert apply_edits(text, rest.edits) == "Why?  Yes."


def test_unsafe_rewrites_never_touch_page_furniture() -> None:
    text = "Click to comment"
    result = _result(text, [_finding("fluency.garbled-passage", 0, 5, Suggestion("Tap", source="roundtrip"))])
    result.document.segments[0].non_content = True
    fixes = plan(result, Config(), parse_apply(None, unsafe=True))
    assert fixes.edits == [] and len(fixes.needs_unsafe) == 1


def test_multi_line_replacements_take_the_documents_line_ending() -> None:
    text = "one\r\ntwo three\r\n"
    f = _finding("x.y", 5, 14, Suggestion("two\nthree", safe=True))
    fixes = plan(_result(text, [f]), Config())
    assert apply_edits(text, fixes.edits) == "one\r\ntwo\r\nthree\r\n"


def test_parse_apply_names_and_errors() -> None:
    assert parse_apply(["lexicon,roundtrip"]) == {"lexicon", "roundtrip"}
    assert parse_apply(["all"]) == parse_apply(None, unsafe=True) == {"rule", "lexicon", "roundtrip", "source"}
    assert parse_apply(["safe"]) == frozenset()
    with pytest.raises(ConfigError, match="unknown fix source 'magic'"):
        parse_apply(["magic"])


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("utf-16-le", True),
                                          ("utf-16-be", True), ("utf-16-le", False)])
def test_encode_like_puts_encoding_and_bom_back(encoding: str, bom: bool) -> None:
    from tqcheck.formats.decode import decode

    raw = ({"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
            "utf-16-be": codecs.BOM_UTF16_BE}[encoding] if bom else b"") + "Café ?\r\n".encode(encoding)
    text, meta = decode(raw, "x")
    assert encode_like(text, meta) == raw
