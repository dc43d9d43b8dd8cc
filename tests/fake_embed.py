"""A deterministic stand-in for the embedding model, for plumbing tests.

Character unigrams and bigrams are hashed into a small vector and normalised, so
texts that share wording are near each other: enough for index, ingest, page and
concurrency tests to retrieve something sensible without loading e5 (~2 s and
~500 MB per process). Quality claims are never tested with it: those tests carry
the `model` marker and use the real `Embedder`.

`python tests/fake_embed.py <ingest args…>` runs `python -m ingest` with it (see run_cli).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FAKE_MODEL = "fake-hash-64"


class FakeEmbedder:
    name = FAKE_MODEL
    dim = 64

    def __init__(self) -> None:
        self.calls = 0  # texts encoded, so tests can assert that caching avoided work

    @property
    def fingerprint(self) -> str:
        return f"{self.name}|v1"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        out = self._encode(texts)
        if progress:
            progress(len(texts), len(texts))
        return out

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = list(text) + [text[i:i + 2] for i in range(len(text) - 1)]
            for g in grams:
                h = int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0  # empty text: any unit vector keeps FAISS inner products finite
        return out


class NamedFakeEmbedder(FakeEmbedder):
    """The fake under any model name, built like `yuqi.embed.Embedder(name, cache_dir)`: what
    `python -m ingest` constructs when the fake is patched in (tests/fake_embed.py as a script)."""

    def __init__(self, name: str = FAKE_MODEL, cache_dir=None, batch_size: int = 32) -> None:
        super().__init__()
        self.name = name


# -- `python tests/fake_embed.py <ingest args…>`: the ingest CLI with the fake, as a real subprocess --

ROOT = Path(__file__).resolve().parent.parent


def cli_env(base: Path, **extra: str) -> dict:
    """Environment for a subprocess working on base/corpus and base/index with the fake embedder
    (its own embedding cache, so fake vectors never enter the shared one)."""
    env = dict(os.environ, YUQI_INDEX_DIR=str(base / "index"), YUQI_CORPUS_DIR=str(base / "corpus"),
               YUQI_DATA_DIR=str(base / "data"), YUQI_CACHE_DIR=str(base / "cache"), PYTHONPATH=str(ROOT),
               PYTHONIOENCODING="utf-8", YUQI_TEST_FAKE_EMBEDDER="1", HF_HUB_OFFLINE="1")
    for var in ("YUQI_CHUNK_SIZE", "YUQI_CHUNK_OVERLAP", "YUQI_EMBED_MODEL"):
        env.pop(var, None)
    env.update(extra)
    return env


def run_cli(base: Path, *args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
    """`python -m ingest <args>` as a real subprocess, with the fake embedder."""
    return subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT,
                          env=cli_env(base, **extra), capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)


def run_ingest(base: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """`python -m ingest <args>` run in this process: the same `main`, environment, fake embedder
    and captured output as `run_cli`, without a new interpreter each time.

    A subprocess costs ~2.4 s here (1.4 s of it jieba loading its dictionary), and identity and
    transaction tests run several per test. Tests about the process itself (exit on a kill,
    output encoding) keep `run_cli`.
    """
    import contextlib
    import io
    import logging

    import pytest

    import yuqi.embed
    from ingest.__main__ import main
    from yuqi.settings import get_settings

    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)  # stands in for the CLI's logging.basicConfig
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        env = cli_env(base, **extra)
        for var in set(os.environ) - set(env):
            mp.delenv(var)
        for var, value in env.items():
            mp.setenv(var, value)
        mp.setattr(yuqi.embed, "Embedder", NamedFakeEmbedder)
        mp.setattr(logging, "basicConfig", lambda **_: None)
        logging.getLogger().addHandler(handler)
        get_settings.cache_clear()
        try:
            code = main(list(args))
        finally:
            logging.getLogger().removeHandler(handler)
            get_settings.cache_clear()
    return subprocess.CompletedProcess(["ingest", *args], code, out.getvalue(), err.getvalue())


def patch() -> None:
    import yuqi.embed

    yuqi.embed.Embedder = NamedFakeEmbedder


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    patch()
    from ingest.__main__ import main

    sys.exit(main(sys.argv[1:]))
