"""Default and scale ingest: chunks per second, cold (empty embedding cache) and warm."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import Env, dir_size_mb, make_env
from yuqi import index as ix


@dataclass
class IngestFigures:
    seconds: float
    chunks: int
    embedded: int
    docs: int
    index_mb: float

    @property
    def rate(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0


def load_embedder(env: Env):
    from yuqi.embed import Embedder

    t0 = time.perf_counter()
    embedder = Embedder(env.settings.embed_model, env.settings.cache_dir)
    return embedder, time.perf_counter() - t0


def timed_build(env: Env, embedder) -> IngestFigures:
    from ingest.pipeline import build

    t0 = time.perf_counter()
    report = build(env.settings, embedder)
    seconds = time.perf_counter() - t0
    live = ix.current_build(env.settings.index_dir)
    docs = len(report.added) + len(report.updated) + len(report.unchanged)
    return IngestFigures(seconds, report.chunks, report.embedded, docs, dir_size_mb(live) if live else 0.0)


def all_current_laws() -> list[str]:
    from ingest.statutes import CURRENT, _connect

    marks = ",".join("?" * len(CURRENT))
    rows = _connect().execute(
        f"SELECT DISTINCT law_name FROM laws WHERE status IN ({marks}) ORDER BY law_name", CURRENT
    ).fetchall()
    return [r[0] for r in rows]


def scale_env(base: Path) -> tuple[Env, int]:
    """A corpus copy whose statutes.txt lists every current law in laws.db; empty embedding cache."""
    env = make_env(base, "scale")
    laws = all_current_laws()
    selection = env.settings.corpus_dir / "statutes.txt"
    selection.write_text("# every current law in laws.db (bench --scale)\n" + "\n".join(laws) + "\n", encoding="utf-8")
    return env, len(laws)
