"""The review page in headless Chromium, driven over the DevTools protocol: type or upload a
text, check it, accept one suggestion and reject another, download, compare the file."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
websocket = pytest.importorskip("websocket", reason="websocket-client is needed to drive Chromium")

from server_helpers import running_server  # noqa: E402

CHROMIUM = next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)"
    ),
]
#: Chromium kept off the network: no updates, sync, QUIC or background fetches.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--remote-debugging-port=0", "about:blank",
]  # fmt: skip
TEXT = "Zoë’s café 😀 opened ? Yes , it did .\n\nThe the end."


class Browser:
    """A minimal DevTools client: one websocket to the browser, pages attached in flat mode."""

    def __init__(self, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [CHROMIUM, f"--user-data-dir={profile}", *FLAGS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("Chromium did not start")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=30, suppress_origin=True
        )
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, predicate, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    self.events.remove(event)
                    return event
            self.ws.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
            finally:
                self.ws.settimeout(30)
        raise TimeoutError("event did not arrive")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Page:
    def __init__(self, browser: Browser, downloads: Path) -> None:
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "DOM"):
            browser.send(f"{domain}.enable", session=self.s)
        browser.send(
            "Browser.setDownloadBehavior",
            {"behavior": "allowAndName", "downloadPath": str(downloads), "eventsEnabled": True},
        )
        self.downloads = downloads

    def js(self, expression: str):
        res = self.b.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.s,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"])
        return res["result"].get("value")

    def wait(self, expression: str, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def navigate(self, url: str) -> None:
        self.b.send("Page.navigate", {"url": url}, session=self.s)
        self.wait(
            "document.readyState === 'complete' && document.getElementById('language').options.length > 1"
        )

    def type_into(self, selector: str, text: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.b.send("Input.insertText", {"text": text}, session=self.s)

    def click(self, selector: str) -> None:
        """A real mouse click at the element's centre."""
        box = self.js(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            "el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
            "return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.b.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
                session=self.s,
            )

    def download(self, selector: str) -> tuple[str, str]:
        self.click(selector)
        begin = self.b.wait_event(lambda e: e.get("method") == "Browser.downloadWillBegin")["params"]
        self.b.wait_event(
            lambda e: (
                e.get("method") == "Browser.downloadProgress"
                and e["params"]["guid"] == begin["guid"]
                and e["params"]["state"] == "completed"
            )
        )
        return begin["suggestedFilename"], (self.downloads / begin["guid"]).read_text("utf-8")

    def errors(self) -> list[str]:
        found = []
        for e in self.b.events:
            if e.get("method") == "Runtime.exceptionThrown":
                found.append(str(e["params"]["exceptionDetails"]))
            if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error":
                found.append(e["params"]["entry"]["text"])
        return found


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    with running_server() as srv:
        browser = Browser(profile)
        try:
            p = Page(browser, downloads)
            p.url = srv.url
            yield p
        finally:
            browser.close()


def finding_index(page: Page, rule: str, text_before: str) -> int:
    """Index of the finding of ``rule`` that starts right after ``text_before`` (UTF-16 offsets,
    as the page counts them)."""
    start16 = len(text_before.encode("utf-16-le")) // 2
    found = page.js(f"""window.tqcheckReview.payload().findings
        .filter(f => f.rule === {json.dumps(rule)} && f.start16 === {start16}).map(f => f.index)""")
    assert len(found) == 1, (rule, text_before)
    return found[0]


def test_accept_one_reject_one_and_download(page: Page) -> None:
    page.navigate(page.url + "/")
    page.type_into("#text", TEXT)
    page.click("#check")
    page.wait("document.querySelectorAll('#findings ol.tq-findings > li').length >= 4")
    assert page.js("document.getElementById('status').textContent") == "Checked."
    # the document is drawn by the HTML report's renderer: marks over the spans, its findings list
    # (moved beside the text) with accept / reject controls added
    assert page.js("document.querySelectorAll('#document pre.tq-text mark.hl').length") >= 4
    assert page.js("document.querySelector('#document pre.tq-text').textContent") == TEXT
    assert (
        page.js("document.querySelectorAll('#findings ol.tq-findings > li[data-i] button.reject').length")
        >= 4
    )
    question = finding_index(page, "typography.space-before-punctuation", TEXT[: TEXT.index(" ?")])
    comma = finding_index(page, "typography.space-before-punctuation", TEXT[: TEXT.index(" ,")])
    page.click(f'#findings li[data-i="{question}"] button.accept')
    page.click(f'#findings li[data-i="{comma}"] button.reject')
    assert page.js(f"document.querySelector('#findings li[data-i=\"{question}\"]').className").endswith(
        "accepted"
    )
    assert "rejected" in page.js(f"document.querySelector('#findings li[data-i=\"{comma}\"]').className")
    assert page.js("document.querySelectorAll('#document mark.accepted').length") == 1
    name, content = page.download("#download")
    assert name == "text.corrected.txt"
    assert content == "Zoë’s café 😀 opened? Yes , it did .\n\nThe the end."
    # every safe fix at once (the repeated word is not a safe fix, so it stays)
    page.click("#reset")
    page.click("#accept-safe")
    _, content = page.download("#download")
    assert content == "Zoë’s café 😀 opened? Yes, it did.\n\nThe the end."
    assert page.errors() == []


def test_upload_a_markdown_file(page: Page, tmp_path) -> None:
    page.navigate(page.url + "/")
    source = tmp_path / "article.md"
    source.write_text("# Title ?\n\nSome `code ?` and a question ?\n", "utf-8")
    doc = page.b.send("DOM.getDocument", session=page.s)["root"]["nodeId"]
    node = page.b.send("DOM.querySelector", {"nodeId": doc, "selector": "#file"}, session=page.s)["nodeId"]
    page.b.send("DOM.setFileInputFiles", {"files": [str(source)], "nodeId": node}, session=page.s)
    page.wait("document.getElementById('text').value.length > 0")
    assert page.js("document.getElementById('format').value") == "markdown"
    page.click("#check")
    page.wait("document.querySelectorAll('#findings ol.tq-findings > li').length > 0")
    # Markdown code is not checked: two findings (title and question), not three.
    assert page.js("document.querySelectorAll('#findings ol.tq-findings > li').length") == 2
    page.click("#accept-safe")
    name, content = page.download("#download")
    assert name == "article.corrected.md"
    assert content == "# Title?\n\nSome `code ?` and a question?\n"
    assert page.errors() == []
