"""A deterministic stand-in for the embedding model, for plumbing tests (no weights loaded).

Vectors are hashed character bigrams, so equal texts get equal vectors and
similar texts similar ones; nothing here measures retrieval quality.

`python tests/fake_embed.py <ingest args…>` runs `python -m ingest` with it, so
CLI tests can run real subprocesses without loading the model.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

DIM = 32


class FakeEmbedder:
    def __init__(self, name: str = "fake-model", cache_dir=None, batch_size: int = 32):
        self.name = name
        self.path = "fake"
        self.dim = DIM

    @property
    def fingerprint(self) -> str:
        return f"{self.name}|fake-v1"

    def encode_queries(self, texts):
        return self._encode(list(texts))

    def encode_passages(self, texts, progress=None):
        out = self._encode(list(texts))
        if progress:
            progress(len(out), len(out))
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:] or " "):
                h = hashlib.blake2b((a + b).encode("utf-8", "surrogatepass"), digest_size=4).digest()
                out[i, int.from_bytes(h, "little") % DIM] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-6)
        return out


ROOT = Path(__file__).resolve().parent.parent


def cli_env(base: Path, **extra: str) -> dict:
    """Environment for a subprocess working on base/corpus and base/index with the fake embedder
    (its own embedding cache, so fake vectors never enter the shared one)."""
    import os

    env = dict(os.environ, YUQI_INDEX_DIR=str(base / "index"), YUQI_CORPUS_DIR=str(base / "corpus"),
               YUQI_DATA_DIR=str(base / "data"), YUQI_CACHE_DIR=str(base / "cache"), PYTHONPATH=str(ROOT),
               PYTHONIOENCODING="utf-8", YUQI_TEST_FAKE_EMBEDDER="1", HF_HUB_OFFLINE="1")
    for var in ("YUQI_CHUNK_SIZE", "YUQI_CHUNK_OVERLAP", "YUQI_EMBED_MODEL"):
        env.pop(var, None)
    env.update(extra)
    return env


def run_cli(base: Path, *args: str, timeout: float = 120, **extra: str):
    """`python -m ingest <args>` as a real subprocess, with the fake embedder."""
    import subprocess

    return subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT,
                          env=cli_env(base, **extra), capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)


def patch() -> None:
    import yuqi.embed

    yuqi.embed.Embedder = FakeEmbedder


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    patch()
    from ingest.__main__ import main

    sys.exit(main(sys.argv[1:]))
