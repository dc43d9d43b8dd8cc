"""Everything before the prose: analyse the text, retrieve, pick passages, decide to decline."""

from __future__ import annotations

import inspect
import re
from dataclasses import replace

from yuqi.analysis import Analysis, analyze_followup
from yuqi.answer.cards import card_chunks, card_docs, parse_card
from yuqi.answer.types import OutdatedCitation, Passage, Prepared
from yuqi.citations import check_text, find_citations
from yuqi.citations import statute_source as citations_statute_source
from yuqi.citations.ground import passage_citations
from yuqi.documents import Chunk
from yuqi.ranker import is_official, official_prior
from yuqi.retrieve import Retriever
from yuqi.settings import ROOT, Settings
from yuqi.textnorm import CJK, has_cjk, normalize_for_search

MAX_PASSAGES = 7
PER_DOC = 2
TOP_K = 10  # the hits passages and outdated-number checks read
CARD_WINDOW = 6  # a card answers when it would rank this high on equal footing with the law's text


def truncate(text: str, limit: int) -> tuple[str, str]:
    text = (text or "").strip()
    if len(text) <= limit:
        return text, ""
    return text[:limit], f"输入过长，已只分析前 {limit} 个字符（共 {len(text)} 个）。"


def retrieval_query(query: str, analysis: Analysis, previous: Analysis | None) -> str:
    """A follow-up ("那我该怎么核实？") is searched together with the message under discussion."""
    if previous is not None and analysis.text != query:
        return f"{analysis.text[:600]}\n{query}"
    return query


