"""Writes the bilingual sample files of this folder from one table, so the XLIFF, PO, TMX, TSV
and CSV samples hold the same units (and the same planted errors). Run it after editing UNITS:

    python tests/data/bilingual/make_samples.py

The files are committed; tests read them, they do not regenerate them.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent

#: (id, source, target, rule expected on the unit or None). ``<g1>``/``</g1>`` mark a paired
#: inline tag, written as <g id="1"> in XLIFF 1.2, <pc id="1"> in XLIFF 2, <bpt>/<ept> in TMX
#: and <b> in the text formats.
UNITS = [
    ("ok", "The coalition meets in Paris on Tuesday.", "La coalition se réunit à Paris mardi.", None),
    ("number", "The raids killed 4,000 fighters in 2015.", "Les raids ont tué 400 combattants en 2015.",
     "source.number-mismatch"),
    ("number-format", "The rate rose by 3.5 percent.", "Le taux a augmenté de 3.5 pour cent.", "source.number-format"),
    ("date", "The summit opens on June 2, 2015.", "Le sommet s'ouvre le 6 février 2015.", "source.date-mismatch"),
    ("date-format", "The deadline is 06/02/2015.", "La date limite est le 06/02/2015.", "source.date-format"),
    ("url", "See https://example.org/report for details.", "Voir le rapport pour plus de détails.",
     "source.url-mismatch"),
    ("email", "Write to press@example.org today.", "Écrivez à presse@example.org aujourd'hui.",
     "source.email-mismatch"),
    ("printf", "%d files deleted by %s", "%s fichiers supprimés", "source.placeholder-mismatch"),
    ("brace", "{0} of {1} done", "{0} sur {2} terminés", "source.placeholder-mismatch"),
    ("icu", "{count, plural, one {# item} other {# items}}", "{compte, plural, one {# élément} other {# éléments}}",
     "source.placeholder-mismatch"),
    ("tag", "Click <g1>here</g1> to continue.", "Cliquez ici pour continuer.", "source.tag-mismatch"),
    ("name", "Haider al-Abadi met Barack Obama in Washington.",
     "Haider al-Abadi a rencontré le président à Washington.", "source.name-missing"),
    ("end-punctuation", "How to defeat the Islamic State?", "Comment vaincre l'État islamique.",
     "source.end-punctuation"),
    ("length", "The prime minister will explain the plan to the members of parliament on Thursday morning.",
     "Le plan.", "source.length-ratio"),
    ("untranslated", "Settings saved successfully.", "Settings saved successfully.", "source.untranslated"),
    ("whitespace", "Name: ", "Nom :", "source.whitespace"),
    ("term-forbidden", "The raids have not stopped the jihadists.", "Les raids n'ont pas arrêté les jihadistes.",
     "source.term-forbidden"),
    ("term-missing", "A jihadist group claimed the attack.", "Un groupe armé a revendiqué l'attaque.",
     "source.term-missing"),
    ("code", "Run tqcheck --help or edit /etc/tqcheck/config.toml.",
     "Lancez tqcheck --aide ou modifiez /etc/tqcheck/config.toml.", "source.code-mismatch"),
    ("brackets", "Delete the files (all of them).", "Supprimez les fichiers (tous.", "source.brackets"),
    ("start-case", "Open a new window", "ouvrir une nouvelle fenêtre", "source.start-case"),
    ("accelerator", "&Quit", "Quitter", "source.accelerator"),
    ("entity", "Terms & conditions apply.", "Les conditions générales s'appliquent.", None),
    ("missing", "Open the file.", "", "source.missing-target"),
    ("save-1", "Save", "Enregistrer", None),
    ("save-2", "Save", "Sauvegarder", "source.inconsistent-translation"),
]
#: Only in formats that can hold a line break in a cell.
NEWLINE_UNIT = ("newlines", "First line\nSecond line", "Première ligne, deuxième ligne", "source.newlines")


G_OPEN = '<g id="1">'
PC_OPEN = '<pc id="1">'


def _xml(text: str, opening: str, closing: str) -> str:
    return escape(text).replace("&lt;g1&gt;", opening).replace("&lt;/g1&gt;", closing)


def xliff12() -> str:
    rows = []
    for uid, src, tgt, _ in [*UNITS, NEWLINE_UNIT]:
        s, t = _xml(src, G_OPEN, "</g>"), _xml(tgt, G_OPEN, "</g>")
        target = f"\n        <target>{t}</target>" if tgt else "\n        <target/>"
        rows.append(f'      <trans-unit id="{uid}">\n        <source>{s}</source>{target}\n      </trans-unit>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
            '  <file source-language="en-US" target-language="fr-FR" datatype="plaintext" original="app">\n'
            "    <body>\n" + "\n".join(rows) + "\n    </body>\n  </file>\n</xliff>\n")


def xliff2() -> str:
    rows = []
    for uid, src, tgt, _ in [*UNITS, NEWLINE_UNIT]:
        s, t = _xml(src, PC_OPEN, "</pc>"), _xml(tgt, PC_OPEN, "</pc>")
        target = f"\n        <target>{t}</target>" if tgt else ""
        rows.append(f'    <unit id="{uid}">\n      <segment>\n        <source>{s}</source>{target}\n'
                    "      </segment>\n    </unit>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="fr">\n'
            '  <file id="f1">\n' + "\n".join(rows) + "\n  </file>\n</xliff>\n")


def _po_string(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if len(body) > 40 and " " in body:
        # Wrap long strings the way msgcat does, to exercise multi-line strings.
        cut = body.rfind(" ", 0, 40) + 1
        return f'""\n"{body[:cut]}"\n"{body[cut:]}"'
    return f'"{body}"'


def po() -> str:
    out = ['# French translation of the sample application.', 'msgid ""', 'msgstr ""',
           '"Language: fr\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"',
           '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"', ""]
    for uid, src, tgt, _ in [*UNITS, NEWLINE_UNIT]:
        src = src.replace("<g1>", "<b>").replace("</g1>", "</b>")
        tgt = tgt.replace("<g1>", "<b>").replace("</g1>", "</b>")
        out.append(f"#. unit: {uid}")
        if uid.startswith("save"):
            out.append(f'msgctxt "{uid}"')  # a PO file cannot repeat a msgid without a context
        if uid == "printf":
            out.append("#, c-format")
        out.append(f"msgid {_po_string(src)}")
        out.append(f"msgstr {_po_string(tgt)}")
        out.append("")
    return "\n".join(out)


def tmx() -> str:
    rows = []
    for uid, src, tgt, _ in [*UNITS, NEWLINE_UNIT]:
        s = _xml(src, '<bpt i="1">&lt;b&gt;</bpt>', '<ept i="1">&lt;/b&gt;</ept>')
        t = _xml(tgt, '<bpt i="1">&lt;b&gt;</bpt>', '<ept i="1">&lt;/b&gt;</ept>')
        target = f'\n      <tuv xml:lang="fr-FR"><seg>{t}</seg></tuv>' if tgt else ""
        rows.append(f'    <tu tuid="{uid}">\n      <tuv xml:lang="en-US"><seg>{s}</seg></tuv>{target}\n    </tu>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
            '  <header creationtool="tests" creationtoolversion="1" segtype="sentence" o-tmf="none" '
            'adminlang="en" srclang="en-US" datatype="plaintext"/>\n'
            "  <body>\n" + "\n".join(rows) + "\n  </body>\n</tmx>\n")


def tsv() -> str:
    lines = ["id\ten\tfr"]
    for uid, src, tgt, _ in UNITS:
        src = src.replace("<g1>", "<b>").replace("</g1>", "</b>")
        tgt = tgt.replace("<g1>", "<b>").replace("</g1>", "</b>")
        lines.append(f"{uid}\t{src}\t{tgt}")
    return "\n".join(lines) + "\n"


def csv_text() -> str:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text

    lines = ["id,source,target"]
    for uid, src, tgt, _ in [*UNITS, NEWLINE_UNIT]:
        src = src.replace("<g1>", "<b>").replace("</g1>", "</b>")
        tgt = tgt.replace("<g1>", "<b>").replace("</g1>", "</b>")
        lines.append(f"{uid},{cell(src)},{cell(tgt)}")
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    files = {"sample-1.2.xlf": xliff12(), "sample-2.0.xlf": xliff2(), "sample.po": po(), "sample.tmx": tmx(),
             "sample.tsv": tsv(), "sample.csv": csv_text()}
    for name, text in files.items():
        (HERE / name).write_bytes(text.encode("utf-8"))


if __name__ == "__main__":
    main()
