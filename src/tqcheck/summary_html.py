"""The batch dashboard: one self-contained HTML file (no scripts, no external resources).

Every value from the documents is escaped; charts are inline SVG (attributes, not style); the
Content-Security-Policy allows nothing but the one stylesheet, pinned by its hash.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any
from urllib.parse import quote

CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bad:#b42318;--ok:#067647;--bar:#2f6fde;--bg:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--bg:#0d1117;
--bad:#ff7b72;--ok:#3fb950;--bar:#58a6ff}}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;max-width:1100px;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
.muted{color:var(--muted)}.bad{color:var(--bad)}.ok{color:var(--ok)}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:8px;padding:.6rem .9rem;min-width:8.5rem}
.card b{display:block;font-size:1.35rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em;word-break:break-all}
svg text{fill:var(--fg);font-size:11px}svg .b{fill:var(--bar)}
a{color:var(--bar)}
""".strip()


def csp() -> str:
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    return ("default-src 'none'; style-src 'sha256-" + digest + "'; img-src 'none'; script-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _score(value: Any) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def _link(report: str | None, label: str) -> str:
    if not report:
        return f"<code>{_e(label)}</code>"
    # Report paths are relative, sanitised names; quote() keeps the href a plain relative URL.
    return f'<a href="{_e(quote(report))}"><code>{_e(label)}</code></a>'


def _histogram(buckets: list[dict[str, Any]]) -> str:
    width, height, pad = 640, 180, 28
    most = max((b["documents"] for b in buckets), default=0) or 1
    step = (width - 2 * pad) / max(1, len(buckets))
    parts = [f'<svg role="img" aria-label="score distribution" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet">']
    for i, b in enumerate(buckets):
        h = (height - 2 * pad) * b["documents"] / most
        x = pad + i * step
        y = height - pad - h
        parts.append(f'<rect class="b" x="{x + 4:.1f}" y="{y:.1f}" width="{step - 8:.1f}" height="{h:.1f}">'
                     f'<title>{_e(b["label"])}: {b["documents"]} documents</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - pad + 14}" text-anchor="middle">'
                     f'{_e(b["label"])}</text>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
                     f'{b["documents"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bars(rows: list[tuple[str, int]], label: str) -> str:
    if not rows:
        return '<p class="muted">No findings.</p>'
    width, row_h, left = 640, 20, 170
    most = max(n for _, n in rows) or 1
    height = row_h * len(rows) + 6
    parts = [f'<svg role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {height}" width="100%">']
    for i, (name, n) in enumerate(rows):
        y = 3 + i * row_h
        w = (width - left - 60) * n / most
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{_e(name)}</text>')
        parts.append(f'<rect class="b" x="{left}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}"/>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _comparison(comp: dict[str, Any]) -> str:
    def delta(entry: dict[str, Any], better_up: bool = True) -> str:
        d = entry.get("delta")
        if d is None:
            return "–"
        cls = "" if d == 0 else ("ok" if (d > 0) == better_up else "bad")
        return f'<span class="{cls}">{d:+g}</span>'

    out = [f'<p class="muted">Compared with <code>{_e(comp.get("previous"))}</code>.</p>',
           "<table><tr><th></th><th class=num>before</th><th class=num>now</th>"
           "<th class=num>change</th></tr>"]
    for key, title, up in (("mean_score", "mean score", True), ("min_score", "lowest score", True),
                           ("findings", "findings", False), ("failed", "failed documents", False)):
        e = comp[key]
        out.append(f"<tr><td>{title}</td><td class=num>{_e(e['before'])}</td><td class=num>{_e(e['after'])}"
                   f"</td><td class=num>{delta(e, up)}</td></tr>")
    out.append("</table>")
    for key, title in (("regressed", "Regressed documents"), ("improved", "Improved documents")):
        rows = comp[key][:20]
        if rows:
            out.append(f"<h3>{title} ({len(comp[key])})</h3><table><tr><th>document</th><th class=num>before"
                       "</th><th class=num>now</th><th class=num>change</th></tr>")
            for c in rows:
                cls = "bad" if c["delta"] < 0 else "ok"
                out.append(f"<tr><td>{_link(c.get('report'), c['path'])}</td>"
                           f"<td class=num>{_score(c['before'])}</td><td class=num>{_score(c['after'])}</td>"
                           f"<td class='num {cls}'>{c['delta']:+.2f}</td></tr>")
            out.append("</table>")
    lists = (("new_documents", "New documents"), ("removed_documents", "Removed documents"),
             ("newly_failed", "Newly failing to read"), ("recovered", "Readable again"))
    for key, title in lists:
        if comp[key]:
            items = "".join(f"<li><code>{_e(i)}</code></li>" for i in comp[key][:50])
            more = f"<li class=muted>and {len(comp[key]) - 50} more</li>" if len(comp[key]) > 50 else ""
            out.append(f"<h3>{title} ({len(comp[key])})</h3><ul>{items}{more}</ul>")
    if comp["by_rule"]:
        out.append("<h3>Findings by rule, change</h3><table><tr><th>rule</th><th class=num>before</th>"
                   "<th class=num>now</th><th class=num>change</th></tr>")
        for e in comp["by_rule"][:30]:
            cls = "bad" if e["delta"] > 0 else "ok"
            out.append(f"<tr><td><code>{_e(e['rule'])}</code></td><td class=num>{e['before']}</td>"
                       f"<td class=num>{e['after']}</td><td class='num {cls}'>{e['delta']:+d}</td></tr>")
        out.append("</table>")
    return "".join(out)


def render_dashboard(summary: dict[str, Any]) -> str:
    t = summary["totals"]
    gate = summary["gate"]
    status = "" if summary["status"] == "complete" else (
        f'<p class="bad">Interrupted: {t["pending"]} documents not checked yet; '
        "run again with <code>--resume</code>.</p>")
    cards = [("documents", t["documents"]), ("checked", t["checked"]), ("failed", t["failed"]),
             ("mean score", _score(t["mean_score"])), ("median", _score(t["median_score"])),
             ("lowest", _score(t["min_score"])), ("findings", t["findings"]), ("words", t["words"])]
    body = [f"<h1>tqcheck batch summary</h1><p class=muted>tqcheck {_e(summary['tool']['version'])} · "
            f"{t['documents']} documents · gate <b class={'ok' if gate['passed'] else 'bad'}>"
            f"{'passed' if gate['passed'] else 'failed'}</b></p>", status,
            '<div class="cards">' + "".join(
                f'<div class="card"><span class=muted>{k}</span><b>{_e(v)}</b></div>' for k, v in cards
            ) + "</div>"]
    sev = t["by_severity"]
    body.append(f"<p>Findings by severity: critical {sev.get('critical', 0)}, major {sev.get('major', 0)}, "
                f"minor {sev.get('minor', 0)}.</p>")
    body.append("<h2>Score distribution</h2>" + _histogram(summary["distribution"]))
    body.append("<h2>Worst documents</h2>")
    if summary["worst"]:
        body.append("<table><tr><th>document</th><th class=num>score</th><th class=num>findings</th>"
                    "<th>most frequent rules</th></tr>")
        for w in summary["worst"]:
            rules = ", ".join(f"<code>{_e(r['rule'])}</code> ×{r['findings']}" for r in w["top_rules"])
            body.append(f"<tr><td>{_link(w.get('report'), w['path'])}</td>"
                        f"<td class=num>{_score(w['score'])}</td>"
                        f"<td class=num>{w['findings']}</td><td>{rules}</td></tr>")
        body.append("</table>")
    else:
        body.append('<p class="muted">No document was checked.</p>')
    if summary["failed"]:
        body.append(f"<h2 class=bad>Documents not checked ({len(summary['failed'])})</h2>"
                    "<table><tr><th>document</th><th>why</th></tr>")
        for f in summary["failed"]:
            body.append(f"<tr><td><code>{_e(f['path'])}</code></td><td>{_e(f['error'])}</td></tr>")
        body.append("</table>")
    cats = summary["by_category"]
    body.append("<h2>Findings by category</h2>" + _bars([(c, e["findings"]) for c, e in cats.items()],
                                                         "findings by category"))
    body.append("<h2>Findings by rule</h2>")
    if summary["by_rule"]:
        body.append("<table><tr><th>rule</th><th>category</th><th class=num>findings</th>"
                    "<th class=num>documents</th></tr>")
        for e in summary["by_rule"]:
            body.append(f"<tr><td><code>{_e(e['rule'])}</code></td><td>{_e(e['category'])}</td>"
                        f"<td class=num>{e['findings']}</td><td class=num>{e['documents']}</td></tr>")
        body.append("</table>")
    else:
        body.append('<p class="muted">No findings.</p>')
    if summary.get("comparison"):
        body.append("<h2>Comparison with the previous run</h2>" + _comparison(summary["comparison"]))
    if summary["skipped"]:
        body.append("<h2>Signals that did not run</h2><ul>" + "".join(
            f"<li><b>{_e(s['signal'])}</b>: {_e(s['reason'])} "
            f"<span class=muted>Fix: {_e(s['fix'])}</span></li>"
            for s in summary["skipped"]) + "</ul>")
    if gate["reasons"]:
        items = "".join(f"<li>{_e(r)}</li>" for r in gate["reasons"][:200])
        body.append(f"<h2>Gate</h2><ul>{items}</ul>")
    body.append('<p class="muted">All reports: <code>reports/</code>; data: '
                '<a href="summary.json">summary.json</a>, <a href="summary.csv">summary.csv</a>.</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{csp()}">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>tqcheck batch summary</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
