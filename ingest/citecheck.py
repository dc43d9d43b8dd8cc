"""Citation checks at ingest: every article's 《…》第X条 is verified against the statutes we hold."""

from __future__ import annotations

from yuqi.documents import Source


def statute_source_for(sources: list[Source]):
    """laws.db plus the statute files being ingested (user statutes are sources too)."""
    from yuqi.citations import CombinedSource, LawsDb, MemoryStatutes

    mem = {s.title: {a.number: a.text for a in s.articles} for s in sources if s.kind == "statute" and not s.path.startswith("laws.db:")}
    status = {t: "现行有效" for t in mem}
    return CombinedSource([MemoryStatutes(mem, status), LawsDb()])


def citation_report(src: Source, statutes) -> dict:
    """{"summary": one line, "items": [...]} for articles; statutes cite themselves, so they are skipped."""
    if src.kind == "statute":
        return {}
    from yuqi.citations import check_text, summarize

    results = check_text(src.text, statutes)
    if not results:
        return {}
    items = [
        {
            "raw": r.citation.raw, "ref": r.citation.ref, "status": r.status,
            "current_ref": r.current_ref, "note": r.note,
        }
        for r in results
    ]
    return {"summary": summarize(results), "items": items}
