"""Batch runs through the CLI: discovery, failed documents, report directory, summaries, safety."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tqcheck.batch import BatchOptions, discover, report_name, run_batch, safe_join
from tqcheck.cli import main
from tqcheck.config import Config
from tqcheck.errors import OutputError

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_f567bacb1f41f539.txt"
GOOD = "The coalition met in Paris on Tuesday. Its members agreed on a plan."
FRENCHY = "How to defeat the Islamic State ? The raids , so far , have not stopped them !"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["check", *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def summary_without_run(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    data.pop("run")
    return data


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / ".git").mkdir()
    (d / "good.txt").write_text(GOOD, "utf-8")
    (d / "sub" / "garbled.md").write_text("# Title\n\n" + FRENCHY + "\n", "utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (d / ".hidden.txt").write_text(FRENCHY, "utf-8")
    (d / ".git" / "config").write_text(FRENCHY, "utf-8")
    return d


def test_mixed_directory_reports_every_readable_document_and_each_failure(
        mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, _err = cli(capsys, str(mixed), "--report-dir", str(out_dir), "--signals", "rules")
    assert code == 2  # some documents could not be read; the batch still finished
    assert "checked 2 of 4 documents (2 failed)" in out
    assert "binary.bin: looks like a binary file" in out and "empty.txt: the file is empty" in out
    reports = sorted(p.name for p in (out_dir / "reports").iterdir())
    assert len(reports) == 2 and all(r.endswith(".json") for r in reports)
    summary = json.loads((out_dir / "summary.json").read_text("utf-8"))
    assert summary["status"] == "complete"
    assert summary["totals"]["documents"] == 4 and summary["totals"]["checked"] == 2
    failed = {f["path"]: f["error"] for f in summary["failed"]}
    assert set(failed) == {f"{mixed}/binary.bin", f"{mixed}/empty.txt"}
    by_path = {d["path"]: d for d in summary["documents"]}
    garbled = by_path[f"{mixed}/sub/garbled.md"]
    assert garbled["by_rule"]["typography.space-before-punctuation"] == 4
    assert by_path[f"{mixed}/good.txt"]["findings"] == 0
    assert summary["worst"][0]["path"] == f"{mixed}/sub/garbled.md"
    # each per-document report is a full JSON report of that one document
    report = json.loads((out_dir / garbled["report"]).read_text("utf-8"))
    assert [d["path"] for d in report["documents"]] == [f"{mixed}/sub/garbled.md"]
    assert len(report["documents"][0]["findings"]) == 4
    # CSV: one row per document, failures with their reason
    rows = list(csv.DictReader((out_dir / "summary.csv").open(encoding="utf-8")))
    assert [r["status"] for r in rows] == ["error", "error", "ok", "ok"]
    assert rows[0]["error"].endswith("looks like a binary file, not text; give a text document")
    # HTML dashboard names the failures and the worst document
    html = (out_dir / "summary.html").read_text("utf-8")
    assert "Documents not checked (2)" in html and "garbled.md" in html
    assert ".hidden" not in json.dumps(summary) and ".git" not in json.dumps(summary)


def test_include_exclude_and_report_dir_inside_input(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = mixed / "reports-out"
    code, out, _ = cli(capsys, str(mixed), "--include", "*.txt,*.md", "--exclude", "empty.*",
                       "--report-dir", str(out_dir), "--signals", "rules")
    assert code == 0, out
    ids = [d["id"] for d in json.loads((out_dir / "summary.json").read_text())["documents"]]
    assert ids == [f"{mixed}/good.txt", f"{mixed}/sub/garbled.md"]
    # a second run does not pick up its own reports as documents
    code, out, _ = cli(capsys, str(mixed), "--include", "*.txt,*.md", "--exclude", "empty.*",
                       "--report-dir", str(out_dir), "--signals", "rules")
    assert json.loads((out_dir / "summary.json").read_text())["totals"]["documents"] == 2


def test_jsonl_and_csv_tables_one_document_per_row(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    jl = tmp_path / "docs.jsonl"
    jl.write_text("\n".join([
        json.dumps({"id": "a", "text": GOOD}),
        json.dumps({"id": "b", "text": FRENCHY, "source": "Comment vaincre l'État islamique ?"}),
        "{not json",
        json.dumps({"id": "a", "text": "duplicate"}),
        json.dumps({"id": "c", "text": 5}),
        "",
        json.dumps({"text": "No id , so the line number is the id."}),
    ]) + "\n", "utf-8")
    table = tmp_path / "docs.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Text", "source"])
        w.writerow(["x1", FRENCHY, ""])
        w.writerow(["=cmd()", GOOD, "Une phrase."])
    out_dir = tmp_path / "out"
    code, _out, _ = cli(capsys, str(jl), str(table), "--report-dir", str(out_dir), "--signals", "rules")
    assert code == 2
    summary = json.loads((out_dir / "summary.json").read_text())
    docs = {d["id"]: d for d in summary["documents"]}
    assert docs[f"{jl}#a"]["findings"] == 0
    assert docs[f"{jl}#b"]["findings"] == 4
    assert docs[f"{jl}#7"]["findings"] == 1
    assert docs[f"{table}#x1"]["findings"] == 4
    errors = [f["error"] for f in summary["failed"]]
    assert any("invalid JSON" in e and ":3:" in e for e in errors)
    assert any("duplicate id 'a'" in e for e in errors)
    assert any("'text' must be a string" in e for e in errors)
    assert docs[f"{table}#=cmd()"]["findings"] == 0


def test_csv_summary_neutralises_formulas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("=HYPERLINK(1).jsonl").write_text(json.dumps({"id": "@x", "text": GOOD}) + "\n", "utf-8")
    code, _, _ = cli(capsys, "=HYPERLINK(1).jsonl", "--report-dir", "out", "--signals", "rules")
    assert code == 0
    with Path("out/summary.csv").open(encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["id"] == "'=HYPERLINK(1).jsonl#@x" and row["score"] == "100.00"


def test_table_without_text_column_is_a_plain_document(tmp_path: Path) -> None:
    p = tmp_path / "notes.csv"
    p.write_text("name,value\nspace ,1\n", "utf-8")
    items = discover([str(p)])
    assert [(i.kind, i.id) for i in items] == [("file", str(p))]


@pytest.mark.parametrize("doc_id", [
    "../../etc/passwd", "/etc/passwd", "..", ".", "", "a/../../b", "C:\\Windows\\..\\x", "CON",
    "\u00e9t\u00e9/\u2028x", "..\\..\\evil", "x" * 500, "/", "~/.bashrc",
])
def test_report_names_never_escape(tmp_path: Path, doc_id: str) -> None:
    name = report_name(doc_id)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name), name
    assert ".." not in name and len(name) <= 100
    target = safe_join(tmp_path, "reports", name + ".json")
    assert tmp_path.resolve() in target.parents
    assert report_name(doc_id) == name  # stable across runs (resume relies on it)


def test_report_names_distinct_for_ids_that_sanitise_alike() -> None:
    assert report_name("a/b") != report_name("a_b") != report_name("a:b")


def test_safe_join_refuses_escape(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        safe_join(tmp_path, "..", "x")
    with pytest.raises(OutputError):
        safe_join(tmp_path, "/etc/passwd")


def test_hostile_ids_stay_inside_and_html_is_escaped(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    jl = tmp_path / "hostile.jsonl"
    hostile = ["../../../escape", "/tmp/absolute", "<script>alert(1)</script>", "..", "a\\..\\..\\b"]
    jl.write_text("".join(json.dumps({"id": h, "text": FRENCHY}) + "\n" for h in hostile), "utf-8")
    out_dir = tmp_path / "deep" / "out"
    code, _, _ = cli(capsys, str(jl), "--report-dir", str(out_dir), "--signals", "rules")
    assert code == 0
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != jl]
    assert written and all(out_dir.resolve() in p.resolve().parents for p in written)
    assert len(list((out_dir / "reports").iterdir())) == len(hostile)
    html = (out_dir / "summary.html").read_text("utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "script-src 'none'" in csp and "unsafe-inline" not in csp
    # the stylesheet's hash is the one the policy allows
    import base64
    import hashlib

    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing external


def test_compare_with_previous_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(GOOD, "utf-8")
    (d / "b.txt").write_text(FRENCHY, "utf-8")
    first = tmp_path / "run1"
    cli(capsys, str(d), "--report-dir", str(first), "--signals", "rules")
    (d / "a.txt").write_text(GOOD + " It failed , again .", "utf-8")
    (d / "b.txt").unlink()
    (d / "c.txt").write_text(GOOD, "utf-8")
    second = tmp_path / "run2"
    code, out, _ = cli(capsys, str(d), "--report-dir", str(second), "--signals", "rules",
                       "--compare", str(first / "summary.json"))
    assert code == 0
    comp = json.loads((second / "summary.json").read_text())["comparison"]
    assert [c["id"] for c in comp["regressed"]] == [f"{d}/a.txt"]
    assert comp["regressed"][0]["findings_delta"] == 2
    assert comp["new_documents"] == [f"{d}/c.txt"] and comp["removed_documents"] == [f"{d}/b.txt"]
    assert comp["by_rule"][0]["rule"] == "typography.space-before-punctuation"
    html = (second / "summary.html").read_text("utf-8")
    assert "Comparison with the previous run" in html and "Regressed documents (1)" in html
    assert "compared with" in out
    # a file that is not a summary is a one-line error
    code, _, err = cli(capsys, str(d), "--report-dir", str(second), "--compare", str(d / "a.txt"))
    assert code == 2 and err.count("\n") == 1 and "not a tqcheck batch summary" in err


def test_resume_skips_finished_documents_and_rechecks_changed_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    for i in range(5):
        (d / f"{i}.txt").write_text(FRENCHY if i % 2 else GOOD, "utf-8")
    out_dir = tmp_path / "out"
    cli(capsys, str(d), "--report-dir", str(out_dir), "--signals", "rules", "--chunk-size", "2")
    before = summary_without_run(out_dir / "summary.json")
    stamps = {p.name: p.stat().st_mtime_ns for p in (out_dir / "reports").iterdir()}
    (d / "1.txt").write_text(GOOD, "utf-8")
    code, _, err = cli(capsys, str(d), "--report-dir", str(out_dir), "--signals", "rules", "--resume")
    assert code == 0 and "resuming: 4 of 5 documents already done" in err
    after = {p.name: p.stat().st_mtime_ns for p in (out_dir / "reports").iterdir()}
    changed = [n for n in stamps if stamps[n] != after[n]]
    assert len(changed) == 1 and changed[0].startswith(report_name(f"{d}/1.txt")[:10])
    now = summary_without_run(out_dir / "summary.json")
    assert now["totals"]["findings"] == before["totals"]["findings"] - 4
    # different settings: nothing is reused
    code, _, err = cli(capsys, str(d), "--report-dir", str(out_dir), "--signals", "rules", "--resume",
                       "--ignore", "typography.doubled-space")
    assert "resuming" not in err


def test_combined_report_without_report_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.txt"
    a.write_text(FRENCHY, "utf-8")
    code, out, _ = cli(capsys, str(a), str(tmp_path / "missing.txt"), "-f", "json", "--signals", "rules")
    assert code == 2
    report = json.loads(out)
    assert report["summary"]["documents"] == 2 and report["summary"]["failed_documents"] == 1
    assert report["documents"][1]["error"].endswith("missing.txt: no such file or directory")
    assert report["documents"][0]["findings"]


def test_single_document_path_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.txt"
    a.write_text(FRENCHY, "utf-8")
    code, out, err = cli(capsys, str(a), "--signals", "rules", "--no-color")
    assert code == 0 and "typography.space-before-punctuation" in out and err == ""
    code, out, err = cli(capsys, str(tmp_path / "missing.txt"))
    assert code == 2 and out == "" and err == f"tqcheck: error: {tmp_path / 'missing.txt'}: no such file\n"


def test_batch_usage_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.txt"
    a.write_text(GOOD, "utf-8")
    for args, message in [
        ([str(a), str(a), "--resume"], "--resume needs --report-dir"),
        ([str(tmp_path), "--engine", "spark", "--report-dir", str(tmp_path / "o")], "unknown engine"),
        ([str(tmp_path), "--engine", "ray"], "--engine ray writes one report per document"),
        ([str(tmp_path), "--include", "*.nothing"], "is a directory with no documents to check"),
        ([str(tmp_path), "--chunk-size", "0", "--report-dir", str(tmp_path / "o")], "--chunk-size"),
        ([str(tmp_path), "--report-dir", str(a)], "must be a directory"),
    ]:
        code, _out, err = cli(capsys, *args)
        assert code == 2 and err.count("\n") == 1 and message in err, (args, err)


def test_a_signal_crash_on_one_document_spares_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tqcheck import signals
    from tqcheck.signals.base import Signal, SignalOutput

    class Fragile(Signal):
        name = "fragile"

        def check_document(self, doc):  # type: ignore[no-untyped-def]
            if "boom" in doc.text:
                raise RuntimeError("model exploded")
            return SignalOutput()

    monkeypatch.setitem(signals.REGISTRY, "fragile", f"{__name__}:Fragile")
    globals()["Fragile"] = Fragile
    for name, text in [("a.txt", GOOD), ("b.txt", "boom " + GOOD), ("c.txt", FRENCHY)]:
        (tmp_path / name).write_text(text, "utf-8")
    items = discover([str(tmp_path)])
    result = run_batch(items, Config(signals=["rules", "fragile"]), BatchOptions(report_dir=tmp_path / "o",
                                                                                 fmt="json"))
    status = {r["path"].rsplit("/", 1)[-1]: (r["status"], r["error"]) for r in result.records}
    assert status["a.txt"] == ("ok", None) and status["c.txt"][0] == "ok"
    assert status["b.txt"][0] == "error"
    assert "check failed (RuntimeError: model exploded)" in status["b.txt"][1]
    assert result.exit_code == 2


def test_report_format_follows_format_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(FRENCHY, "utf-8")
    code, _, _ = cli(capsys, str(tmp_path / "in"), "--report-dir", str(tmp_path / "o"), "-f", "markdown",
                     "--signals", "rules")
    assert code == 0
    [report] = (tmp_path / "o" / "reports").iterdir()
    assert report.suffix == ".md" and "space-before-punctuation" in report.read_text("utf-8")


def test_progress_is_off_without_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tqcheck.batch import progress_enabled

    assert not progress_enabled(quiet=True)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, "utf-8")
    _, _, err = cli(capsys, str(tmp_path / "in"), "--report-dir", str(tmp_path / "o"), "--signals", "rules")
    assert err == ""  # stderr is not a terminal under pytest: no bar, no noise


def test_seed_in_a_batch_matches_the_single_document_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    doc = tmp_path / "in" / "seed.txt"
    doc.write_bytes(SEED.read_bytes())
    _, single, _ = cli(capsys, str(doc), "-f", "json", "--signals", "rules")
    cli(capsys, str(tmp_path / "in"), "--report-dir", str(tmp_path / "o"), "--signals", "rules")
    [report] = (tmp_path / "o" / "reports").iterdir()
    assert json.loads(report.read_text("utf-8"))["documents"] == json.loads(single)["documents"]


def test_combined_batch_honours_baseline_and_extra_reports(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(FRENCHY, "utf-8")
    args = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--signals", "rules", "--fail-on", "minor"]
    code, _, _ = cli(capsys, *args)
    assert code == 1
    code, _, err = cli(capsys, *args, "--write-baseline", str(tmp_path / "base.json"),
                       "--report", f"markdown={tmp_path / 'r.md'}")
    assert code == 0 and "wrote 8 finding(s)" in err and (tmp_path / "r.md").is_file()
    code, _, _ = cli(capsys, *args, "--baseline", str(tmp_path / "base.json"))
    assert code == 0
    code, _, err = cli(capsys, *args, "--baseline", str(tmp_path / "base.json"), "--report-dir",
                       str(tmp_path / "o"))
    assert code == 2 and "--baseline, --write-baseline and --report work on one combined report" in err


def test_html_reports_per_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tqcheck.report import RENDERERS

    if "html" not in RENDERERS:
        pytest.skip("no html renderer registered")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(FRENCHY, "utf-8")
    code, _, _ = cli(capsys, str(tmp_path / "in"), "--report-dir", str(tmp_path / "o"), "-f", "html",
                     "--signals", "rules")
    assert code == 0
    [report] = (tmp_path / "o" / "reports").iterdir()
    assert report.suffix == ".html" and "space-before-punctuation" in report.read_text("utf-8")
    summary = json.loads((tmp_path / "o" / "summary.json").read_text("utf-8"))
    assert summary["worst"][0]["report"] == f"reports/{report.name}"


def test_one_run_per_report_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fcntl = pytest.importorskip("fcntl")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(GOOD, "utf-8")
    out_dir = tmp_path / "o"
    (out_dir / ".tqcheck-state").mkdir(parents=True)
    with (out_dir / ".tqcheck-state" / "lock").open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        code, _, err = cli(capsys, str(tmp_path / "in"), "--report-dir", str(out_dir))
        assert code == 2 and "another tqcheck run is writing to this report directory" in err
    code, _, _ = cli(capsys, str(tmp_path / "in"), "--report-dir", str(out_dir), "--signals", "rules")
    assert code == 0


def test_batch_runs_model_signals_in_pooled_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The round-trip signal through a batch, with tiny random Marian models loaded by the real code."""
    from mt_fixtures import tiny_pair

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-empty"))
    en_fr, fr_en = tiny_pair(tmp_path)
    docs = tmp_path / "in"
    docs.mkdir()
    for i, text in enumerate([GOOD, FRENCHY, "The coalition meets in Paris on Tuesday.", GOOD + " Again."]):
        (docs / f"{i}.txt").write_text(text, "utf-8")
    args = [str(docs), "--report-dir", str(tmp_path / "o"), "--signals", "rules,roundtrip",
            "--source-lang", "fr", "--mt-model", f"en-fr={en_fr}", "--mt-model", f"fr-en={fr_en}",
            "--chunk-size", "3", "--no-cache"]
    code, out, _ = cli(capsys, *args)
    assert code in (0, 1), out
    summary = json.loads((tmp_path / "o" / "summary.json").read_text("utf-8"))
    assert summary["totals"]["checked"] == 4, out
    assert not [s for s in summary["skipped"] if s["signal"] == "roundtrip"], summary["skipped"]
    assert "roundtrip" in summary["signature"]
    for entry in summary["documents"]:
        report = json.loads((tmp_path / "o" / entry["report"]).read_text("utf-8"))
        segments = report["documents"][0]["segments"]
        assert segments and all("roundtrip" in s["signals"] for s in segments), segments
