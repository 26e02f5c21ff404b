"""A self-contained HTML report: the text with its problems marked and the fixes beside them.

One file, nothing fetched: CSS, JavaScript and the SVG charts are inline, and a strict
Content-Security-Policy (``default-src 'none'``; the one inline style and the one inline script are
allowed by their SHA-256 hashes, never by ``'unsafe-inline'``) keeps anything else from loading or
running. Every piece of input text is escaped.

Reusable pieces (the review server draws its pages with them):

- :func:`render_document_html` ``(result, doc_id="d0") -> str``: one document's section (header,
  per-segment score strip, highlighted text, findings list); needs :data:`STYLE` and :data:`SCRIPT`.
- :func:`render_page` ``(body, *, title) -> str``: a whole page around any body HTML, with the style,
  the script and the CSP meta tag.
- :func:`content_security_policy` ``() -> str``: the policy, for a server to send as a header too.
- :func:`render` ``(report, options) -> str``: the full report (``tqcheck check --format html``).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

from tqcheck import __version__
from tqcheck.findings import Category, Finding, Severity
from tqcheck.report import RenderOptions
from tqcheck.report.common import span_of
from tqcheck.report.text import describe_suggestion
from tqcheck.results import DocumentResult, Report
from tqcheck.scoring import severity_counts

#: Context shown on each side of a flagged span in the findings list.
CONTEXT_CHARS = 30
#: Segment score bins of the distribution chart: (label, lowest score in the bin, colour).
SCORE_BINS = (("100", 100.0, "#2e8540"), ("90–99", 90.0, "#7cb342"), ("70–89", 70.0, "#f3c623"),
              ("50–69", 50.0, "#e8780c"), ("0–49", 0.0, "#c62828"))
SEVERITY_COLOURS = {Severity.MINOR: "#f3c623", Severity.MAJOR: "#e8780c", Severity.CRITICAL: "#d11a2a"}


def _asset(name: str) -> str:
    return resources.files("tqcheck.report").joinpath("html_assets", name).read_text("utf-8")


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    return _asset("report.css"), _asset("report.js")


STYLE, SCRIPT = _assets()


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy() -> str:
    """Nothing may load; only our own inline style and script (by hash) may apply or run."""
    return (f"default-src 'none'; style-src {_sha256(STYLE)}; script-src {_sha256(SCRIPT)}; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _score_class(score: float) -> str:
    return "good" if score >= 90 else "ok" if score >= 70 else "bad"


def _score_colour(score: float) -> str:
    for _, low, colour in SCORE_BINS:
        if score >= low:
            return colour
    return SCORE_BINS[-1][2]


# --- the highlighted text -------------------------------------------------------------------------

def _mark_classes(findings: Sequence[Finding], ids: Iterable[int], known: set[int]) -> str:
    ids = list(ids)
    worst = max((findings[i] for i in ids), key=lambda f: f.severity.rank)
    classes = ["hl", f"sev-{worst.severity.value}"]
    if worst.category is Category.NON_CONTENT:
        classes.append("cat-non-content")
    if all(i in known for i in ids):
        classes.append("known")
    return " ".join(classes)


def _highlighted_text(result: DocumentResult, doc_id: str) -> tuple[str, dict[int, str]]:
    """The text with one ``<mark>`` per run of equally-covered characters.

    Overlapping findings split into runs; each mark lists the findings covering it (``data-f``) and
    the ones that begin there (``data-begin``), so every finding begins in exactly one mark. Empty
    findings (an insertion point) are an empty ``mark.ins``. Segment starts get ``<a id>`` anchors for
    the score strip. Returns the HTML and, per finding, the id of the mark where it begins.
    """
    doc, findings, known = result.document, result.findings, result.baseline_known
    text = doc.text
    cuts = {0, len(text)}
    for f in findings:
        cuts.update((f.start, f.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    anchors: dict[int, list[int]] = {}
    for seg in doc.segments:
        anchors.setdefault(seg.start, []).append(seg.index)
    inserts: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        if f.end <= f.start:
            inserts.setdefault(f.start, []).append(i)
    begin_id: dict[int, str] = {}
    out: list[str] = []
    anchor_offsets = sorted(anchors)

    def piece(a: int, b: int) -> str:
        """Escaped text[a:b] with segment anchors at their offsets."""
        parts, pos = [], a
        for k in range(bisect.bisect_left(anchor_offsets, a), bisect.bisect_left(anchor_offsets, b)):
            off = anchor_offsets[k]
            parts.append(_e(text[pos:off]))
            parts.extend(f'<a class="seg" id="{doc_id}-s{n}"></a>' for n in anchors[off])
            pos = off
        parts.append(_e(text[pos:b]))
        return "".join(parts)

    def mark(ids: list[int], begins: list[int], body: str, extra: str = "") -> str:
        attrs = f' data-f="{" ".join(map(str, ids))}"'
        if begins:
            mark_id = f"{doc_id}-m{begins[0]}"
            for i in begins:
                begin_id[i] = mark_id
            attrs += f' id="{mark_id}" data-begin="{" ".join(map(str, begins))}" tabindex="0"'
        return f'<mark class="{_mark_classes(findings, ids, known)}{extra}"{attrs}>{body}</mark>'

    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        if f.end > f.start:
            starts.setdefault(f.start, []).append(i)
            ends.setdefault(f.end, []).append(i)
    active: set[int] = set()
    for a, b in itertools.pairwise(points):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        for i in inserts.get(a, []):
            out.append(mark([i], [i], "", " ins"))
        body = piece(a, b)
        if active:
            ids = sorted(active)
            out.append(mark(ids, sorted(starts.get(a, ())), body))
        else:
            out.append(body)
    for i in inserts.get(len(text), []):
        out.append(mark([i], [i], "", " ins"))
    return "".join(out), begin_id


# --- the findings list ------------------------------------------------------------------------------

def _visible(span: str) -> str:
    return span.replace(" ", "·").replace("\u00a0", "⍽").replace("\t", "→").replace("\n", "↵") or "‸"


def _evidence_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _card(result: DocumentResult, f: Finding, i: int, href: str) -> str:
    doc = result.document
    pos = span_of(doc, f).start
    before = doc.text[max(0, f.start - CONTEXT_CHARS) : f.start].rsplit("\n", 1)[-1]
    after = doc.text[f.end : f.end + CONTEXT_CHARS].split("\n", 1)[0]
    span = doc.text[f.start : f.end]
    head = (f'<div class="head"><a class="pos" href="#{_e(href)}">{pos.line}:{pos.column}</a>'
            f'<span class="sev {f.severity.value}">{f.severity.value}</span>'
            f'<code class="rule">{_e(f.rule)}</code><span class="cat">{_e(f.category.value)}</span>')
    if f.confidence < 1:
        head += f'<span class="badge">confidence {f.confidence:.2f}</span>'
    if i in result.baseline_known:
        head += '<span class="badge">known (baseline)</span>'
    head += "</div>"
    ctx = f'<div class="ctx">…{_e(before)}<mark>{_e(_visible(span))}</mark>{_e(after)}…</div>'
    parts = [head, ctx, f'<p class="msg">{_e(f.message)}</p>']
    if f.suggestions:
        items = []
        for s in f.suggestions:
            line = _e(describe_suggestion(s))
            if s.safe:
                line += ' <span class="safe">safe fix</span>'
            if s.sentence:
                line += f"<br>→ {_e(s.sentence)}"
            items.append(f"<li>{line}</li>")
        parts.append(f'<ul class="sugg">{"".join(items)}</ul>')
    if f.evidence:
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_evidence_value(v))}</td></tr>"
                       for k, v in f.evidence.items())
        parts.append(f'<table class="ev"><caption hidden>evidence</caption>{rows}</table>')
    return f'<div class="card">{"".join(parts)}</div>'


def _findings_list(result: DocumentResult, doc_id: str, begin_id: dict[int, str]) -> str:
    items = []
    for i, f in enumerate(result.findings):
        known = " data-known" if i in result.baseline_known else ""
        items.append(
            f'<li id="{doc_id}-f{i}" class="sev-{f.severity.value} cat-{f.category.value}" '
            f'data-sev="{f.severity.value}" data-cat="{f.category.value}"{known}>'
            f'{_card(result, f, i, begin_id.get(i, doc_id))}</li>'
        )
    return f'<ol class="tq-findings">{"".join(items)}</ol>' if items else '<p class="meta">No findings.</p>'


# --- charts ------------------------------------------------------------------------------------------

def _score_strip(result: DocumentResult, doc_id: str) -> str:
    """One rectangle per segment, as wide as its text, coloured by its score; click to jump there."""
    doc = result.document
    total = max(1, len(doc.text))
    rects = []
    for seg in doc.segments:
        score = result.segment_scores.get(seg.index, 100.0)
        colour = "#b8c0ca" if seg.non_content else _score_colour(score)
        label = f"Segment {seg.index + 1}: " + ("page furniture" if seg.non_content else f"score {score:.2f}")
        rects.append(f'<a href="#{doc_id}-s{seg.index}"><rect x="{seg.start}" y="0" '
                     f'width="{max(1, seg.end - seg.start)}" height="10" fill="{colour}">'
                     f"<title>{_e(label)}</title></rect></a>")
    return (f'<svg class="strip" viewBox="0 0 {total} 10" preserveAspectRatio="none" role="img" '
            f'aria-label="Score of each segment">{"".join(rects)}</svg>')


def _histogram(title: str, scores: list[float]) -> str:
    counts = [0] * len(SCORE_BINS)
    for s in scores:
        for k, (_, low, _) in enumerate(SCORE_BINS):
            if s >= low:
                counts[k] += 1
                break
    peak = max(counts) or 1
    bar_w, gap, height = 44, 10, 110
    width = len(SCORE_BINS) * (bar_w + gap) + gap
    bars = []
    for k, ((label, _, colour), n) in enumerate(zip(SCORE_BINS, counts, strict=True)):
        h = round(80 * n / peak)
        x = gap + k * (bar_w + gap)
        bars.append(f'<rect x="{x}" y="{90 - h}" width="{bar_w}" height="{h}" fill="{colour}">'
                    f"<title>{_e(label)}: {n}</title></rect>"
                    f'<text x="{x + bar_w / 2}" y="{86 - h}" text-anchor="middle">{n}</text>'
                    f'<text x="{x + bar_w / 2}" y="104" text-anchor="middle">{_e(label)}</text>')
    return (f'<figure class="chart"><h3>{_e(title)}</h3><svg width="{width}" height="{height}" role="img" '
            f'aria-label="{_e(title)}">{"".join(bars)}</svg></figure>')


def _category_chart(findings: list[Finding]) -> str:
    counts = {c: {s: 0 for s in Severity} for c in Category}
    for f in findings:
        counts[f.category][f.severity] += 1
    peak = max((sum(v.values()) for v in counts.values()), default=0) or 1
    label_w, bar_max, row_h = 120, 180, 20
    rows = []
    for r, (cat, by_sev) in enumerate(counts.items()):
        y = 6 + r * row_h
        rows.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{_e(cat.value)}</text>')
        x = label_w
        for sev, n in by_sev.items():
            if n:
                w = max(2, round(bar_max * n / peak))
                rows.append(f'<rect x="{x}" y="{y}" width="{w}" height="14" fill="{SEVERITY_COLOURS[sev]}">'
                            f"<title>{_e(cat.value)}, {sev.value}: {n}</title></rect>")
                x += w
        rows.append(f'<text x="{x + 4}" y="{y + 12}">{sum(by_sev.values())}</text>')
    legend_y = 6 + len(counts) * row_h + 8
    legend = "".join(
        f'<rect x="{label_w + k * 70}" y="{legend_y}" width="10" height="10" fill="{colour}"></rect>'
        f'<text x="{label_w + k * 70 + 14}" y="{legend_y + 9}">{sev.value}</text>'
        for k, (sev, colour) in enumerate(SEVERITY_COLOURS.items())
    )
    height = legend_y + 16
    return (f'<figure class="chart"><h3>Findings by category</h3><svg width="{label_w + bar_max + 40}" '
            f'height="{height}" role="img" aria-label="Findings by category">{"".join(rows)}{legend}</svg>'
            "</figure>")


def _charts(report: Report) -> str:
    docs = [d for d in report.documents if not d.error]
    seg_scores = [d.segment_scores.get(s.index, 100.0) for d in docs for s in d.document.segments
                  if not s.non_content]
    parts = [_histogram("Segment scores", seg_scores)]
    if len(docs) > 1:
        parts.append(_histogram("Document scores", [d.score for d in docs]))
    parts.append(_category_chart(report.findings))
    return f'<section class="charts">{"".join(parts)}</section>'


# --- documents and the page -------------------------------------------------------------------------

def render_document_html(result: DocumentResult, doc_id: str = "d0") -> str:
    """One document's section: title, scores, score strip, highlighted text and findings list.

    ``doc_id`` must be unique on the page (it prefixes every element id). The section works with
    :data:`STYLE` and :data:`SCRIPT` (both included by :func:`render_page`); without the script the
    text and the findings list still show, only popovers and filters need it.
    """
    doc = result.document
    title = f'<h2>{_e(doc.path)}</h2>'
    if result.error:
        return (f'<section class="tq-doc" id="{doc_id}" data-doc="{doc_id}">{title}'
                f'<p class="error">Not checked: {_e(result.error)}</p></section>')
    counts = severity_counts(result.findings)
    langs = _e(doc.language) + (f" from {_e(doc.source_language)}" if doc.source_language else "")
    score = f'<span class="score {_score_class(result.score)}">{result.score:.2f}</span>'
    meta = (f'<p class="meta">Score {score}'
            f"/100 · {result.words} words · {langs} · {len(result.findings)} finding(s): "
            + ", ".join(f"{counts[s.value]} {s.value}" for s in reversed(Severity)))
    if result.baseline_known:
        meta += f" · {len(result.baseline_known)} known in the baseline"
    meta += "</p>"
    cats = ", ".join(f"{_e(k)} {v:.1f}" for k, v in result.category_scores.items() if v < 100)
    if cats:
        meta += f'<p class="meta">By category: {cats}</p>'
    strip = _score_strip(result, doc_id)
    legend = ('<p class="strip-legend">Each bar is a segment, as wide as its text, coloured by its score '
              "(green 100 … red below 50, grey page furniture); click one to jump to it.</p>")
    body, begin_id = _highlighted_text(result, doc_id)
    return (f'<section class="tq-doc" id="{doc_id}" data-doc="{doc_id}">{title}{meta}{strip}{legend}'
            f'<pre class="tq-text" lang="{_e(doc.language)}">{body}</pre>'
            f"{_findings_list(result, doc_id, begin_id)}</section>")


def _filters(report: Report) -> str:
    present_cats = [c for c in Category if any(f.category is c for f in report.findings)] or list(Category)
    box = '<label><input type="checkbox" data-filter="{0}" value="{1}" checked> {1}</label>'
    sev = "".join(box.format("sev", s.value) for s in reversed(Severity))
    cat = "".join(box.format("cat", c.value) for c in present_cats)
    known = ""
    if any(d.baseline_known for d in report.documents):
        known = ('<fieldset><legend>Baseline</legend><label><input type="checkbox" data-filter="known" '
                 'value="yes" checked> known findings</label></fieldset>')
    return (f'<nav class="filters" id="tq-filters" hidden><fieldset><legend>Severity</legend>{sev}</fieldset>'
            f'<fieldset><legend>Category</legend>{cat}</fieldset>{known}<span class="count" id="tq-count">'
            "</span></nav>")


def render_page(body: str, *, title: str = "tqcheck report") -> str:
    """A complete, self-contained page around ``body`` with the report's style, script and CSP."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'{body}\n<div id="tq-pop" class="pop" role="tooltip" hidden></div>\n'
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def render_report_body(report: Report) -> str:
    verdict = ('<span class="verdict pass">Gate passed</span>' if report.gate.passed
               else '<span class="verdict fail">Gate failed</span>')
    reasons = "".join(f"<li>{_e(r)}</li>" for r in report.gate.reasons)
    header = (f"<header><h1>tqcheck report</h1><p>{verdict} · {len(report.documents)} document(s) · "
              f"{len(report.findings)} finding(s)</p>"
              + (f'<ul class="reasons">{reasons}</ul>' if reasons else "") + "</header>")
    skipped = ""
    if report.skipped:
        items = "".join(f"<li><b>{_e(s.signal)}</b>: {_e(s.reason)} <i>Fix:</i> {_e(s.fix)}</li>"
                        for s in report.skipped)
        skipped = f'<section class="skipped"><h3>Skipped signals</h3><ul>{items}</ul></section>'
    docs = "".join(render_document_html(d, f"d{k}") for k, d in enumerate(report.documents))
    signature = _e(json.dumps(report.signature, ensure_ascii=False, default=str))
    footer = f"<footer>tqcheck {_e(__version__)} · signature {signature}</footer>"
    return f"{header}\n{_filters(report)}\n<main>{_charts(report)}{skipped}{docs}</main>\n{footer}"


def render(report: Report, options: RenderOptions) -> str:
    title = "tqcheck report" + (f": {report.documents[0].path}" if len(report.documents) == 1 else "")
    return render_page(render_report_body(report), title=title)
