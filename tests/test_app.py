"""The Streamlit pages through streamlit.testing.v1.AppTest, on the real index."""

from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.model]  # real index, real embedding model
SMS = "【某某金融】您已逾期，我司已向法院提交诉前财产保全申请，明日冻结您名下所有账户，请今日18点前转账至 6222 0212 3456 7890 123 户名：王强"
HOSTILE_SMS = SMS + "\n\n![](//track.example/t.png?u=victim)\n\n[付款](//track.example/pay) <img src=http://track.example/x.png>"


@pytest.fixture()
def app_env(built, monkeypatch):
    settings, _ = built
    monkeypatch.setenv("YUQI_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("YUQI_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("YUQI_DATA_DIR", str(settings.data_dir))
    from yuqi.settings import get_settings

    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def chat_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def raw_markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def shown_text(at: AppTest) -> str:
    """What a reader sees of the page's Markdown/HTML elements (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", raw_markdown(at)))


def last_view(at: AppTest):
    return at.session_state["messages"][-1]


def test_chat_page_shows_offline_mode_disclaimer_and_three_examples(app_env):
    at = chat_app()
    assert at.title[0].value == "逾期催收信息核实助手"
    side = "\n".join(str(x.value) for x in at.sidebar.markdown) + "\n".join(c.value for c in at.sidebar.caption)
    side += "\n".join(str(w.value) for w in at.sidebar.get("text"))
    assert "离线模式" in side and "不构成法律意见" in side and "索引" in side
    examples = [b for b in at.button if b.key and b.key.startswith("example-")]
    assert len(examples) == 3
    examples[0].click().run()
    assert "诉前财产保全" in at.chat_input[0].value  # filled in, ready to edit or send
    assert not at.session_state["messages"]  # nothing sent yet


def test_question_gets_a_direct_answer_and_titled_sources(app_env):
    at = chat_app()
    at.chat_input[0].set_value("催收骚扰我的家人违法吗").run()
    assert not at.exception, at.exception
    view = last_view(at)
    assert view.kind == "answer" and view.cards
    assert "[1]" in shown_text(at)
    labels = [e.label for e in at.expander]
    assert any(re.fullmatch(r"来源（\d+ 条）", label) for label in labels), labels
    for card in view.cards:
        assert not re.search(r"[0-9a-f]{16}|原文第", card.title), card.title  # titles, not hash ids with offsets
        assert not re.search(r"(?m)^\s*(#{1,6} |- )", card.text), card.text[:200]
    assert any("离线模式" in c.value for c in at.caption)
    texts = [e for e in at.expander if e.label.startswith("可复制的文本")]
    assert not texts or view.verdict  # only a question that tells of conduct gets texts
    assert all("请粘贴" not in c.value for c in at.code)  # and they are filled from the question


def test_sms_shows_verdict_first_highlight_and_next_steps(app_env):
    at = chat_app()
    at.chat_input[0].set_value(SMS).run()
    assert not at.exception, at.exception
    md = [m.value for m in at.main.markdown]
    badge = next(i for i, v in enumerate(md) if 'data-verdict="scam"' in v)
    answer = next(i for i, v in enumerate(md) if 'class="yuqi-md"' in v)
    assert badge < answer  # the verdict, then the direct answer, before anything else
    assert any("<mark" in v for v in md)
    codes = [c.value for c in at.code]
    # a scam gets notes for a 110 report, filled with what the message says; no letter to whoever sent it
    assert len(codes) == 1 and "报警要点" in codes[0] and "某某金融" in codes[0], codes
    assert "6222 0212 3456 7890 123" in codes[0] and "致" not in codes[0].split("\n", 1)[0]
    # the first screen is unfolded: the decisive fact quoted and the actions, before any expander
    answer_md = next(v for v in md if 'class="yuqi-md"' in v)
    assert "王强" in answer_md and "不要转账" in answer_md and "110" in answer_md and "96110" in answer_md
    # a follow-up keeps the message under discussion
    at.chat_input[0].set_value("那我该怎么核实？").run()
    assert not at.exception
    assert at.session_state["analysis"].verdict == "scam"
    assert "12368" in shown_text(at)


def test_markdown_and_html_in_a_pasted_message_stay_inert(app_env):
    at = chat_app()
    at.chat_input[0].set_value(HOSTILE_SMS).run()
    assert not at.exception, at.exception
    out = raw_markdown(at)
    assert "track.example" in shown_text(at)  # the reader can still see what the message said
    assert not re.search(r"<img[^>]*track\.example|<a [^>]*track\.example|\]\(//track", out)
    assert "![" not in out and "<img src=http" not in out


def test_notes_appear_once_and_only_on_cards_that_cite_them(app_env):
    at = chat_app()
    # names seed 004 so its closing paragraph, which quotes the pre-2025 第四十二条, is retrieved (asked
    # about the laws alone, the ranker rightly puts the current 条 first and the article drops out)
    at.chat_input[0].set_value("合飞律师那篇网贷逾期第二天就发短信的文章，相关法律法规参考里列的那几条怎么理解？").run()
    assert not at.exception, at.exception
    cards = last_view(at).cards
    noted = [c for c in cards if c.notes]
    assert noted, [c.title for c in cards]  # the article citing the old 第42条 carries its note
    assert all(n.raw.replace("《", "").replace("》", "")[-4:] in c.text for c in noted for n in c.notes)
    notes = [(n.raw, n.current_label) for c in cards for n in c.notes]
    assert len(notes) == len(set(notes))
    assert len(noted) < len(cards)  # not on every card
    warnings = [w.value for w in at.warning]
    assert len(warnings) == len(notes), warnings


@pytest.mark.parametrize("bad", ["   ", "😀😀😀！！！", "hello, is this real?"])
def test_bad_input_gets_a_chinese_message_not_a_traceback(app_env, bad):
    at = chat_app()
    at.chat_input[0].set_value(bad).run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert warnings and ("请" in warnings or "中文" in warnings)


def test_long_input_is_cut_with_a_notice(app_env):
    at = chat_app()
    at.chat_input[0].set_value("催收天天打电话骚扰我。" * 600).run()
    assert not at.exception, at.exception
    assert any("输入过长" in i.value for i in at.info)


def test_every_page_has_the_sidebar(app_env):
    at = chat_app()
    for page in ("ui/ingest_page.py", "ui/eval_page.py", "ui/cite_page.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        side = "\n".join(c.value for c in at.sidebar.caption)
        assert side.count("不构成法律意见") == 1, (page, side)  # drawn once, by app.py


def test_citation_page_flags_an_invented_article(app_env):
    at = chat_app()
    at.switch_page("ui/cite_page.py").run()
    assert not at.exception, at.exception
    at.text_area[0].set_value("根据《民法典》第九千条和《刑法》第二百九十三条之一，你已违法。").run()
    at.button[0].click().run()
    labels = " ".join(e.label for e in at.expander)
    assert "条文不存在" in labels and "已核验" in labels


def test_the_facts_view_is_drawn_beside_the_highlight_when_present(app_env, monkeypatch):
    import sys
    import types

    import streamlit as st

    calls = []
    facts = types.ModuleType("ui.facts")  # stands in for ui/facts.py (branch `verdicts`) if it is not merged yet

    def render_facts(analysis):
        calls.append(analysis.verdict)
        st.caption("读到的事实：测试")

    facts.render_facts = render_facts
    monkeypatch.setitem(sys.modules, "ui.facts", facts)
    at = chat_app()
    at.chat_input[0].set_value(SMS).run()
    assert not at.exception, at.exception
    assert calls and set(calls) == {"scam"}
    assert any(c.value == "读到的事实：测试" for c in at.caption)
