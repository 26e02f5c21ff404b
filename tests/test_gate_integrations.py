"""The CI integration files: the composite action's script runs as GitHub would run it, the example
workflow uploads the SARIF it writes, and the pre-commit hooks' entries work on a list of files."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT / "src"), "RUNNER_TEMP": str(tmp_path / "runner"),
           "GITHUB_OUTPUT": str(tmp_path / "output.txt"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    (tmp_path / "runner").mkdir(exist_ok=True)
    defaults = {"FILES": "**/*.md", "FAIL_UNDER": "", "FAIL_ON": "", "BASELINE": "", "CONFIG": "", "ARGS": "",
                "SARIF": "tqcheck.sarif", "ANNOTATIONS": "true", "SUMMARY": "true"}
    env.update({**defaults, **inputs})
    return env


def _action_step(name: str) -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    return next(step for step in action["runs"]["steps"] if step.get("name") == name)


def _run_check_step(tmp_path: Path, **inputs: str) -> tuple[int, str, dict[str, str]]:
    step = _action_step("Check")
    # Every input reaches the script through env, never through ${{ }} inside the script.
    assert "${{" not in step["run"]
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=tmp_path, env=_env(tmp_path, **inputs), capture_output=True, text=True,
                          timeout=120)
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output.txt").read_text().splitlines())
    return proc.returncode, proc.stdout, outputs


def _workspace(tmp_path: Path) -> None:
    (tmp_path / "docs" / "fr").mkdir(parents=True)
    (tmp_path / "docs" / "fr" / "a b.md").write_text("How to defeat the Islamic State ?\n", encoding="utf-8")
    (tmp_path / "docs" / "clean.md").write_text("A clean sentence.\n", encoding="utf-8")


def test_action_check_step_annotates_writes_sarif_and_summary(tmp_path):
    _workspace(tmp_path)
    code, stdout, outputs = _run_check_step(tmp_path, FAIL_ON="minor", ARGS="--signals rules")
    assert code == 1 and outputs == {"sarif-file": "tqcheck.sarif", "exit-code": "1"}
    assert stdout.startswith("::notice file=docs/fr/a b.md,line=1,")
    sarif = json.loads((tmp_path / "tqcheck.sarif").read_text("utf-8"))
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]] == ["docs/fr/a%20b.md"]
    assert "## tqcheck report" in (tmp_path / "summary.md").read_text("utf-8")


def test_action_check_step_with_baseline_passes_and_handles_no_files(tmp_path):
    _workspace(tmp_path)
    subprocess.run([str(BIN / "tqcheck"), "check", "docs/clean.md", "docs/fr/a b.md", "--write-baseline",
                    "base.json"], cwd=tmp_path, env=_env(tmp_path), check=True, capture_output=True)
    code, stdout, outputs = _run_check_step(tmp_path, FAIL_ON="minor", BASELINE="base.json",
                                            FILES="docs/clean.md docs/**/a*.md")
    assert code == 0 and outputs["exit-code"] == "0" and stdout == ""
    (tmp_path / "output.txt").unlink()
    code, stdout, outputs = _run_check_step(tmp_path, FILES="nothing/**/*.md")
    assert code == 0 and outputs["exit-code"] == "0" and "::warning title=tqcheck::no files match" in stdout


def test_example_workflow_uploads_the_actions_sarif():
    workflow = yaml.safe_load((ROOT / "docs" / "examples" / "tqcheck-sarif.yml").read_text("utf-8"))
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["translation-quality"]["steps"]
    check = next(s for s in steps if s.get("id") == "tqcheck")
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "always()" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.tqcheck.outputs.sarif-file }}"
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert set(check["with"]) <= set(action["inputs"])


def test_pre_commit_hooks_run_on_a_list_of_files(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert [h["id"] for h in hooks] == ["tqcheck", "tqcheck-rules"]
    _workspace(tmp_path)
    files = ["docs/clean.md", "docs/fr/a b.md"]
    for hook in hooks:
        assert hook["language"] == "python" and "markdown" in hook["types_or"]
        cmd = shlex.split(hook["entry"])
        assert cmd[:2] == ["tqcheck", "check"]
        # pre-commit appends args then the staged file names
        proc = subprocess.run([str(BIN / cmd[0]), *cmd[1:], "--signals", "rules", "--fail-on", "minor", *files],
                              cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and "How to defeat the Islamic State" in proc.stdout
