"""Model-free rules. Rules are declarations in data files under ``rules/data/``; the
registry is built from those declarations, never from a hand-kept table."""

from tqcheck.rules.engine import Match, Rule, RuleSet, load_rules

__all__ = ["Match", "Rule", "RuleSet", "load_rules"]
