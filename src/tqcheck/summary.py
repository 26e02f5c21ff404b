"""The batch summary: built from per-document records, written as JSON, CSV and an HTML dashboard.

Everything except the ``run`` block (engine, timing, how much was resumed) depends only on the
documents' results, so an interrupted-and-resumed run writes the same summary as an uninterrupted one.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from pathlib import Path
from typing import Any

from tqcheck import __version__
from tqcheck.errors import ConfigError

SUMMARY_KIND = "tqcheck-batch-summary"
SUMMARY_VERSION = "1.0"
#: Score histogram edges; quality scores crowd near 100, so the top is cut finer.
SCORE_BUCKETS = [(0, 50), (50, 70), (70, 80), (80, 90), (90, 95), (95, 98), (98, 100), (100, 100)]
WORST_SHOWN = 20
CATEGORIES = ["accuracy", "fluency", "terminology", "style", "locale-convention"]
#: Record keys that are bookkeeping for resume, not results.
_PRIVATE = {"fingerprint", "signature", "skipped", "rule_category"}


def _bucket_label(lo: float, hi: float) -> str:
    return "100" if lo == hi else f"{lo:g}-{hi:g}"


def _distribution(scores: list[float]) -> list[dict[str, Any]]:
    out = []
    for lo, hi in SCORE_BUCKETS:
        n = sum(1 for s in scores if (s >= hi if lo == hi else lo <= s < hi))
        out.append({"label": _bucket_label(lo, hi), "from": lo, "to": hi, "documents": n})
    return out


def build_summary(records: list[dict[str, Any]], *, total: int, previous: dict[str, Any] | None = None,
                  interrupted: bool = False, run: dict[str, Any] | None = None) -> dict[str, Any]:
    ok = [r for r in records if r["status"] == "ok"]
    failed = [r for r in records if r["status"] != "ok"]
    scores = [float(r["score"]) for r in ok]
    by_severity = {"minor": 0, "major": 0, "critical": 0}
    rules: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, int]] = {}
    for r in ok:
        for sev, n in r["by_severity"].items():
            by_severity[sev] = by_severity.get(sev, 0) + n
        for rule, n in r["by_rule"].items():
            entry = rules.setdefault(rule, {"rule": rule, "category": r["rule_category"].get(rule, ""),
                                            "findings": 0, "documents": 0})
            entry["findings"] += n
            entry["documents"] += 1
        for cat, n in r["by_category"].items():
            entry = categories.setdefault(cat, {"findings": 0, "documents": 0})
            entry["findings"] += n
            entry["documents"] += 1
    worst = sorted(ok, key=lambda r: (r["score"], -r["findings"], r["id"]))[:WORST_SHOWN]
    skipped: list[dict[str, str]] = []
    for r in records:
        for s in r.get("skipped", []):
            if s not in skipped:
                skipped.append(s)
    reasons = [reason for r in ok for reason in r.get("gate_reasons", [])]
    reasons += [f"{r['path']}: could not be checked ({r['error']})" for r in failed]
    signature = next((r["signature"] for r in ok if r.get("signature")), {})
    summary: dict[str, Any] = {
        "kind": SUMMARY_KIND,
        "version": SUMMARY_VERSION,
        "tool": {"name": "tqcheck", "version": __version__},
        "status": "interrupted" if interrupted else "complete",
        "signature": signature,
        "totals": {
            "documents": total,
            "checked": len(ok),
            "failed": len(failed),
            "pending": total - len(records),
            "words": sum(r["words"] for r in ok),
            "findings": sum(r["findings"] for r in ok),
            "by_severity": by_severity,
            "mean_score": round(statistics.fmean(scores), 2) if scores else None,
            "median_score": round(statistics.median(scores), 2) if scores else None,
            "min_score": min(scores, default=None),
            "max_score": max(scores, default=None),
        },
        "gate": {"passed": not reasons and not interrupted, "reasons": reasons},
        "skipped": skipped,
        "distribution": _distribution(scores),
        "by_category": {c: categories[c] for c in sorted(categories)},
        "by_rule": sorted(rules.values(), key=lambda e: (-e["findings"], e["rule"])),
        "worst": [_brief(r) for r in worst],
        "failed": [{"id": r["id"], "path": r["path"], "error": r["error"]} for r in failed],
        "documents": [{k: v for k, v in r.items() if k not in _PRIVATE} for r in records],
    }
    if previous is not None:
        summary["comparison"] = compare(previous, summary)
    summary["run"] = run or {}
    return summary


def _brief(r: dict[str, Any]) -> dict[str, Any]:
    top = sorted(r["by_rule"].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return {"id": r["id"], "path": r["path"], "score": r["score"], "findings": r["findings"],
            "report": r.get("report"), "top_rules": [{"rule": k, "findings": v} for k, v in top]}


def load_previous(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: previous summary not found (give the summary.json of an earlier run)"
                          ) from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the previous summary ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ConfigError(f"{p}: not a tqcheck batch summary.json (invalid JSON: {exc})") from None
    if (not isinstance(data, dict) or data.get("kind") != SUMMARY_KIND
            or not isinstance(data.get("documents"), list)):
        raise ConfigError(f"{p}: not a tqcheck batch summary.json (written by --report-dir)")
    data["__path"] = str(p)
    return data


def compare(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Per-document score changes, new/removed/newly failing documents and per-rule count changes."""
    before = {d["id"]: d for d in previous["documents"] if isinstance(d, dict) and "id" in d}
    now = {d["id"]: d for d in current["documents"]}
    changed = []
    for doc_id, d in now.items():
        old = before.get(doc_id)
        if old is None or d["status"] != "ok" or old.get("status") != "ok":
            continue
        delta = round(float(d["score"]) - float(old["score"]), 2)
        findings_delta = d["findings"] - int(old.get("findings", 0))
        if delta or findings_delta:
            changed.append({"id": doc_id, "path": d["path"], "before": old["score"], "after": d["score"],
                            "delta": delta, "findings_delta": findings_delta, "report": d.get("report")})
    changed.sort(key=lambda c: (c["delta"], -c["findings_delta"], c["id"]))
    rules_before = {e["rule"]: e["findings"] for e in previous.get("by_rule", []) if isinstance(e, dict)}
    rules_now = {e["rule"]: e["findings"] for e in current["by_rule"]}
    by_rule = [{"rule": r, "before": rules_before.get(r, 0), "after": rules_now.get(r, 0),
                "delta": rules_now.get(r, 0) - rules_before.get(r, 0)}
               for r in sorted(set(rules_before) | set(rules_now))]
    by_rule = sorted((e for e in by_rule if e["delta"]), key=lambda e: (-e["delta"], e["rule"]))
    old_totals = previous.get("totals", {})
    new_totals = current["totals"]

    def delta(key: str) -> dict[str, Any]:
        a, b = old_totals.get(key), new_totals.get(key)
        d = round(b - a, 2) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
        return {"before": a, "after": b, "delta": d}

    return {
        "previous": previous.get("__path"),
        "mean_score": delta("mean_score"),
        "min_score": delta("min_score"),
        "findings": delta("findings"),
        "failed": delta("failed"),
        "regressed": [c for c in changed if c["delta"] < 0],
        "improved": sorted((c for c in changed if c["delta"] > 0), key=lambda c: (-c["delta"], c["id"])),
        "unchanged": sum(1 for i in now if i in before) - len(changed),
        "new_documents": sorted(i for i in now if i not in before),
        "removed_documents": sorted(i for i in before if i not in now),
        "newly_failed": sorted(i for i, d in now.items()
                               if d["status"] != "ok" and before.get(i, {}).get("status") == "ok"),
        "recovered": sorted(i for i, d in now.items()
                            if d["status"] == "ok" and before.get(i, {}).get("status") not in (None, "ok")),
        "by_rule": by_rule,
    }


