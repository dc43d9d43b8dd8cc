"""The last gate before an answer is shown: citations must exist and be grounded.

Every [n] must name a shown passage; every 《…》第X条 must exist and be one of
the retrieved passages or a verified citation inside one. Anything else is
removed or visibly flagged by `clean_answer`.
"""

from __future__ import annotations

from functools import lru_cache

from yuqi.citations.clean import check_text, clean_answer
from yuqi.citations.renumber import AS_OF_NOW, version_date
from yuqi.citations.report import items_of
from yuqi.citations.sources import statute_source
from yuqi.citations.status import ANY_FLAG, FLAG_OLD_QUOTE


def check_answer(text: str, prepared) -> tuple[str, list, list[str], list[str]]:
    """(cleaned text, check results of the citations left in it, removed markers, notes)."""
    old = getattr(prepared, "old_numbers", frozenset())
    cleaned = clean_answer(text, len(prepared.passages), prepared.allowed, prepared.statutes, old)
    checks = check_text(cleaned.text, prepared.statutes)
    return cleaned.text, checks, list(cleaned.removed_markers), list(cleaned.notes)


def passage_citations(chunk, index) -> tuple[set[str], set[str]]:
    """(refs, old numbers) of one shown passage, from a single check of its text.

    refs: what the passage lets an answer cite besides itself: a statute's cross-references that
    hold under today's numbering (a regulation citing 民事诉讼法 by its pre-2023 numbers yields the
    current article or nothing), an article's verified citations.
    old numbers: citations as written in a dated statute passage whose numbering was replaced since
    (民诉法解释 citing 民事诉讼法 by its 2021 numbers); a word-for-word quote repeats them, and the
    answer must then say they are old numbers, not present them as current."""
    doc = (getattr(index, "docs", {}) or {}).get(chunk.doc_id, {})
    if chunk.kind != "statute":
        return {i.ref for i in items_of(doc) if i.status == "verified" and i.ref and i.raw in chunk.text}, set()
    # laws.db laws and undated files are read against today's numbering
    dated = version_date(doc.get("version", ""), _file_header(chunk.path))
    # "本法第五百一十条" inside 民法典 means 民法典: name the law so the parser knows.
    results = check_text(f"《{chunk.title}》\n{chunk.text}", statute_source(index), dated or AS_OF_NOW)
    refs = {r.current_ref for r in results if r.current_ref and r.status in ("verified", "outdated")}
    old = {r.citation.raw for r in results if r.status in ("dated", "outdated")} if dated else set()
    return refs, old


def passage_refs(chunk, index) -> set[str]:
    return passage_citations(chunk, index)[0]


def passage_old_numbers(chunk, index) -> set[str]:
    return passage_citations(chunk, index)[1]


@lru_cache(maxsize=256)
def _file_header(path: str) -> str:
    """The first lines of a statute file (where its 发布/修订 dates are); '' for laws.db."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(3000)
    except OSError:
        return ""


def _labelled_old_number(r, answer) -> bool:
    """An old number the answer repeats from a quoted passage, shown with its label: either the
    dated-quote label, or a renumbered article whose current article is among the passages and
    whose flag names it (“（⚠条号已变动，旧版该条现为第五十条）”)."""
    if answer.text.startswith(FLAG_OLD_QUOTE, r.citation.end):
        return True
    return (r.status == "renumbered" and r.current_ref in answer.prepared.allowed
            and bool(ANY_FLAG.match(answer.text, r.citation.end)))


def citation_validity(answer) -> dict:
    """Counts for the eval: citations in the shown answer that do not exist, are outdated, or are
    not grounded in the retrieved set (all count as invalid, even when flagged in place), and how
    many of those the reader sees flagged."""
    counts = {"total": 0, "invalid": 0, "not_found": 0, "outdated": 0, "ungrounded": 0, "flagged": 0, "bad_markers": 0,
              "old_number_in_quote": 0}
    for r in answer.checks:
        counts["total"] += 1
        ref = r.citation.ref
        if _labelled_old_number(r, answer):
            counts["old_number_in_quote"] += 1  # a quoted passage's own old numbering, labelled as such
            continue
        if r.status in ("not_found", "outdated"):
            bad = r.status
        elif ref and ref not in answer.prepared.allowed:
            bad = "ungrounded"
        else:
            continue
        counts[bad] += 1
        counts["invalid"] += 1
        counts["flagged"] += bool(ANY_FLAG.match(answer.text, r.citation.end))
    counts["bad_markers"] = len(answer.removed_markers)
    return counts
