"""From a user's text to a grounded answer: analyse, retrieve, compose, check citations.

`prepare` does everything that needs no LLM; `offline_answer` writes the
embedded default; `stream_answer` lets an LLM write the prose and falls back
to the offline answer, with a one-line notice, whenever that goes wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from yuqi.analysis import Analysis, analyze_followup
from yuqi.documents import Chunk
from yuqi.retrieve import Retriever
from yuqi.settings import Settings

MAX_PASSAGES = 7
PER_DOC = 2
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Passage:
    n: int  # the [n] the answer cites
    chunk: Chunk
    score: float | None = None
    pinned: bool = False  # added because a reason or a citation check rests on it


@dataclass
class Prepared:
    query: str
    analysis: Analysis
    passages: list[Passage]
    declined: bool = False
    notices: list[str] = field(default_factory=list)
    outdated: list[dict] = field(default_factory=list)  # citation-check items of retrieved articles
    allowed: set[str] = field(default_factory=set)  # refs an answer may cite: passages + their verified citations
    statutes: object = None  # the StatuteSource citations are checked against


@dataclass
class Answer:
    text: str
    prepared: Prepared
    used_llm: bool = False
    notice: str = ""
    checks: list = field(default_factory=list)  # CheckResult of every statute citation in `text`
    removed_markers: list[str] = field(default_factory=list)

    @property
    def passages(self) -> list[Passage]:
        return self.prepared.passages

    @property
    def verdict(self) -> str | None:
        return self.prepared.analysis.verdict


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


def prepare(query: str, retriever: Retriever, settings: Settings, previous: Analysis | None = None) -> Prepared:
    query, notice = truncate(query, settings.max_input_chars)
    notices = [notice] if notice else []
    analysis = analyze_followup(query, previous)
    q = retrieval_query(query, analysis, previous)
    hits = retriever.search(q, k=10, mode="hybrid+expansion", expansion=analysis.expansion, boost=analysis.refs)
    pinned = retriever.fetch(list(analysis.refs[:4]) + fixed_text_refs(analysis))
    outdated = _outdated_items(hits[:MAX_PASSAGES], retriever)
    pinned += retriever.fetch([i["current_ref"] for i in outdated])
    passages = select_passages([(h.chunk, h.score) for h in hits], pinned)
    declined = _should_decline(query, analysis, retriever, settings, hits)
    if declined:
        passages = []
    allowed = allowed_refs(passages, retriever)
    return Prepared(query, analysis, passages, declined, notices, outdated, allowed, statute_source(retriever))


def fixed_text_refs(analysis: Analysis) -> list[str]:
    """Statutes named in the analysis' own advice texts: they must be shown passages too."""
    from yuqi.citations import find_citations

    texts = [*analysis.steps, *analysis.verify, *(r.text for r in analysis.reasons)]
    return [c.ref for t in texts for c in find_citations(t) if c.ref]


def _outdated_items(hits, retriever: Retriever) -> list[dict]:
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
                items.append({**item, "doc_id": h.chunk.doc_id, "old_no": old_ref.split("#", 1)[-1] if "#" in old_ref else ""})
    return items


def allowed_refs(passages: list[Passage], retriever: Retriever) -> set[str]:
    """Passages, plus what they cite: a statute's own cross-references, an article's verified citations."""
    from yuqi.citations.ground import passage_refs

    refs = {p.chunk.ref for p in passages}
    for p in passages:
        refs.update(passage_refs(p.chunk, retriever.index))
    return refs


def statute_source(retriever: Retriever):
    """laws.db plus statute files in this index, built once per index build."""
    from yuqi.citations import statute_source as build

    return build(retriever.index)


def select_passages(ranked: list[tuple[Chunk, float]], pinned: list[Chunk]) -> list[Passage]:
    """Top hits (at most PER_DOC chunks of one article), then pinned statutes not yet in."""
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
        if chunk.ref in {p.chunk.ref for p in chosen}:
            continue  # an article already shown by another of its chunks
        if chunk.chunk_id not in seen and len(chosen) < MAX_PASSAGES + 2:
            seen.add(chunk.chunk_id)
            chosen.append(Passage(len(chosen) + 1, chunk, None, pinned=True))
    return chosen


def _domain_words() -> tuple[str, ...]:
    from yuqi.settings import ROOT

    lines = (ROOT / "yuqi" / "data" / "domain_words.txt").read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


DOMAIN_WORDS = _domain_words()
SOFT_MARGIN = 0.015  # just above the hard floor, a question must also be about debt or the law


def _should_decline(query: str, analysis: Analysis, retriever: Retriever, settings: Settings, hits=()) -> bool:
    """Nothing to judge and nothing close enough in the corpus: say so instead of answering."""
    if analysis.threats or analysis.verdict or analysis.harassment:
        return False
    if not CJK.search(query):
        return True
    # The search already scored the query densely: reuse that instead of embedding it again.
    scores = [h.dense for h in hits if h.dense is not None]
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
    if not CJK.search(stripped) and not re.search(r"\d{5,}", stripped):
        return "目前只支持中文：请用中文描述您的情况，或粘贴收到的短信原文。"
    if not re.search(r"[\w\u3400-\u9fff]", stripped):
        return "没有识别到文字内容。请用中文描述您的情况，或粘贴短信原文。"
    return None


def offline_answer(prepared: Prepared, settings: Settings, notice: str = "") -> Answer:
    from yuqi.compose import compose_offline

    text = compose_offline(prepared)
    return finish(text, prepared, settings, used_llm=False, notice=notice or OFFLINE_NOTICE)


OFFLINE_NOTICE = "离线模式：未使用大模型，以下内容由系统根据检索到的资料直接整理。"


def finish(text: str, prepared: Prepared, settings: Settings, used_llm: bool, notice: str) -> Answer:
    """Every answer passes the same citation check before anyone sees it."""
    from yuqi.citations.ground import check_answer

    cleaned, checks, removed, notes = check_answer(text, prepared)
    if notes:
        cleaned = cleaned.rstrip() + "\n\n" + "\n".join(f"> {n}" for n in notes)
    return Answer(cleaned, prepared, used_llm, notice, checks, removed)


def stream_answer(
    prepared: Prepared, settings: Settings, client=None, history: list[dict] | None = None, vault=None
) -> Iterator[tuple[str, object]]:
    """Events: ("delta", str) while an LLM writes; ("reset", notice) if its text must be
    discarded; finally ("final", Answer). Without an LLM only "final" is sent."""
    from yuqi.llm_answer import stream_llm_answer

    if prepared.declined:
        yield "final", declined_answer(prepared, settings)
        return
    if not settings.llm_enabled:
        yield "final", offline_answer(prepared, settings)
        return
    yield from stream_llm_answer(prepared, settings, client, history, vault)


def declined_answer(prepared: Prepared, settings: Settings) -> Answer:
    text = (
        "抱歉，资料库里没有找到与您的问题足够相关的内容，为避免误导，暂不作答。\n\n"
        "您可以：换一种说法描述情况（例如“收到短信说要起诉我，是真的吗”），"
        "或直接粘贴收到的催收短信原文。"
    )
    return Answer(text, prepared, False, "未找到足够相关的资料。")
