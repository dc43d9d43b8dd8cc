"""Files and the statute selection → `Source` records.

The corpus directory holds `regulations/` (shipped judicial interpretations and
regulations, with provenance headers), `articles/` (the seed articles),
`knowledge/` (the project's own fact sheets), `user/` (documents users added)
and `statutes.txt` (laws loaded from laws.db). Any file that is statute-shaped
is treated as a statute wherever it lives; the folder says who vouches for it
(`Source.origin`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.clean import clean_article
from ingest.convert import read_document
from ingest.statutes import (
    is_statute_text, load_law, parse_statute, read_selection, strip_meta, title_of, version_of,
)
from yuqi.documents import Source, text_hash
from yuqi.errors import UnreadableDocument, YuqiError

log = logging.getLogger(__name__)
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
CORPUS_SUBDIRS = ("regulations", "articles", "knowledge", "user")
# Corpus folder → Source.origin; a file loaded from anywhere else (an `ingest add` path) is an upload.
ORIGINS = {"regulations": "regulation", "articles": "article", "knowledge": "knowledge", "user": "upload"}
SELECTION_FILE = "statutes.txt"


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


OUTSIDE_LINK = "链接指向所选文件夹之外，已拒绝导入"


def iter_files(paths: list[Path], refused: list[Skipped] | None = None) -> Iterator[Path]:
    """Readable document files under the given files/folders, sorted, hidden ones skipped.

    A file inside a folder that is (or sits under) a symlink leading out of that folder is
    never read: it goes to `refused` with the reason, so `add DIR` imports only what is in DIR."""
    for p in paths:
        if p.is_dir():
            root = p.resolve()
            for f in sorted(p.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if not f.resolve().is_relative_to(root):
                    if refused is not None:
                        refused.append(Skipped(str(f), OUTSIDE_LINK))
                    continue
                yield f
        elif p.exists():
            yield p


def load_file(path: Path, doc_id: str | None = None, origin: str = "upload") -> Source:
    """One file → Source; raises UnreadableDocument with a user-facing reason."""
    if path.suffix.lower() not in SUFFIXES:
        raise UnreadableDocument(f"不支持的文件类型 {path.suffix or '（无扩展名）'}：支持 .txt .md .html .htm .pdf")
    conv = read_document(path)
    src = _source_of(conv, path, doc_id)
    # Only a shipped regulation's header is vouched for; an upload's 发布/修订 line is just text.
    version = version_of(strip_meta(conv.text)[1]) if origin == "regulation" else ""
    return replace(src, origin=origin, version=version)


def _source_of(conv, path: Path, doc_id: str | None) -> Source:
    text = conv.text
    if is_statute_text(text):
        return parse_statute(text, str(path))
    stem = doc_id or path.stem
    if title_of(text):
        # A titled Markdown document (a knowledge sheet, an interpretation without 第X条 lines).
        title = title_of(text)
        body, _meta = strip_meta(text)
        is_statute_like = path.parent.name != "knowledge" and _is_legal_title(title)
        return Source(
            doc_id=title if is_statute_like else stem, title=title, kind="article", text=body,
            path=str(path), url=conv.url, content_hash=text_hash(text),
        )
    if conv.fmt == "txt":
        cleaned = clean_article(text)
        return Source(
            doc_id=stem, title=cleaned.title or conv.title or stem, kind="article", text=cleaned.text,
            path=str(path), url=cleaned.url or conv.url, spans=cleaned.spans, content_hash=text_hash(text),
        )
    return Source(
        doc_id=stem, title=conv.title or stem, kind="article", text=text, path=str(path),
        url=conv.url, content_hash=text_hash(text),
    )


def _is_legal_title(title: str) -> bool:
    # Interpretations and replies are cited by their official title.
    return any(w in title for w in ("解释", "规定", "批复", "决定", "条例", "办法", "法"))


def load_corpus(corpus_dir: Path) -> tuple[list[Source], list[Skipped]]:
    """Every source the default build indexes: selected laws, then corpus files."""
    sources: list[Source] = []
    skipped: list[Skipped] = []
    for title in read_selection(corpus_dir / SELECTION_FILE):
        try:
            sources.append(load_law(title))
        except YuqiError as err:
            skipped.append(Skipped(f"laws.db:{title}", str(err)))
    for sub in CORPUS_SUBDIRS:
        if not (corpus_dir / sub).is_dir():
            continue
        for path in iter_files([corpus_dir / sub], skipped):
            if sub in ("regulations", "knowledge") and path.name.upper().startswith("README"):
                continue  # notes about the folder (sources, card writing), not a source
            try:
                sources.append(load_file(path, origin=ORIGINS[sub]))
            except UnreadableDocument as err:
                log.warning("skipped %s: %s", path, err)
                skipped.append(Skipped(str(path), str(err)))
    return sources, skipped
