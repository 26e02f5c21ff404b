# ruff: noqa: E501  (XML samples are clearer on one line)
"""Bilingual readers (XLIFF 1.2/2.x, PO, TMX, TSV, CSV): units, offsets into the real file,
masking, languages, and write-back that leaves every untouched byte as it was."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tqcheck.errors import InputError
from tqcheck.formats import read_document, write_back
from tqcheck.formats.bilingual import MASK, Edit, Rejected

DATA = Path(__file__).parent / "data" / "bilingual"
SAMPLES = ["sample-1.2.xlf", "sample-2.0.xlf", "sample.po", "sample.tmx", "sample.tsv", "sample.csv"]


def read(path: Path):  # type: ignore[no-untyped-def]
    return read_document(path)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_read_with_languages_and_exact_target_offsets(name: str) -> None:
    doc = read(DATA / name)
    assert doc.language == "fr" and doc.source_language == "en"
    assert doc.meta["bilingual"] and len(doc.text) == len(doc.check_text)
    units = doc.meta["units"]
    by_source = {u.source.clean: u for u in units}
    ok = by_source["The coalition meets in Paris on Tuesday."]
    seg = doc.segments[ok.segment]
    assert seg.source == "The coalition meets in Paris on Tuesday."
    # Offsets point into the original file: the target text is right there.
    assert doc.text[seg.start:seg.end] == "La coalition se réunit à Paris mardi."
    assert seg.text == doc.check_text[seg.start:seg.end]
    # Sources are never part of what is checked.
    start = doc.text.index("The coalition meets")
    assert doc.check_text[start:start + 10].strip() == ""
    # The unit without translation has no segment.
    missing = by_source["Open the file."]
    assert not missing.translated and missing.segment is None


def test_xliff12_entities_tags_alt_trans_and_locked_units(tmp_path: Path) -> None:
    p = write(tmp_path, "a.xlf", """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file source-language="en" target-language="de-DE" datatype="html" original="x">
  <body>
   <trans-unit id="1">
    <source>Terms &amp; <g id="1">conditions</g><x id="2"/> apply &#8212; see <ph id="3">&lt;br/&gt;</ph>.</source>
    <target state="translated">AGB &amp; <g id="1">Bedingungen</g><x id="2"/> gelten &#8212; siehe <ph id="3">&lt;br/&gt;</ph>.</target>
    <alt-trans><target>Ignored suggestion</target></alt-trans>
   </trans-unit>
   <trans-unit id="2" translate="no"><source>Brand</source><target>Brand</target></trans-unit>
   <trans-unit id="3"><source>Hello</source><target><![CDATA[Hallo <welt>]]></target></trans-unit>
  </body>
 </file>
</xliff>
""")
    doc = read(p)
    assert doc.format == "xliff" and doc.language == "de" and doc.source_language == "en"
    units = doc.meta["units"]
    assert [u.id for u in units] == ["1", "3"]  # translate="no" is not checked
    u = units[0]
    assert u.target.clean == "AGB & Bedingungen gelten — siehe ."
    assert u.target.tags == ["g:1", "/g:1", "x:2", "ph:3"] == u.source.tags
    assert "state:translated" in u.flags
    seg = doc.segments[u.segment]
    # The entity shows its character padded with U+FFFC; the tags are masked whole.
    assert seg.text.startswith("AGB &" + MASK * 4 + " " + MASK * len('<g id="1">') + "Bedingungen")
    assert "br/" not in seg.text and "Ignored" not in doc.check_text
    assert "Hallo <welt>" in doc.check_text
    assert doc.meta["xliff_version"] == "1.2" and doc.meta["target_locale"] == "de-DE"


def test_xliff2_segments_pc_and_states(tmp_path: Path) -> None:
    p = write(tmp_path, "b.xlf", """<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="es">
 <file id="f">
  <unit id="u1">
   <notes><note>For the header</note></notes>
   <segment state="final"><source>Click <pc id="1">here</pc>.</source><target>Haga clic <pc id="1">aquí</pc>.</target></segment>
   <ignorable><source> </source></ignorable>
   <segment><source>Next <ph id="2"/>step</source><target>Siguiente <ph id="2"/>paso</target></segment>
  </unit>
 </file>
