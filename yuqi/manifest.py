"""The manifest: what a build is, and whether this program can trust it.

A build records the model that made its vectors (name, fingerprint, dimension),
the tokenizer assets its BM25 terms came from (hashes of the user dictionary
and stop words), the versions that wrote it and a digest of each data file.
Loading checks all of that; the chunking settings are recorded but only
matter when building, so changing them never blocks loading.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from yuqi.errors import IndexCorrupt, IndexMismatch

FORMAT_VERSION = 2  # 2: tokenizer assets, versions and file digests recorded
DIGESTED = ("chunks.jsonl", "docs.json", "dense.faiss")
# The BM25 files (bm25s 0.3 layout): digested when written; checked when the manifest records
# them (builds written before these entries existed are checked by content on load instead).
BM25_FILES = ("bm25/params.index.json", "bm25/vocab.index.json", "bm25/data.csc.index.npy",
              "bm25/indices.csc.index.npy", "bm25/indptr.csc.index.npy")
REBUILD = "请运行 `python -m ingest build` 重建索引（run `python -m ingest build`）"


@dataclass
class Manifest:
    """Everything a reader needs to trust a build: the model that made its vectors, the
    tokenizer assets its BM25 terms came from, the versions that wrote it and each file's digest.

    chunk_size/chunk_overlap are build settings: recorded, never checked on load.
    """

    embed_model: str
    model_fingerprint: str
    dim: int
    chunk_size: int
    chunk_overlap: int
    corpus_hash: str
    built_at: str
    counts: dict
    build_seconds: float = 0.0
    tokenizer: dict = field(default_factory=dict)  # {"name": "jieba", asset file: sha256, …}
    versions: dict = field(default_factory=dict)  # project and library versions that wrote it
    files: dict = field(default_factory=dict)  # file name -> {"bytes": n, "sha256": …}
    bm25: dict = field(default_factory=lambda: {"k1": 1.2, "b": 0.75, "method": "lucene"})
    format_version: int = FORMAT_VERSION


def tokenizer_identity() -> dict:
    """What BM25 terms depend on: the tokenizer and the hashes of its dictionary files."""
    from yuqi.textnorm import STOPWORDS, USERDICT

    out = {"name": "jieba", "jieba": _version("jieba")}
    for f in (USERDICT, STOPWORDS):
        out[f.name] = _file_sha256(f) if f.exists() else ""
    return out


def library_versions() -> dict:
    return {name: _version(name) for name in ("yuqi", "faiss-cpu", "bm25s", "jieba", "sentence-transformers", "numpy")}


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


def _file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digests(build: Path) -> dict:
    names = DIGESTED + tuple(n for n in BM25_FILES if (build / n).is_file())
    return {n: {"bytes": (build / n).stat().st_size, "sha256": _file_sha256(build / n)} for n in names}


def read_manifest(build: Path) -> Manifest:
    try:
        data = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"索引已损坏：manifest.json 无法读取（{type(exc).__name__}）。{REBUILD}") from None
    if not isinstance(data, dict):
        raise IndexCorrupt(f"索引已损坏：manifest.json 不是对象。{REBUILD}")
    if data.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(f"索引格式 v{data.get('format_version')}，程序需要 v{FORMAT_VERSION}。{REBUILD}")
    known = {f.name for f in fields(Manifest)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise IndexCorrupt(f"索引已损坏：manifest.json 含未知字段 {'、'.join(unknown)}。{REBUILD}")
    try:
        return Manifest(**data)
    except TypeError as exc:
        raise IndexCorrupt(f"索引已损坏：manifest.json 缺少字段（{exc}）。{REBUILD}") from None


def check_files(build: Path, m: Manifest) -> None:
    """Every data file is there with the size and digest the manifest recorded."""
    for name in DIGESTED + tuple(n for n in BM25_FILES if n in m.files):
        want = m.files.get(name) or {}
        path = build / name
        try:
            size = path.stat().st_size
            ok = size == want.get("bytes") and _file_sha256(path) == want.get("sha256")
        except OSError:
            ok = False
        if not ok:
            raise IndexCorrupt(f"索引已损坏：{name} 缺失、被截断或被改动。{REBUILD}")


def check_manifest(m: Manifest, embed_model: str | None = None, fingerprint: str | None = None) -> None:
    """The model (when the caller names one) and the tokenizer assets must be those of the build."""
    problems = []
    if embed_model and m.embed_model != embed_model:
        problems.append(f"向量模型为 {m.embed_model}，当前设置为 {embed_model}")
    if fingerprint and m.model_fingerprint != fingerprint:
        problems.append(f"向量模型文件为 {m.model_fingerprint}，当前加载的是 {fingerprint}")
    now = tokenizer_identity()
    changed = [k for k in now if k != "jieba" and m.tokenizer.get(k) != now[k]]
    if changed:
        problems.append("分词资源已变化（" + "、".join(changed) + "）")
    if problems:
        raise IndexMismatch("索引与当前程序不符（" + "；".join(problems) + "）。" + REBUILD)
