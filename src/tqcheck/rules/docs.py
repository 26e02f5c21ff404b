"""Rule documentation built from the rule declarations (never a hand-kept table)."""

from __future__ import annotations

import json

from tqcheck.errors import TqcheckError
from tqcheck.rules.engine import Context, Rule, load_rules


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


def render_rule_list(fmt: str = "text", *, select: list[str] | None = None, lang: str | None = None,
                     source: str | None = None) -> str:
    """Every rule (or those whose id starts with a ``select`` prefix, that check ``lang``
    and, with ``source``, that run for text translated from it), sorted by id."""
    rules = sorted(load_rules(), key=lambda r: r.id)
    total = len(rules)
    if select:
        rules = [r for r in rules if any(r.id == p or r.id.startswith(p.rstrip(".*") + ".") for p in select)]
    if lang:
        rules = [r for r in rules if "*" in r.languages or lang in r.languages]
    if source:
        rules = [r for r in rules if "*" in r.sources or source in r.sources]
    if not rules:
        raise TqcheckError("no rule matches; 'tqcheck rules' lists them all")
    if fmt == "json":
        return json.dumps([rule_doc(r) for r in rules], ensure_ascii=False, indent=2) + "\n"
    if fmt != "text":
        raise TqcheckError(f"unknown format '{fmt}'; use text or json")
    width = max(len(r.id) for r in rules)
    lines = [f"{'ID':<{width}}  {'CATEGORY':<17}  {'SEVERITY':<8}  {'FIX':<6}  LANGUAGES"]
    for r in rules:
        fix = "-" if not r.has_fix else ("safe" if r.safe else "review")
        langs = ",".join(r.languages) + ("" if "*" in r.sources else f" (from {','.join(r.sources)})")
        lines.append(f"{r.id:<{width}}  {r.category.value:<17}  {r.severity.value:<8}  {fix:<6}  {langs}")
    shown = f"{len(rules)} rules" if len(rules) == total else f"{len(rules)} of {total} rules"
    lines.append(f"\n{shown}. 'tqcheck rules explain ID' tells more about one.")
    return "\n".join(lines) + "\n"


def render_rule_explanation(rule_id: str, fmt: str = "text") -> str:
    rule = load_rules().get(rule_id)
    if rule is None:
        close = [r.id for r in load_rules() if rule_id in r.id][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'tqcheck rules' lists them"
        raise TqcheckError(f"unknown rule '{rule_id}'{hint}")
    doc = rule_doc(rule)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt != "text":
        raise TqcheckError(f"unknown format '{fmt}'; use text or json")
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
