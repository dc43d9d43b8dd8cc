"""`python -m ingest build | add PATH... | remove DOC_ID | list`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from yuqi.errors import YuqiError, describe_os_error


# Stage -> (label, unit). Loading counts documents, embedding counts passages.
STAGES = {"load": ("读取文档", "文档"), "embed": ("计算向量", "段"), "index": ("写入索引", "步")}
# No rate: a bar is first told about a stage when a batch (or the whole cache) is already
# done, so tqdm's rate would divide by almost nothing (17318416.52段/s). Elapsed time is honest.
BAR = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} [{elapsed}]"


_OPEN_BARS: list = []  # closed before an error is printed, so the message gets its own line


def _progress_bar():
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            label, unit = STAGES.get(stage, (stage, ""))
            bar = bars[stage] = tqdm(total=total, desc=label, unit=unit, leave=True, mininterval=0.2, bar_format=BAR)
            _OPEN_BARS.append(bar)
        bar.total = total
        bar.update(max(0, done - bar.n))
        if done >= total:
            bar.close()

    return progress


def _names(report, ids: list[str], limit: int = 12) -> str:
    shown = [_label(report, d) for d in ids[:limit]]
    return "、".join(shown) + (f" 等 {len(ids)} 个" if len(ids) > limit else "")


def _label(report, doc_id: str) -> str:
    title = report.title(doc_id)
    return title if title == doc_id else f"{title}（{doc_id}）"


def _print_report(report) -> None:
    for note in report.notes:
        print(f"注意: {note}")
    for label, items in (("新增", report.added), ("更新", report.updated), ("未变", report.unchanged), ("移除", report.removed)):
        if items:
            print(f"{label} {len(items)} 个文档: {_names(report, items)}")
    for path, existing in report.duplicates:
        print(f"重复（未重复索引）: {path} 与已有文档 {_label(report, existing)} 内容相同")
    for s in report.skipped:
        print(f"跳过: {s.path} — {s.reason}")
    vectors = f"新计算向量 {report.embedded} 段" if report.embedded else "全部向量已缓存，无需重新计算"
    print(f"索引已更新（{report.build_id}）：共 {report.chunks} 段，{vectors}，用时 {report.seconds:.1f} 秒")


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
    if line := _bank_line(settings):
        print(line)
    return 0


def _bank_line(settings) -> str | None:
    from ingest.casebank import describe
    from yuqi import index as ix

    build = ix.current_build(settings.index_dir)
    return describe(ix.read_manifest(build).counts) if build else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="导入与管理检索语料 / manage the corpus index")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="从头构建索引 (everything from scratch)")
    p_add = sub.add_parser("add", help="添加或更新文档 (.txt .md .html .htm .pdf, files or folders)")
    p_add.add_argument("paths", nargs="+", type=Path)
    p_rm = sub.add_parser("remove", help="移除文档及其全部段落（文档编号、标题或文件名）")
    p_rm.add_argument("doc_id")
    sub.add_parser("list", help="列出已导入的文档")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        report = _run(args)
    except YuqiError as err:
        return _fail(str(err), 1)
    except OSError as err:
        return _fail(describe_os_error(err, "读写文件"), 1)
    except KeyboardInterrupt:
        return _fail("已中断；原有索引保持不变 (interrupted; the previous index is intact)", 130)
    except Exception as err:  # noqa: BLE001 - the CLI promises one line, never a traceback
        return _fail(f"意外错误 {type(err).__name__}: {err}", 1)
    if isinstance(report, int):
        return report
    _print_report(report)
    return 0


def _fail(message: str, code: int) -> int:
    for bar in _OPEN_BARS:
        bar.close()
    line = " ".join(str(message).split())  # one line, whatever the message held
    print(f"错误 (error): {line}", file=sys.stderr)
    return code


def _run(args):
    from yuqi.settings import get_settings

    settings = get_settings()
    if args.cmd == "list":
        return _list(settings)
    missing = [str(p) for p in getattr(args, "paths", []) if not p.exists()]
    if missing:
        print("找不到文件 (no such file): " + ", ".join(missing), file=sys.stderr)
        return 2
    from ingest import pipeline

    if args.cmd == "remove":
        # Said before the model loads (seconds), not after.
        pipeline.find_document(args.doc_id, {d["doc_id"]: d for d in pipeline.list_docs(settings)},
                               pipeline.read_origins(settings.corpus_dir))
    embedder = _embedder(settings, args.cmd)
    progress = _progress_bar()
    if args.cmd == "build":
        return pipeline.build(settings, embedder, progress)
    if args.cmd == "add":
        return pipeline.add(args.paths, settings, embedder, progress)
    return pipeline.remove(args.doc_id, settings, embedder, progress)


def _embedder(settings, cmd: str):
    """`build` uses the configured model; add/remove keep the model the live index was built with."""
    from yuqi import index as ix
    from yuqi.embed import Embedder

    name = settings.embed_model if cmd == "build" else (ix.live_model(settings.index_dir) or settings.embed_model)
    return Embedder(name, settings.cache_dir)


if __name__ == "__main__":
    sys.exit(main())
