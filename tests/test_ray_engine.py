"""The Ray engine on a local Ray cluster that this test starts and stops: same results as local.

The cluster lives in pytest's tmp tree (temp dir, sockets, logs, spilling); token authentication
stays on with a token passed in the environment, so nothing is written to the home directory, and
usage statistics are off. Kept small (2 CPUs, one actor, a 100 MB object store) so CI runs it.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")

from tqcheck.batch import BatchOptions, discover, run_batch  # noqa: E402
from tqcheck.config import Config  # noqa: E402

FRENCHY = "How to defeat the Islamic State ? The raids , so far , have not stopped them !"


def _home_state() -> set[str]:
    """Ray's usual traces in the home directory: ~/.ray (token, config) and anything ray-named."""
    home = Path.home()
    found = {str(p) for p in (home / ".ray").rglob("*")} if (home / ".ray").exists() else set()
    if (home / ".ray").exists():
        found.add(str(home / ".ray"))
    for base in (home, home / ".cache", home / ".config"):
        if base.is_dir():
            found |= {str(p) for p in base.iterdir() if "ray" in p.name.lower()}
    return found


@pytest.fixture
def ray_cluster(monkeypatch: pytest.MonkeyPatch,
                tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    # Ray's Unix socket paths must stay under ~107 bytes: a short numbered dir in pytest's tmp tree.
    temp = tmp_path_factory.mktemp("ray")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)  # unset: a new local cluster turns token auth on
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(16))
    before = _home_state()
    ray.init(num_cpus=2, include_dashboard=False, _temp_dir=str(temp), object_store_memory=100 * 1024 * 1024,
             log_to_driver=False, configure_logging=False)
    try:
        yield temp
    finally:
        ray.shutdown()
        import shutil

        shutil.rmtree(temp, ignore_errors=True)
        assert _home_state() == before, "Ray left state in the home directory"


def _summary(path: Path) -> dict:
    data = json.loads((path / "summary.json").read_text("utf-8"))
    data.pop("run")  # engine and timing
    return data


def test_ray_engine_matches_local(tmp_path: Path, ray_cluster: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(6):
        (docs / f"d{i}.txt").write_text(FRENCHY if i % 2 else "A clean sentence.", "utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "rows.jsonl").write_text(json.dumps({"id": "../../x", "text": FRENCHY}) + "\n", "utf-8")
    items = discover([str(docs)])
    config = Config(signals=["rules"])
    local = run_batch(items, config, BatchOptions(report_dir=tmp_path / "local", fmt="json", chunk_size=3,
                                                  quiet=True))
    remote = run_batch(items, config, BatchOptions(report_dir=tmp_path / "ray", fmt="json", chunk_size=3,
                                                   engine="ray", workers=1, quiet=True))
    assert remote.exit_code == local.exit_code == 2  # the empty file
    assert _summary(tmp_path / "ray") == _summary(tmp_path / "local")
    assert json.loads((tmp_path / "ray" / "summary.json").read_text())["run"]["engine"] == "ray"
    for report in (tmp_path / "local" / "reports").iterdir():
        assert (tmp_path / "ray" / "reports" / report.name).read_text("utf-8") == report.read_text("utf-8")
    assert os.path.isdir(ray_cluster)  # the cluster's files went where the test put them
    # asking for GPUs the cluster does not have is a one-line error, not a hang
    from tqcheck.engines.ray_engine import RayEngine
    from tqcheck.errors import ConfigError

    with pytest.raises(ConfigError, match="--gpus-per-actor 1: the Ray cluster has 0 GPU"):
        RayEngine(config, "json", 3, gpus_per_actor=1)._pool_size()
