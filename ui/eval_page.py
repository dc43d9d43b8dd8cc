"""The eval page: saved runs and their history, charts, failed items, run an eval, feedback."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from ui import evalviews as ev
from yuqi.analysis import THREAT_LABELS, VERDICT_LABELS
from yuqi.errors import YuqiError
from yuqi.feedback import export_eval_items, list_feedback
from yuqi.render import inert_label, markdown_html
from yuqi.settings import get_settings

settings = get_settings()
MAX_EXPANDERS = 60  # beyond this the page gets slow; the table still lists every failure

st.title("评测")
st.caption("检索、威胁识别、结论判断与引用核验的评测结果。每次运行都保存在本机数据目录中，可在下方选择历史运行查看。")


def pct(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.0%}" if x in (0, 1) else f"{x:.1%}"  # "100%" fits a narrow column, "100.0%" does not


def ms(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f} ms"


def run_button() -> None:
    use_llm = settings.llm_enabled and st.checkbox("使用已配置的大模型作答（较慢）", value=False)
    if not st.button("运行评测", type="primary"):
        return
    with st.status("正在运行评测：加载模型与索引、检索全部评测题、生成回答…", expanded=True) as status:
        try:
            from ui.common import get_service

            # the app's model and index; closing the tab ends the run instead of leaving it running unseen
            out = ev.run_eval(settings, use_llm=use_llm, service=get_service, still_open=ev.page_open)
        except YuqiError as err:
            status.update(label="评测失败", state="error")
            st.error(str(err))
            return
        status.update(label=f"评测完成，结果已保存：{out.name}", state="complete", expanded=False)
    st.session_state["eval_run"] = out.name


def retrieval_section(m: dict) -> None:
    st.subheader("检索基线对比")
    st.caption("每道评测题都标注了应当找到的法律条文（标准答案）。下面比较几种找资料的方式，★ 是本应用实际使用的方式；数值 0 到 1，越高越好。")
    st.markdown("\n".join(f"- **{k}**：{v}" for k, v in ev.METRIC_HELP.items()))
    fig = px.bar(ev.retrieval_frame(m), x="指标", y="数值", color="配置", barmode="group", text_auto=".2f",
                 range_y=[0, 1.05])
    st.plotly_chart(fig)
    lat = ev.latency_frame(m)
    fig = px.bar(lat, x="配置", y=["一般耗时", "最慢的5%"], barmode="group", text_auto=".0f",
                 labels={"value": "毫秒", "variable": ""}, title="找资料用时（毫秒；一般耗时＝一半的题比它快）")
    st.plotly_chart(fig)


def answer_section(m: dict) -> None:
    s = ev.summary(m)
    st.subheader("回答质量")
    if s["citations"] is None and s["verdict_accuracy"] is None:
        st.info("这次运行只评测了检索（未生成回答），没有结论、威胁与引用指标。")
        return
    figures = [
        ("引用有效", pct(s["citation_valid"]), f"回答中的法条引用都存在且现行的比例（{s['citations']} 处引用，无效 {s['invalid']} 处）"),
        ("不作答", pct(s["declined_share"]), f"因资料不足而不回答的题目比例（{s['declined_n']} 条）"),
        ("判断正确", pct(s["verdict_accuracy"]), "“诈骗 / 违法 / 夸大 / 可能属实”的判断与标注一致的比例"),
        ("威胁识别", pct(s["threat_f1"]), "认出信息里的威胁（起诉、冻结、上门……）既不漏也不多的综合得分（F1）"),
        ("一般用时", ms(s["answer_p50"]), "一半的回答比这更快"),
        ("最慢的5%", ms(s["answer_p95"]), "95% 的回答比这更快"),
    ]
    for row in (figures[:3], figures[3:]):  # three to a row: a phone shows each figure whole
        for col, (label, value, why) in zip(st.columns(3), row):
            col.metric(label, value, help=why)
    st.caption("；".join(f"{label}：{why}" for label, _, why in figures) + "。")
    st.caption("回答由大模型生成。" if s["used_llm"] else "离线模式：回答由系统根据检索资料整理，未使用大模型。")
    threats = ev.threat_frame(m, THREAT_LABELS)
    if not threats.empty:
        fig = px.bar(threats, x="威胁类型", y=["精确率", "召回率"], barmode="group", text_auto=".2f",
                     range_y=[0, 1.05], labels={"value": "数值", "variable": "指标"},
                     title="各威胁类型：认出的有多少是对的（精确率），该认出的认出了多少（召回率）")
        st.plotly_chart(fig)
    conf = ev.confusion_frame(m, VERDICT_LABELS)
    if conf is not None:
        fig = px.imshow(conf, text_auto=True, color_continuous_scale="Blues", aspect="auto",
                        labels={"x": "系统结论", "y": "标注结论", "color": "条数"}, title="结论混淆矩阵")
        st.plotly_chart(fig)


def refs_list(refs: list[str], mark: set[str]) -> str:
    if not refs:
        return "（无）"
    return "\n".join(f"{i}. {'✅ ' if r in mark else ''}`{r}`" for i, r in enumerate(refs, 1))


def labelled(verdict: str | None) -> str:
    return VERDICT_LABELS.get(verdict, verdict) if verdict else "无结论"


def threat_names(threats: list[str] | None) -> str:
    return "、".join(THREAT_LABELS.get(t, t) for t in threats) if threats else "无"


def failure_detail(r: dict) -> None:
    st.markdown("**问题**：" + inert_label(r["query"]))  # eval items are outside text: never live markup
    left, right = st.columns(2)
    left.markdown("**标注的参考条文**\n\n" + refs_list(r.get("gold") or [], set(r.get("retrieved") or [])))
    right.markdown("**检索到的前 10 条**（✅ 为标注条文）\n\n" + refs_list(r.get("retrieved") or [], set(r.get("gold") or [])))
    if r.get("missing_gold"):
        st.caption("索引中没有的标注条文（不计分）：" + "、".join(r["missing_gold"]))
    if "verdict" in r:
        st.markdown(f"**结论**：系统 {labelled(r.get('verdict'))} · 标注 "
                    f"{labelled(r.get('gold_verdict')) if r.get('gold_verdict') else '（未标注或无结论）'}")
    if "threats" in r:
        gold = threat_names(r.get("gold_threats")) if r.get("gold_threats") is not None else "（未标注）"
        st.markdown(f"**威胁类型**：系统 {threat_names(r.get('threats'))} · 标注 {gold}")
    if r.get("answer"):
        st.markdown("**回答**")
        with st.container(border=True):
            st.markdown(markdown_html(r["answer"]), unsafe_allow_html=True)


def failures_section(results: list[dict]) -> None:
    failed = ev.failures(results)
    st.subheader(f"失败条目（{len(failed)} / {len(results)}）")
    if not failed:
        st.success("没有失败条目：全部命中，结论与威胁类型都与标注一致。")
        return
    st.dataframe(ev.failures_frame(failed), hide_index=True)
    for r in failed[:MAX_EXPANDERS]:
        reasons = "、".join(ev.REASONS[x] for x in r["reasons"])
        with st.expander(inert_label(f"{r['id']} · {reasons} · {ev.short(r.get('query', ''), 40)}")):
            failure_detail(r)
    if len(failed) > MAX_EXPANDERS:
        st.caption(f"只展开了前 {MAX_EXPANDERS} 条，其余见上表。")


def history_section(runs: list[ev.RunInfo]) -> None:
    hist = ev.history_frame(runs)
    with st.expander(f"历史运行（{len(runs)} 次）", expanded=False):
        st.dataframe(hist, hide_index=True)
        if len(runs) > 1:
            fig = px.line(hist, x="运行", y=[c for c in hist.columns if c in ("前5条命中率", "排序质量", "结论准确率")], markers=True,
                          labels={"value": "数值", "variable": "指标"})
            st.plotly_chart(fig)


def run_section() -> None:
    runs, problems = ev.list_runs(settings.data_dir)
    for p in problems:
        st.warning(p)
    if not runs:
        st.info("还没有评测结果。点击上方“运行评测”生成第一次结果（约需一两分钟）。")
        return
    names = [r.name for r in runs]
    wanted = st.session_state.get("eval_run")
    by_name = {r.name: r for r in runs}
    choice = st.selectbox("选择评测运行", names, index=names.index(wanted) if wanted in names else 0,
                          format_func=lambda n: ev.run_label(by_name[n]))
    try:
        run = ev.load_run(by_name[choice])
    except YuqiError as err:
        st.warning(str(err))
        return
    m = run.metrics
    cfg = m.get("configuration") or {}
    st.caption(f"运行于 {m.get('created_at', choice)} · 模型 {cfg.get('embed_model', '?')} · 索引 {cfg.get('index_build', '?')}"
               f" · 题目 {m.get('n_items', len(run.results))} 条（{'、'.join(m.get('sets', []))}）")
    history_section(runs)
    retrieval_section(m)
    answer_section(m)
    failures_section(run.results)


def feedback_section() -> None:
    st.subheader("用户反馈")
    records = list_feedback(settings.data_dir)
    if not records:
        st.info("还没有保存的反馈。在问答页对回答点 👍 / 👎 后会出现在这里。")
        return
    st.dataframe([
        {"时间": r["created_at"], "评价": "👍" if r["rating"] > 0 else "👎", "原因": r["reason"],
         "问题": ev.short(r["question"], 60), "结论": labelled(r["verdict"]) if r["verdict"] else "",
         "引用": "、".join(r["refs"])}
        for r in records
    ], hide_index=True)
    only_negative = st.checkbox("只导出 👎 的反馈", value=False)
    st.download_button("下载为评测题（JSONL）", export_eval_items(settings.data_dir, only_negative),
                       file_name="feedback-eval.jsonl", mime="application/jsonl")
    st.caption("👍 的回答以其引用的条文作为标注；👎 的回答不带标注，原因写在 note 字段，需人工补充后再加入评测集。")


run_button()
run_section()
feedback_section()
