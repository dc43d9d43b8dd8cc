"""Printing, saving and comparing eval runs."""

from __future__ import annotations

import json
from pathlib import Path

RETRIEVAL_COLS = ("hit@5", "recall@10", "mrr@10", "ndcg@10")


def format_table(metrics: dict) -> str:
    lines = [f"Eval: {metrics['n_items']} items from {', '.join(metrics['sets'])} — main config {metrics['main_mode']}"]
    lines.append("")
    lines.append(f"{'retrieval':<18}" + "".join(f"{c:>11}" for c in RETRIEVAL_COLS) + f"{'p50 ms':>9}{'p95 ms':>9}{'n':>5}")
    for mode, row in metrics["retrieval"].items():
        mark = " *" if mode == metrics["main_mode"] else ""
        lines.append(
            f"{mode + mark:<18}" + "".join(f"{row[c]:>11.3f}" for c in RETRIEVAL_COLS)
            + f"{row['latency']['p50_ms']:>9.1f}{row['latency']['p95_ms']:>9.1f}{row['n']:>5}"
        )
    lines += _per_set_lines(metrics.get("retrieval_by_set"), metrics["main_mode"])
    lines += _threat_lines(metrics.get("threats"))
    lines += _verdict_lines(metrics.get("verdict"))
    c = metrics.get("citations")
    if c:
        lines.append("")
        lines.append(
            f"citations: {c['total']} in {c['answers']} answers — invalid {c['invalid']} "
            f"(not found {c['not_found']}, outdated {c['outdated']}, ungrounded {c['ungrounded']}; "
            f"{c.get('flagged', 0)} of them flagged to the reader), "
            f"bad [n] markers removed {c['bad_markers']}; "
            f"old numbers inside quoted regulations, labelled as old: {c.get('old_number_in_quote', 0)}"
        )
    from eval.support import format_support  # the support check's own line (eval/support.py)

    lines += [format_support(metrics)] if metrics.get("support") else []
    if metrics.get("declined"):
        d, lat = metrics["declined"], metrics["answer_latency"]
        lines.append(f"declined: {d['n']} ({d['share']:.1%})   answer latency p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms"
                     + ("   (LLM)" if metrics.get("used_llm") else "   (offline)"))
    if metrics.get("missing_gold"):
        lines.append(f"items with gold refs not in the index: {len(metrics['missing_gold'])} (excluded from those items' scores)")
    if metrics.get("faithfulness"):
        f = metrics["faithfulness"]
        lines.append(f"faithfulness (LLM-judged): {f['supported']}/{f['sentences']} sentences supported ({f['score']:.1%})")
    return "\n".join(lines)


def _per_set_lines(by_set: dict | None, main: str) -> list[str]:
    """One block per set (and per half of a dev set): every mode's recall@10, hit@5, MRR@10."""
    if not by_set or len(by_set) < 2:
        return []
    modes = list(next(iter(by_set.values())))
    lines = ["", "per set (recall@10 / hit@5 / mrr@10; * = app):"]
    lines.append(f"{'set':<28}{'n':>5}" + "".join(f"{m + (' *' if m == main else ''):>22}" for m in modes))
    for name, table in by_set.items():
        n = next(iter(table.values()))["n"]
        cells = "".join(f"{row['recall@10']:>8.3f}{row['hit@5']:>7.3f}{row['mrr@10']:>7.3f}" for row in table.values())
        lines.append(f"{name:<28}{n:>5}{cells}")
    return lines


def _threat_lines(t: dict | None) -> list[str]:
    if not t:
        return []
    lines = ["", f"{'threat':<15}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}"]
    for tid, row in t["per_type"].items():
        lines.append(f"{tid:<15}{row['precision']:>7.2f}{row['recall']:>7.2f}{row['f1']:>7.2f}{row['support']:>9}")
    m = t["micro"]
    lines.append(f"{'micro':<15}{m['precision']:>7.2f}{m['recall']:>7.2f}{m['f1']:>7.2f}")
    return lines


def _verdict_lines(v: dict | None) -> list[str]:
    if not v:
        return []
    labels = list(v["confusion"])
    lines = ["", f"verdict accuracy {v['accuracy']:.3f} on {v['n']} items; confusion (rows gold, cols predicted):"]
    lines.append(" " * 13 + "".join(f"{l:>12}" for l in labels))
    for g in labels:
        lines.append(f"{g:<13}" + "".join(f"{v['confusion'][g][p]:>12}" for p in labels))
    return lines


def save_run(out: Path, metrics: dict, results: list[dict], keep_raw: bool = False) -> None:
    """Write the run; queries and answers with personal data masked and images inert unless `keep_raw`."""
    from yuqi.privacy import mask_record

    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    with open(out / "results.jsonl", "w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(mask_record(r, keep_raw), ensure_ascii=False) + "\n")


def load_run(path: Path) -> tuple[dict, dict[str, dict]]:
    metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
    with open(path / "results.jsonl", encoding="utf-8") as fh:
        results = {r["id"]: r for r in map(json.loads, fh)}
    return metrics, results


def compare(a: Path, b: Path) -> str:
    ma, ra = load_run(a)
    mb, rb = load_run(b)
    lines = [f"A = {a}", f"B = {b}", "", f"{'metric':<32}{'A':>10}{'B':>10}{'Δ':>10}"]
    for mode in sorted(set(ma["retrieval"]) & set(mb["retrieval"])):
        for col in RETRIEVAL_COLS:
            x, y = ma["retrieval"][mode][col], mb["retrieval"][mode][col]
            lines.append(f"{mode + ' ' + col:<32}{x:>10.3f}{y:>10.3f}{y - x:>+10.3f}")
    for key, path in (("threat micro-F1", ("threats", "micro", "f1")), ("verdict accuracy", ("verdict", "accuracy")),
                      ("invalid citations", ("citations", "invalid"))):
        x, y = _dig(ma, path), _dig(mb, path)
        if x is not None and y is not None:
            lines.append(f"{key:<32}{x:>10.3f}{y:>10.3f}{y - x:>+10.3f}")
    lines += ["", "flipped items:"] + _flips(ra, rb)
    return "\n".join(lines)


def _dig(d: dict, path: tuple) -> float | None:
    for k in path:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return float(d)


def _flips(ra: dict, rb: dict) -> list[str]:
    out = []
    for iid in sorted(set(ra) & set(rb)):
        x, y = ra[iid], rb[iid]
        hx, hy = x.get("hit@5"), y.get("hit@5")
        if hx is not None and hy is not None and hx != hy:
            out.append(f"  {iid}: hit@5 {hx:.0f} → {hy:.0f}   {x['query'][:40]}")
        if x.get("verdict") != y.get("verdict"):
            out.append(f"  {iid}: verdict {x.get('verdict')} → {y.get('verdict')} (gold {x.get('gold_verdict')})")
    return out or ["  (none)"]
