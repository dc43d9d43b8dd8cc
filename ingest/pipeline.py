"""Build, add, remove: every change writes a new complete build and swaps it in.

Only one ingest runs at a time (a file lock); a second one is told so at once.
Vectors are reused from the live build and the embedding cache, so adding one
article embeds only that article's chunks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from ingest.chunk import chunk_source
from ingest.load import SELECTION_FILE, Skipped, iter_files, load_corpus, load_file
from ingest.staging import USER_DIR, files_of, restore, safe_name, same_file, stage, stage_target, unselect  # noqa: F401
from yuqi import index as ix
from yuqi.documents import Chunk, Source, text_hash
from yuqi.embed import Embedder, EmbeddingCache, cache_path, embed_cached
from yuqi.errors import IngestBusy, UnreadableDocument, YuqiError
from yuqi.settings import Settings

Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, existing doc id)
    skipped: list[Skipped] = field(default_factory=list)
    embedded: int = 0
    chunks: int = 0
    seconds: float = 0.0
    build_id: str = ""


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.index_dir / ".ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IngestBusy("另一个导入任务正在进行，请稍后再试（another ingest is running）。") from None
    try:
        ix.prune_builds(settings.index_dir)  # leftovers of a killed ingest
        yield
    finally:
        lock.release()


def _doc_entry(src: Source, n_chunks: int, added_at: str, citations: dict) -> dict:
    return {
        "doc_id": src.doc_id, "title": src.title, "kind": src.kind, "path": src.path, "url": src.url,
        "status": src.status, "content_hash": src.content_hash, "chunks": n_chunks,
        "added_at": added_at, "citations": citations, "origin": src.origin, "version": src.version,
    }


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _write(
    settings: Settings, embedder: Embedder, chunks: list[Chunk], docs: dict[str, dict],
    reuse: dict[str, np.ndarray], progress: Progress | None, started: float,
) -> tuple[str, int]:
    texts = [ix.search_text(c) for c in chunks]
    hashes = [text_hash(t) for t in texts]
    cache = EmbeddingCache(cache_path(settings.cache_dir), embedder.fingerprint)
    try:
        if reuse:
            cache.put({h: reuse[h] for h in hashes if h in reuse})
        step = (lambda d, t: progress("embed", d, t)) if progress else None
        vectors, embedded = embed_cached(texts, embedder, cache, step)
    finally:
        cache.close()
    counts = {
        "docs": len(docs), "chunks": len(chunks),
        "statute_chunks": sum(c.kind == "statute" for c in chunks),
        "article_chunks": sum(c.kind == "article" for c in chunks),
    }
    manifest = ix.Manifest(
        embed_model=settings.embed_model, model_fingerprint=embedder.fingerprint, dim=embedder.dim,
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, corpus_hash=ix.corpus_hash(chunks),
        built_at=_now(), counts=counts, build_seconds=round(time.perf_counter() - started, 2),
    )
    if progress:
        progress("index", 0, 1)
    build = ix.write_build(settings.index_dir, chunks, vectors, docs, manifest)
    if progress:
        progress("index", 1, 1)
    return build.name, embedded


def _chunks_and_docs(
    sources: list[Source], settings: Settings, previous: dict[str, dict], report: IngestReport
) -> tuple[list[Chunk], dict[str, dict]]:
    from ingest.cards import check_cards
    from yuqi.citations import citation_report, from_sources as statute_source_for

    check_cards(sources)  # a knowledge card citing a missing or outdated article stops the build (CardError)
    statutes = statute_source_for(sources)
    chunks: list[Chunk] = []
    docs: dict[str, dict] = {}
    by_hash: dict[str, str] = {}
    for src in sources:
        if src.content_hash in by_hash and by_hash[src.content_hash] != src.doc_id:
            report.duplicates.append((src.path, by_hash[src.content_hash]))
            continue
        if src.doc_id in docs:
            report.skipped.append(Skipped(src.path, f"文档编号 {src.doc_id} 重复，已保留先出现的文件"))
            continue
        by_hash[src.content_hash] = src.doc_id
        pieces = chunk_source(src, settings.chunk_size, settings.chunk_overlap)
        if not pieces:
            report.skipped.append(Skipped(src.path, "没有可索引的正文"))
            continue
        old = previous.get(src.doc_id, {})
        same = old.get("content_hash") == src.content_hash
        docs[src.doc_id] = _doc_entry(src, len(pieces), old.get("added_at") or _now(), citation_report(src, statutes))
        chunks.extend(pieces)
        if not old:
            report.added.append(src.doc_id)
        elif same:
            report.unchanged.append(src.doc_id)
        else:
            report.updated.append(src.doc_id)
    return chunks, docs


def _previous(settings: Settings) -> tuple[dict[str, dict], dict[str, np.ndarray]]:
    """The live build's registry and its vectors by text hash (empty if none)."""
    try:
        live = ix.load_build(settings.index_dir, settings.embed_model, settings.chunk_size, settings.chunk_overlap)
    except YuqiError:
        return {}, {}
    vecs = ix.load_vectors(live)
    reuse = {text_hash(ix.search_text(c)): vecs[i] for i, c in enumerate(live.chunks)}
    return live.docs, reuse


