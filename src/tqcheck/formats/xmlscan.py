"""Safe XML for the bilingual readers: refuse dangerous input, then scan with exact offsets.

``ensure_safe_xml`` parses the whole file once with defusedxml, which refuses entity
declarations (the "billion laughs" expansion bomb, external entities such as
``file:///etc/passwd``) and external references, and reports malformed XML. Only then does
``scan`` tokenise the (now known well-formed) text with a small regex scanner that keeps the
character offset of every tag, entity reference and text run, which ElementTree cannot give.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tqcheck.errors import InputError

_NAME = r"[A-Za-z_:][\w.:-]*"
_ATTR = re.compile(rf"({_NAME})\s*=\s*(\"[^\"]*\"|'[^']*')")
_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[(?P<cdata>.*?)\]\]>"
    r"|<\?.*?\?>"
    r"|<!DOCTYPE(?:[^\[>]*\[.*?\])?[^>]*>"
    rf"|<(?P<close>/)?(?P<name>{_NAME})(?P<attrs>(?:\s+{_NAME}\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<empty>/)?>"
    r"|&(?P<ref>#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_][\w.-]*);",
    re.S,
)
PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


@dataclass
class Token:
    #: "start", "end", "empty" (self-closing), "text", "ref" (entity/char reference), "cdata", "other"
    kind: str
    start: int
    end: int
    #: Local name (namespace prefix removed) for tags.
    name: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    #: Decoded value for text, references and CDATA.
    value: str = ""
    #: For CDATA: offsets of the content inside ``<![CDATA[`` ... ``]]>``.
    inner: tuple[int, int] = (0, 0)


def decode_ref(ref: str) -> str:
    if ref.startswith("#x"):
        return chr(int(ref[2:], 16))
    if ref.startswith("#"):
        return chr(int(ref[1:]))
    return PREDEFINED.get(ref, "")


def unescape(raw: str) -> str:
    return re.sub(r"&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_][\w.-]*);", lambda m: decode_ref(m.group(1)), raw)


def escape_text(text: str) -> str:
    """Escape a replacement for XML element content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def local(name: str) -> str:
    return name.rpartition(":")[2]


def scan(text: str) -> Iterator[Token]:
    """Every token of ``text`` in order; text between tags comes as ``text`` tokens."""
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            yield Token("text", pos, m.start(), value=text[pos:m.start()])
        if m.group("name"):
            attrs = {
                a.group(1): unescape(a.group(2)[1:-1]) for a in _ATTR.finditer(m.group("attrs") or "")
            }
            kind = "end" if m.group("close") else ("empty" if m.group("empty") else "start")
            yield Token(kind, m.start(), m.end(), name=local(m.group("name")), attrs=attrs)
        elif m.group("ref"):
            yield Token("ref", m.start(), m.end(), value=decode_ref(m.group("ref")))
        elif m.group("cdata") is not None:
            yield Token("cdata", m.start(), m.end(), value=m.group("cdata"), inner=(m.start("cdata"), m.end("cdata")))
        else:
            yield Token("other", m.start(), m.end())
        pos = m.end()
    if pos < len(text):
        yield Token("text", pos, len(text), value=text[pos:])


def ensure_safe_xml(text: str, name: str):  # type: ignore[no-untyped-def]
    """Parse with defusedxml; refuse entity tricks and malformed XML. Returns the root element."""
    import defusedxml
    import defusedxml.ElementTree as SafeET

    try:
        # A str is parsed as UTF-8 whatever the declaration says: the bytes were decoded already.
        return SafeET.fromstring(text)
    except defusedxml.EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            raise InputError(
                f"{name}: refused: the XML declares an external entity {exc.name!r} "
                f"({exc.sysid or exc.pubid}); external entities are never followed"
            ) from None
        raise InputError(
            f"{name}: refused: the XML declares an entity ({exc.name!r}); entity declarations "
            "(expansion bombs such as 'billion laughs', external entities) are not allowed"
        ) from None
    except defusedxml.ExternalReferenceForbidden as exc:
        target = exc.sysid or exc.pubid or "an external resource"
        raise InputError(f"{name}: refused: the XML refers to an external entity ({target}); not followed") from None
    except defusedxml.DTDForbidden:
        raise InputError(f"{name}: refused: the XML has a document type declaration") from None
    except defusedxml.DefusedXmlException as exc:
        raise InputError(f"{name}: refused: unsafe XML ({exc})") from None
    except SafeET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        msg = str(exc).split(":")[0]
        raise InputError(f"{name}: not well-formed XML (line {line}, column {col + 1}: {msg})") from None
