"""The records that flow from loading to the answer.

`Source` is one loaded document; `Chunk` is one retrievable passage with exact
provenance; `Hit` is a chunk as ranked for one query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["statute", "article"]
# Who vouches for a document's text. A national law's title is owned by laws.db, a shipped
# regulation's by corpus/regulations/; an upload can never take either identity.
Origin = Literal["lawsdb", "regulation", "knowledge", "article", "upload"]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StatuteArticle:
    """One 条 of a statute as loaded (before any 款 split)."""

    number: str  # as written, e.g. "第二百九十三条之一"
    text: str  # the article body, header included ("第五十条 有下列行为之一…")
    start: int = 0  # offsets into the source text (0/len for laws.db rows)
    end: int = 0
    chapter: str = ""


@dataclass(frozen=True)
class Source:
    """A loaded document: an article (free text) or a statute (numbered articles)."""

    doc_id: str  # file stem for articles; official title for statutes
    title: str
    kind: Kind
    text: str  # the cleaned text that chunks are cut from
    path: str  # where it came from: a file path, or "laws.db:<law_id>"
    url: str | None = None
    status: str = ""  # statutes: 现行有效 / 已被修改 / 已废止 …
    articles: tuple[StatuteArticle, ...] = ()
    # (start, end) offsets in the original file of each kept segment of `text`,
    # in order; empty means `text` is the file's text as is.
    spans: tuple[tuple[int, int], ...] = ()
    content_hash: str = ""
    origin: Origin | Literal[""] = ""
    version: str = ""  # regulations: the 发布/修订 line of the file header, shown on source cards


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage. `ref` is the citation contract:

    statute chunk -> "<official title>#<第X条>", article chunk -> "<doc_id>".
    """

    chunk_id: str  # unique in the index: ref for statutes (+"/款n"), doc_id + ":" + n for articles
    ref: str
    doc_id: str
    title: str
    kind: Kind
    text: str
    path: str
    start: int  # character offsets into the source file's text
    end: int
    url: str | None = None
    article_no: str | None = None
    heading: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        """How a person sees this source: 《law》第X条, or the article title."""
        if self.kind == "statute" and self.article_no:
            return f"《{self.title}》{self.article_no}"
        return self.title


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    rank: int  # 1-based
    dense: float | None = None
    sparse: float | None = None

    @property
    def ref(self) -> str:
        return self.chunk.ref
