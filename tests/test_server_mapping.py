"""Offset mapping for the LanguageTool protocol: UTF-16 units and annotated text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette")

from tqcheck.document import OffsetMap
from tqcheck.server.languagetool import AnnotatedText, RequestError, Utf16Offsets, languages

CHARS = st.sampled_from([*list("ab é\n?😀🇫🇷👍🏽ß"), "\xa0", "\u202f"])
TEXTS = st.lists(CHARS, max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_utf16_offsets_agree_with_offset_map(text: str) -> None:
    u16, reference = Utf16Offsets(text), OffsetMap(text)
    for i in range(len(text) + 1):
        assert u16(i) == reference.utf16_offset(i) == len(text[:i].encode("utf-16-le")) // 2


PARTS = st.lists(
    st.one_of(
        TEXTS.map(lambda t: {"text": t}),
        st.tuples(TEXTS, st.one_of(st.none(), TEXTS)).map(
            lambda p: {"markup": p[0]} if p[1] is None else {"markup": p[0], "interpretAs": p[1]}
        ),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(PARTS)
def test_annotated_text_maps_every_text_character_home(parts: list[dict]) -> None:
    at = AnnotatedText.from_json(json.dumps({"annotation": parts}))
    assert at.original == "".join(p.get("text", p.get("markup")) for p in parts)
    assert at.plain == "".join(p.get("text", p.get("interpretAs", "")) for p in parts)
    p = 0
    for part in parts:
        if "text" in part:
            for k, ch in enumerate(part["text"]):
                start = at.to_original(p + k)
                end = at.to_original(p + k + 1, end=True)
                assert at.original[start:end] == ch
            p += len(part["text"])
        else:
            p += len(part.get("interpretAs", ""))
    # any span maps to an ordered span inside the original (empty only for empty markup)
    n = len(at.plain)
    for i in range(n):
        for j in range(i + 1, n + 1):
            assert 0 <= at.to_original(i) <= at.to_original(j, end=True) <= len(at.original)


def test_span_inside_interpret_as_covers_the_markup() -> None:
    at = AnnotatedText.from_json(
        json.dumps(
            {"annotation": [{"text": "One"}, {"markup": "<br/>", "interpretAs": "\n"}, {"text": "Two"}]}
        )
    )
    assert at.plain == "One\nTwo"
    assert (at.to_original(3), at.to_original(4, end=True)) == (3, 8)  # "\n" is "<br/>"
    assert (at.to_original(2), at.to_original(5, end=True)) == (2, 9)  # "e<br/>T"
    assert (at.to_original(4), at.to_original(7, end=True)) == (8, 11)  # "Two", not the markup


def test_annotation_must_be_well_formed() -> None:
    for bad in (
        '{"annotation": {}}',
        "[]",
        '{"annotation": [{"text": 1}]}',
        '{"annotation": [{"text": "a", "markup": "b"}]}',
    ):
        with pytest.raises(RequestError):
            AnnotatedText.from_json(bad)


def test_languages_have_base_codes_and_variants() -> None:
    langs = languages()
    codes = {entry["longCode"] for entry in langs}
    assert {"en", "en-US", "en-GB", "fr", "de-CH", "pt-BR"} <= codes
    assert all(entry["longCode"].split("-")[0] == entry["code"] for entry in langs)
    assert len(codes) == len(langs)