</xliff>""")
    doc = read(p)
    assert doc.format == "xliff2" and (doc.language, doc.source_language) == ("es", "en")
    units = doc.meta["units"]
    assert [u.id for u in units] == ["u1", "u1#2"]
    assert units[0].target.tags == ["pc:1", "/pc:1"] and "state:final" in units[0].flags
    assert [doc.text[s.start:s.end] for s in doc.segments] == ['Haga clic <pc id="1">aquí</pc>.',
                                                               'Siguiente <ph id="2"/>paso']


def test_po_plurals_fuzzy_obsolete_context_and_escapes(tmp_path: Path) -> None:
    p = write(tmp_path, "c.po", r'''msgid ""
msgstr ""
"Language: pt_BR\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

#, fuzzy, c-format
msgctxt "menu"
msgid "%d file"
msgid_plural "%d files"
msgstr[0] "%d arquivo"
msgstr[1] "%d arquivos"

msgid "Say \"hi\"\n"
msgstr ""
"Diga \"oi\""
"\n"

#~ msgid "Old"
#~ msgstr "Velho"
''')
    doc = read(p)
    assert doc.language == "pt" and doc.meta["plural_forms"].startswith("nplurals=2")
    units = doc.meta["units"]
    assert [u.id for u in units] == ["menu\x04%d file[0]", "menu\x04%d file[1]", 'Say "hi"\n']
    assert units[1].source.clean == "%d files" and "fuzzy" in units[0].flags and units[0].context == "menu[0]"
    assert units[2].target.clean == 'Diga "oi"\n'
    seg = doc.segments[units[2].segment]
    # The segment spans the quoted lines up to the last visible character (the trailing \n is
    # whitespace, left out), and never cuts an escape in half.
    assert doc.text[seg.start:seg.end] == 'Diga \\"oi\\"'
    assert doc.check_text[seg.start:seg.end] == 'Diga "' + MASK + 'oi"' + MASK
    assert 'Velho' not in doc.check_text


def test_po_errors_are_one_line_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 2"):
        read(write(tmp_path, "bad.po", 'msgid "a"\nmsgstr "unterminated\n'))


def test_tmx_picks_source_and_most_common_target(tmp_path: Path) -> None:
    p = write(tmp_path, "d.tmx", """<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="x"
 adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/><body>
<tu tuid="1"><tuv xml:lang="en"><seg>One <bpt i="1">&lt;b&gt;</bpt>bold<ept i="1">&lt;/b&gt;</ept></seg></tuv>
 <tuv xml:lang="it"><seg>Uno <bpt i="1">&lt;b&gt;</bpt>grassetto<ept i="1">&lt;/b&gt;</ept></seg></tuv>
 <tuv xml:lang="de"><seg>Eins</seg></tuv></tu>
<tu tuid="2"><tuv xml:lang="en"><seg>Two</seg></tuv><tuv xml:lang="it"><seg>Due</seg></tuv></tu>
</body></tmx>""")
    doc = read(p)
    assert doc.language == "it" and doc.meta["tmx_languages"] == ["de", "it"]
    u = doc.meta["units"][0]
    assert u.target.clean == "Uno grassetto" and u.target.tags == ["bpt:1", "ept:1"]


def test_csv_quotes_semicolons_and_headers(tmp_path: Path) -> None:
    p = write(tmp_path, "e.csv", 'de;en;note\r\n"Hallo; ""Welt""";"Hello; ""world""";x\r\nZwei;Two;\r\n')
    doc = read(p)
    assert (doc.source_language, doc.language) == ("de", "en")
    units = doc.meta["units"]
    assert units[0].source.clean == 'Hallo; "Welt"' and units[0].target.clean == 'Hello; "world"'
    assert doc.text[doc.segments[0].start:doc.segments[0].end] == 'Hello; ""world""'


def test_tsv_without_header_and_bad_rows(tmp_path: Path) -> None:
    doc = read(write(tmp_path, "f.tsv", "The cat sleeps on the sofa.\tLe chat dort sur le canapé.\n"))
    assert doc.meta["units"][0].target.clean == "Le chat dort sur le canapé."
    with pytest.raises(InputError, match="row 1 has no target column"):
        read(write(tmp_path, "g.tsv", "only one column\n"))


def test_not_xliff_and_malformed_xml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an XLIFF file"):
        read(write(tmp_path, "h.xlf", "<html><body>x</body></html>"))
    with pytest.raises(InputError, match="not well-formed XML"):
        read(write(tmp_path, "i.xlf", '<xliff version="1.2"><file><body></file></xliff>'))


# --- write-back ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_write_back_without_edits_is_byte_identical(name: str) -> None:
    data = (DATA / name).read_bytes()
    assert write_back(read(DATA / name), []) == data


