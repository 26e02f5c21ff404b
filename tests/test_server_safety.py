"""`tqcheck serve` safety: size limits, deadline, bounded queue, one check at a time, bearer
token, CORS, security headers, the JSON API and the command line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
requests = pytest.importorskip("requests")

from typer.testing import CliRunner  # noqa: E402

from server_helpers import running_server  # noqa: E402
from tqcheck.cli import app as cli_app  # noqa: E402
from tqcheck.config import Config  # noqa: E402
from tqcheck.errors import ConfigError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def slow_checks(service, seconds: float) -> dict[str, int]:
    """Make every check take ``seconds`` (a stand-in for a slow model) and record how many run
    at the same time."""
    original = service.checker.check_documents
    seen = {"now": 0, "max": 0, "calls": 0}
    lock = threading.Lock()

    def slow(docs):
        with lock:
            seen["now"] += 1
            seen["calls"] += 1
            seen["max"] = max(seen["max"], seen["now"])
        try:
            time.sleep(seconds)
            return original(docs)
        finally:
            with lock:
                seen["now"] -= 1

    service.checker.check_documents = slow
    return seen


def test_text_longer_than_max_chars_is_413() -> None:
    with running_server(max_chars=50) as srv:
        ok = requests.post(srv.url + "/v2/check", data={"text": "a" * 50, "language": "en"}, timeout=30)
        assert ok.status_code == 200
        res = requests.post(srv.url + "/v2/check", data={"text": "é" * 51, "language": "en"}, timeout=30)
        assert res.status_code == 413
        assert "51 characters" in res.json()["error"] and "--max-chars" in res.json()["error"]
        res = requests.post(srv.url + "/api/check", json={"text": "a" * 51}, timeout=30)
        assert res.status_code == 413
        # A body far over the byte limit is refused from its Content-Length, unread.
        huge = b"text=" + b"a" * (srv.app.state.settings.max_body_bytes + 10)
        res = requests.post(
            srv.url + "/v2/check",
            data=huge,
            timeout=30,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert res.status_code == 413 and "larger than" in res.json()["error"]


def test_streamed_body_over_the_limit_is_413() -> None:
    with running_server(max_chars=10) as srv:
        limit = srv.app.state.settings.max_body_bytes

        def chunks():
            for _ in range(limit // 65536 + 2):
                yield b"a" * 65536

        res = requests.post(
            srv.url + "/v2/check",
            data=chunks(),
            timeout=30,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert res.status_code == 413


def test_slow_check_times_out_with_504() -> None:
    with running_server(timeout=0.3) as srv:
        slow_checks(srv.service, 1.0)
        res = requests.post(srv.url + "/v2/check", data={"text": "Hi ?", "language": "en"}, timeout=30)
        assert res.status_code == 504
        assert "longer than 0.3 s" in res.json()["error"] and res.json()["status"] == 504


def test_full_queue_is_503_and_checks_never_overlap() -> None:
    with running_server(queue_size=2, timeout=30) as srv:
        seen = slow_checks(srv.service, 0.4)

        def one(i: int) -> requests.Response:
            return requests.post(
                srv.url + "/v2/check", data={"text": f"Text {i} ?", "language": "en"}, timeout=30
            )

        with ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(one, range(6)))
        codes = sorted(r.status_code for r in responses)
        assert 200 in codes and 503 in codes and set(codes) <= {200, 503}
        busy = [r for r in responses if r.status_code == 503]
        assert all(r.headers["retry-after"] == "1" and "busy" in r.json()["error"] for r in busy)
        ok = [r for r in responses if r.status_code == 200]
        assert all(len(r.json()["matches"]) == 1 for r in ok)
        assert seen["max"] == 1  # the checker is never used by two requests at once
        assert seen["calls"] == len(ok)


def test_parallel_requests_are_serialised_and_all_answered() -> None:
    with running_server(queue_size=16) as srv:
        seen = slow_checks(srv.service, 0.05)
        texts = [f"Request number {i} ?" + " end ." * i for i in range(8)]

        def one(text: str) -> dict:
            return requests.post(
                srv.url + "/v2/check", data={"text": text, "language": "en"}, timeout=30
            ).json()

        with ThreadPoolExecutor(8) as pool:
            bodies = list(pool.map(one, texts))
        assert seen["max"] == 1
        # each answer belongs to its own request (no cross-talk through the shared checker)
        for i, body in enumerate(bodies):
            assert len(body["matches"]) == 1 + i
            assert body["matches"][0]["context"]["text"].startswith(f"Request number {i} ")


def test_bearer_token() -> None:
    with running_server(token="s3cret") as srv:
        url = srv.url + "/v2/check"
        res = requests.post(url, data={"text": "Hi ?", "language": "en"}, timeout=30)
        assert res.status_code == 401 and res.headers["www-authenticate"].startswith("Bearer")
        res = requests.post(
            url,
            data={"text": "Hi ?", "language": "en"},
            timeout=30,
            headers={"Authorization": "Bearer wrong"},
        )
        assert res.status_code == 401
        res = requests.post(
            url,
            data={"text": "Hi ?", "language": "en"},
            timeout=30,
            headers={"Authorization": "Bearer s3cret"},
        )
        assert res.status_code == 200
        # LanguageTool clients cannot set headers but can send LanguageTool's apiKey field.
        res = requests.post(url, data={"text": "Hi ?", "language": "en", "apiKey": "s3cret"}, timeout=30)
        assert res.status_code == 200
        assert requests.post(srv.url + "/api/check", json={"text": "Hi ?"}, timeout=30).status_code == 401
        res = requests.post(
            srv.url + "/api/check",
            json={"text": "Hi ?"},
            timeout=30,
            headers={"Authorization": "Bearer s3cret"},
        )
        assert res.status_code == 200
        # language list, liveness and the page itself stay open
        assert requests.get(srv.url + "/v2/languages", timeout=30).status_code == 200
        assert requests.get(srv.url + "/health", timeout=30).json()["auth"] is True
        assert requests.get(srv.url + "/", timeout=30).status_code == 200


def test_cors_only_for_configured_origins() -> None:
    with running_server(cors_origins=("app://obsidian.md",)) as srv:
        pre = requests.options(
            srv.url + "/v2/check",
            timeout=30,
            headers={
                "Origin": "app://obsidian.md",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "app://obsidian.md"
        res = requests.post(
            srv.url + "/v2/check",
            data={"text": "Hi ?", "language": "en"},
            timeout=30,
            headers={"Origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in res.headers
    with running_server() as srv:
        res = requests.post(
            srv.url + "/v2/check",
            data={"text": "Hi ?", "language": "en"},
            timeout=30,
            headers={"Origin": "app://obsidian.md"},
        )
        assert "access-control-allow-origin" not in res.headers


def test_review_page_is_self_contained_with_strict_csp() -> None:
    with running_server() as srv:
        page = requests.get(srv.url + "/", timeout=30)
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        html = page.text
        assert "<script>" not in html and " style=" not in html
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        refs = [r for r in refs if r != "data:,"]  # the empty favicon
        assert refs and all(r.startswith("/") for r in refs)  # nothing from another host
        for ref in refs:
            assert requests.get(srv.url + ref, timeout=30).status_code == 200
        js = requests.get(srv.url + "/static/review.js", timeout=30).text
        assert "http://" not in js and "https://" not in js


def test_api_check_returns_the_full_report() -> None:
    with running_server() as srv:
        text = "# Title\n\nThe coalition meets ?\n\n```\ncode ?\n```\n"
        res = requests.post(
            srv.url + "/api/check",
            timeout=30,
            json={"text": text, "language": "en", "format": "markdown", "source_language": "fr"},
        )
        report = res.json()
        assert report["version"] and report["summary"]["documents"] == 1
        doc = report["documents"][0]
        assert doc["language"] == "en" and doc["source_language"] == "fr" and doc["format"] == "markdown"
        assert [f["rule"] for f in doc["findings"]] == ["typography.space-before-punctuation"]  # not in code
        assert doc["findings"][0]["start"] == text.index(" ?")
        assert "score" in doc and "skipped" in report and "gate" in report
        # form-encoded works too; a bad format is a 400 with the choices
        res = requests.post(srv.url + "/api/check", data={"text": "Hi ?", "format": "docx"}, timeout=30)
        assert res.status_code == 400 and "text, markdown" in res.json()["error"]


def test_cli_refuses_public_host_without_token() -> None:
    res = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert isinstance(res.exception, ConfigError) and "without --token" in str(res.exception)
    proc = subprocess.run(
        [sys.executable, "-c", "from tqcheck.cli import main; main()", "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "without --token" in proc.stderr


def test_cli_port_in_use_is_one_line() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "tqcheck", "serve", "--port", str(port), "--signals", "rules"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in proc.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_and_stops_cleanly(tmp_path, stop) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tqcheck", "serve", "--port", "0", "--signals", "rules"],
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=tmp_path,
    )
    try:
        line = proc.stderr.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
        assert m, line
        url = m.group(1)
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(url + "/v2/healthcheck", timeout=2).text == "OK":
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.05)
        body = requests.post(url + "/v2/check", data={"text": "Hi ?", "language": "en-US"}, timeout=30).json()
        assert body["matches"][0]["rule"]["id"] == "typography.space-before-punctuation"
    finally:
        proc.send_signal(stop)
        rc = proc.wait(timeout=20)
    assert rc == 0
    rest = proc.stderr.read()
    assert rest.strip().endswith("tqcheck serve: stopped") and "Traceback" not in rest, rest


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["HF_HUB_OFFLINE"] = "1"
    env.pop("TQCHECK_SERVE_TOKEN", None)
    return env


def test_health_lists_signals() -> None:
    with running_server(Config(signals=["rules"])) as srv:
        health = requests.get(srv.url + "/health", timeout=30).json()
        assert health["status"] == "ok" and health["signals"] == ["rules"]
        assert health["queue"] == {"pending": 0, "limit": 16}


def test_unexpected_failure_is_a_json_500_and_the_server_goes_on() -> None:
    with running_server() as srv:
        original = srv.service.checker.check_documents

        def broken(docs):
            raise RuntimeError("boom")

        srv.service.checker.check_documents = broken
        res = requests.post(srv.url + "/v2/check", data={"text": "Hi ?", "language": "en"}, timeout=30)
        assert res.status_code == 500 and res.json() == {
            "error": "internal error (RuntimeError); see the server log",
            "status": 500,
        }
        srv.service.checker.check_documents = original
        res = requests.post(srv.url + "/v2/check", data={"text": "Hi ?", "language": "en"}, timeout=30)
        assert res.status_code == 200


def test_review_payload_counts_utf16_for_javascript() -> None:
    with running_server() as srv:
        text = "Café 😀 ouvert ? Oui .\n"
        res = requests.post(srv.url + "/api/review", json={"text": text, "language": "en"}, timeout=30)
        body = res.json()
        assert body["text"] == text and body["report"]["documents"][0]["language"] == "en"
        starts = [f["start16"] for f in body["findings"]]
        units = text.encode("utf-16-le")
        for f in body["findings"]:
            assert units[f["start16"] * 2 : f["end16"] * 2].decode("utf-16-le") == f["text"] == " "
        assert starts == [
            len(text[: text.index(" ?")].encode("utf-16-le")) // 2,
            len(text[: text.index(" .")].encode("utf-16-le")) // 2,
        ]
        assert "<mark" in body["html"] and "&lt;" not in text
        res = requests.post(srv.url + "/api/review", json={"text": "<script>alert(1)</script> ?"}, timeout=30)
        assert "<script>" not in res.json()["html"] and "&lt;script&gt;" in res.json()["html"]


def test_cli_passes_the_model_options_to_the_checks(monkeypatch) -> None:
    from tqcheck.server import service

    seen = {}

    class Stop(Exception):
        pass

    def capture(cfg, **_kwargs):  # type: ignore[no-untyped-def]
        seen["cfg"] = cfg
        raise Stop

    monkeypatch.setattr(service, "CheckService", capture)
    res = CliRunner().invoke(cli_app, ["serve", "--port", "0", "--backend", "transformers", "--embed-model",
                                       "./minilm", "--rank-embedder", "never", "--device", "cpu"])
    assert isinstance(res.exception, Stop), res.output
    cfg = seen["cfg"]
    assert (cfg.backend, cfg.embed_model, cfg.rank_embedder, cfg.device) == ("transformers", "./minilm", "never", "cpu")
    bad = CliRunner().invoke(cli_app, ["serve", "--rank-embedder", "sometimes"])
    assert isinstance(bad.exception, ConfigError) and "rank_embedder" in str(bad.exception)
