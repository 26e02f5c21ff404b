"""Sentence alignment of a plain target with its source (``--source``): Gale-Church lengths plus
cognate affinity; omissions and additions become findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tqcheck.align import align, bead_cost, cognate_affinity
from tqcheck.api import Checker
from tqcheck.cli import app
from tqcheck.config import Config
from tqcheck.formats import read_with_source

SOURCE = ("How to defeat the Islamic State? The coalition meets in Paris on Tuesday. "
          "The prime minister will explain the plan to the members of parliament. "
          "The raids have not stopped the jihadists. "
          "Iraqis hope to mobilize Sunni tribes to reclaim the province of Anbar.\n")
TARGET = ("Comment vaincre l'État islamique ? La coalition se réunit à Paris mardi. "
          "Les raids n'ont pas arrêté les jihadistes. "
          "Les Irakiens espèrent mobiliser les tribus sunnites pour reprendre la province d'Anbar.\n")


def test_bead_cost_prefers_proportional_lengths() -> None:
    assert bead_cost(100, 115, 1.15, 6.8) < bead_cost(100, 60, 1.15, 6.8) < bead_cost(100, 20, 1.15, 6.8)


def test_align_lengths_one_to_one_and_merges() -> None:
    assert align([40, 80, 30], [46, 92, 35], 1.15) == [([0], [0]), ([1], [1]), ([2], [2])]
    # One long target sentence for two source sentences: a 2-1 bead.
    assert align([40, 50, 30], [105, 35], 1.15) == [([0, 1], [0]), ([2], [1])]
    assert align([], [10]) == [([], [0])]


def test_cognates_find_the_dropped_sentence() -> None:
    src = ["The raids killed 4,000 fighters.", "The prime minister will explain the plan to parliament.",
           "Iraqis hope to mobilize Sunni tribes in Anbar."]
    tgt = ["Les raids ont tué 4 000 combattants.", "Les Irakiens espèrent mobiliser les tribus sunnites d'Anbar."]
    beads = align([len(s) for s in src], [len(t) for t in tgt], 1.15, similarity=cognate_affinity(src, tgt))
    assert beads == [([0], [0]), ([1], []), ([2], [1])]


def _write(tmp_path: Path) -> tuple[Path, Path]:
    src, tgt = tmp_path / "article.en.txt", tmp_path / "article.fr.txt"
    src.write_text(SOURCE, "utf-8")
    tgt.write_text(TARGET, "utf-8")
    return src, tgt


def test_align_document_sets_sources_and_records_the_omission(tmp_path: Path) -> None:
    src, tgt = _write(tmp_path)
    checker = Checker(Config(lang="fr", source_lang="en", signals=["source"]))
    doc = checker.prepare(read_with_source(tgt, src))
    assert doc.meta["alignment"]["method"] == "length+cognates"
    assert [s.source for s in doc.segments] == [
        "How to defeat the Islamic State?", "The coalition meets in Paris on Tuesday.",
        "The raids have not stopped the jihadists.",
        "Iraqis hope to mobilize Sunni tribes to reclaim the province of Anbar."]
    assert [g["kind"] for g in doc.meta["alignment_gaps"]] == ["omission"]
    assert doc.meta["alignment_gaps"][0]["text"].startswith("The prime minister")


def test_cli_source_option_reports_omission_and_terms(tmp_path: Path) -> None:
    src, tgt = _write(tmp_path)
    glossary = tmp_path / "terms.csv"
    glossary.write_text("source,target,forbidden\njihadist,djihadiste,jihadiste\n", "utf-8")
    result = CliRunner().invoke(app, ["check", str(tgt), "--source", str(src), "--lang", "fr", "--source-lang",
                                      "en", "--glossary", str(glossary), "-f", "json", "--signals", "source"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    by_rule = {f["rule"]: f for f in findings}
    omission = by_rule["source.omission"]
    assert "The prime minister will explain" in omission["message"]
    assert omission["start"] == omission["end"] == TARGET.index(" Les raids")  # where it is missing
    forbidden = by_rule["source.term-forbidden"]
    assert forbidden["text"] == "jihadistes" and forbidden["suggestions"][0]["replacement"] == "djihadistes"


def test_cli_source_option_reports_an_added_sentence(tmp_path: Path) -> None:
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("The coalition meets in Paris on Tuesday. The raids have not stopped the jihadists.\n", "utf-8")
    tgt.write_text("La coalition se réunit à Paris mardi. Le gouvernement a publié un long communiqué hier soir. "
                   "Les raids n'ont pas arrêté les djihadistes.\n", "utf-8")
    result = CliRunner().invoke(app, ["check", str(tgt), "--source", str(src), "--lang", "fr", "--source-lang",
                                      "en", "-f", "json", "--signals", "source"])
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    assert [(f["rule"], f["text"]) for f in findings] == [
        ("source.addition", "Le gouvernement a publié un long communiqué hier soir.")]


@pytest.mark.parametrize("args,message", [
    (["a.txt", "b.txt", "--source", "s.txt"], "exactly one file"),
    (["x.po", "--source", "s.txt"], "already holds its sources"),
])
def test_cli_source_option_misuse(tmp_path: Path, args: list[str], message: str) -> None:
    for name in ("a.txt", "b.txt", "s.txt"):
        (tmp_path / name).write_text("Some text here.\n", "utf-8")
    (tmp_path / "x.po").write_text('msgid "a"\nmsgstr "b"\n', "utf-8")
    result = CliRunner().invoke(app, ["check", *[str(tmp_path / a) if "." in a else a for a in args]])
    assert result.exit_code != 0 and message in str(result.exception)


def test_markdown_target_and_source_are_masked_alike(tmp_path: Path) -> None:
    src, tgt = tmp_path / "s.md", tmp_path / "t.md"
    src.write_text("# The plan\n\nRun `tqcheck --help` first. The coalition meets in Paris on Tuesday.\n\n"
                   "```\ncode stays out\n```\n", "utf-8")
    tgt.write_text("# Le plan\n\nLancez `tqcheck --help` d'abord. La coalition se réunit à Paris mardi.\n\n"
                   "```\ncode stays out\n```\n", "utf-8")
    doc = Checker(Config(lang="fr", source_lang="en", signals=["source"])).prepare(read_with_source(tgt, src))
    assert [s.source for s in doc.segments] == ["The plan", "Run \ufffc\ufffc\ufffc\ufffc\ufffc\ufffc\ufffc"
                                                "\ufffc\ufffc\ufffc\ufffc\ufffc\ufffc\ufffc\ufffc\ufffc first.",
                                                "The coalition meets in Paris on Tuesday."]
    assert not doc.meta["alignment_gaps"]
    result = CliRunner().invoke(app, ["check", str(tgt), "--source", str(src), "--lang", "fr", "--source-lang", "en",
                                      "-f", "json", "--signals", "source"])
    assert json.loads(result.stdout)["documents"][0]["findings"] == []