@pytest.mark.parametrize("encoding,bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_write_back_keeps_encoding_bom_and_line_endings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = 'msgid ""\r\nmsgstr ""\r\n"Language: fr\\n"\r\n\r\nmsgid "Yes"\r\nmsgstr "Oui ?"\r\n'
    p = tmp_path / "crlf.po"
    p.write_bytes(bom + text.encode(encoding))
    doc = read(p)
    at = doc.text.index("Oui ?") + 3
    out = write_back(doc, [Edit(at, at + 1, "\u202f")])
    assert out == bom + text.replace("Oui ?", "Oui\u202f?").encode(encoding)


def test_write_back_escapes_for_each_format(tmp_path: Path) -> None:
    xlf = DATA / "sample-1.2.xlf"
    doc = read(xlf)
    at = doc.text.index("Les conditions générales")
    out = write_back(doc, [Edit(at, at + 3, "Les <CGV> & les")]).decode("utf-8")
    assert "<target>Les &lt;CGV&gt; &amp; les conditions générales" in out
    assert out.replace("Les &lt;CGV&gt; &amp; les", "Les", 1) == xlf.read_text("utf-8")

    po = read(DATA / "sample.po")
    at = po.text.index("Nom :")
    out = write_back(po, [Edit(at, at + 5, 'Nom "complet"\n: ')]).decode("utf-8")
    assert 'msgstr "Nom \\"complet\\"\\n: "' in out

    csv_doc = read(DATA / "sample.csv")
    unit = next(u for u in csv_doc.meta["units"] if u.id == "whitespace")
    rejected: list[Rejected] = []
    # An unquoted CSV cell cannot take a comma; the edit is refused, the file unchanged.
    out = write_back(csv_doc, [Edit(unit.target.start, unit.target.end, "Nom, prénom")], rejected)
    assert out == (DATA / "sample.csv").read_bytes() and "cannot be written" in rejected[0].reason


def test_write_back_refuses_edits_in_tags_escapes_and_outside_targets() -> None:
    doc = read(DATA / "sample-1.2.xlf")
    text = doc.text
    src_at = text.index("The coalition meets")
    tag_unit = next(u for u in doc.meta["units"] if u.id == "save-1")
    rejected: list[Rejected] = []
    out = write_back(doc, [Edit(src_at, src_at + 3, "A"), Edit(0, 5, "<x"),
                           Edit(tag_unit.target.start - 2, tag_unit.target.start + 2, "xx")], rejected)
    assert out == (DATA / "sample-1.2.xlf").read_bytes()
    assert [r.reason for r in rejected] == ["outside every target text"] * 3


def test_write_back_refuses_half_escapes_and_inline_tags(tmp_path: Path) -> None:
    p = write(tmp_path, "t.xlf", '<xliff version="1.2"><file source-language="en" target-language="fr"><body>'
              '<trans-unit id="1"><source>A &amp; <x id="1"/>B</source><target>A &amp; <x id="1"/>B</target>'
              "</trans-unit></body></file></xliff>")
    doc = read(p)
    t = doc.text.index("<target>") + len("<target>")
    amp = doc.text.index("&amp;", t)
    tag = doc.text.index("<x", t)
    rejected: list[Rejected] = []
    out = write_back(doc, [Edit(amp + 1, amp + 3, "x"), Edit(tag, tag + 2, ""), Edit(amp, amp + 5, "et")], rejected)
    assert sorted(r.reason for r in rejected) == ["cuts an escape or reference in half", "touches an inline tag"]
    assert out.decode() == doc.text.replace("<target>A &amp;", "<target>A et")


def test_rule_fixes_on_targets_write_back_into_the_xliff(tmp_path: Path) -> None:
    """The rules signal checks target texts; its safe fixes go back into the same file."""
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats.xmlscan import ensure_safe_xml

    p = write(tmp_path, "fr-en.xlf", """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2"><file source-language="fr" target-language="en" datatype="plaintext" original="a">
<body>
  <trans-unit id="1"><source>Comment vaincre l'État islamique ?</source><target>How to defeat the Islamic State ?</target></trans-unit>
  <trans-unit id="2"><source>Termes &amp; conditions : lire</source><target>Terms &amp; conditions : read</target></trans-unit>
</body></file></xliff>
""")
    doc = read(p)
    report = Checker(Config(signals=["rules"])).check_documents([doc])
    fixes = [(f.start, f.end, f.suggestions[0].replacement) for f in report.findings
             if f.rule == "typography.space-before-punctuation"]
    assert [doc.text[a:b] for a, b, _ in fixes] == [" ", " "]
    out = write_back(doc, fixes).decode("utf-8")
    assert "<target>How to defeat the Islamic State?</target>" in out
    assert "<target>Terms &amp; conditions: read</target>" in out
    assert "<source>Termes &amp; conditions : lire</source>" in out  # sources untouched
    ensure_safe_xml(out, "out.xlf")
    assert len(out) == len(doc.text) - 2
