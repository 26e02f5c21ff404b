"""Baselines: record today's findings so CI fails only on new ones.

A baseline file is JSON: for every known finding its fingerprint (rule, path and a hash of the
surrounding text; see :mod:`tqcheck.fingerprint`) plus the rule, path, line and message for people
reading the file. Matching uses the fingerprint only, so edits elsewhere in a document (lines added
above a known finding) keep it known, while a new finding, or the same problem in new text, is new.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqcheck import __version__
from tqcheck.atomic import write_atomic
from tqcheck.config import Config
from tqcheck.errors import ConfigError
from tqcheck.fingerprint import FINGERPRINT_VERSION, fingerprints, normalize_path
from tqcheck.results import Report
from tqcheck.scoring import evaluate_gate, is_content_finding

BASELINE_VERSION = 1


@dataclass
class Baseline:
    #: Fingerprints of known findings.
    known: set[str] = field(default_factory=set)
    path: str | None = None

    def __len__(self) -> int:
        return len(self.known)


def baseline_entries(report: Report) -> list[dict[str, Any]]:
    """Every content finding of every checked document, in report order."""
    entries = []
    for result in report.documents:
        if result.error:
            continue
        doc = result.document
        prints = fingerprints(doc, result.findings)
        for f, fp in zip(result.findings, prints, strict=True):
            if not is_content_finding(doc, f):
                continue  # page furniture never gates, so it needs no baseline entry
            entries.append({
                "fingerprint": fp,
                "rule": f.rule,
                "path": normalize_path(doc.path),
                "line": doc.offsets.position(f.start).line,
                "text": doc.text[f.start : f.end],
                "message": f.message,
            })
    return entries


def write_baseline(report: Report, path: str | os.PathLike[str]) -> Baseline:
    """Write every current content finding to ``path`` (atomically); return the baseline written."""
    entries = baseline_entries(report)
    data = {
        "version": BASELINE_VERSION,
        "fingerprint": FINGERPRINT_VERSION,
        "tool": {"name": "tqcheck", "version": __version__},
        "findings": entries,
    }
    write_atomic(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return Baseline({e["fingerprint"] for e in entries}, str(path))


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: baseline file not found (create it with --write-baseline {p})")
    try:
        data = json.loads(p.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not a tqcheck baseline (invalid JSON: {exc})") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read baseline ({exc.strerror or exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{p}: not a tqcheck baseline (no 'findings' list)")
    if data.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{p}: baseline version {data.get('version')!r} is not supported; "
                          f"write a new one with --write-baseline")
    if data.get("fingerprint") != FINGERPRINT_VERSION:
        raise ConfigError(f"{p}: baseline uses fingerprint {data.get('fingerprint')!r}, this tqcheck uses "
                          f"{FINGERPRINT_VERSION!r}; write a new one with --write-baseline")
    known = set()
    for i, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise ConfigError(f"{p}: baseline entry {i} has no 'fingerprint'")
        known.add(entry["fingerprint"])
    return Baseline(known, str(p))


def apply_baseline(report: Report, baseline: Baseline) -> int:
    """Mark findings the baseline knows (``DocumentResult.baseline_known``); return how many.

    The caller re-evaluates the gate afterwards (``scoring.evaluate_gate``), which ignores them.
    """
    marked = 0
    for result in report.documents:
        if result.error:
            continue
        prints = fingerprints(result.document, result.findings)
        result.baseline_known = {i for i, fp in enumerate(prints) if fp in baseline.known}
        marked += len(result.baseline_known)
    report.signature["baseline"] = {"path": baseline.path, "known": len(baseline), "matched": marked}
    return marked


def apply_gate_baseline(report: Report, config: Config, *, baseline: str | os.PathLike[str] | None = None,
                        write: str | os.PathLike[str] | None = None) -> Baseline:
    """What ``--baseline`` / ``--write-baseline`` do: load (or first write) a baseline, mark the findings
    it knows and evaluate the gate again. Writing comes first, so a fresh baseline passes at once."""
    if write is not None:
        # Every current finding goes in, so an older baseline given too adds nothing.
        known = write_baseline(report, write)
    elif baseline is not None:
        known = load_baseline(baseline)
    else:
        raise ValueError("give a baseline to read or a file to write")
    apply_baseline(report, known)
    report.gate = evaluate_gate(report, config)
    return known
