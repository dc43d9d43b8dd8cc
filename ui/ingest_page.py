"""The ingest page: upload articles or statutes, see what was added, remove documents."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ingest.pipeline import add, list_docs, remove
from ingest.staging import write_uploads
from ui.common import service_or_stop, sidebar
from yuqi.errors import YuqiError
from yuqi.settings import get_settings

settings = get_settings()
service = service_or_stop()
sidebar(settings)
STAGES = {"load": "读取文档", "embed": "计算向量", "index": "写入索引"}

st.title("导入文档")
st.caption("支持 .txt .md .html .htm .pdf；法规文件（首行“# 法规名称”，条文以“第X条”开头）会按条切分。"
           f"单个文件不超过 {settings.max_upload_mb} MB。导入在后台构建新索引，完成后自动替换，旧索引在此之前一直可用。")


def progress_bar():
    bar = st.progress(0.0, text="准备中…")

    def update(stage: str, done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{STAGES.get(stage, stage)}：{done}/{total}")

    return bar, update


def show_report(report) -> None:
    rows = [("新增", d, "") for d in report.added] + [("更新", d, "内容有变化，旧段落已替换") for d in report.updated]
    rows += [("未变", d, "内容相同，未重新计算") for d in report.unchanged]
    rows += [("重复", Path(p).name, f"与已有文档 {e} 内容相同，未重复索引") for p, e in report.duplicates]
    rows += [("跳过", Path(s.path).name, s.reason) for s in report.skipped]
    if rows:
        st.dataframe(pd.DataFrame(rows, columns=["结果", "文档", "说明"]), hide_index=True, use_container_width=True)
    st.success(f"索引已更新：共 {report.chunks} 段，本次新计算向量 {report.embedded} 段，用时 {report.seconds:.1f} 秒。")


def save_uploads(files, folder: Path) -> list[Path]:
    limit = settings.max_upload_mb * 1024 * 1024
    paths = []
    for f in files:
        if f.size > limit:
            st.warning(f"{f.name}：超过 {settings.max_upload_mb} MB，已跳过。")
            continue
        paths.append((f.name, f.getvalue()))
    return write_uploads(paths, folder)


uploads = st.file_uploader("选择文件", type=["txt", "md", "html", "htm", "pdf"], accept_multiple_files=True)
if st.button("导入", type="primary", disabled=not uploads):
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(uploads, Path(tmp))
        bar, update = progress_bar()
        try:
            report = add(paths, settings, service.embedder, update) if paths else None
        except YuqiError as err:
            st.error(str(err))
            report = None
        bar.empty()
    if report:
        show_report(report)

st.subheader("已导入的文档")
docs = list_docs(settings)
if docs:
    table = pd.DataFrame([
        {"文档编号": d["doc_id"], "标题": d["title"], "类型": "法规" if d["kind"] == "statute" else "文章",
         "段落数": d["chunks"], "导入时间": d["added_at"], "引用核验": (d.get("citations") or {}).get("summary", "")}
        for d in docs
    ])
    st.dataframe(table, hide_index=True, use_container_width=True)
    with st.form("remove"):
        target = st.selectbox("移除文档（连同其全部段落）", [d["doc_id"] for d in docs])
        if st.form_submit_button("移除"):
            bar, update = progress_bar()
            try:
                report = remove(target, settings, service.embedder, update)
                st.success(f"已移除 {target}，索引现有 {report.chunks} 段。")
            except YuqiError as err:
                st.error(str(err))
            bar.empty()
else:
    st.info("索引为空。")
