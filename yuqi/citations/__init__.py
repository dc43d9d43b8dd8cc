"""Statute citations: find them in any text, check them against the law, clean answers.

Module map (each idea in one place):
  numerals  Chinese article numerals (第二百九十三条之一 <-> 293, "一")
  names     law names as written -> official titles (yuqi/data/law_aliases.json)
  lawsdb    the one laws.db access and the one notion of "current"
  sources   what citations are checked against and who owns a title (laws.db,
            shipped regulations, uploads); `statute_source(index)` builds it
  parse     find 《…》第X条 references in text
  renumber  old article numbers (laws.db 历史版本 + data/renumbered.json)
  check     one citation: exists / current / quote matches / both readings
  claims    "the article exists" vs "it applies" (data/claims.json)
  clean     whole texts: check_text, summarize, clean_answer
  report    ingest-time checks stored in docs.json as CitationItem
  ground    the answer gate: check_answer, passage_refs, citation_validity
  status    the one status table: labels, icons, summaries, flags
"""

from __future__ import annotations

from yuqi.citations.check import CheckResult, Reading, best_match, bigrams, check, containment, match_text
from yuqi.citations.claims import Claim, claim_for, claims
from yuqi.citations.clean import CleanedAnswer, check_text, clean_answer, summarize
from yuqi.citations.lawsdb import is_current
from yuqi.citations.names import resolve_name
from yuqi.citations.numerals import article_label, canonical_article, cn_to_int, int_to_cn
from yuqi.citations.parse import Citation, find_citations
from yuqi.citations.report import CitationItem, citation_report, items_of
from yuqi.citations.sources import (
    CombinedSource,
    LawsDb,
    MemoryStatutes,
    StatuteSource,
    document_origin,
    from_sources,
    statute_source,
)
from yuqi.citations.status import STATUSES, badge, label

__all__ = [
    "Citation", "CitationItem", "CheckResult", "Claim", "CleanedAnswer", "CombinedSource", "LawsDb",
    "MemoryStatutes", "Reading", "STATUSES", "StatuteSource", "article_label", "badge", "best_match", "bigrams",
    "canonical_article", "check", "check_text", "citation_report", "claim_for", "claims", "clean_answer",
    "cn_to_int", "containment", "document_origin", "find_citations", "from_sources", "int_to_cn", "is_current",
    "items_of", "label", "match_text", "resolve_name", "statute_source", "summarize",
]
