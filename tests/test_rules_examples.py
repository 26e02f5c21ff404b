"""Every rule's own examples, and the completeness of every rule's documentation.

Rules are declarations (TOML records and lexicon rows); this one test file holds them all to
their `fires` / `passes` examples, so a new rule is tested the moment it is declared.
"""

from __future__ import annotations

import re

import pytest

from tqcheck.findings import Category
from tqcheck.rules.docs import example_fix
from tqcheck.rules.engine import Context, Rule, load_rules

RULES = list(load_rules())


def _context(rule: Rule) -> Context:
    lang = rule.languages[0] if "*" not in rule.languages else "en"
    source = rule.sources[0] if "*" not in rule.sources else None
    return Context(lang, source)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_fires_on_its_examples_and_passes_its_counterexamples(rule: Rule) -> None:
    for text in rule.fires:
        matches = list(rule.find(text, _context(rule)))
        assert matches, f"{rule.id} must fire on: {text!r}"
        for m in matches:
            assert 0 <= m.start < m.end <= len(text)
            assert m.message and "{" not in m.message, m.message
    for text in rule.passes:
        matches = [text[m.start:m.end] for m in rule.find(text, _context(rule))]
        assert not matches, f"{rule.id} must not fire on {text!r} (fired on {matches})"


@pytest.mark.parametrize("rule", [r for r in RULES if r.safe], ids=lambda r: r.id)
def test_safe_fixes_are_exact_and_final(rule: Rule) -> None:
    """Applying a safe fix removes the finding and changes nothing outside its span."""
    assert rule.confidence == 1.0 or rule.id.startswith("locale."), "exact typography has confidence 1.0"
    for text in rule.fires:
        fixed = example_fix(rule, text)
        assert fixed is not None and fixed != text
        assert not list(rule.find(fixed, _context(rule))), f"{rule.id}: still fires after the fix: {fixed!r}"
        # Outside the flagged spans, the text is untouched.
        matches = sorted(rule.find(text, _context(rule)), key=lambda m: m.start)
        assert fixed.startswith(text[: matches[0].start]) and fixed.endswith(text[matches[-1].end:])


def test_ids_are_unique_dotted_and_lower_case() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+", rule_id), rule_id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_docs_are_complete(rule: Rule) -> None:
    assert rule.message.strip()
    assert rule.what.strip(), "what it does"
    assert rule.why.strip(), "why it matters"
    assert rule.use_instead.strip(), "what to use instead"
    assert rule.fires, "at least one example that fires"
    assert rule.passes, "at least one example that must not fire"
    assert rule.languages
    assert 0 < rule.confidence <= 1
    if rule.category is Category.NON_CONTENT:
        assert not rule.has_fix
    if rule.safe:
        assert rule.has_fix, "a safe rule must offer a replacement"


def test_rule_pack_covers_every_part_of_the_issue() -> None:
    ids = {r.id for r in RULES}
    for needed in [
        "typography.space-before-punctuation", "typography.french-guillemets",
        "typography.closing-quote-opens", "typography.space-in-hyphenated-name",
        "locale.decimal-comma", "locale.space-thousands", "locale.numeric-day-month",
        "typography.doubled-space", "untranslated.sentence", "untranslated.words",
        "content.boilerplate", "grammar.repeated-word", "punctuation.unbalanced-quotes",
        "punctuation.unbalanced-brackets",
    ]:
        assert needed in ids
    lexicon = [r for r in RULES if r.kind == "lexicon" and r.options["lexicon"] == "fr-en"]
    assert len(lexicon) >= 150
    single = [r for r in lexicon if " " not in r.options["pattern"].regex.pattern.split("(?P<span>")[-1]
              and r.id.startswith("false-friend.")]
    assert single, "single-word false friends"
    assert sum(r.id.startswith("calque.") for r in lexicon) >= 40, "multiword calques"
    for required in ["actually", "eventually-before-object", "control-check", "assist-at",
                     "demand-pronoun-to", "sensible-sensitive-noun", "library-bookshop",
                     "achieve-finish", "pass-exam-failed", "recognize-admit"]:
        assert any(r.id.endswith("." + required) for r in lexicon), required


def test_every_example_fires_through_the_pipeline_too() -> None:
    """The rules signal screens rules (anchor-word index, `requires`, paragraph scope); every
    rule must still find its own examples when they go through the whole pipeline."""
    from tqcheck.api import Checker
    from tqcheck.config import Config
    from tqcheck.formats import document_from_text

    cases = [(rule, text) for rule in RULES for text in rule.fires
             if "en" in rule.languages or "*" in rule.languages]
    by_source: dict[str | None, list[tuple[Rule, str]]] = {}
    for rule, text in cases:
        by_source.setdefault(_context(rule).source, []).append((rule, text))
    for source, group in by_source.items():
        checker = Checker(Config(signals=["rules"], lang="en", source_lang=source))
        report = checker.check_documents([document_from_text(text) for _, text in group])
        for (rule, text), result in zip(group, report.documents, strict=True):
            # Within a group, one finding per span is kept (two lexicon entries may agree); an
            # example of several sentences is checked sentence by sentence, so overlap suffices.
            same_group = [f for f in result.findings if f.rule.split(".")[0] == rule.group]
            for m in rule.find(text, _context(rule)):
                assert any(f.start < m.end and m.start < f.end for f in same_group), (
                    f"{rule.id} lost {text[m.start:m.end]!r} of {text!r} in the pipeline")
