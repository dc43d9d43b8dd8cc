"""The case bank in a build: its texts embedded with the corpus, its size recorded in the manifest.

The cases are not passages (a collector's message is not a source to cite); they are what the
learned verdict reads as neighbours (yuqi/analysis/similar.py), as query vectors. Embedding them
here, through the same content-addressed cache, means serving only reads their vectors; the manifest's counts say
which bank a build was made with, and `ingest list` shows it.
"""

from __future__ import annotations

from pathlib import Path

from yuqi.analysis.bank import BANK_DIR, CASES_FILE, load_cases
from yuqi.analysis.similar import case_texts


def bank_texts(corpus_dir: Path) -> tuple[list[str], dict[str, int]]:
    """(texts to embed, counts for the manifest); nothing when the corpus has no bank."""
    path = corpus_dir / BANK_DIR / CASES_FILE
    if not path.is_file():
        return [], {}
    cases = load_cases(path)
    return case_texts(cases), {"cases": len(cases), "case_pages": len({c.page for c in cases})}


def embed_bank_cached(settings, embedder, texts: list[str]) -> None:
    """The bank's query vectors into the shared cache, so serving never encodes a case."""
    from yuqi.analysis.similar import embed_bank

    if texts:
        embed_bank(embedder, texts, settings.cache_dir)


def describe(counts: dict) -> str | None:
    if not counts.get("cases"):
        return None
    return (f"{BANK_DIR}/{CASES_FILE}\t案例库\t{counts['cases']}条\t{counts['case_pages']}个来源页面\t"
            "真实催收、法院与诈骗信息（用于判断与相似案例，不作为法条来源）")
