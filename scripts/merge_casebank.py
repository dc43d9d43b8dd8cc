"""Merge collected cases and two blind readings into corpus/cases/cases.jsonl, and report agreement.

    python scripts/merge_casebank.py COLLECTED.jsonl READER_A.jsonl READER_B.jsonl DEV.jsonl > corpus/cases/cases.jsonl

COLLECTED: the collectors' records (text, url, publisher, date, grade, source_says, note) with ids;
READER_A/B: {"id", "family", "threats", "verdict", "statutes", "why"} per id, labelled blind;
DEV: ../shared/eval-real/messages_dev.jsonl, whose own labels and second reading are kept (the readers
supply only a family for those). Reader A is the first reading; B's verdict and threats are kept as
verdict_alt / threats_alt where they differ. Agreement goes to stderr.
"""

from __future__ import annotations

import json
import re
import sys


def _read(path: str) -> dict[str, dict]:
    out = {}
    for line in open(path, encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            out[d["id"]] = d
    return out


def _dev_source(src: str) -> dict:
    m = re.match(r"(\S+)\s*(?:\((.*)\))?\s*\[([ABC])\]\s*$", src)
    if not m:
        return {"url": src, "publisher": "", "date": "", "grade": "C", "says": ""}
    return {"url": m.group(1), "publisher": m.group(2) or "", "date": "", "grade": m.group(3), "says": ""}


def merge(collected: dict, a: dict, b: dict, dev: dict) -> list[dict]:
    cases = []
    for cid, c in collected.items():
        ra, rb = a.get(cid), b.get(cid)
        first = ra or rb
        if first is None:
            continue
        if cid in dev:
            d = dev[cid]
            case = {"id": cid, "text": d["query"], "kind": d["kind"], "fragment": "fragment" in d["source"],
                    "source": _dev_source(d["source"]), "family": first["family"], "threats": d["threats"],
                    "verdict": d["verdict"], "statutes": d["gold"], "why": d["why"]}
            if d.get("verdict_alt"):
                case["verdict_alt"] = d["verdict_alt"]
        else:
            case = {"id": cid, "text": c["text"], "kind": c.get("kind", "message"), "fragment": bool(c.get("fragment")),
                    "source": {"url": c["url"], "publisher": c.get("publisher", ""), "date": c.get("date", ""),
                               "grade": c.get("grade", "C"), "says": c.get("source_says", ""), "edits": c.get("note", "")},
                    "family": first["family"], "threats": first.get("threats") or [], "verdict": first.get("verdict"),
                    "statutes": first.get("statutes") or [], "why": first.get("why", "")}
            second = rb if ra else None
            if second and second.get("verdict") != case["verdict"]:
                case["verdict_alt"] = second.get("verdict")
            if second and sorted(second.get("threats") or []) != sorted(case["threats"]):
                case["threats_alt"] = second.get("threats") or []
        if ra and rb and ra.get("family") != rb.get("family"):
            case["family_alt"] = rb.get("family")
        case["readings"] = sum(r is not None for r in (ra, rb))
        cases.append(case)
    return cases


def agreement(collected: dict, a: dict, b: dict) -> dict:
    both = [i for i in collected if i in a and i in b]
    same = sum(a[i].get("verdict") == b[i].get("verdict") for i in both)
    fam = sum(a[i].get("family") == b[i].get("family") for i in both)
    tp = fp = fn = 0
    for i in both:
        ta, tb = set(a[i].get("threats") or []), set(b[i].get("threats") or [])
        tp, fp, fn = tp + len(ta & tb), fp + len(tb - ta), fn + len(ta - tb)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"double_labelled": len(both), "verdict_agreement": round(same / len(both), 3) if both else 0,
            "family_agreement": round(fam / len(both), 3) if both else 0, "threat_f1_between_readers": round(f1, 3)}


def main(argv: list[str]) -> int:
    collected, a, b = (_read(p) for p in argv[:3])
    dev = {}
    for line in open(argv[3], encoding="utf-8"):
        if line.strip():
            d = json.loads(line)
            dev[d["id"]] = d
    for case in merge(collected, a, b, dev):
        print(json.dumps(case, ensure_ascii=False))
    print(json.dumps(agreement(collected, a, b), ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
