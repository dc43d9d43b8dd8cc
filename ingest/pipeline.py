"""Build, add, remove: every change writes a new complete build and swaps it in.

Only one ingest runs at a time (a file lock); a second one is told so at once.
Vectors are reused from the live build and the embedding cache, so adding one
article embeds only that article's chunks.

Every corpus change (staged copies, removed files, the statute selection) is a
transaction with its build: journalled first (ingest.staging.Journal), dropped
once the build is live, undone on failure or by the next ingest after a kill.
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
from ingest.identity import UPLOAD_PREFIX, find_document, settle  # noqa: F401 - find_document: used by the CLI
from ingest.load import Skipped, iter_files, load_corpus, load_file
from ingest.staging import (  # noqa: F401 - USER_DIR, safe_name: used by the ingest page
    USER_DIR, Journal, _inside, file_of, read_origins, recover, safe_name, same_file, stage, stage_target,
)
from ingest.writeindex import write_index
from yuqi import index as ix
from yuqi.documents import Chunk, Source, text_hash
from yuqi.embed import Embedder
from yuqi.errors import IngestBusy, UnreadableDocument, YuqiError, storage_error
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
    titles: dict[str, str] = field(default_factory=dict)  # doc id -> title, for messages
    docs: dict[str, dict] = field(default_factory=dict)  # the new build's registry
    notes: list[str] = field(default_factory=list)  # e.g. a killed ingest rolled back

    def title(self, doc_id: str) -> str:
        return self.titles.get(doc_id) or doc_id


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[list[str]]:
    """Held for a whole ingest; yields the corpus files a killed earlier ingest had changed
    and that were put back (its build never went live)."""
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(settings.index_dir / ".ingest.lock"))
        lock.acquire(timeout=0)
    except Timeout:
        raise IngestBusy("另一个导入任务正在进行，请稍后再试（another ingest is running）。") from None
    except OSError as exc:
        raise storage_error(exc, f"打开索引目录 {settings.index_dir}") from None
    try:
        ix.prune_builds(settings.index_dir)  # leftovers of a killed ingest
        try:
            restored = recover(settings.corpus_dir, ix.current_build_id(settings.index_dir))
        except OSError as exc:
            raise storage_error(exc, "恢复上次中断的导入") from None
        yield restored
    finally:
        lock.release()


@contextmanager
def corpus_transaction(settings: Settings) -> Iterator[Journal]:
    """Corpus changes made inside stand or fall with the build written inside."""
    journal = Journal(settings.corpus_dir)
    try:
        journal.begin(ix.current_build_id(settings.index_dir))
    except OSError as exc:
        raise storage_error(exc, "写入语料目录") from None
    try:
        yield journal
    except BaseException:
        journal.rollback()  # the live index never saw these changes: neither may the corpus
        raise
    journal.commit()


def _restored_note(restored: list[str]) -> list[str]:
    if not restored:
        return []
    return [f"上次导入被中断，已撤销它未完成的改动（{len(restored)} 个文件）"]


def _doc_entry(src: Source, n_chunks: int, added_at: str, citations: dict) -> dict:
    return {
        "doc_id": src.doc_id, "title": src.title, "kind": src.kind, "path": src.path, "url": src.url,
        "status": src.status, "content_hash": src.content_hash, "chunks": n_chunks, "origin": src.origin,
        "added_at": added_at, "citations": citations, "version": src.version,
    }


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _chunks_and_docs(
    sources: list[Source], settings: Settings, previous: dict[str, dict], report: IngestReport,
    progress: Progress | None = None,
) -> tuple[list[Chunk], dict[str, dict]]:
    from ingest.cards import check_cards
    from yuqi.citations import citation_report, from_sources as statute_source_for

    # A knowledge card citing a missing or outdated article stops the build (CardError); a good card's
    # 依据 is kept with it, so retrieval can bring the statutes a card rests on along with the card.
    basis = {card.doc_id: [r.ref for r in card.refs] for card in check_cards(sources)}
    sources = settle(sources, settings.corpus_dir, previous)
    statutes = statute_source_for(sources)
    chunks: list[Chunk] = []
    docs: dict[str, dict] = {}
    by_hash: dict[str, str] = {}
    for n, src in enumerate(sources, 1):
        if progress:
            progress("load", n, len(sources))
        report.titles[src.doc_id] = src.title
        if src.doc_id.startswith(UPLOAD_PREFIX) and src.doc_id not in previous:
            report.notes.append(f"{src.path} 的标题属于国家法律法规数据库或收录的法规，已作为用户上传文本“{src.doc_id}”导入；"
                                "需要官方文本请把名称加入 corpus/statutes.txt")
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
        if src.doc_id in basis:
            docs[src.doc_id]["basis"] = basis[src.doc_id]
        chunks.extend(pieces)
        if not old:
            report.added.append(src.doc_id)
        elif same:
            report.unchanged.append(src.doc_id)
        else:
            report.updated.append(src.doc_id)
    return chunks, docs


def _previous(settings: Settings, embedder: Embedder, strict: bool = False) -> tuple[dict[str, dict], dict[str, np.ndarray]]:
    """The live build's registry and its vectors by text hash (empty if none).

    A broken or foreign build is never needed: building starts afresh without it,
    unless `strict` (remove must know what is indexed)."""
    try:
        live = ix.load_build(settings.index_dir, fingerprint=embedder.fingerprint)
    except YuqiError:
        if strict and ix.current_build(settings.index_dir) is not None:
            raise
        return {}, {}
    vecs = ix.load_vectors(live)
    reuse = {text_hash(ix.search_text(c)): vecs[i] for i, c in enumerate(live.chunks)}
    return live.docs, reuse


def build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IngestReport:
    """Everything from scratch: the statute selection and every corpus file."""
    started = time.perf_counter()
    report = IngestReport()
    with ingest_lock(settings) as restored:
        report.notes += _restored_note(restored)
        previous, reuse = _previous(settings, embedder)
        sources, report.skipped = load_corpus(settings.corpus_dir)
        chunks, docs = _chunks_and_docs(sources, settings, previous, report, progress)
        report.removed = sorted(set(previous) - set(docs))
        _title_removed(report, previous)
        report.build_id, report.embedded = write_index(settings, embedder, chunks, docs, reuse, progress, started)
    report.chunks, report.seconds = len(chunks), round(time.perf_counter() - started, 2)
    return report


def _title_removed(report: IngestReport, previous: dict[str, dict]) -> None:
    for d in report.removed:
        report.titles.setdefault(d, previous[d].get("title") or d)



def add(paths: list[Path], settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IngestReport:
    """Add or update files (or folders of them); unreadable files are skipped with a reason.

    Each file becomes its own document: a name already taken by another file gets a
    copy of its own (name-2.txt); the same text under another name is a reported duplicate."""
    started = time.perf_counter()
    report = IngestReport()
    with ingest_lock(settings) as restored:
        report.notes += _restored_note(restored)
        previous, reuse = _previous(settings, embedder)
        report.skipped += [Skipped(str(p), "找不到文件或文件夹") for p in paths if not p.exists()]
        with corpus_transaction(settings) as journal:
            mine = _stage_all(paths, settings, previous, journal, report)
            report = _rebuild(settings, embedder, previous, reuse, report, progress, started)
    _keep_only(report, mine)
    return report


def _stage_all(
    paths: list[Path], settings: Settings, previous: dict[str, dict], journal: Journal, report: IngestReport
) -> set[str]:
    """Copy every acceptable file into the corpus; returns the corpus paths of this batch."""
    # content hash -> file in the corpus: the same text already indexed (or staged in this
    # batch) from another file is a duplicate, never a second document.
    known = {d["content_hash"]: (d["doc_id"], d["path"]) for d in previous.values()}
    taken = {d["doc_id"] for d in previous.values()}
    mine: set[str] = set()
    for path in iter_files(paths, report.skipped):
        try:
            target = stage_target(path, settings, taken)
            src = load_file(path, doc_id=target.stem)
            seen = known.get(src.content_hash)
            if seen and not same_file(seen[1], target):
                report.duplicates.append((str(path), seen[0]))
                continue
            stage(path, target, settings, journal, settings.max_upload_mb * 1024 * 1024)
        except UnreadableDocument as err:
            report.skipped.append(Skipped(str(path), str(err)))
            continue
        except OSError as err:
            raise storage_error(err, f"复制 {path.name} 到语料目录") from None
        known[src.content_hash] = (src.doc_id, str(target))
        taken.add(target.stem)
        mine.add(str(target.resolve()))
    return mine


def _rebuild(
    settings: Settings, embedder: Embedder, previous: dict, reuse: dict, report: IngestReport,
    progress: Progress | None, started: float,
) -> IngestReport:
    sources, skipped = load_corpus(settings.corpus_dir)
    report.skipped.extend(s for s in skipped if s.path not in {x.path for x in report.skipped})
    chunks, docs = _chunks_and_docs(sources, settings, previous, report, progress)
    report.removed = sorted(set(previous) - set(docs))
    _title_removed(report, previous)
    report.build_id, report.embedded = write_index(settings, embedder, chunks, docs, reuse, progress, started)
    report.chunks, report.seconds = len(chunks), round(time.perf_counter() - started, 2)
    report.docs = docs
    return report


def _keep_only(report: IngestReport, paths: set[str]) -> None:
    """Report only the documents of this batch (the rebuild saw the whole corpus)."""
    def mine(doc_id: str) -> bool:
        d = report.docs.get(doc_id) or {}
        return not d.get("path", "").startswith("laws.db:") and str(Path(d.get("path", "")).resolve()) in paths

    report.added = [d for d in report.added if mine(d)]
    report.updated = [d for d in report.updated if mine(d)]
    report.unchanged = [d for d in report.unchanged if mine(d)]


def remove(doc_id: str, settings: Settings, embedder: Embedder, progress: Progress | None = None) -> IngestReport:
    """Remove exactly one document and all its chunks (its corpus file, or its line in
    statutes.txt), or nothing at all."""
    started = time.perf_counter()
    with ingest_lock(settings) as restored:
        previous, reuse = _previous(settings, embedder, strict=True)
        doc = find_document(doc_id, previous, read_origins(settings.corpus_dir))
        report = IngestReport(notes=_restored_note(restored))
        with corpus_transaction(settings) as journal:
            _take_out(doc, settings, journal)
            sources, skipped = load_corpus(settings.corpus_dir)
            report.skipped = skipped
            chunks, docs = _chunks_and_docs(sources, settings, previous, report, progress)
            if doc["doc_id"] in docs:  # checked before anything is written: nothing is lost
                raise YuqiError(f"未能移除 {doc['doc_id']}：语料中仍有它的文件（{doc['path']}），未做任何改动")
            report.removed = sorted(set(previous) - set(docs))
            _title_removed(report, previous)
            report.build_id, report.embedded = write_index(settings, embedder, chunks, docs, reuse, progress, started)
    report.chunks, report.seconds = len(chunks), round(time.perf_counter() - started, 2)
    report.added, report.updated, report.unchanged = [], [], []
    return report


def _take_out(doc: dict, settings: Settings, journal: Journal) -> None:
    """Delete an upload's file in corpus/user; a shipped source is never deleted."""
    path = str(doc["path"])
    f = None if path.startswith("laws.db:") else file_of(Path(path), settings)
    if f is not None and not _inside(f, settings.corpus_dir / USER_DIR):
        raise YuqiError(f"{doc['doc_id']} 不是用户上传的文档（{path}），`ingest remove` 不删除它，未做任何改动")
    if f is None:
        raise YuqiError(f"找不到 {doc['doc_id']} 的语料文件（{path}），未做任何改动；可运行 `python -m ingest build` 重建")
    journal.save(f)
    f.unlink()


def list_docs(settings: Settings) -> list[dict]:
    """The live build's documents (raises IndexCorrupt for a broken build)."""
    docs = ix.read_docs(settings.index_dir)
    return sorted(docs.values(), key=lambda d: (d["kind"] != "statute", d["doc_id"]))
