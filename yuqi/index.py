"""The index directory: self-describing builds swapped in atomically.

Layout::

    index/
      current -> builds/<build id>     (a symlink, replaced atomically)
      builds/<build id>/manifest.json  model, dimension, chunking, corpus hash, counts
                        chunks.jsonl   one Chunk per line, row i = vector i
                        docs.json      the document registry (what is ingested)
                        dense.faiss    exact inner-product index
                        bm25/          bm25s index over jieba tokens

A reader resolves `current` once and loads that build, so it never sees a
half-written one; a killed build leaves only an orphan directory behind.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from yuqi.documents import Chunk, text_hash
from yuqi.errors import IndexCorrupt, IndexMismatch, IndexMissing, storage_error
from yuqi.manifest import (  # noqa: F401 - Manifest is part of this module's interface
    DIGESTED, FORMAT_VERSION, REBUILD, Manifest, check_files, check_manifest, file_digests, read_manifest,
)

KEEP_BUILDS = 2  # the live build and the one before it, for readers still loading it


def search_text(chunk: Chunk) -> str:
    """What both BM25 and the embedder see: title and heading give a chunk its context."""
    head = chunk.label if chunk.kind == "statute" else " ".join(x for x in (chunk.title, chunk.heading) if x)
    return f"{head}\n{chunk.text}"


def corpus_hash(chunks: list[Chunk]) -> str:
    return text_hash("\n".join(f"{c.chunk_id}\t{text_hash(c.text)}" for c in chunks))


@dataclass
class BuiltIndex:
    """A loaded build: everything retrieval needs, read-only."""

    build_id: str
    path: Path
    manifest: Manifest
    chunks: list[Chunk]
    docs: dict[str, dict]
    dense: object  # faiss.Index
    bm25: object  # bm25s.BM25
    by_ref: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, c in enumerate(self.chunks):
            self.by_ref.setdefault(c.ref, []).append(i)


def _bm25s():
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
    return bm25s


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = (index_dir / os.readlink(link)) if link.is_symlink() else link
    # A build whose manifest is gone is still "the live build" (a corrupt one), so that
    # loading says so instead of claiming there is no index at all.
    return target if target.is_dir() else None


def current_build_id(index_dir: Path) -> str | None:
    build = current_build(index_dir)
    return build.name if build else None


def write_build(
    index_dir: Path, chunks: list[Chunk], vectors: np.ndarray, docs: dict[str, dict], manifest: Manifest
) -> Path:
    """Write a complete build aside, then point `current` at it atomically.

    A failed write (disk full, read-only) removes the half-written directory and raises
    StorageError; the live build is untouched.
    """
    builds = index_dir / "builds"
    build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    tmp = builds / f".{build_id}.tmp"
    try:
        builds.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        _write_files(tmp, chunks, vectors, docs, manifest)
        _fsync_dir(tmp)
        final = builds / build_id
        os.rename(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        # Named by the index directory: the temporary file in the message would be gone already.
        raise storage_error(OSError(exc.errno, exc.strerror, str(index_dir))) from None
    try:
        _point_current(index_dir, final)
    except OSError as exc:
        shutil.rmtree(final, ignore_errors=True)
        raise storage_error(exc) from None
    prune_builds(index_dir)
    return final


def _write_files(tmp: Path, chunks: list[Chunk], vectors: np.ndarray, docs: dict[str, dict], manifest: Manifest) -> None:
    import faiss

    from yuqi.textnorm import tokenize_zh

    bm25s = _bm25s()
    dense = faiss.IndexFlatIP(manifest.dim)
    if len(vectors):
        dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    try:
        faiss.write_index(dense, str(tmp / "dense.faiss"))
    except RuntimeError as exc:  # faiss reports a failed fwrite as RuntimeError
        raise OSError(28 if "No space" in str(exc) else 5, str(exc).splitlines()[0], str(tmp / "dense.faiss")) from None
    bm = bm25s.BM25(k1=manifest.bm25["k1"], b=manifest.bm25["b"], method=manifest.bm25["method"])
    tokens = [tokenize_zh(search_text(c)) or ["\u2205"] for c in chunks]
    bm.index(tokens or [["\u2205"]], show_progress=False)
    bm.save(str(tmp / "bm25"))
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
    (tmp / "docs.json").write_text(json.dumps(docs, ensure_ascii=False, indent=1), encoding="utf-8")
    manifest.files = file_digests(tmp)
    # Written last: a directory without a manifest is never mistaken for a build.
    (tmp / "manifest.json").write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")


def _fsync_dir(path: Path) -> None:
    for f in path.iterdir():
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())


def _point_current(index_dir: Path, build: Path) -> None:
    tmp_link = index_dir / f".current.{uuid.uuid4().hex[:6]}"
    os.symlink(os.path.relpath(build, index_dir), tmp_link)
    current = index_dir / "current"
    if current.is_dir() and not current.is_symlink():
        # `current` replaced by a real directory (a copy, a restore): moved aside, never deleted,
        # so the symlink can take its place ("Is a directory" otherwise).
        os.rename(current, index_dir / f"damaged-current-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}")
    os.replace(tmp_link, current)  # atomic on POSIX


def prune_builds(index_dir: Path) -> None:
    """Drop orphan temp dirs and all but the newest builds (never the live one)."""
    builds = index_dir / "builds"
    if not builds.is_dir():
        return
    live = current_build(index_dir)
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    for old in done[:-KEEP_BUILDS]:
        if live is None or old.resolve() != live.resolve():
            shutil.rmtree(old, ignore_errors=True)
    for tmp in builds.glob(".*.tmp"):
        shutil.rmtree(tmp, ignore_errors=True)


def load_build(
    index_dir: Path, embed_model: str | None = None, chunk_size: int | None = None,
    chunk_overlap: int | None = None, *, fingerprint: str | None = None,
) -> BuiltIndex:
    """The live build, checked against its manifest. chunk_size/chunk_overlap are accepted
    for old callers and ignored: chunking is a build setting, not a reason to refuse a build."""
    build = current_build(index_dir)
    if build is None:
        raise IndexMissing(f"在 {index_dir} 没有找到索引。{REBUILD}")
    manifest = read_manifest(build)
    check_manifest(manifest, embed_model, fingerprint)
    check_files(build, manifest)
    try:
        return _read_build(build, manifest)
    except IndexCorrupt:
        raise
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, AttributeError) as exc:
        # Digests matched but the content does not parse: written by something else.
        raise IndexCorrupt(f"索引已损坏：{build.name} 无法读取（{type(exc).__name__}）。{REBUILD}") from None


def _read_build(build: Path, manifest: Manifest) -> BuiltIndex:
    import faiss

    bm25s = _bm25s()
    with open(build / "chunks.jsonl", encoding="utf-8") as fh:
        chunks = [Chunk(**json.loads(line)) for line in fh]
    dense = faiss.read_index(str(build / "dense.faiss"))
    if dense.d != manifest.dim or dense.ntotal != len(chunks):
        raise IndexCorrupt(f"索引文件不完整（向量 {dense.ntotal} 条，段落 {len(chunks)} 条）。{REBUILD}")
    bm = bm25s.BM25.load(str(build / "bm25"))
    _check_bm25(bm, len(chunks))
    docs = json.loads((build / "docs.json").read_text(encoding="utf-8"))
    return BuiltIndex(build.name, build, manifest, chunks, docs, dense, bm)


def _check_bm25(bm, n_chunks: int) -> None:
    """A BM25 index that loads but cannot score (params {} → TypeError at query time; a zeroed
    data array → every score 0) is as damaged as a truncated file."""
    params_ok = all(isinstance(getattr(bm, k, None), (int, float)) for k in ("k1", "b")) and isinstance(
        getattr(bm, "method", None), str)
    scores = getattr(bm, "scores", None)
    if not params_ok or not isinstance(scores, dict):
        raise IndexCorrupt(f"索引已损坏：BM25 参数无法读取。{REBUILD}")
    data, indptr = np.asarray(scores.get("data")), np.asarray(scores.get("indptr"))
    if scores.get("num_docs") != max(n_chunks, 1) or indptr.ndim != 1 or (indptr.size and indptr[-1] != data.size):
        raise IndexCorrupt(f"索引已损坏：BM25 与段落数不符。{REBUILD}")
    if n_chunks and (not data.size or not np.any(data) or not np.all(np.isfinite(data))):
        raise IndexCorrupt(f"索引已损坏：BM25 分数全为零或无效。{REBUILD}")


def read_docs(index_dir: Path) -> dict[str, dict]:
    """The live build's document registry ({} when there is no build), checked like a load."""
    build = current_build(index_dir)
    if build is None:
        return {}
    check_files(build, read_manifest(build))
    try:
        return json.loads((build / "docs.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"索引已损坏：docs.json 无法读取（{type(exc).__name__}）。{REBUILD}") from None


def live_model(index_dir: Path) -> str | None:
    """The embedding model the live build was made with (None without a readable build)."""
    build = current_build(index_dir)
    if build is None:
        return None
    try:
        return read_manifest(build).embed_model
    except (IndexCorrupt, IndexMismatch):
        return None


def load_vectors(build: BuiltIndex) -> np.ndarray:
    """All vectors of a build (for incremental rebuilds without re-embedding)."""
    n = build.dense.ntotal
    return build.dense.reconstruct_n(0, n) if n else np.zeros((0, build.manifest.dim), np.float32)
