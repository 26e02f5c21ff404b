"""`tqcheck serve` driven by a real LanguageTool client (language_tool_python, remote-server
mode) and by raw requests shaped like LTeX's, Obsidian's and the browser extension's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
language_tool_python = pytest.importorskip("language_tool_python")
requests = pytest.importorskip("requests")

from server_helpers import running_server  # noqa: E402
from tqcheck.api import check  # noqa: E402
from tqcheck.config import Config  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_f567bacb1f41f539.txt"
#: Accents, an emoji outside the BMP (two UTF-16 units), a flag (four) and a skin-tone emoji.
INTL = "Renée’s café 😀 opened : the crème brûlée 🇫🇷 sold out ? Yes 👍🏽 , it did ."
SPACE_RULE = "typography.space-before-punctuation"


def utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def server():
    with running_server() as running:
        yield running


@pytest.fixture(scope="module")
def tool(server):
    lt = language_tool_python.LanguageTool("en-US", remote_server=server.url)
    yield lt
    lt.close()


def post(server, **params: str) -> requests.Response:
    return requests.post(server.url + "/v2/check", data=params, timeout=30)


def test_client_receives_seed_typography_findings(tool) -> None:
    seed = SEED.read_text("utf-8")
    matches = tool.check(seed)
    expected = [f for f in check(seed, Config(signals=["rules"]), text=True).findings]
    assert len(matches) == len(expected) > 5
    typography = [m for m in matches if m.rule_id.startswith("typography.")]
    assert len(typography) >= 5
    for m, f in zip(matches, expected, strict=False):
        assert (m.rule_id, m.offset, m.error_length) == (f.rule, f.start, f.end - f.start)
        assert m.replacements == [s.replacement for s in f.suggestions]
        assert m.category == f.rule.split(".")[0].upper().replace("-", "_")  # false-friend -> FALSE_FRIEND
    # The seed's French spacing: "State ?" and "coalition :" are reported exactly there.
    for needle, mark in (("Islamic State ?", "?"), ("coalition : The", ":"), ("jihadists .", ".")):
        at = seed.index(needle) + needle.index(" " + mark)
        hit = [m for m in typography if m.offset == at]
        assert hit and hit[0].rule_id == SPACE_RULE and hit[0].replacements == [""], needle
        assert hit[0].matched_text == " "
    corrected = tool.correct(seed)
    assert "How to defeat the Islamic State? The strategy" in corrected
    assert "Anti Islamic State coalition: The reconquest" in corrected
    assert "stop the jihadists." in corrected


def test_offsets_with_accents_and_emoji(tool, server) -> None:
    expected = [m.start() for m in re.finditer(r" (?=[:?,.])", INTL)]
    assert len(expected) == 4
    matches = [m for m in tool.check(INTL) if m.rule_id == SPACE_RULE]
    # language_tool_python turns LanguageTool's UTF-16 offsets back into Python indices.
    assert [m.offset for m in matches] == expected
    assert tool.correct(INTL) == "Renée’s café 😀 opened: the crème brûlée 🇫🇷 sold out? Yes 👍🏽, it did."
    raw = post(server, text=INTL, language="en-US").json()
    raw_matches = [m for m in raw["matches"] if m["rule"]["id"] == SPACE_RULE]
    assert [m["offset"] for m in raw_matches] == [utf16(INTL, i) for i in expected]
    assert [m["offset"] for m in raw_matches] != expected  # the emoji really shift them
    for m in raw_matches:
        ctx = m["context"]["text"].encode("utf-16-le")
        a = m["context"]["offset"] * 2
        assert ctx[a : a + m["context"]["length"] * 2].decode("utf-16-le") == " "
        assert m["replacements"] == [{"value": ""}]
        assert m["rule"]["category"] == {"id": "TYPOGRAPHY", "name": "Typography"}
        assert m["rule"]["issueType"] == "typographical"
        assert m["type"] == {"typeName": "Other"}
        assert m["sentence"] and "\n" not in m["sentence"]


def test_response_shape_matches_languagetool(server) -> None:
    body = post(server, text="How to defeat the Islamic State ?", language="en-US", motherTongue="fr").json()
    assert body["software"]["name"] == "tqcheck" and body["software"]["apiVersion"] == 1
    assert body["language"]["code"] == "en-US" and body["language"]["name"] == "English (US)"
    detected = body["language"]["detectedLanguage"]
    assert detected["code"] == "en" and 0.5 <= detected["confidence"] <= 1
    (match,) = body["matches"]
    assert set(match) >= {
        "message",
        "shortMessage",
        "replacements",
        "offset",
        "length",
        "context",
        "sentence",
        "type",
        "rule",
        "ignoreForIncompleteSentence",
        "contextForSureMatch",
    }
    assert set(match["rule"]) >= {"id", "description", "issueType", "category"}
    assert match["context"] == {"text": "How to defeat the Islamic State ?", "offset": 31, "length": 1}
    assert match["shortMessage"] == "Space before punctuation"
    assert body["sentenceRanges"] == [[0, 33]]


def test_language_codes_are_normalised(server) -> None:
    body = post(server, text="Hi ?", language="en_gb").json()
    assert body["language"]["code"] == "en-GB" and body["language"]["name"] == "English (GB)"


def test_long_context_is_cut_like_languagetool(server) -> None:
    text = "x" * 100 + " ?" + "y" * 100
    (match,) = post(server, text=text, language="en").json()["matches"]
    ctx = match["context"]
    assert ctx["text"].startswith("...") and ctx["text"].endswith("...")
    assert ctx["text"][ctx["offset"]] == " " and ctx["text"][ctx["offset"] + 1] == "?"
    assert len(ctx["text"]) == 3 + 40 + 1 + 40 + 3


def test_annotated_data_as_ltex_sends_it(server) -> None:
    """LTeX posts a urlencoded body labelled application/json, with markup to skip; offsets point
    into the text *with* markup."""
    annotation = [
        {"markup": "# "},
        {"text": "Café 😀 news"},
        {"markup": "\n\n", "interpretAs": "\n\n"},
        {"text": "It is "},
        {"markup": "**"},
        {"text": "late"},
        {"markup": "**"},
        {"text": " ?"},
        {"markup": "<br/>", "interpretAs": "\n"},
        {"text": "Done ."},
    ]
    original = "".join(a.get("text", a.get("markup", "")) for a in annotation)
    body = "language=en-US&data=" + requests.utils.quote(json.dumps({"annotation": annotation}))
    res = requests.post(
        server.url + "/v2/check", data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert res.status_code == 200, res.text
    matches = res.json()["matches"]
    spans = [(m["offset"], m["length"]) for m in matches if m["rule"]["id"] == SPACE_RULE]
    q = original.index(" ?")
    d = original.index(" .")
    assert spans == [(utf16(original, q), 1), (utf16(original, d), 1)]
    # markup is shown in the context, as LanguageTool does
    assert "**late**" in matches[0]["context"]["text"]


def test_markup_without_text_does_not_fire_rules(server) -> None:
    # "**" between a word and "?" would look like "word ?" if markup were blanked, not skipped.
    annotation = [{"text": "Is it"}, {"markup": " **"}, {"text": "?"}]
    res = post(server, data=json.dumps({"annotation": annotation}), language="en")
    assert res.json()["matches"] == []


def test_rule_and_category_selection(server) -> None:
    text = "The the coalition meets ?"
    ids = lambda **p: [m["rule"]["id"] for m in post(server, text=text, language="en", **p).json()["matches"]]  # noqa: E731
    assert sorted(ids()) == ["grammar.repeated-word", SPACE_RULE]
    assert ids(disabledRules=SPACE_RULE) == ["grammar.repeated-word"]
    assert ids(disabledCategories="typography") == ["grammar.repeated-word"]
    assert ids(disabledCategories="LOCALE_CONVENTION") == ["grammar.repeated-word"]  # MQM category
    assert ids(enabledRules="grammar.repeated-word", enabledOnly="true") == ["grammar.repeated-word"]
    assert ids(enabledCategories="TYPOGRAPHY", enabledOnly="true") == [SPACE_RULE]
    assert sorted(ids(enabledRules="grammar.repeated-word")) == sorted(ids())  # not only: all on
    assert sorted(ids(level="picky")) == sorted(ids())


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"language": "en"}, "missing 'text' or 'data'"),
        ({"text": "x", "data": "{}", "language": "en"}, "only 'text' or 'data'"),
        ({"text": "x"}, "missing 'language'"),
        ({"text": "x", "language": "xx-YY"}, "not supported"),
        ({"text": "x", "language": "en", "motherTongue": "klingon"}, "not supported"),
        ({"text": "x", "language": "en", "enabledOnly": "true"}, "enabledOnly"),
        ({"text": "x", "language": "en", "level": "pedantic"}, "level"),
        ({"data": "{not json", "language": "en"}, "not valid JSON"),
        ({"data": '{"annotation": [{"foo": 1}]}', "language": "en"}, "needs 'text' or 'markup'"),
    ],
)
def test_bad_requests_are_400_with_a_reason(server, params, needle) -> None:
    res = post(server, **params)
    assert res.status_code == 400
    assert needle in res.json()["error"]


def test_split_mode_requests_do_not_duplicate_matches(server) -> None:
    """LibreOffice-style clients ask twice (sentence level, text level) and merge the answers."""
    text = "The the coalition meets ?"
    full = post(server, text=text, language="en", mode="all").json()["matches"]
    sentence = post(server, text=text, language="en", mode="allButTextLevelOnly").json()["matches"]
    text_level = post(server, text=text, language="en", mode="textLevelOnly").json()
    assert len(full) == 2 and sentence == full
    assert text_level["matches"] == [] and text_level["language"]["code"] == "en"
    assert post(server, text=text, language="en", mode="fast").status_code == 400


def test_language_auto_detects(server) -> None:
    body = post(
        server, text="Le gouvernement a annoncé de nouvelles mesures pour l'économie.", language="auto"
    ).json()
    assert body["language"]["code"] == "fr"
    assert body["language"]["detectedLanguage"]["code"] == "fr"


def test_get_check_and_languages(server, tool) -> None:
    res = requests.get(server.url + "/v2/check", params={"text": "Hi ?", "language": "en-GB"}, timeout=30)
    assert res.status_code == 200 and len(res.json()["matches"]) == 1
    langs = requests.get(server.url + "/v2/languages", timeout=30).json()
    assert {"name": "English (US)", "code": "en", "longCode": "en-US"} in langs
    assert {"name": "French", "code": "fr", "longCode": "fr"} in langs
    assert str(tool.language) == "en-US"
    assert requests.get(server.url + "/v2/healthcheck", timeout=30).text == "OK"


def test_multipart_form_is_accepted(server) -> None:
    res = requests.post(
        server.url + "/v2/check", files={"text": (None, "Hi ?"), "language": (None, "en")}, timeout=30
    )
    assert res.status_code == 200 and len(res.json()["matches"]) == 1
