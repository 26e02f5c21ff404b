"""Segmentation keeps exact offsets and covers the text: a property-based proof plus cases."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tqcheck.document import Document
from tqcheck.segment import MAX_SEGMENT_CHARS, segment, word_count


def segs(text: str) -> list[str]:
    return [s.text for s in segment(Document(text=text)).segments]


def assert_exact_cover(doc: Document) -> None:
    pos = 0
    for i, s in enumerate(doc.segments):
        assert s.index == i
        assert s.start >= pos, "segments are ordered and never overlap"
        assert doc.check_text[pos : s.start].replace("\ufffc", " ").strip() == "", "only blanks between"
        assert doc.check_text[s.start : s.end] == s.text
        assert s.text == s.text.strip(" \t\n\r\f\v\ufffc") and s.text
        pos = s.end
    assert doc.check_text[pos:].replace("\ufffc", " ").strip() == ""


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .?!\n\"'”“U.S.Mr4.5 é😀\r\t")), max_size=300))
def test_segments_cover_the_text_exactly_in_order(text: str) -> None:
    assert_exact_cover(segment(Document(text=text)))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=400))
def test_exact_cover_on_arbitrary_unicode(text: str) -> None:
    assert_exact_cover(segment(Document(text=text)))


def test_abbreviations_numbers_and_quotes() -> None:
    assert segs("Mr. Smith went to the U.S. on Monday. It cost 4.5 dollars. He said “Hi!” Then left.") == [
        "Mr. Smith went to the U.S. on Monday.",
        "It cost 4.5 dollars.",
        "He said “Hi!”",
        "Then left.",
    ]


def test_paragraphs_are_numbered_and_french_spacing_does_not_split_wrongly() -> None:
    doc = segment(Document(text="How to defeat the Islamic State ? The strategy works.\n\nClick to comment"))
    assert [(s.text, s.paragraph) for s in doc.segments] == [
        ("How to defeat the Islamic State ?", 0),
        ("The strategy works.", 0),
        ("Click to comment", 1),
    ]


def test_giant_line_without_punctuation_is_cut_into_bounded_segments() -> None:
    text = ("word " * 100_000).strip()
    doc = segment(Document(text=text))
    assert all(len(s.text) <= MAX_SEGMENT_CHARS for s in doc.segments)
    assert_exact_cover(doc)


def test_word_count() -> None:
    assert word_count("The anti-IS coalition’s 4,000 raids") == 5
