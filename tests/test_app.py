"""The Streamlit pages through streamlit.testing.v1.AppTest, on the real index."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

pytestmark = pytest.mark.slow
SMS = "【某某金融】您已逾期，我司已向法院提交诉前财产保全申请，明日冻结您名下所有账户，请今日18点前转账至 6222 0212 3456 7890 123 户名：王强"


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


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_chat_page_renders_offline_mode_and_disclaimer(app_env):
    at = chat_app()
    assert at.title[0].value == "逾期催收信息核实助手"
    side = "\n".join(str(x.value) for x in at.sidebar.markdown) + "\n".join(c.value for c in at.sidebar.caption)
    side += "\n".join(str(w.value) for w in at.sidebar.get("text"))
    assert "离线模式" in side and "不构成法律意见" in side and "索引" in side


def test_question_gets_a_cited_answer_with_sources(app_env):
    at = chat_app()
    at.chat_input[0].set_value("催收骚扰我的家人违法吗").run()
    assert not at.exception, at.exception
    text = markdown_text(at)
    assert "[1]" in text and ("治安管理处罚法" in text or "刑法" in text)
    labels = [e.label for e in at.expander]
    assert any(label.startswith("[1] ") for label in labels)
    assert any("离线模式" in c.value for c in at.caption)
    assert at.session_state["messages"][-1]["sources"]


def test_sms_shows_verdict_badge_and_highlighted_cues(app_env):
    at = chat_app()
    at.chat_input[0].set_value(SMS).run()
    assert not at.exception, at.exception
    html = markdown_text(at)
    assert 'data-verdict="scam"' in html and "<mark" in html
    # a follow-up keeps the message under discussion
    at.chat_input[0].set_value("那我该怎么核实？").run()
    assert not at.exception
    assert at.session_state["analysis"].verdict == "scam"
    assert "12368" in markdown_text(at)


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


def test_citation_page_flags_an_invented_article(app_env):
    at = chat_app()
    at.switch_page("ui/cite_page.py").run()
    assert not at.exception, at.exception
    at.text_area[0].set_value("根据《民法典》第九千条和《刑法》第二百九十三条之一，你已违法。").run()
    at.button[0].click().run()
    labels = " ".join(e.label for e in at.expander)
    assert "条文不存在" in labels and "已核验" in labels
