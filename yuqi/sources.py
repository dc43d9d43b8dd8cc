"""What a numbered source shows a person: the exact passage, where it is, what we checked."""

from __future__ import annotations

from yuqi.citations import items_of, label
from yuqi.retrieve import Retriever


def citation_notes(doc_id: str, retriever: Retriever) -> list[dict]:
    """The ingest-time citation checks of a document that a reader should know about."""
    doc = retriever.index.docs.get(doc_id, {})
    notes = []
    for item in items_of(doc):
        if item.status == "verified":
            continue
        note = {"raw": item.raw, "status": item.status, "label": label(item.status), "note": item.note or label(item.status)}
        current = retriever.fetch([item.current_ref]) if item.current_ref else []
        if current:
            note["current_label"] = current[0].label
            note["current_text"] = current[0].text
        notes.append(note)
    return notes


def source_cards(passages, retriever: Retriever) -> list[dict]:
    cards = []
    for p in passages:
        c = p.chunk
        where = (
            f"{c.title} · {c.article_no}" + (f" · {c.heading}" if c.heading else "")
            if c.kind == "statute"
            else f"文章 {c.doc_id} · 原文第 {c.start}–{c.end} 字"
        )
        cards.append({
            "n": p.n, "ref": c.ref, "label": c.label + (f" · {c.heading[:24]}" if c.kind == "article" and c.heading else ""), "title": c.title, "article_no": c.article_no,
            "kind": c.kind, "url": c.url, "text": c.text, "where": where,
            "notes": citation_notes(c.doc_id, retriever) if c.kind == "article" else [],
        })
    return cards
