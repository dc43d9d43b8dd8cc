"""The last gate before an answer is shown: citations must exist and be grounded.

Every [n] must name a shown passage; every 《…》第X条 must exist and be one of
the retrieved passages or a verified citation inside one. Anything else is
removed or visibly flagged by `yuqi.citations.clean_answer`.
"""

from __future__ import annotations

from yuqi.citations import check_text, clean_answer


def check_answer(text: str, prepared) -> tuple[str, list, list[str], list[str]]:
    """(cleaned text, check results of the citations left in it, removed markers, notes)."""
    cleaned = clean_answer(text, len(prepared.passages), prepared.allowed, prepared.statutes)
    checks = check_text(cleaned.text, prepared.statutes)
    return cleaned.text, checks, list(cleaned.removed_markers), list(cleaned.notes)


def citation_validity(answer) -> dict:
    """Counts for the eval: citations in the shown answer that do not exist, are outdated, or are
    not grounded in the retrieved set (all count as invalid, even when flagged in place), and how
    many of those the reader sees flagged."""
    counts = {"total": 0, "invalid": 0, "not_found": 0, "outdated": 0, "ungrounded": 0, "flagged": 0, "bad_markers": 0}
    for r in answer.checks:
        counts["total"] += 1
        ref = r.citation.ref
        if r.status in ("not_found", "outdated"):
            bad = r.status
        elif ref and ref not in answer.prepared.allowed:
            bad = "ungrounded"
        else:
            continue
        counts[bad] += 1
        counts["invalid"] += 1
        counts["flagged"] += "（⚠" in answer.text[r.citation.end:r.citation.end + 12] or "（现行为" in answer.text[r.citation.end:r.citation.end + 12]
    counts["bad_markers"] = len(answer.removed_markers)
    return counts
