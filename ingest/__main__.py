"""`python -m ingest build | add PATH... | remove DOC_ID | list`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from yuqi.errors import YuqiError


def _progress_bar():
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}
    names = {"load": "读取文档", "embed": "计算向量", "index": "写入索引"}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=names.get(stage, stage), unit="段", leave=True)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return progress


def _print_report(report) -> None:
    for label, items in (("新增", report.added), ("更新", report.updated), ("未变", report.unchanged), ("移除", report.removed)):
        if items:
            print(f"{label} {len(items)}: " + "、".join(items[:12]) + (" …" if len(items) > 12 else ""))
    for path, existing in report.duplicates:
        print(f"重复（未重复索引）: {path} 与已有文档 {existing} 内容相同")
    for s in report.skipped:
        print(f"跳过: {s.path} — {s.reason}")
    print(f"索引 {report.build_id}: {report.chunks} 段, 新计算向量 {report.embedded} 段, 用时 {report.seconds:.1f} 秒")


def _list(settings) -> int:
    from ingest.pipeline import list_docs
    from ingest.statutes import version_date

    docs = list_docs(settings)
    if not docs:
        print("索引为空：请运行 python -m ingest build")
        return 1
    for d in docs:
        kind = "法规" if d["kind"] == "statute" else "文章"
        cites = (d.get("citations") or {}).get("summary", "")
        version = version_date(d.get("version", "")) or "-"
        print(f"{d['doc_id']}\t{kind}\t{d['chunks']}段\t{d['added_at']}\t{d['title']}\t版本 {version}\t{cites}")
        for item in (d.get("citations") or {}).get("items", []):
            if item["status"] != "verified":
                print(f"    ⚠ {item['raw']}: {item['note']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="导入与管理检索语料 / manage the corpus index")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="从头构建索引 (everything from scratch)")
    p_add = sub.add_parser("add", help="添加或更新文档 (.txt .md .html .htm .pdf, files or folders)")
    p_add.add_argument("paths", nargs="+", type=Path)
    p_rm = sub.add_parser("remove", help="移除文档及其全部段落")
    p_rm.add_argument("doc_id")
    sub.add_parser("list", help="列出已导入的文档")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    from yuqi.settings import get_settings

    settings = get_settings()
    try:
        if args.cmd == "list":
            return _list(settings)
        missing = [str(p) for p in getattr(args, "paths", []) if not p.exists()]
        if missing:
            print("找不到文件 (no such file): " + ", ".join(missing), file=sys.stderr)
            return 2
        from ingest import pipeline

        if args.cmd == "remove" and args.doc_id not in {d["doc_id"] for d in pipeline.list_docs(settings)}:
            # Said before the model loads (seconds), not after.
            print(f"错误 (error): 没有找到文档 {args.doc_id}（用 `python -m ingest list` 查看已导入的文档）", file=sys.stderr)
            return 1
        from yuqi.embed import Embedder

        embedder = Embedder(settings.embed_model, settings.cache_dir)
        progress = _progress_bar()
        if args.cmd == "build":
            report = pipeline.build(settings, embedder, progress)
        elif args.cmd == "add":
            report = pipeline.add(args.paths, settings, embedder, progress)
        else:
            report = pipeline.remove(args.doc_id, settings, embedder, progress)
    except YuqiError as err:
        print(f"错误 (error): {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断；原有索引保持不变 (interrupted; the previous index is intact)", file=sys.stderr)
        return 130
    _print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
