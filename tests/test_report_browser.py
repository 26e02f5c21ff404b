"""The HTML report in a real headless chromium, kept off the network (see tests/cdp_browser.py).

It renders, our script runs under the CSP, there is one highlight per finding, popovers and filters
work, nothing logs a console error, and a screenshot is kept in tests/artifacts/report.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cdp_browser import Chromium, find_chromium
from tqcheck.cli import app

pytestmark = pytest.mark.browser

CHROMIUM = find_chromium()
ARTIFACTS = Path(__file__).parent / "artifacts"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium; .ci/run does it)")

DOC = """\
# Anti Islamic State coalition : the meeting

How to defeat the Islamic State ? The the strategy <script>window.pwned = 1</script> is "new" &amp; old .

Prices rose  5 percent in Paris ; the coalition met.
"""


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("html")
    doc = folder / "article.md"
    doc.write_text(DOC, encoding="utf-8")
    runner = CliRunner()
    out = folder / "report.html"
    res = runner.invoke(app, ["check", str(doc), "--format", "html", "--output", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(runner.invoke(app, ["check", str(doc), "--format", "json"]).stdout)
    return out, data


@needs_chromium
def test_report_renders_in_headless_chromium(report_html):
    page, data = report_html
    findings = data["documents"][0]["findings"]
    assert len(findings) >= 5
    with Chromium(CHROMIUM) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.documentElement.getAttribute('data-tq-ready')") == "1"
        assert browser.evaluate("typeof window.pwned") == "undefined"
        # One highlight per finding: every finding begins in exactly one mark, and here (no overlaps)
        # there is exactly one mark per finding.
        begins = browser.evaluate(
            "Array.from(document.querySelectorAll('mark.hl[data-begin]'))"
            ".flatMap(m => m.getAttribute('data-begin').split(' '))")
        assert sorted(begins, key=int) == [str(i) for i in range(len(findings))]
        assert browser.evaluate("document.querySelectorAll('mark.hl').length") == len(findings)
        assert browser.evaluate("document.querySelectorAll('ol.tq-findings > li').length") == len(findings)
        # The text reads as typed, markup included.
        assert "<script>window.pwned = 1</script>" in browser.evaluate(
            "document.querySelector('pre.tq-text').textContent")
        # Highlights are visibly coloured.
        colour = browser.evaluate("getComputedStyle(document.querySelector('mark.hl')).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        # Clicking a highlight shows its message, evidence and suggestions in the popover.
        browser.evaluate("document.getElementById('d0-m0').click()")
        assert browser.evaluate("document.getElementById('tq-pop').hidden") is False
        pop_text = browser.evaluate("document.getElementById('tq-pop').textContent")
        assert findings[0]["message"] in pop_text and findings[0]["rule"] in pop_text
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "report.png")
        assert (ARTIFACTS / "report.png").stat().st_size > 10_000
        # Escape closes it; hovering opens it again.
        browser.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
        assert browser.evaluate("document.getElementById('tq-pop').hidden") is True
        browser.evaluate("document.getElementById('d0-m1').dispatchEvent(new MouseEvent('mouseenter'))")
        assert browser.evaluate("document.getElementById('tq-pop').hidden") is False
        # Filters: untick "minor" and every minor finding and its highlight disappear.
        minor = sum(1 for f in findings if f["severity"] == "minor")
        browser.evaluate("""(() => { const box = document.querySelector('input[data-filter=sev][value=minor]');
            box.checked = false; box.dispatchEvent(new Event('change', {bubbles: true})); })()""")
        assert browser.evaluate("document.querySelectorAll('ol.tq-findings > li.off').length") == minor
        assert browser.evaluate("document.querySelectorAll('mark.hl.off').length") == minor
        assert browser.evaluate("document.getElementById('tq-count').textContent") == (
            f"{len(findings) - minor} of {len(findings)} findings shown")
        assert browser.console_errors == []


@needs_chromium
def test_the_csp_blocks_any_other_inline_script(report_html, tmp_path):
    page, _ = report_html
    tampered = tmp_path / "tampered.html"
    html = page.read_text("utf-8").replace("</body>", "<script>document.title = 'pwned';</script></body>")
    tampered.write_text(html, encoding="utf-8")
    with Chromium(CHROMIUM) as browser:
        browser.open(tampered.as_uri())
        assert browser.evaluate("document.title") != "pwned"
        assert browser.evaluate("document.documentElement.getAttribute('data-tq-ready')") == "1"
        assert any("Content Security Policy" in e for e in browser.console_errors), browser.console_errors
