"""The ingest page: upload articles or statutes, see what was added, remove documents."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ingest.pipeline import add, list_docs, remove
from ingest.staging import write_uploads
from ui.common import service_or_stop
from ui.ingest_views import already_held, report_lines
from yuqi.render import inert_label
from yuqi.errors import YuqiError
from yuqi.render import inert_label
from yuqi.settings import get_settings

settings = get_settings()
service = service_or_stop()
STAGES = {"load": "读取文档", "embed": "计算向量", "index": "写入索引"}

st.title("导入文档")
st.caption("支持 .txt .md .html .htm .pdf；法规文件（首行“# 法规名称”，条文以“第X条”开头）会按条切分。"
           f"单个文件不超过 {settings.max_upload_mb} MB。导入在后台构建新索引，完成后自动替换，旧索引在此之前一直可用。")


# Streamlit's uploader speaks English ("Drag and drop files here", "Browse files"): our own CSS, no user text,
# hides those words and writes Chinese in their place.
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] span,[data-testid="stFileUploaderDropzoneInstructions"] small{display:none}
[data-testid="stFileUploaderDropzoneInstructions"] > div::before{content:"把文件拖到这里，或点“选择文件”";display:block}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after{content:"单个文件不超过 %d MB · TXT、MD、HTML、PDF";display:block;font-size:.85em;opacity:.7}
[data-testid="stFileUploaderDropzone"] button,[data-testid="stFileUploaderDropzone"] button *{font-size:0 !important}
[data-testid="stFileUploaderDropzone"] button::after{content:"选择文件";font-size:.9rem !important}
</style>"""


def progress_bar():
    bar = st.progress(0.0, text="准备中…")

    def update(stage: str, done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{STAGES.get(stage, stage)}：{done}/{total}")

    return bar, update


def titles() -> dict[str, str]:
    return {d["doc_id"]: d["title"] for d in list_docs(settings)}


def embedded_line(report) -> str:
    """A newcomer reads "新计算向量 0 段" as an error: say what it means."""
    if report.embedded == 0:
        return "全部向量已缓存，无需重新计算"
    return f"新计算了 {report.embedded} 段的向量，其余沿用缓存"


def show_lines(lines: list[str]) -> None:
    for line in lines:
        st.markdown(f"- {inert_label(line)}")  # a file name is outside text: never markup


def show_report(report) -> None:
    show_lines(report_lines(report, titles()))
    st.success(f"索引已更新：共 {report.chunks} 段；{embedded_line(report)}；用时 {report.seconds:.1f} 秒。")


def save_uploads(files, folder: Path) -> list[Path]:
    limit = settings.max_upload_mb * 1024 * 1024
    paths = []
    for f in files:
        if f.size > limit:
            st.warning(f"{f.name}：超过 {settings.max_upload_mb} MB，已跳过。")
            continue
        paths.append((f.name, f.getvalue()))
    return write_uploads(paths, folder)


st.markdown(UPLOADER_CSS % settings.max_upload_mb, unsafe_allow_html=True)
uploads = st.file_uploader("选择文件（可多选）", type=["txt", "md", "html", "htm", "pdf"], accept_multiple_files=True)
if st.button("导入", type="primary", disabled=not uploads):
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(uploads, Path(tmp))
        held = already_held(paths, list_docs(settings)) if paths else None
        if held:
            st.session_state["ingest_held"] = [f"重复：{f} 与已有文档《{t}》内容相同，未重复导入" for f, t in held]
        else:
            bar, update = progress_bar()
            try:
                report = add(paths, settings, service.embedder, update) if paths else None
            except YuqiError as err:
                st.error(str(err))
                report = None
            bar.empty()
            if report:
                st.session_state["ingest_report"] = report
    if st.session_state.get("ingest_report") or st.session_state.get("ingest_held"):
        st.rerun()  # the sidebar, drawn before this page, then shows the new document count
if st.session_state.get("ingest_held"):
    show_lines(st.session_state.pop("ingest_held"))
    st.info("没有新内容，索引未改动。")
if st.session_state.get("ingest_report"):
    show_report(st.session_state.pop("ingest_report"))

if st.session_state.get("ingest_removed"):
    st.success(st.session_state.pop("ingest_removed"))
st.subheader("已导入的文档")
docs = list_docs(settings)
if docs:
    table = pd.DataFrame([
        {"标题": d["title"], "类型": "法规" if d["kind"] == "statute" else "文章", "段落数": d["chunks"],
         "引用核验": (d.get("citations") or {}).get("summary", ""), "导入日期": str(d["added_at"])[:10]}
        for d in docs
    ])
    # Titles, not ids (the remove box below names both); few, short columns so none is cut on a narrow screen.
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "标题": st.column_config.TextColumn(width="medium"), "类型": st.column_config.TextColumn(width="small"),
        "段落数": st.column_config.NumberColumn(width="small"), "导入日期": st.column_config.TextColumn(width="small"),
    })
    with st.form("remove"):
        labels = {d["doc_id"]: f"{d['title']}（{d['doc_id']}）" if d["title"] != d["doc_id"] else d["doc_id"] for d in docs}
        target = st.selectbox("移除文档（连同其全部段落）", list(labels), format_func=labels.get)
        if st.form_submit_button("移除"):
            bar, update = progress_bar()
            try:
                report = remove(target, settings, service.embedder, update)
                st.session_state["ingest_removed"] = f"已移除《{inert_label(labels[target])}》，索引现有 {report.chunks} 段。"
                st.rerun()
            except YuqiError as err:
                st.error(str(err))
            bar.empty()
else:
    st.info("索引为空。")
