"""`python -m yuqi.citations`: text on stdin -> one JSON object per citation on stdout.

Contract: every object has raw, ref, status and current_ref; label, note,
readings (both readings of a renumbered article) and claim (a crime the
article defines that the text asserts, with its conditions) are extras.
Checked against laws.db plus the shipped regulations (corpus/regulations/).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from yuqi.citations.clean import check_text
from yuqi.citations.report import CitationItem
from yuqi.citations.sources import CombinedSource, LawsDb, from_sources
from yuqi.citations.status import label

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SHIPPED = ("regulations", "knowledge")  # the project's own statute files; never corpus/user


def _source():
    """laws.db plus the shipped statute files (read as ingest reads them)."""
    try:
        from ingest.load import iter_files, load_file

        dirs = [CORPUS / d for d in SHIPPED if (CORPUS / d).is_dir()]
        files = [f for f in iter_files(dirs) if f.suffix in (".md", ".txt")]
        return from_sources([load_file(f) for f in files])
    except ImportError:  # an installed package without the ingest tools: laws.db alone
        return CombinedSource([LawsDb()])


def main() -> int:
    data = sys.stdin.buffer.read()
    text = data.decode("utf-8", errors="replace")
    try:
        source = _source()
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for r in check_text(text, source):
        row = CitationItem.from_result(r).to_dict()
        row["label"] = label(r.status)
        row["claim"] = None if r.claim is None else {
            "id": r.claim.id, "crime": r.claim.crime, "conditions": r.claim.conditions, "why_not": r.claim.why_not}
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
