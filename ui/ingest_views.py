"""Pure parts of the ingest page (testable without Streamlit): what each upload came to, in whole lines."""

from __future__ import annotations

from pathlib import Path


def report_lines(report, name: dict[str, str]) -> list[str]:
    """One whole line per document: on a phone a table cut its reason at the column edge ("与已有文档《")."""
    lines = [f"新增：{name.get(d, d)}" for d in report.added]
    lines += [f"更新：{name.get(d, d)}（内容有变化，旧段落已替换）" for d in report.updated]
    lines += [f"未变：{name.get(d, d)}（内容相同，未重新计算）" for d in report.unchanged]
    lines += [f"重复：{Path(p).name} 与已有文档《{name.get(e, e)}》内容相同，未重复导入" for p, e in report.duplicates]
    lines += [f"跳过：{Path(s.path).name}（{s.reason}）" for s in report.skipped]
    return lines


def already_held(paths: list[Path], docs: list[dict]) -> list[tuple[str, str]] | None:
    """(file, existing title) for every upload whose text is already indexed; None when any is new or unreadable.
    A batch of duplicates changes nothing, so the index is not rebuilt for it."""
    from ingest.load import load_file
    from yuqi.errors import UnreadableDocument

    by_hash = {d.get("content_hash"): d["title"] for d in docs}
    found = []
    for path in paths:
        try:
            title = by_hash.get(load_file(path).content_hash)
        except (UnreadableDocument, OSError):
            return None  # the import itself reports why it cannot read it
        if title is None:
            return None
        found.append((path.name, title))
    return found
