from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.clean import clean_article

SEEDS = sorted((Path(__file__).resolve().parent.parent / "corpus" / "articles").glob("*.txt"))
# Page furniture seen on the seeds' source pages; none may survive cleaning.
FURNITURE_PHRASES = (
    "当前位置", "首页>", "> > 正文", "字体", "语音播报", "返回顶部", "扫描二维码", "版权声明", "原创声明",
    "未经授权禁止转载", "ICP备", "Copyright", "本文链接", "上一篇", "返回列表", "阅读下一篇", "没有最新的文章了",
    "【纠错】", "责任编辑", "声明：本网站", "的相关文章", "精彩评论", "头像", "尽在APP", "热门推荐",
    "VIP课程推荐", "加载中", "来源:用户", "2025 02/ 26",
)
# Where each seed's article body ends in the raw file (first furniture after it).
BODY_END = {"000": "原创声明", "001": "精彩评论", "002": "海量资讯", "003": "精彩评论", "004": "网贷逾期第二天就发短信,真的合法吗?你可能忽略了这些法律风险!,本文"}


def seed(prefix: str) -> str:
    return next(p for p in SEEDS if p.name.startswith(prefix)).read_text(encoding="utf-8")


def assert_spans_exact(raw: str, result) -> None:
    lines = result.text.split("\n") if result.text else []
    assert len(lines) == len(result.spans)
    for (start, end), line in zip(result.spans, lines):
        assert raw[start:end] == line
    assert list(result.spans) == sorted(result.spans)


def test_five_seeds_present():
    assert [p.name[:3] for p in SEEDS] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_spans_map_back_exactly(path):
    raw = path.read_text(encoding="utf-8")
    assert_spans_exact(raw, clean_article(raw))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_furniture_gone(path):
    text = clean_article(path.read_text(encoding="utf-8")).text
    assert [p for p in FURNITURE_PHRASES if p in text] == []


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_keeps_most_of_the_body(path):
    raw = path.read_text(encoding="utf-8")
    result = clean_article(raw)
    body = raw[: raw.index(BODY_END[path.name[:3]])]
    chars = lambda s: len("".join(s.split()))  # noqa: E731
    assert chars(result.text) > 0.6 * chars(body)
    assert chars(result.text) <= chars(body)  # nothing from after the body


def test_000_related_list_dropped_statutes_kept():
    r = clean_article(seed("000"))
    assert r.title == "网贷逾期后收到解约短信,是真的吗?"
    assert r.url == "https://www.hefeilaws.com/hf/1257972.html"
    assert "相关法条参考:" in r.text and "第五百六十五条" in r.text
    assert "网贷逾期收到开庭短信" not in r.text  # a related-article teaser
    assert r.text.endswith("你不是一个人在面对债务问题,理性处理,才是解决之道。")
    assert r.dropped["related"] > 10


def test_001_comments_and_icp_dropped():
    r = clean_article(seed("001"))
    assert r.title == "网贷逾期发短信说上门了"
    assert "袁奇文" not in r.text and "ICP" not in r.text
    assert "# 5. 寻求法律援助" in r.text
    assert r.dropped["comments"] >= 1 and r.dropped["icp"] == 1


def test_002_title_not_duplicated_and_sidebar_dropped():
    r = clean_article(seed("002"))
    assert r.title == "如何应对网贷催款短信:全面攻略与解决方案"
    assert r.text.count("如何应对网贷催款短信:全面攻略与解决方案") == 1
    assert "钱站催收" not in r.text and "---" not in r.text
    assert "重拾生活的平静与安宁" in r.text


def test_003_header_labels_comments_and_disclaimer_dropped():
    r = clean_article(seed("003"))
    assert r.title == "网贷逾期收到短信要起诉怎么办"
    assert r.text.startswith("网贷逾期收到短信要起诉怎么办\n")
    assert "2024行业资讯" not in r.text and "炸毛的小精灵" not in r.text
    assert "声明" not in r.text and "网友云水" not in r.text
    assert "#### 六、总结与建议" in r.text


def test_004_keeps_law_references_and_url():
    r = clean_article(seed("004"))
    assert r.url == "https://www.hefeilaws.com/hf/1199564.html"
    assert "相关法律法规参考:" in r.text and "第一千零三十二条" in r.text
    assert "债务委托处理书" not in r.text and "离婚单身妈妈" not in r.text
    assert r.text.endswith("才是远离麻烦的根本之道。")


BODY = "收到催收短信后先核实来源，不要转账。如果对方威胁爆通讯录，可以保留证据并报警处理，这是合法权益。" * 3


def test_sidebar_label_before_body_does_not_end_page():
    raw = f"相关文章\n标题一句话的文章标题\n{BODY}\n第二段也要留下。"
    r = clean_article(raw)
    assert "第二段也要留下。" in r.text and "相关文章" not in r.text


def test_duplicates_bylines_and_crlf():
    raw = f"逾期催收的真相\r\n作者：张三\r\n2024-05-01 10:00\r\n{BODY}\r\n{BODY}\r\n结尾。\r\n"
    r = clean_article(raw)
    assert r.title == "逾期催收的真相"
    assert r.text == f"逾期催收的真相\n{BODY}\n结尾。"
    assert r.dropped == {"editor": 1, "byline": 1, "duplicate": 1}
    assert_spans_exact(raw, r)


def test_body_sentence_mentioning_qr_code_is_kept():
    line = "骗子常发来二维码让你扫码还款，千万不要扫。"
    assert line in clean_article(f"标题很普通的文章\n{BODY}\n{line}").text


def test_empty_input():
    r = clean_article("")
    assert (r.text, r.title, r.spans, r.dropped) == ("", "", (), {})


@given(st.lists(st.sampled_from(["标题文字", "  正文。 ", "", "首页>新闻", "精彩评论", BODY, "\t", "上一篇:x", "a\r"])))
def test_spans_invariant_on_any_lines(parts):
    raw = "\n".join(parts)
    assert_spans_exact(raw, clean_article(raw))