def _accepts(fn, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def analyse(query: str, previous: Analysis | None, encoder=None) -> Analysis:
    """The message analysis, given the loaded embedder when its signature takes one."""
    if encoder is not None and _accepts(analyze_followup, "encoder"):
        return analyze_followup(query, previous, encoder=encoder)
    return analyze_followup(query, previous)


def search(retriever: Retriever, q: str, analysis: Analysis):
    """One search, every candidate the ranker scored, best first (the card pin looks past the
    top 10); the query vector is computed once and shared when the retriever accepts it."""
    kw = dict(k=max(len(retriever.chunks), TOP_K), mode="hybrid+expansion", expansion=analysis.expansion,
              boost=analysis.refs)
    if _accepts(retriever.search, "query_vec") and retriever.chunks and q.strip():
        kw["query_vec"] = retriever.embedder.encode_queries([normalize_for_search(q)])[0]
    return retriever.search(q, **kw)


def prepare(query: str, retriever: Retriever, settings: Settings, previous: Analysis | None = None,
            analysis: Analysis | None = None) -> Prepared:
    query, notice = truncate(query, settings.max_input_chars)
    notices = [notice] if notice else []
    analysis = analysis or analyse(query, previous, retriever.embedder)
    q = retrieval_query(query, analysis, previous)
    ranked = search(retriever, q, analysis)
    if analysis.followup and analysis.question:
        # The follow-up's own wording picks the card that answers it.
        ranked = _merge_hits(search(retriever, analysis.question, analysis), ranked)
    hits = ranked[:TOP_K]
    # Statutes our own wording names come first: a shown sentence must never cite an unshown article.
    pinned = retriever.fetch(fixed_text_refs(analysis) + list(analysis.refs[:4]))
    outdated = _question_outdated(query, retriever) + _outdated_items(hits[:MAX_PASSAGES], retriever)
    pinned += retriever.fetch([i.current_ref for i in outdated]) + _card_pins(ranked, retriever, analysis.refs)
    passages = select_passages([(h.chunk, h.score) for h in hits], pinned)
    declined = _should_decline(query, analysis, retriever, settings, ranked)
    if declined:
        passages = []
    allowed, old_numbers = allowed_refs(passages, retriever)
    return Prepared(query, analysis, with_vectors(passages, retriever), declined, notices, outdated, allowed,
                    statute_source(retriever), retriever.embedder, old_numbers)


def with_vectors(passages: list[Passage], retriever: Retriever) -> list[Passage]:
    """Each passage with its embedding read back from the dense index (no re-encoding)."""
    rows = {}
    for p in passages:
        for i in retriever.index.by_ref.get(p.chunk.ref, ()):
            if retriever.chunks[i].chunk_id == p.chunk.chunk_id:
                rows[p.n] = i
    try:
        return [replace(p, vec=retriever.index.dense.reconstruct(rows[p.n])) if p.n in rows else p for p in passages]
    except (RuntimeError, AttributeError):  # an index type without stored vectors: lexical check only
        return passages


def _merge_hits(first, second):
    seen, out = set(), []
    for h in [*first[:4], *second]:
        if h.chunk.chunk_id not in seen:
            seen.add(h.chunk.chunk_id)
            out.append(h)
    return out


def _card_pins(ranked, retriever: Retriever, named: tuple[str, ...] = ()) -> list[Chunk]:
    """A card the analysis names for this situation comes in whole (its short answer, verify and
    steps are quoted); else the best card does when it would rank in the top CARD_WINDOW if the
    ranker's preference for the law's own text over a card that paraphrases it were taken out: that
    preference orders the sources, it does not make a card less apt."""
    if not ranked:
        return []
    prior = official_prior()
    level = [h.score - prior * is_official(h.chunk) for h in ranked]
    bar = sorted(level, reverse=True)[min(CARD_WINDOW, len(level)) - 1]
    near = card_docs([h.chunk for h, v in zip(ranked, level) if v >= bar])
    for doc_id in dict.fromkeys(card_docs(retriever.fetch(list(named))) + near):
        chunks = card_chunks(retriever.chunks, doc_id)
        if parse_card(chunks) is not None:
            # its steps too: a question's first screen leads with them (one more chunk on a long card)
            steps = [c for c in chunks[3:] if "现在该做什么" in c.text or "现在该做什么" in (c.heading or "")][:1]
            return chunks[:3] + steps
    return []


def fixed_text_refs(analysis: Analysis) -> list[str]:
    """Statutes named in the analysis' own advice texts: they must be shown passages too."""
    texts = [*analysis.steps, *analysis.verify, *(r.text for r in analysis.reasons)]
    return [c.ref for t in texts for c in find_citations(t) if c.ref]


def _question_outdated(query: str, retriever: Retriever) -> list[OutdatedCitation]:
    """Old article numbers the person's own text cites ("治安管理处罚法第42条" still means the
    threats article to most people; since 2025 that is 第五十条): answer on the current one."""
    items = []
    for r in check_text(query, statute_source(retriever)):
        if r.status in ("outdated", "renumbered") and r.current_ref and r.citation.ref != r.current_ref:
            ref = r.citation.ref or ""
            items.append(OutdatedCitation(raw=r.citation.raw, ref=ref, current_ref=r.current_ref, note=r.note or "",
                                          doc_id="", old_no=ref.split("#", 1)[-1] if "#" in ref else ""))
    return items


def _outdated_items(hits, retriever: Retriever) -> list[OutdatedCitation]:
    """Old article numbers cited by retrieved articles, so the answer rests on the current one."""
    items, seen = [], set()
    for h in hits:
        doc = retriever.index.docs.get(h.chunk.doc_id, {})
        for item in (doc.get("citations") or {}).get("items", []):
            # Document level: citing an article means vouching for what it says elsewhere too.
            key = (item.get("ref"), item.get("current_ref"))
            if item["status"] in ("outdated", "renumbered") and item.get("current_ref") and key not in seen:
                seen.add(key)
                old_ref = item.get("ref") or ""
                items.append(OutdatedCitation(
                    raw=item.get("raw", ""), ref=old_ref, current_ref=item["current_ref"], note=item.get("note") or "",
                    doc_id=h.chunk.doc_id, old_no=old_ref.split("#", 1)[-1] if "#" in old_ref else ""))
    return items


def allowed_refs(passages: list[Passage], retriever: Retriever) -> tuple[set[str], set[str]]:
    """(refs an answer may cite, old numbers it may only quote as such): the passages, plus what they
    cite (a statute's own cross-references, an article's verified citations), one check per passage."""
    refs, old = {p.chunk.ref for p in passages}, set()
    for p in passages:
        cited, old_numbers = passage_citations(p.chunk, retriever.index)
        refs |= cited
        old |= old_numbers
    return refs, old


def statute_source(retriever: Retriever):
    """laws.db plus statute files in this index, built once per index build."""
    return citations_statute_source(retriever.index)


def select_passages(ranked: list[tuple[Chunk, float]], pinned: list[Chunk]) -> list[Passage]:
    """Top hits (at most PER_DOC chunks of one article), then pinned chunks not yet in."""
    chosen: list[Passage] = []
    seen: set[str] = set()
    per_doc: dict[str, int] = {}
    room = MAX_PASSAGES - len({c.chunk_id for c in pinned})
    for chunk, score in ranked:
        if len(chosen) >= max(room, 3):
            break
        if chunk.chunk_id in seen or per_doc.get(chunk.doc_id, 0) >= PER_DOC:
            continue
        seen.add(chunk.chunk_id)
        per_doc[chunk.doc_id] = per_doc.get(chunk.doc_id, 0) + 1
        chosen.append(Passage(len(chosen) + 1, chunk, score))
    for chunk in pinned:
        if chunk.kind == "statute" and chunk.ref in {p.chunk.ref for p in chosen}:
            continue  # an article already shown by another of its chunks
        if chunk.chunk_id not in seen and len(chosen) < MAX_PASSAGES + 3:
            seen.add(chunk.chunk_id)
            chosen.append(Passage(len(chosen) + 1, chunk, None, pinned=True))
    return chosen


def _domain_words() -> tuple[str, ...]:
    lines = (ROOT / "yuqi" / "data" / "domain_words.txt").read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


DOMAIN_WORDS = _domain_words()
SOFT_MARGIN = 0.015  # just above the hard floor, a question must also be about debt or the law


def _should_decline(query: str, analysis: Analysis, retriever: Retriever, settings: Settings, ranked=()) -> bool:
    """Nothing to judge and nothing close enough in the corpus: say so instead of answering."""
    if analysis.threats or analysis.verdict or analysis.harassment:
        return False
    if not has_cjk(query):
        return True
    # The search already scored the query densely (every candidate, so the corpus' best cosine is
    # among them even when the ranker puts official text above it): reuse that, no second embedding.
    scores = [h.dense for h in ranked if h.dense is not None]
    best = max(scores) if scores else retriever.best_dense(query)
    if best < settings.min_score:
        return True
    on_topic = any(w in query for w in DOMAIN_WORDS)
    return best < settings.min_score + SOFT_MARGIN and not on_topic


def input_problem(text: str) -> str | None:
    """A clear Chinese message for input we cannot work with at all, else None."""
    stripped = (text or "").strip()
    if not stripped:
        return "请输入您的问题，或粘贴收到的催收短信。"
    if not has_cjk(stripped) and not re.search(r"\d{5,}", stripped):
        return "目前只支持中文：请用中文描述您的情况，或粘贴收到的短信原文。"
    if not re.search(rf"[\w{CJK}]", stripped):
        return "没有识别到文字内容。请用中文描述您的情况，或粘贴短信原文。"
    return None