_CSV_FIELDS = ["id", "path", "status", "score", "words", "segments", "findings", "critical", "major",
               "minor", *(f"{c}_score" for c in CATEGORIES), "top_rules", "report", "error"]


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(summary: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for d in summary["documents"]:
        row: dict[str, Any] = {"id": d["id"], "path": d["path"], "status": d["status"],
                               "report": d.get("report") or "", "error": d.get("error") or ""}
        if d["status"] == "ok":
            row.update({"score": f"{d['score']:.2f}", "words": d["words"], "segments": d["segments"],
                        "findings": d["findings"], **d["by_severity"]})
            for c in CATEGORIES:
                value = d["category_scores"].get(c)
                row[f"{c}_score"] = "" if value is None else f"{value:.2f}"
            top = sorted(d["by_rule"].items(), key=lambda kv: (-kv[1], kv[0]))
            row["top_rules"] = ";".join(f"{k}:{v}" for k, v in top)
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def render_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def write_summary(root: Path, summary: dict[str, Any]) -> None:
    from tqcheck.atomic import write_atomic
    from tqcheck.summary_html import render_dashboard

    write_atomic(root / "summary.json", render_json(summary))
    write_atomic(root / "summary.csv", render_csv(summary))
    write_atomic(root / "summary.html", render_dashboard(summary))


def render_text(summary: dict[str, Any], root: Path | None = None, worst: int = 5) -> str:
    """The few lines printed on stdout after a batch with --report-dir."""
    t = summary["totals"]
    lines = [f"checked {t['checked']} of {t['documents']} documents"
             + (f" ({t['failed']} failed)" if t["failed"] else "")
             + (f"; mean score {t['mean_score']:.2f}, lowest {t['min_score']:.2f}" if t["checked"] else "")
             + f"; {t['findings']} findings"]
    if summary["worst"] and worst:
        lines.append("lowest scores:")
        lines += [f"  {w['score']:6.2f}  {w['path']}" for w in summary["worst"][:worst]]
    if summary["failed"]:
        lines.append("not checked:")
        lines += [f"  {f['error']}" for f in summary["failed"]]
    comp = summary.get("comparison")
    if comp and comp["mean_score"]["delta"] is not None:
        lines.append(f"compared with {comp['previous']}: mean score {comp['mean_score']['delta']:+.2f}, "
                     f"{len(comp['regressed'])} regressed, {len(comp['improved'])} improved")
    for s in summary["skipped"]:
        lines.append(f"skipped {s['signal']}: {s['reason']} ({s['fix']})")
    if root is not None:
        lines.append(f"reports: {root / 'reports'}; summary: {root / 'summary.html'} (.json, .csv)")
    lines.append("gate: " + ("passed" if summary["gate"]["passed"] else "failed"))
    return "\n".join(lines) + "\n"
