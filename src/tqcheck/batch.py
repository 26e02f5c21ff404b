"""Batch runs: many documents from paths, directories and JSONL/CSV tables, checked in chunks by an
engine (local or Ray), with per-document results persisted atomically so an interrupted run resumes.

Layout of a report directory::

    DIR/reports/<name>.<ext>      one report per readable document (--format, default json)
    DIR/.tqcheck-state/<name>.json  the per-document record (written after its report): resume reads these
    DIR/summary.json, summary.csv, summary.html

``<name>`` is derived from the document id but can never leave the directory: unsafe characters
become ``_`` and a hash of the full id keeps names unique (see :func:`report_name`).
Only light imports here: engines, rich and the renderers load on first use.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import fnmatch
import hashlib
import io
import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqcheck.errors import (
    EXIT_GATE_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    InputError,
    OutputError,
    TqcheckError,
)

#: Inputs read as tables of documents (one per row) when their rows carry a ``text`` field.
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv"}
STATE_DIR = ".tqcheck-state"
REPORTS_DIR = "reports"
#: Report file suffix per format; unknown formats use the format name.
REPORT_SUFFIXES = {"json": ".json", "text": ".txt", "markdown": ".md", "html": ".html",
                   "sarif": ".sarif", "junit": ".xml", "github": ".txt"}
DEFAULT_CHUNK = 32
STATE_VERSION = 1


class BatchInterrupted(TqcheckError):
    """Ctrl-C or SIGTERM: finished documents are on disk, the rest resumes with ``--resume``."""

    exit_code = 130


@dataclass
class BatchItem:
    """One document to check: a file, a row of a JSONL/CSV table, or an input that already failed."""

    id: str
    path: str
    kind: str = "file"  # "file" | "row" | "error"
    text: str | None = None
    source: str | None = None
    error: str | None = None
    #: Changes when the input changes (file size + mtime, or a hash of the row): resume checks it.
    fingerprint: str = ""

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> BatchItem:
        return cls(**json.loads(data))


# --------------------------------------------------------------------------------------------
# Discovery


def _matches(rel: str, patterns: Sequence[str]) -> bool:
    """A glob matches the path relative to the directory given, or the file name alone."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) or
               (p.startswith("**/") and fnmatch.fnmatchcase(rel, p[3:])) for p in patterns)


def _file_item(path: Path, display: str) -> BatchItem:
    try:
        st = path.stat()
    except OSError as exc:
        return BatchItem(display, display, "error", error=f"{display}: cannot read ({exc.strerror or exc})")
    return BatchItem(display, display, "file", fingerprint=f"{st.st_size}:{st.st_mtime_ns}")


