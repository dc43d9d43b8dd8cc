"""A damaged BM25 or params file, and `index/current` as a real directory, are detected and repaired (issue 25)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from fake_embed import run_ingest
from test_ingest_manifest import base  # noqa: F401 - the fixture: a corpus of one law, built
from yuqi import index as ix
from yuqi.errors import IndexCorrupt


def _zero_npy(path: Path) -> None:
    arr = np.load(path)
    np.save(path, np.zeros_like(arr))


def _legacy_manifest(build: Path) -> None:
    """As a build written before the BM25 files were digested."""
    m = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    m["files"] = {k: v for k, v in m["files"].items() if not k.startswith("bm25/")}
    (build / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")


DAMAGE = {
    "zeroed scores": lambda b: _zero_npy(b / "bm25" / "data.csc.index.npy"),
    "empty params": lambda b: (b / "bm25" / "params.index.json").write_text("{}", encoding="utf-8"),
    "params not an object": lambda b: (b / "bm25" / "params.index.json").write_text("[1]", encoding="utf-8"),
}


@pytest.mark.parametrize("legacy", [False, True], ids=["digested", "legacy-manifest"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_bm25_is_detected_then_repaired_by_build(base, damage, legacy):
    build = (base / "index" / "current").resolve()
    if legacy:
        _legacy_manifest(build)
    DAMAGE[damage](build)
    with pytest.raises(IndexCorrupt, match="ingest build"):
        ix.load_build(base / "index")
    res = run_ingest(base, "build")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    loaded = ix.load_build(base / "index")
    assert np.any(np.asarray(loaded.bm25.scores["data"]))


def test_current_as_a_real_directory_is_repaired_and_kept_aside(base):
    index = base / "index"
    live = (index / "current").resolve()
    (index / "current").unlink()
    shutil.copytree(live, index / "current")
    res = run_ingest(base, "build")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert (index / "current").is_symlink() and ix.load_build(index).chunks
    assert list(index.glob("damaged-current-*"))  # moved aside, not deleted
