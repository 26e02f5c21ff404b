"""Rule documentation built from the rule declarations (never a hand-kept table).

Two sources: the rule engine's declarations (``rules/data``) and the documentation records of the
rules that other signals emit (``signals/data/rule_docs.toml``: roundtrip, source, fluency, ...).
The latter are documentation only; the rules signal never runs them.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import Any

from tqcheck.errors import TqcheckError
from tqcheck.rules.engine import Context, Rule, load_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Fields every signal rule record must have (``severity_note`` and ``example.source`` are optional).
SIGNAL_DOC_FIELDS = ("signal", "category", "severity", "what", "why", "use_instead", "fix_safety", "example")


def example_fix(rule: Rule, text: str) -> str | None:
    """``text`` with the rule's first suggestion applied at every match (None: nothing to apply)."""
    lang = rule.languages[0] if "*" not in rule.languages else "en"
    source = rule.sources[0] if "*" not in rule.sources else None
    matches = [m for m in rule.find(text, Context(lang, source)) if m.replacements]
    if not matches:
        return None
    out, pos = [], 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < pos:
            continue
        out += [text[pos:m.start], m.replacements[0]]
        pos = m.end
    return "".join(out) + text[pos:]


def rule_doc(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "group": rule.group,
        "category": rule.category.value,
        "severity": rule.severity.value,
        "kind": rule.kind,
        "languages": list(rule.languages),
        "sources": list(rule.sources),
        "what": rule.what,
        "why": rule.why,
        "use_instead": rule.use_instead,
        "fix_safety": rule.fix_safety,
        "examples": {"fires": list(rule.fires), "passes": list(rule.passes),
                     "fixed": [example_fix(rule, e) for e in rule.fires]},
        "message": rule.message,
        "confidence": rule.confidence,
        "scope": rule.scope,
        "runs_when_source_unknown": "*" in rule.sources or rule.when_source_unknown,
        **({"source_term": rule.options["source_term"], "lexicon": rule.options["lexicon"]}
           if rule.kind == "lexicon" else {}),
    }