def build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IngestReport:
    """Everything from scratch: the statute selection and every corpus file."""
    started = time.perf_counter()
    report = IngestReport()
    with ingest_lock(settings):
        previous, reuse = _previous(settings)
        if progress:
            progress("load", 0, 1)
        sources, report.skipped = load_corpus(settings.corpus_dir)
        if progress:
            progress("load", 1, 1)
        chunks, docs = _chunks_and_docs(sources, settings, previous, report)
        report.removed = sorted(set(previous) - set(docs))
        report.build_id, report.embedded = _write(settings, embedder, chunks, docs, reuse, progress, started)
    report.chunks, report.seconds = len(chunks), round(time.perf_counter() - started, 2)
    return report







def add(paths: list[Path], settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IngestReport:
    """Add or update files (or folders of them); unreadable files are skipped with a reason."""
    started = time.perf_counter()
    report = IngestReport()
    copied: list[tuple[Path, bytes | None]] = []
    with ingest_lock(settings):
        previous, reuse = _previous(settings)
        # content hash -> (doc id, file in the corpus); a file is a duplicate when the same
        # text is already indexed (or staged in this batch) as another document or file.
        known = {d["content_hash"]: (d["doc_id"], d["path"]) for d in previous.values()}
        mine: set[str] = set()
        report.skipped += [Skipped(str(p), "找不到文件或文件夹") for p in paths if not p.exists()]
        for path in iter_files(paths):
            try:
                target = stage_target(path, settings)
                src = load_file(path, doc_id=target.stem)  # the id it gets as the staged copy
                seen = known.get(src.content_hash)
                if seen and (seen[0] != src.doc_id or not same_file(seen[1], target)):
                    report.duplicates.append((str(path), seen[0]))
                    continue
                staged = stage(path, src, settings, settings.max_upload_mb * 1024 * 1024)
            except (UnreadableDocument, OSError) as err:
                report.skipped.append(Skipped(str(path), str(err)))
                continue
            if staged:
                copied.append(staged)
            known[src.content_hash] = (src.doc_id, str(target))
            mine.add(src.doc_id)
        try:
            report = _rebuild(settings, embedder, previous, reuse, report, progress, started)
        except BaseException:
            restore(copied)  # keep the corpus consistent with the live index
            raise
    _keep_only(report, mine)
    return report



def _rebuild(
    settings: Settings, embedder: Embedder, previous: dict, reuse: dict, report: IngestReport,
    progress: Progress | None, started: float,
) -> IngestReport:
    sources, skipped = load_corpus(settings.corpus_dir)
    report.skipped.extend(s for s in skipped if s.path not in {x.path for x in report.skipped})
    chunks, docs = _chunks_and_docs(sources, settings, previous, report)
    report.removed = sorted(set(previous) - set(docs))
    report.build_id, report.embedded = _write(settings, embedder, chunks, docs, reuse, progress, started)
    report.chunks, report.seconds = len(chunks), round(time.perf_counter() - started, 2)
    return report


def _keep_only(report: IngestReport, doc_ids: set[str]) -> None:
    report.added = [d for d in report.added if d in doc_ids]
    report.updated = [d for d in report.updated if d in doc_ids]
    report.unchanged = [d for d in report.unchanged if d in doc_ids]


def remove(doc_id: str, settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IngestReport:
    """Remove a document and all its chunks (its corpus file, or its line in statutes.txt)."""
    started = time.perf_counter()
    with ingest_lock(settings):
        previous, reuse = _previous(settings)
        doc = previous.get(doc_id)
        if doc is None:
            raise YuqiError(f"没有找到文档 {doc_id}（用 `python -m ingest list` 查看已导入的文档）")
        path = str(doc["path"])
        if path.startswith("laws.db:"):
            files = [settings.corpus_dir / SELECTION_FILE]
        else:
            files = files_of(doc_id, Path(path), settings)
        saved = [(f, f.read_bytes()) for f in files]
        try:
            if path.startswith("laws.db:"):
                unselect(settings.corpus_dir / SELECTION_FILE, doc["title"])
            else:
                for f in files:
                    f.unlink(missing_ok=True)
            report = _rebuild(settings, embedder, previous, reuse, IngestReport(), progress, started)
        except BaseException:
            restore(saved)  # the live index still has the document: so must the corpus
            raise
    if doc_id not in report.removed:
        raise YuqiError(f"未能移除 {doc_id}：语料中仍有它的文件（{path}）")
    report.added, report.updated, report.unchanged = [], [], []
    return report




def list_docs(settings: Settings) -> list[dict]:
    build = ix.current_build(settings.index_dir)
    if build is None:
        return []
    import json

    docs = json.loads((build / "docs.json").read_text(encoding="utf-8"))
    return sorted(docs.values(), key=lambda d: (d["kind"] != "statute", d["doc_id"]))
