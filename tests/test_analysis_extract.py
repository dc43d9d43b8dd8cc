"""Extraction: every cue points at the exact span of the original text."""

from __future__ import annotations

import pytest

from yuqi.analysis import analyze


def kinds(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in analyze(text).cues:
        assert text[c.start:c.end] == c.text
        out.setdefault(c.kind, []).append(c.text)
    return out


@pytest.mark.parametrize("text,case", [
    ("案号（2026）京0105民初1234号，请查看", "（2026）京0105民初1234号"),
    ("案号(2025)粤0304民初4521号请查看", "(2025)粤0304民初4521号"),
    ("〔2025〕沪0115财保88号裁定", "〔2025〕沪0115财保88号"),
    ("（２０２５）浙０１０６民督３２１号支付令", "（２０２５）浙０１０６民督３２１号"),
])
def test_case_numbers_in_all_bracket_styles(text: str, case: str) -> None:
    assert kinds(text)["case_number"] == [case]


def test_case_number_value_is_normalised_half_width() -> None:
    cue = analyze("（２０２５）浙０１０６民督３２１号").cues_of("case_number")[0]
    assert cue.value == "(2025)浙0106民督321号"


@pytest.mark.parametrize("text,kind,digits", [
    ("请回电13812345678", "phone_personal", "13812345678"),
    ("请回电 138 1234 5678 谢谢", "phone_personal", "13812345678"),
    ("客服95188", "phone_service", "95188"),
    ("致电400-123-4567", "phone_service", "4001234567"),
    ("咨询请拨12368", "phone_court", "12368"),
    ("座机010-87654321", "phone_landline", "01087654321"),
    ("发送号码10690000123", "phone_service", "10690000123"),
])
def test_phone_kinds(text: str, kind: str, digits: str) -> None:
    cues = analyze(text).cues_of(kind)
    assert [c.value for c in cues] == [digits]


def test_bank_card_is_not_read_as_phone() -> None:
    k = kinds("卡号 6217 0000 1111 2222 333，户名李强")
    assert k["bank_card"] == ["6217 0000 1111 2222 333"]
    assert "phone_personal" not in k and "phone_landline" not in k
    assert k["account_name"] == ["李强"]


@pytest.mark.parametrize("text,kind,host", [
    ("登录 https://zxgk.court.gov.cn 查询", "url_official", "zxgk.court.gov.cn"),
    ("点击 http://t.cn/A6xYz9 处理", "url_unknown", "t.cn"),
    ("请登录 zx-xiufu.vip 办理", "url_unknown", "zx-xiufu.vip"),
    ("访问ＷＷＷ.ＰＢＣＣＲＣ.ＯＲＧ.ＣＮ", "url_official", "www.pbccrc.org.cn"),
])
def test_url_host_classification(text: str, kind: str, host: str) -> None:
    assert [c.value for c in analyze(text).cues_of(kind)] == [host]


def test_amount_ratio_not_url() -> None:
    k = kinds("本金1.5万元，利息320元")
    assert k["amount"] == ["1.5万元", "320元"]
    assert "url_unknown" not in k


def test_court_name_trims_leading_words() -> None:
    k = kinds("您的案件已由北京市朝阳区人民法院受理")
    assert k["court"] == ["北京市朝阳区人民法院"]
    assert "court" not in kinds("我们将向法院起诉你")


def test_deadlines() -> None:
    k = kinds("请于今日18点前还款，否则48小时内处理，3日内解约")
    assert {"今日18点前", "48小时内", "3日内"} <= set(k["deadline"])


def test_bracket_sender_and_self_description() -> None:
    a = analyze("【北京某某律师事务所】受托通知您还款")
    assert a.cues_of("sender")[0].value == "律所"
    a = analyze("我是某某律所的张律师，请还款")
    assert any(c.value == "律所" for c in a.cues_of("sender"))
    # A court merely mentioned in a question is not a sender.
    assert not analyze("收到法院开庭传票怎么办？").cues_of("sender")


def test_traditional_chinese_offsets_point_at_original() -> None:
    text = "【網貸】您的借款已逾期，我們將通知您的通訊錄聯繫人，並上門外訪。"
    a = analyze(text)
    assert {"contacts", "visit"} <= set(a.threats)
    cue = next(c for c in a.cues if c.kind == "threat:contacts")
    assert text[cue.start:cue.end] == cue.text and "通訊錄" in text[cue.start - 2:cue.end + 2]


def test_full_width_digits_still_match_and_keep_offsets() -> None:
    text = "请回电１３８１２３４５６７８"
    cue = analyze(text).cues_of("phone_personal")[0]
    assert cue.text == "１３８１２３４５６７８" and cue.value == "13812345678"