def _walk(root: Path, shown: str, include: Sequence[str], exclude: Sequence[str],
          skip: set[Path]) -> Iterator[tuple[Path, str]]:
    """Files under ``root`` in a stable order; hidden entries and the report directory are skipped."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and _resolved(here / d) not in skip)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = here / name
            rel = full.relative_to(root).as_posix()
            if include and not _matches(rel, include):
                continue
            if exclude and _matches(rel, exclude):
                continue
            yield full, (rel if shown in ("", ".") else f"{shown.rstrip('/')}/{rel}")


def _resolved(p: Path) -> Path:
    try:
        return p.resolve()
    except OSError:
        return p.absolute()


def is_table(path: str | os.PathLike[str]) -> bool:
    """Whether a file is a table of documents: a JSONL/CSV file whose rows have a ``text`` field."""
    p = Path(path)
    if p.suffix.lower() not in TABLE_SUFFIXES or not p.is_file():
        return False
    try:
        with p.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
            if p.suffix.lower() == ".csv":
                header = next(csv.reader(fh), [])
                return "text" in [h.strip().lower() for h in header]
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    return isinstance(row, dict) and "text" in row
    except (OSError, ValueError, csv.Error):
        return False
    return False


def read_table(path: Path, display: str) -> list[BatchItem]:
    """One item per row (``id``, ``text``, optional ``source``); a bad row becomes an error item."""
    items: list[BatchItem] = []
    seen: dict[str, int] = {}

    def add(number: int, row: Any) -> None:
        where = f"{display}:{number}"
        if not isinstance(row, dict):
            items.append(BatchItem(f"{display}#{number}", where, "error",
                                   error=f"{where}: a row must be an object with 'id' and 'text'"))
            return
        rid = row.get("id")
        rid = str(number) if rid is None or str(rid).strip() == "" else str(rid).strip()
        doc_id = f"{display}#{rid}"
        text, source = row.get("text"), row.get("source")
        if rid in seen:
            items.append(BatchItem(f"{doc_id}@{number}", where, "error",
                                   error=f"{where}: duplicate id {rid!r} (first on line/row {seen[rid]})"))
            return
        seen[rid] = number
        if not isinstance(text, str):
            items.append(BatchItem(doc_id, doc_id, "error", error=f"{where}: 'text' must be a string"))
            return
        if source is not None and not isinstance(source, str):
            items.append(BatchItem(doc_id, doc_id, "error", error=f"{where}: 'source' must be a string"))
            return
        digest = hashlib.sha256(json.dumps([text, source], ensure_ascii=False).encode("utf-8",
                                "surrogatepass")).hexdigest()[:16]
        items.append(BatchItem(doc_id, doc_id, "row", text=text, source=source or None, fingerprint=digest))

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [BatchItem(display, display, "error", error=f"{display}: cannot read ({exc.strerror or exc})")]
    try:
        data = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [BatchItem(display, display, "error",
                          error=f"{display}: not valid UTF-8 (byte {exc.start}); re-save the table as UTF-8")]
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        try:
            reader = csv.DictReader(io.StringIO(data, newline=""))
            if reader.fieldnames:
                reader.fieldnames = [f.strip().lower() for f in reader.fieldnames]
            for number, row in enumerate(reader, start=2):
                add(number, {k: v for k, v in row.items() if k is not None})
        except csv.Error as exc:
            items.append(BatchItem(f"{display}#csv-error", display, "error",
                                   error=f"{display}: invalid CSV ({exc})"))
        return items
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            items.append(BatchItem(f"{display}#line-{number}", f"{display}:{number}", "error",
                                   error=f"{display}:{number}: invalid JSON ({exc})"))
            continue
        add(number, row)
    return items


def discover(paths: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = (),
             report_dir: str | os.PathLike[str] | None = None) -> list[BatchItem]:
    """Expand paths, directories (recursive, include/exclude globs) and tables into items.

    A path that does not exist becomes an error item (the batch goes on); the same file reached
    twice is checked once. Order: as given, directory contents sorted.
    """
    skip = {_resolved(Path(report_dir))} if report_dir else set()
    items: list[BatchItem] = []
    seen: set[Path] = set()

    def add_file(p: Path, display: str) -> None:
        key = _resolved(p)
        if key in seen:
            return
        seen.add(key)
        if is_table(p):
            items.extend(read_table(p, display))
        else:
            items.append(_file_item(p, display))

    for raw in paths:
        p = Path(raw)
        if raw == "-":
            items.append(BatchItem("-", "-", "error",
                                   error="-: stdin cannot be part of a batch; give files or directories"))
        elif p.is_dir():
            for full, display in _walk(p, raw, include, exclude, skip):
                add_file(full, display)
        elif p.exists():
            add_file(p, raw)
        else:
            items.append(BatchItem(raw, raw, "error", error=f"{raw}: no such file or directory"))
    return items


def wants_batch(paths: Sequence[str], *, report_dir: object = None, resume: bool = False,
                engine: str = "local", compare: object = None) -> bool:
    """A single plain file without batch options keeps the single-document path untouched."""
    if len(paths) != 1 or report_dir is not None or resume or engine != "local" or compare is not None:
        return True
    p = paths[0]
    return p != "-" and (Path(p).is_dir() or is_table(p))


# --------------------------------------------------------------------------------------------
# Safe report names


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_name(doc_id: str) -> str:
    """A file-name stem for a document id that can never escape a directory.

    Path separators, ``..``, drive letters and anything outside ``[A-Za-z0-9._-]`` become ``_``;
    leading dots are removed (no hidden files, no ``..``); a hash of the full id keeps two ids
    that sanitise alike apart and keeps Windows device names (``CON``) harmless.
    """
    stem = re.sub(r"\.{2,}", "_", _UNSAFE.sub("_", doc_id)).strip("._-")[:80].rstrip("._-") or "document"
    digest = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{stem}-{digest}"


def safe_join(root: Path, *parts: str) -> Path:
    """``root/parts`` after checking the result really is inside ``root`` (defence in depth)."""
    base = root.resolve()
    target = base.joinpath(*parts).resolve()
    if target.parent != base and base not in target.parents:
        raise OutputError(f"{target}: refusing to write outside the report directory {base}")
    return target


# --------------------------------------------------------------------------------------------
# Checking a chunk (shared by every engine; runs in the worker)


def _load(item: BatchItem, input_format: str):  # type: ignore[no-untyped-def]
    from tqcheck.formats import document_from_text, read_document

    if item.kind == "error":
        raise InputError(item.error or f"{item.path}: cannot be read")
    if item.kind == "row":
        assert item.text is not None
        if not item.text.strip():
            raise InputError(f"{item.path}: the row has no text; nothing to check")
        fmt = "text" if input_format == "auto" else input_format
        doc = document_from_text(item.text, item.path, fmt)
        doc.source_text = item.source
        return doc
    return read_document(item.path, None if input_format == "auto" else input_format)


def _record(item: BatchItem, result: Any, report_path: str | None, gate_reasons: list[str],
            skipped: list[dict[str, str]], signature: dict[str, Any], error: str | None) -> dict[str, Any]:
    from tqcheck.scoring import severity_counts

    rec: dict[str, Any] = {
        "id": item.id,
        "path": item.path,
        "status": "error" if error else "ok",
        "error": error,
        "report": report_path,
        "fingerprint": item.fingerprint,
    }
    if error is None:
        by_rule: dict[str, int] = {}
        by_category: dict[str, int] = {}
        rule_category: dict[str, str] = {}
        for f in result.findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
            by_category[f.category.value] = by_category.get(f.category.value, 0) + 1
            rule_category[f.rule] = f.category.value
        rec.update({
            "score": result.score,
            "words": result.words,
            "segments": len(result.document.segments),
            "findings": len(result.findings),
            "by_severity": severity_counts(result.findings),
            "by_rule": dict(sorted(by_rule.items())),
            "by_category": dict(sorted(by_category.items())),
            "rule_category": dict(sorted(rule_category.items())),
            "category_scores": result.category_scores,
            "gate_reasons": gate_reasons,
        })
    rec["skipped"] = skipped
    rec["signature"] = signature
    return rec


@dataclass
class ChunkOutput:
    """What a worker sends back per document: its record and its rendered report (or None)."""

    record: dict[str, Any]
    report_text: str | None
    #: The full result, only when the engine runs in-process (combined reports without --report-dir).
    result: Any = None


def check_chunk(checker: Any, items: Sequence[BatchItem], fmt: str | None) -> list[ChunkOutput]:
    """Read, check (pooled across the chunk) and render each document; failures become error records."""
    from tqcheck.document import Document
    from tqcheck.results import DocumentResult

    docs: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for i, item in enumerate(items):
        try:
            docs[i] = _load(item, checker.config.input_format)
        except TqcheckError as exc:
            errors[i] = str(exc)
        except Exception as exc:  # a reader bug must not stop the batch
            errors[i] = f"{item.path}: cannot be read ({type(exc).__name__}: {exc})"
    results: dict[int, Any] = {}
    order = sorted(docs)
    try:
        report = checker.check_documents([docs[i] for i in order])
        results = dict(zip(order, report.documents, strict=True))
    except Exception:
        # One document broke a signal: check them one by one so the others still get results.
        for i in order:
            try:
                results[i] = checker.check_documents([docs[i]]).documents[0]
            except Exception as exc:
                errors[i] = f"{items[i].path}: check failed ({type(exc).__name__}: {exc})"
    skipped = [{"signal": s.signal, "reason": s.reason, "fix": s.fix} for s in checker.skipped]
    signature = checker.signature()
    out = []
    for i, item in enumerate(items):
        if i in errors:
            result = DocumentResult(document=Document(text="", path=item.path), error=errors[i])
            rec = _record(item, None, None, [], skipped, signature, errors[i])
            out.append(ChunkOutput(rec, None, result))
            continue
        result = results[i]
        single = _single_report(checker, result)
        text = None
        if fmt is not None:
            from tqcheck.report import RenderOptions, render

            text = render(single, fmt, RenderOptions(color=False, width=100))
        rec = _record(item, result, None, list(single.gate.reasons), skipped, signature, None)
        out.append(ChunkOutput(rec, text, result))
    return out


def _single_report(checker: Any, result: Any):  # type: ignore[no-untyped-def]
    from tqcheck.results import Report
    from tqcheck.scoring import evaluate_gate

    report = Report(documents=[result], skipped=list(checker.skipped), signature=checker.signature())
    report.gate = evaluate_gate(report, checker.config)
    return report


def config_key(config: Any, fmt: str | None) -> str:
    """Hash of every setting that changes results: a resumed run only reuses matching records."""
    data = dataclasses.asdict(config)
    for volatile in ("cache_dir", "use_cache", "config_path"):
        data.pop(volatile, None)
    data["__format"] = fmt
    data["__state"] = STATE_VERSION
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Interrupts: SIGTERM behaves like Ctrl-C, but never in the middle of persisting a document.


class _Interrupts:
    def __init__(self) -> None:
        self.critical = False
        self.pending: int | None = None
        self._old: dict[int, Any] = {}

    def _handler(self, signum: int, frame: Any) -> None:
        if self.critical:
            self.pending = signum
            return
        raise KeyboardInterrupt

    def __enter__(self) -> _Interrupts:
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(ValueError, OSError):
                    self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, old)

    @contextlib.contextmanager
    def protect(self) -> Iterator[None]:
        self.critical = True
        try:
            yield
        finally:
            self.critical = False
            if self.pending is not None:
                self.pending = None
                raise KeyboardInterrupt


# --------------------------------------------------------------------------------------------
# Progress (stderr, only on a terminal)


class Progress:
    def __init__(self, total: int, enabled: bool, description: str = "checking") -> None:
        self._bar = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("docs"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(description, total=total)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def progress_enabled(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


# --------------------------------------------------------------------------------------------
# The run


@dataclass
class BatchOptions:
    report_dir: Path | None = None
    fmt: str | None = None
    resume: bool = False
    engine: str = "local"
    chunk_size: int = DEFAULT_CHUNK
    workers: int | None = None
    gpus_per_actor: float = 0.0
    compare: Path | None = None
    quiet: bool = False


@dataclass
class BatchResult:
    records: list[dict[str, Any]]
    summary: dict[str, Any] | None
    #: DocumentResults in input order (local engine only, for a combined report).
    results: list[Any] = field(default_factory=list)
    skipped: list[Any] = field(default_factory=list)
    signature: dict[str, Any] = field(default_factory=dict)
    resumed: int = 0
    elapsed: float = 0.0

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] == "error"]

    @property
    def gate_passed(self) -> bool:
        return not any(r.get("gate_reasons") for r in self.records) and not self.failed

    @property
    def exit_code(self) -> int:
        if self.failed:
            return EXIT_USAGE
        return EXIT_OK if self.gate_passed else EXIT_GATE_FAILED


class ReportDir:
    """Everything written under ``--report-dir``, each file atomically and inside the directory."""

    def __init__(self, root: Path, fmt: str | None) -> None:
        self.root = root
        self.fmt = fmt
        try:
            (root / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
            (root / STATE_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{root}: cannot create the report directory ({exc.strerror or exc})") from None

    def lock(self) -> None:
        """One run per report directory at a time: a second one would interleave their records."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks, go on
            return
        self._lock_file = (self.root / STATE_DIR / "lock").open("a")
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.close()
            raise ConfigError(f"{self.root}: another tqcheck run is writing to this report directory") from None

    def unlock(self) -> None:
        lock = getattr(self, "_lock_file", None)
        if lock is not None:
            lock.close()  # closing releases the lock
            self._lock_file = None

    def report_rel(self, doc_id: str) -> str:
        suffix = REPORT_SUFFIXES.get(self.fmt or "json", f".{self.fmt}")
        return f"{REPORTS_DIR}/{report_name(doc_id)}{suffix}"

    def state_path(self, doc_id: str) -> Path:
        return safe_join(self.root, STATE_DIR, report_name(doc_id) + ".json")

    def load(self, key: str) -> dict[str, dict[str, Any]]:
        """Records of an earlier run with the same settings, by document id."""
        done: dict[str, dict[str, Any]] = {}
        for p in sorted((self.root / STATE_DIR).glob("*.json")):
            try:
                state = json.loads(p.read_text("utf-8"))
            except (OSError, ValueError):
                continue  # a damaged record only means that document is checked again
            rec = state.get("record") if isinstance(state, dict) else None
            if state.get("key") != key or not isinstance(rec, dict) or "id" not in rec:
                continue
            if rec.get("report") and not (self.root / rec["report"]).is_file():
                continue
            done[rec["id"]] = rec
        return done

    def clear_state(self) -> None:
        for p in (self.root / STATE_DIR).glob("*.json"):
            with contextlib.suppress(OSError):
                p.unlink()

    def save(self, out: ChunkOutput, key: str) -> dict[str, Any]:
        from tqcheck.atomic import write_atomic

        rec = dict(out.record)
        if out.report_text is not None:
            rel = self.report_rel(rec["id"])
            write_atomic(safe_join(self.root, *rel.split("/")), out.report_text)
            rec["report"] = rel
        # The record goes last: its presence means the report is complete.
        write_atomic(self.state_path(rec["id"]),
                     json.dumps({"key": key, "record": rec}, ensure_ascii=False, sort_keys=True))
        return rec


