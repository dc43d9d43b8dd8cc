"""Shared fixtures. The real model and a real index are built once per test session.

The embedding cache and the materialised model live in the user cache dir
(~/.cache/yuqi), so a second run re-embeds nothing; the index, corpus copy and
user data always live in temp dirs, never in the repo.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DOCS_EXTRA = SHARED / "documents-extra"
# CI clones the repo with shared/ beside it; elsewhere these tests say why they skip.
needs_docs_extra = pytest.mark.skipif(not DOCS_EXTRA.is_dir(), reason=f"{DOCS_EXTRA} not found (../shared beside the clone)")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Tests never talk to a real LLM unless a test starts its own local server.
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "YUQI_LLM_MODEL"):
    os.environ.pop(var, None)


def make_settings(base: Path, corpus: Path | None = None, **changes):
    from yuqi.settings import load_settings

    s = load_settings().with_(
        corpus_dir=corpus or base / "corpus", index_dir=base / "index", data_dir=base / "data",
        llm_api_key="", llm_base_url="", llm_model="",
    )
    return s.with_(**changes) if changes else s


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(ROOT / "corpus", dest, ignore=shutil.ignore_patterns("user"))
    return dest


def small_index(base: Path, embedder, laws=("中华人民共和国个人信息保护法", "中华人民共和国反电信网络诈骗法"),
                with_articles: bool = False, **changes):
    """A corpus of a few short laws (optionally with the repo's articles) and its built index."""
    from ingest.pipeline import build

    corpus = copy_corpus(base / "corpus") if with_articles else base / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "statutes.txt").write_text("\n".join(laws) + "\n", encoding="utf-8")
    settings = make_settings(base, corpus, embed_model=embedder.name, **changes)
    build(settings, embedder)
    return settings


# Tests that take one of these fixtures load the real embedding model: they carry the `model`
# marker, so `pytest -m "not model"` runs the rest in a couple of minutes.
MODEL_FIXTURES = {"embedder", "built", "retriever"}


# These run the real app or CLI in a subprocess, which loads the real model too.
SUBPROCESS_MARKERS = {"browser", "slow"}
SUBPROCESS_MODULES = {"test_ingest_cli"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        uses_model = MODEL_FIXTURES & set(getattr(item, "fixturenames", ()))
        spawns = SUBPROCESS_MARKERS & {m.name for m in item.iter_markers()} or item.module.__name__ in SUBPROCESS_MODULES
        if uses_model or spawns:
            item.add_marker(pytest.mark.model)


@pytest.fixture()
def fake_embedder():
    from fake_embed import FakeEmbedder

    return FakeEmbedder()


def fake_settings(base: Path, corpus: Path | None = None, **changes):
    """Settings whose index is built with the fake embedder (see fake_embed.py)."""
    from fake_embed import FAKE_MODEL

    return make_settings(base, corpus, embed_model=FAKE_MODEL, **changes)


@pytest.fixture(scope="session")
def embedder():
    from yuqi.embed import Embedder
    from yuqi.settings import load_settings

    s = load_settings()
    return Embedder(s.embed_model, s.cache_dir)


@pytest.fixture(scope="session")
def built(tmp_path_factory, embedder):
    """(settings, service) over a real default index built from a copy of corpus/."""
    from ingest.pipeline import build
    from yuqi.service import Service

    base = tmp_path_factory.mktemp("default")
    settings = make_settings(base, copy_corpus(base / "corpus"))
    build(settings, embedder)
    return settings, Service(settings, embedder)


@pytest.fixture(scope="session")
def retriever(built):
    return built[1].retriever()
