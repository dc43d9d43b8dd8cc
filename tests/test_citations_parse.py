from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqi.citations import find_citations

MF = "中华人民共和国民法典"


def refs(text: str) -> list[str | None]:
    return [c.ref for c in find_citations(text)]


def test_offsets_and_raw():
    text = "催收称：根据《民法典》第563条第一款，你必须还款。"
    (c,) = find_citations(text)
    assert text[c.start:c.end] == c.raw == "《民法典》第563条第一款"
    assert c.law_name == "民法典" and c.law_title == MF
    assert c.article_no == "第五百六十三条" and c.detail == "第一款"
    assert c.ref == f"{MF}#第五百六十三条"


def test_item_detail_forms():
    (c,) = find_citations("刑法第293条第1款第（二）项")
    assert c.detail == "第一款第二项"
    (c,) = find_citations("《治安管理处罚法》第五十条第一款（五）项")
    assert c.detail == "第一款第五项"


def test_bare_article_without_a_law_is_ignored():
    assert find_citations("合同第五条约定了违约金，第八条约定了管辖法院。") == []
    assert find_citations("本法第十条") == []  # nothing to point back to
    assert find_citations("民法典规定了很多，第五百六十三条") == []


def test_back_reference_points_to_last_named_law():
    text = "《刑法》第二百九十三条规定寻衅滋事罪，该法第二百九十三条之一规定催收非法债务罪。"
    assert refs(text) == ["中华人民共和国刑法#第二百九十三条", "中华人民共和国刑法#第二百九十三条之一"]
    second = find_citations(text)[1]
    assert second.raw == "该法第二百九十三条之一" and second.law_name == "刑法"


def test_lists_and_ranges():
    assert refs("《民法典》第563、565条") == [f"{MF}#第五百六十三条", f"{MF}#第五百六十五条"]
    assert len(refs("《民法典》第一百八十八条至第一百九十九条")) == 12
    assert len(refs("《民法典》第一条至第一千条")) == 50  # capped
    cites = find_citations("《民法典》第563条，第565条")
    assert [c.raw for c in cites] == ["《民法典》第563条", "第565条"]


def test_unresolved_bracketed_law_is_kept():
    (c,) = find_citations("《网络借贷信息中介机构业务活动管理暂行办法》第三十条：出借人与借款人应当遵循自愿原则")
    assert c.law_title is None and c.ref is None
    assert c.law_name == "网络借贷信息中介机构业务活动管理暂行办法"
    assert c.article_no == "第三十条"
    assert c.quote == "出借人与借款人应当遵循自愿原则"


def test_garbled_number_keeps_raw():
    (c,) = find_citations("《民法典》第五百百六十三条")
    assert c.article_no is None and c.ref is None and c.raw == "《民法典》第五百百六十三条"


def test_quote_capture_forms():
    (c,) = find_citations("《民法典》第六百八十条规定：“禁止高利放贷，借款的利率不得违反国家有关规定。”此外")
    assert c.quote == "禁止高利放贷，借款的利率不得违反国家有关规定。"
    (c,) = find_citations("《民法典》第六百八十条「禁止高利放贷」")
    assert c.quote == "禁止高利放贷"
    cites = find_citations("《民法典》第六百七十条：利息不得预先扣除。《民法典》第六百八十条：禁止高利放贷。\n下一段")
    assert [c.quote for c in cites] == ["利息不得预先扣除。", "禁止高利放贷。"]
    assert find_citations("《民法典》第563、565条：合同解除")[0].quote is None  # a list has no single quote


def test_unbracketed_official_title_and_version_note():
    assert refs("中华人民共和国仲裁法第二条") == ["中华人民共和国仲裁法#第二条"]
    assert refs("《民事诉讼法》（2023年修正）第二百六十四条") == ["中华人民共和国民事诉讼法#第二百六十四条"]
    assert refs("《劳动合同法》第三条") == ["中华人民共和国劳动合同法#第三条"]


FRAGMENTS = ["《民法典》", "《刑法》", "民法典", "同法", "该法", "第", "条", "之一", "第563条", "第五百六十三条",
             "至", "、", "，", "：", "“", "”", "第一款", "（三）项", "《", "》", "〈", "百", "十", "零", "５",
             "\n", "……", "[3]", "（⚠未核验）", "民诉法", "第二百九十三条之", "《某办法》第3"]


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=25))
def test_fuzz_no_exception_and_offsets_hold(parts):
    text = "".join(parts)
    for c in find_citations(text):
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start:c.end] == c.raw
        assert c.article_no is None or c.article_no.startswith("第")


def test_self_reference_follows_the_kind_of_law():
    text = "# 征信业管理条例\n第三条 依照《中华人民共和国公司法》的规定设立。违反本条例第十四条的，依法处罚。"
    assert refs(text) == ["征信业管理条例#第十四条"]
    assert refs("依照《中华人民共和国公司法》设立。违反本条例第十四条的") == []