def make_engine(config: Any, options: BatchOptions):  # type: ignore[no-untyped-def]
    if options.engine == "local":
        from tqcheck.engines.local import LocalEngine

        return LocalEngine(config, options.fmt, options.chunk_size)
    if options.engine == "ray":
        from tqcheck.engines.ray_engine import RayEngine

        return RayEngine(config, options.fmt, options.chunk_size, workers=options.workers,
                         gpus_per_actor=options.gpus_per_actor)
    raise ConfigError(f"unknown engine '{options.engine}'; choose local or ray")


def run_batch(items: list[BatchItem], config: Any, options: BatchOptions) -> BatchResult:
    """Check every item, persisting each finished document; writes the summary when a report dir is set."""
    from tqcheck.summary import load_previous

    if options.chunk_size < 1:
        raise ConfigError("--chunk-size must be at least 1")
    if options.resume and options.report_dir is None:
        raise ConfigError("--resume needs --report-dir DIR (the directory of the run to continue)")
    previous = load_previous(options.compare) if options.compare else None
    started = time.perf_counter()
    key = config_key(config, options.fmt)
    rdir = ReportDir(options.report_dir, options.fmt) if options.report_dir else None
    if rdir is not None:
        rdir.lock()
    try:
        return _run_locked(items, config, options, rdir, key, previous, started)
    finally:
        if rdir is not None:
            rdir.unlock()


