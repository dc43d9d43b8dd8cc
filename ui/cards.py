"""Source cards as a person reads them: a title, clean text, its version, and only the notes it needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from yuqi.render import clean_passage
from yuqi.settings import ROOT

SENTENCE_START_BEFORE = set("。！？；!?;：:\n")


@dataclass(frozen=True)
class Note:
    raw: str
    text: str
    current_label: str = ""
    current_text: str = ""


@dataclass(frozen=True)
class Card:
    n: int
    ref: str
    title: str  # 《law》第X条, or the card/article title (and its section)
    kind: str
    text: str  # clean: no Markdown marks, no half sentence at the start
    version: str = ""
    url: str | None = None
    notes: tuple[Note, ...] = field(default_factory=tuple)
    grade: int = 0  # 0 the law's own text, 1 our knowledge card, 2 an article or upload (listed last)
    caption: str = ""  # why this source is shown, when that is not obvious (a penal article, a web article)


@lru_cache(maxsize=64)
def _file_text(path: str) -> str:
    p = Path(path)
    p = p if p.is_absolute() else ROOT / p
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def starts_mid_sentence(chunk) -> bool:
    """Does this passage begin inside a sentence of its source? (Looks at the source just before it.)"""
    if chunk.kind != "article" or chunk.start <= 0:
        return False
    before = _file_text(chunk.path)[:chunk.start].rstrip(" \t\u3000")
    if before:
        return before[-1] not in SENTENCE_START_BEFORE
    return bool(re.match(r"[，、,；;）)”’]", chunk.text))  # source unreadable: judge by the first character


CARD_FIELD = re.compile(r"^\s*(?:问法|依据)[：:].*$", re.M)
CARD_SECTION = re.compile(r"^\s*#{1,6}\s*(?:简答|为什么|怎么核实|现在该做什么)\s*$", re.M)
CARD_BASIS = re.compile(r"^\s*#{1,6}\s*依据\s*$.*", re.M | re.S)
CAPTIONS = {
    "penal": "刑法条文：列出的是构成犯罪的条件和刑罚，用来说明什么情况下才可能涉及刑事责任，不是对您处境的判断。",
    "article": "网络文章，非官方来源，仅供参考；以法律条文和官方渠道为准。",
}


def is_card_chunk(chunk) -> bool:
    return chunk.kind == "article" and "/knowledge/" in (chunk.path or "").replace("\\", "/")


def reader_text(chunk) -> str:
    """A knowledge card's passage without its internal fields (问法, section headings, the 依据 list)."""
    if not is_card_chunk(chunk):
        return chunk.text
    text = CARD_BASIS.sub("", CARD_FIELD.sub("", chunk.text))
    return re.sub(r"\n{2,}", "\n", CARD_SECTION.sub("", text)).strip()


def grade_of(chunk) -> int:
    from yuqi.ranker import is_official

    if is_official(chunk):
        return 0
    return 1 if is_card_chunk(chunk) else 2


def caption_of(chunk) -> str:
    if chunk.kind == "statute" and chunk.title == "中华人民共和国刑法":
        return CAPTIONS["penal"]
    uploaded = "/user/" in (chunk.path or "").replace("\\", "/")
    return CAPTIONS["article"] if grade_of(chunk) == 2 and not uploaded else ""


def card_title(chunk) -> str:
    if chunk.kind == "statute":
        return chunk.label
    if is_card_chunk(chunk):
        return chunk.title  # the card's question: its section name is an internal field
    heading = re.sub(r"^[#\s]+", "", chunk.heading or "").strip()
    return chunk.title + (f" · {heading[:24]}" if heading and heading != chunk.title else "")


def version_of(chunk, doc: dict) -> str:
    """The regulation's 发布/修订 line, from the chunk or else its document entry."""
    return str((chunk.meta or {}).get("version") or doc.get("version") or "")


def build_cards(passages, note_source, doc_info=lambda doc_id: {}) -> list[Card]:
    """`note_source(doc_id)` gives a document's citation notes (yuqi.sources.citation_notes),
    `doc_info(doc_id)` its entry in the index (for the version).

    A note is shown only on a card whose own text contains the citation it is about, and once per answer.
    """
    cards, shown = [], set()
    for p in passages:
        c = p.chunk
        notes = []
        for note in (note_source(c.doc_id) if c.kind == "article" else []):
            key = (note["raw"], note.get("current_label", ""))
            if note["raw"] in c.text and key not in shown:
                shown.add(key)
                notes.append(Note(note["raw"], note["note"], note.get("current_label", ""), note.get("current_text", "")))
        cards.append(Card(p.n, c.ref, card_title(c), c.kind, clean_passage(reader_text(c), starts_mid_sentence(c)),
                          version_of(c, doc_info(c.doc_id) or {}), c.url, tuple(notes), grade_of(c), caption_of(c)))
    return sorted(cards, key=lambda card: card.grade)  # official text first, web articles never above it
