"""The HTML report: self-contained, escaped, strict CSP, one highlight per finding, reusable pieces."""

from __future__ import annotations

import base64
import hashlib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from report_fixtures import small_report
from tqcheck.config import Config
from tqcheck.document import Document
from tqcheck.findings import Category, Finding, Severity, Suggestion
from tqcheck.report import render
from tqcheck.report.html import (
    SCRIPT,
    STYLE,
    content_security_policy,
    render_document_html,
    render_page,
)
from tqcheck.results import Report
from tqcheck.scoring import evaluate_gate, score_document
from tqcheck.segment import segment

EVIL = '<script>alert("x")</script> &amp; &lt;b&gt; "quoted" \'single\' ?'


def _report_with(text: str, findings: list[Finding], path: str = "evil.txt") -> Report:
    doc = segment(Document(text=text, path=path))
    report = Report(documents=[score_document(doc, findings, Config())])
    report.gate = evaluate_gate(report, Config())
    return report


def _evil_report() -> Report:
    start = EVIL.index("<script>")
    return _report_with(EVIL, [
        Finding(rule="x.script", category=Category.ACCURACY, severity=Severity.CRITICAL, start=start,
                end=start + len('<script>alert("x")</script>'),
                message='Message with <img src=x onerror=alert(1)> & "quotes"',
                suggestions=[Suggestion('</textarea><script>bad()</script>', sentence="<i>sentence</i>")],
                evidence={"<key>": "<value onload=x>", "n": 0.123456789}),
        Finding(rule="x.space", category=Category.LOCALE_CONVENTION, severity=Severity.MINOR,
                start=len(EVIL) - 2, end=len(EVIL) - 1, message="Space before ?"),
    ], path='<img src=x onerror="alert(1)">.txt')


def _text_content(html: str) -> str:
    """Undo escaping the way a browser would, to compare visible text."""
    import html as h

    return h.unescape(re.sub(r"<[^>]+>", "", html))


def test_every_piece_of_input_text_is_escaped():
    page = render(_evil_report(), "html")
    # The only <script> element is ours; no attacker markup survives as markup.
    assert page.count("<script>") == 1 and page.count("</script>") == 1
    assert "<img" not in page and "onerror=\"" not in page and "<i>" not in page and "</textarea>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page and "&amp;lt;b&amp;gt;" in page  # entities shown as typed, not decoded
    assert "&#x27;single&#x27;" in page and "&quot;quoted&quot;" in page
    assert "&lt;key&gt;" in page and "&lt;value onload=x&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.txt" in page  # the path, in title and heading
    # The highlighted text reads exactly as the original once the browser decodes it.
    body = re.search(r'<pre class="tq-text"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert _text_content(body) == EVIL


def test_page_is_self_contained_with_a_strict_csp():
    page = render(small_report(), "html")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert csp == content_security_policy()
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # The hashes in the policy are those of the one inline style and the one inline script.
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    assert (style, script) == (STYLE, SCRIPT)
    for body, directive in ((style, "style-src"), (script, "script-src")):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    # Nothing is fetched: no external URL in any src/href, no inline style attributes or handlers.
    assert not re.search(r'(?:src|href)="(?!#|data:)', page)
    assert not re.search(r"\sstyle=", page) and not re.search(r"\son[a-z]+=", page)
    assert "<svg" in page and "Findings by category" in page and "Segment scores" in page


def test_one_highlight_begins_per_finding_even_when_spans_overlap_or_are_empty():
    text = "alpha beta gamma delta\n"
    findings = [
        Finding(rule="a.outer", category=Category.FLUENCY, severity=Severity.MINOR, start=0, end=16, message="o"),
        Finding(rule="a.inner", category=Category.STYLE, severity=Severity.CRITICAL, start=6, end=10,
                message="i"),
        Finding(rule="a.cross", category=Category.ACCURACY, severity=Severity.MAJOR, start=11, end=22,
                message="c"),
        Finding(rule="a.insert", category=Category.FLUENCY, severity=Severity.MINOR, start=5, end=5,
                message="missing word"),
    ]
    section = render_document_html(_report_with(text, findings).documents[0], "dx")
    begins = [b for m in re.findall(r'data-begin="([^"]+)"', section) for b in m.split()]
    assert sorted(begins, key=int) == ["0", "1", "2", "3"]
    for i in range(4):  # each finding's list entry links to the mark where it begins
        assert re.search(rf'<li id="dx-f{i}"', section)
    # The run covered by the critical finding is coloured critical; the plain run after "delta" has no mark.
    assert re.search(r'<mark class="hl sev-critical" data-f="0 1"[^>]*>beta</mark>', section)
    assert '<mark class="hl sev-minor ins" data-f="3"' in section
    assert _text_content(re.search(r"<pre[^>]*>(.*?)</pre>", section, re.S).group(1)) == text


def test_render_document_html_and_render_page_are_reusable():
    result = small_report().documents[0]
    section = render_document_html(result, "review1")
    assert section.startswith('<section class="tq-doc" id="review1" data-doc="review1">')
    assert 'id="review1-m0"' in section and 'id="review1-f2"' in section and 'id="review1-s0"' in section
    page = render_page(f"<h1>Review</h1>{section}", title="Review <1>")
    assert "<title>Review &lt;1&gt;</title>" in page and section in page
    assert page.count("<script>") == 1


def test_baseline_known_findings_are_marked():
    report = small_report()
    report.documents[0].baseline_known = {0}
    page = render(report, "html")
    assert "known in the baseline" in page and 'data-filter="known"' in page
    assert re.search(r'<li id="d0-f0"[^>]* data-known>', page)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_highlighting_keeps_the_text_and_begins_each_finding_once(data):
    text = data.draw(st.text(alphabet=st.sampled_from(list("ab <>&\"'\n😀é ")), max_size=40))
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), max_size=6))
    findings = [
        Finding(rule=f"p.r{k}", category=Category.FLUENCY, severity=list(Severity)[k % 3],
                start=min(a, b), end=max(a, b), message=f"m{k}")
        for k, (a, b) in enumerate(spans)
    ]
    section = render_document_html(_report_with(text, findings).documents[0], "h")
    body = re.search(r'<pre class="tq-text"[^>]*>(.*?)</pre>', section, re.S).group(1)
    assert _text_content(body) == text
    begins = sorted(int(b) for m in re.findall(r'data-begin="([^"]+)"', section) for b in m.split())
    assert begins == list(range(len(findings)))
    # Marks never nest (overlaps are split into runs instead).
    assert "<mark" not in "".join(re.findall(r"<mark[^>]*>(.*?)</mark>", body, re.S))