@lru_cache(maxsize=1)
def all_signal_rule_records() -> dict[str, dict[str, Any]]:
    """Every record of ``signals/data/rule_docs.toml`` by rule id."""
    from importlib.resources import files

    text = files("tqcheck.signals").joinpath("data/rule_docs.toml").read_text("utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def signal_rule_records() -> dict[str, dict[str, Any]]:
    """The records of the signals this build registers (a record may land before its signal)."""
    from tqcheck.signals import REGISTRY

    return {rid: rec for rid, rec in all_signal_rule_records().items() if rec.get("signal") in REGISTRY}


def signal_rule_doc(rule_id: str, rec: dict[str, Any]) -> dict[str, object]:
    """A signal rule record in the shape of :func:`rule_doc` (plus ``signal`` and ``example``)."""
    example = dict(rec["example"])
    needs_source = rule_id.startswith("source.")
    return {
        "id": rule_id,
        "group": rule_id.split(".", 1)[0],
        "category": rec["category"],
        "severity": rec["severity"],
        **({"severity_note": rec["severity_note"]} if rec.get("severity_note") else {}),
        "kind": f"signal:{rec['signal']}",
        "signal": rec["signal"],
        "languages": ["*"],
        "sources": ["*"],
        "what": rec["what"],
        "why": rec["why"],
        "use_instead": rec["use_instead"],
        "fix_safety": rec["fix_safety"],
        "example": example,
        "examples": {"fires": [example["text"]] if example.get("text") else [], "passes": [],
                     "fixed": [None] if example.get("text") else []},
        "message": rec["what"],
        "confidence": None,
        "scope": "source and translation" if needs_source else "segment",
        "runs_when_source_unknown": not needs_source,
    }


def signal_rule_docs() -> dict[str, dict[str, object]]:
    """Documentation of every rule a signal other than the rule engine emits, by id."""
    return {rid: signal_rule_doc(rid, rec) for rid, rec in sorted(signal_rule_records().items())}


@lru_cache(maxsize=4096)
def rule_info(rule_id: str) -> dict[str, object] | None:
    """The documentation of any rule id, engine-declared or signal-emitted (None: unknown).

    The one lookup the renderers (SARIF help, server descriptions) and ``rules explain`` share;
    built per id on first use (an engine rule's doc runs its examples, so not all at once)."""
    rule = load_rules().get(rule_id)
    if rule is not None:  # an engine rule of the same id wins (a test keeps ids unique)
        return rule_doc(rule)
    rec = signal_rule_records().get(rule_id)
    return signal_rule_doc(rule_id, rec) if rec is not None else None


def _selected(rule_id: str, select: list[str]) -> bool:
    return any(rule_id == p or rule_id.startswith(p.rstrip(".*") + ".") for p in select)


def render_rule_list(fmt: str = "text", *, select: list[str] | None = None, lang: str | None = None,
                     source: str | None = None) -> str:
    """Every rule (or those whose id starts with a ``select`` prefix, that check ``lang``
    and, with ``source``, that run for text translated from it), sorted by id."""
    rules = sorted(load_rules(), key=lambda r: r.id)
    signal_docs = list(signal_rule_docs().values())  # apply to every language and source language
    total = len(rules) + len(signal_docs)
    if select:
        rules = [r for r in rules if _selected(r.id, select)]
        signal_docs = [d for d in signal_docs if _selected(str(d["id"]), select)]
    if lang:
        rules = [r for r in rules if "*" in r.languages or lang in r.languages]
    if source:
        rules = [r for r in rules if "*" in r.sources or source in r.sources]
    docs = sorted([rule_doc(r) for r in rules] + signal_docs, key=lambda d: str(d["id"]))
    if not docs:
        raise TqcheckError("no rule matches; 'tqcheck rules' lists them all")
    if fmt == "json":
        return json.dumps(docs, ensure_ascii=False, indent=2) + "\n"
    if fmt != "text":
        raise TqcheckError(f"unknown format '{fmt}'; use text or json")
    by_id = {r.id: r for r in rules}
    width = max(len(str(d["id"])) for d in docs)
    kind_w = max(4, *(len(str(d["kind"])) for d in docs))
    lines = [f"{'ID':<{width}}  {'CATEGORY':<17}  {'SEVERITY':<8}  {'FIX':<6}  {'KIND':<{kind_w}}  LANGUAGES"]
    for d in docs:
        r = by_id.get(str(d["id"]))
        if r is not None:
            fix = "-" if not r.has_fix else ("safe" if r.safe else "review")
            langs = ",".join(r.languages) + ("" if "*" in r.sources else f" (from {','.join(r.sources)})")
        else:  # signal suggestions are never applied unreviewed
            fix = "-" if str(d["fix_safety"]).startswith("none") else "review"
            langs = "*" + ("" if d["runs_when_source_unknown"] else " (needs a source)")
        lines.append(f"{d['id']!s:<{width}}  {d['category']!s:<17}  {d['severity']!s:<8}  {fix:<6}  "
                     f"{d['kind']!s:<{kind_w}}  {langs}")
    shown = f"{len(docs)} rules" if len(docs) == total else f"{len(docs)} of {total} rules"
    lines.append(f"\n{shown}. 'tqcheck rules explain ID' tells more about one.")
    return "\n".join(lines) + "\n"


def render_rule_explanation(rule_id: str, fmt: str = "text") -> str:
    rule = load_rules().get(rule_id)
    doc = rule_info(rule_id)
    if doc is None:
        ids = [r.id for r in load_rules()] + list(signal_rule_records())
        close = sorted(i for i in ids if rule_id in i)[:5]
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'tqcheck rules' lists them"
        raise TqcheckError(f"unknown rule '{rule_id}'{hint}")
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt != "text":
        raise TqcheckError(f"unknown format '{fmt}'; use text or json")
    if rule is None:
        return _explain_signal_rule(doc)
    scope = "languages " + ",".join(rule.languages)
    if "*" not in rule.sources:
        scope += f"; translated from {','.join(rule.sources)}"
        scope += " (also runs when the source is unknown)" if rule.when_source_unknown else ""
    out = [
        f"{rule.id}  ({rule.category.value}, {rule.severity.value}, confidence {rule.confidence:g})",
        f"Applies to {scope}",
        "",
        "What it does", f"  {rule.what or rule.message}",
        "",
        "Why it matters", f"  {rule.why or '-'}",
        "",
    ]
    if rule.fires:
        out += ["Example (flagged)"]
        for e in rule.fires[:3]:
            fixed = example_fix(rule, e)
            out += [f"  {e}"] + ([f"  -> {fixed}"] if fixed is not None and fixed != e else [])
        out += [""]
    if rule.passes:
        out += ["Not flagged"] + [f"  {e}" for e in rule.passes[:3]] + [""]
    out += ["Use instead", f"  {rule.use_instead or '-'}", "", "Fix safety", f"  {rule.fix_safety}", ""]
    return "\n".join(out)


def _explain_signal_rule(doc: dict[str, object]) -> str:
    example: dict[str, str] = doc["example"]  # type: ignore[assignment]
    needs = "a source (bilingual file or --source)" if not doc["runs_when_source_unknown"] else "no source"
    out = [
        f"{doc['id']}  ({doc['category']}, {doc['severity']}; emitted by the {doc['signal']} signal)",
        f"Applies to every language; needs {needs}",
        *([f"Severity: {doc['severity_note']}"] if doc.get("severity_note") else []),
        "",
        "What it does", f"  {doc['what']}",
        "",
        "Why it matters", f"  {doc['why']}",
        "",
        "Example (flagged)",
        *([f"  source: {example['source']}"] if example.get("source") else []),
        f"  {'target' if example.get('source') else 'text'}: {example.get('text') or '(empty)'}",
        f"  flagged: {example['flagged']}",
        "",
        "Use instead", f"  {doc['use_instead']}",
        "",
        "Fix safety", f"  {doc['fix_safety']}",
        "",
    ]
    return "\n".join(out)