def _run_locked(items: list[BatchItem], config: Any, options: BatchOptions, rdir: ReportDir | None,
                key: str, previous: dict[str, Any] | None, started: float) -> BatchResult:
    from tqcheck.summary import build_summary, write_summary

    done: dict[str, dict[str, Any]] = {}
    if rdir is not None:
        if options.resume:
            fresh = {i.id: i.fingerprint for i in items}
            done = {k: r for k, r in rdir.load(key).items()
                    if k in fresh and r.get("fingerprint") == fresh[k] and r["status"] == "ok"}
        else:
            rdir.clear_state()
    todo = [i for i in items if i.id not in done]
    if done and not options.quiet:
        sys.stderr.write(f"tqcheck: resuming: {len(done)} of {len(items)} documents already done\n")
    records: dict[str, dict[str, Any]] = dict(done)
    results: dict[str, Any] = {}
    engine = make_engine(config, options) if todo else None
    # The bar counts this run's work only, so the ETA is not skewed by resumed documents.
    label = f"checking ({len(done)} resumed)" if done else "checking"
    progress = Progress(len(todo), progress_enabled(options.quiet), label)
    interrupted = False
    try:
        with _Interrupts() as guard:
            try:
                if engine is not None:
                    for out in engine.run(todo):
                        with guard.protect():
                            rec = rdir.save(out, key) if rdir is not None else out.record
                            records[rec["id"]] = rec
                            if out.result is not None and rdir is None:  # combined report only
                                results[rec["id"]] = out.result
                        progress.advance()
            except KeyboardInterrupt:
                interrupted = True
            finally:
                progress.close()
                if engine is not None:
                    engine.close()
    finally:
        elapsed = time.perf_counter() - started
    ordered = [records[i.id] for i in items if i.id in records]
    summary = None
    if rdir is not None:
        summary = build_summary(ordered, total=len(items), previous=previous, interrupted=interrupted,
                                run={"engine": options.engine, "elapsed_s": round(elapsed, 3),
                                     "resumed": len(done), "checked_now": len(ordered) - len(done)})
        write_summary(rdir.root, summary)
    if interrupted:
        where = f"; finished documents are in {rdir.root}, run again with --resume to finish" if rdir else ""
        raise BatchInterrupted(f"interrupted after {len(ordered)} of {len(items)} documents{where}")
    first = next((r for r in ordered if r.get("signature")), {})
    skipped: list[Any] = []
    for r in ordered:
        for s in r.get("skipped", []):
            if s not in skipped:
                skipped.append(s)
    return BatchResult(ordered, summary, [results[i.id] for i in items if i.id in results],
                       skipped, first.get("signature", {}), len(done), elapsed)
