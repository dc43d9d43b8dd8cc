"""yuqi's records as JSON, built defensively from the dataclasses themselves.

`jsonable` walks any dataclass field by field, so a field another part of yuqi adds
later reaches clients with no change here; only heavy or private fields (embedding
vectors, the loaded encoder, the statute source) are left out. The answer payload adds
what a client needs on top: labels, the headline, the checked citations and the sources.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from yuqi.citations import CitationItem, label
from yuqi.render import find_links, markdown_html, split_sections
from yuqi.sources import source_cards

SKIP_FIELDS = {"vec", "encoder", "statutes", "prepared", "chunk"}  # heavy, internal, or sent on their own


def jsonable(obj, depth: int = 0):
    """Plain JSON types from dataclasses, tuples, sets, dicts and paths; anything else as its text."""
    if depth > 12:
        return None
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name), depth + 1)
                for f in dataclasses.fields(obj) if f.name not in SKIP_FIELDS and not f.name.startswith("_")}
    if isinstance(obj, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=str) if isinstance(obj, (set, frozenset)) else obj
        return [jsonable(x, depth + 1) for x in items]
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


# Markdown a client would turn live: images, links, raw HTML. The page draws through yuqi.render;
# an API client draws the Markdown itself, so it gets it already defused.
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)[^)]*\)")


def inert_markdown(text: str) -> str:
    """Images become a note, links to non-official hosts plain text, raw HTML inert; official links stay."""
    text = MD_IMAGE.sub(lambda m: f"〔图片未显示{'：' + m.group(1) if m.group(1) else ''}〕", text or "")
    text = MD_LINK.sub(lambda m: m.group(0) if _live(m.group(2)) else f"{m.group(1)}（{_inert_url(m.group(2))}）", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    out, pos = [], 0
    for link in find_links(text):  # a bare address a client might auto-link
        out += [text[pos:link.start], link.url if link.live else _inert_url(link.url)]
        pos = link.end
    return "".join(out + [text[pos:]])


def _live(url: str) -> bool:
    return any(link.live and link.url.rstrip("/") in url for link in find_links(url))


def _inert_url(url: str) -> str:
    """An address shown as text that no Markdown renderer links: its dots and scheme separator broken."""
    return url.replace("://", ":\u200b//").replace(".", "\u200b.") if url else url


def citation_row(result) -> dict:
    """One checked citation: the `python -m yuqi.citations` contract plus its label and claim."""
    row = CitationItem.from_result(result).to_dict()
    row["label"] = label(result.status)
    row["claim"] = jsonable(result.claim)
    return row


def sources(passages, retriever) -> list[dict]:
    cards = source_cards(passages, retriever)
    return [{"id": p.chunk.chunk_id, **card, "score": p.score, "pinned": p.pinned} for p, card in zip(passages, cards)]


def analysis_view(analysis) -> dict:
    from yuqi.analysis import THREAT_LABELS, VERDICT_LABELS

    return {
        "verdict": analysis.verdict,
        "verdict_label": VERDICT_LABELS.get(analysis.verdict or "", "") if analysis.verdict else "",
        "threats": [{"id": t, "label": THREAT_LABELS.get(t, t)} for t in analysis.threats],
        "cues": jsonable(analysis.cues),
        "facts": jsonable(analysis.facts),
        "verify": list(analysis.verify),
        "actions": list(analysis.steps),
        "analysis": jsonable(analysis),
    }


def answer_payload(answer, retriever, answer_id: str) -> dict:
    """Everything a client shows: Answer's own fields (whatever they are), then the views built from them."""
    head, _ = split_sections(answer.text)
    own = jsonable(answer)
    own.pop("checks", None)
    return {
        **own,
        "id": answer_id,
        "build": retriever.index.build_id,
        **analysis_view(answer.prepared.analysis),
        "headline": inert_markdown(head),
        "answer": inert_markdown(answer.text),
        "answer_html": markdown_html(answer.text),
        "text": inert_markdown(answer.text),
        "notices": list(answer.prepared.notices),
        "declined": answer.declined,
        "citations": [citation_row(r) for r in answer.checks],
        "sources": sources(answer.passages, retriever),
        "outdated": jsonable(answer.prepared.outdated),
    }
