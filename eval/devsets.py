"""The real dev sets the tuning commands read, and the live index they tune against.

Shared by `eval.tune_adapter` and `eval.tune_ranker` (the ranker is fitted on adapted
features, so it imports the adapter's fit; neither imports the other for these).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.runner import BadEvalFile
from eval.sets import load_items
from yuqi.settings import ROOT

DEV_SETS = (ROOT.parent / "shared" / "eval-real" / "stard_dev.jsonl", ROOT.parent / "shared" / "eval-real" / "messages_dev.jsonl")


def dev_sets(prog: str, doc: str, argv: list[str] | None, default: tuple[Path, ...] = DEV_SETS) -> list[Path]:
    """The dev sets a tuning command reads: --set FILE ..., else `default`; [] with a message if none."""
    p = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    p.add_argument("--set", dest="sets", action="append", type=Path, help="a dev set (repeatable); default the eval-real dev sets")
    sets = p.parse_args(argv).sets or [s for s in default if s.is_file()]
    if not sets:
        print("error: no dev set found (../shared/eval-real/*.jsonl); pass --set", file=sys.stderr)
        return []
    try:
        for s in sets:
            load_items(s)  # every line checked before a minute of model loading
    except BadEvalFile as exc:
        print(f"error: {exc}", file=sys.stderr)
        return []
    return sets


def live_service():
    """The service over the live default index (built first if there is none)."""
    from yuqi.service import Service
    from yuqi.settings import get_settings

    service = Service(get_settings())
    service.ensure_index()
    return service
