"""Citation checks at ingest: every article's 《…》第X条 is verified against the statutes we hold."""

from __future__ import annotations

import re

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
    items = [
        {
            "raw": r.citation.raw, "ref": r.citation.ref, "status": r.status,
            "current_ref": r.current_ref, "note": r.note,
        }
        for r in results
    ]
    named = {r.citation.law_name for r in results}
    items += [i for i in _unheld_laws(src.text, statutes) if i["raw"].strip("《》") not in named]
    if not items:
        return {}
    summary = summarize(results) if results else ""
    unheld = sum(i["status"] == "unknown_law" and i["ref"] is None for i in items[len(results):])
    if unheld:
        summary = "；".join(x for x in (summary, f"另提及{unheld}部未收录的法规") if x)
    return {"summary": summary, "items": items}


LAW_NAME = re.compile(r"《([^《》\n]{2,60}(?:法|法典|条例|办法|规定|解释|决定|规则|细则))》")


def _unheld_laws(text: str, statutes) -> list[dict]:
    """Laws named without an article number that we do not hold: say we cannot check them."""
    out, seen = [], set()
    for m in LAW_NAME.finditer(text):
        name = m.group(1)
        if name in seen or statutes.resolve(name):
            continue
        seen.add(name)
        out.append({"raw": m.group(0), "ref": None, "status": "unknown_law", "current_ref": None,
                    "note": f"本文提到的《{name}》未收录，无法核验"})
    return out
