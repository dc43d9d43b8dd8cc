"""Which sentence of a passage the offline answer quotes."""

from __future__ import annotations

import numpy as np

from yuqi.answer.compose import key_sentences

FRAUD = ("诈骗公私财物，数额较大的，处三年以下有期徒刑、拘役或者管制，并处或者单处罚金；"
         "数额巨大或者有其他严重情节的，处三年以上十年以下有期徒刑，并处罚金；"
         "数额特别巨大或者有其他特别严重情节的，处十年以上有期徒刑或者无期徒刑，并处罚金或者没收财产。")


class NearestSays:
    """An encoder under which the question sits nearest the sentence containing `word`
    (e5 puts 坐牢 nearest the longest prison term)."""

    def __init__(self, word: str):
        self.word = word

    def encode_queries(self, texts):
        return np.asarray([[1.0, 0.0] if i == 0 else [(self.word in t) * 1.0, 1.0] for i, t in enumerate(texts)])


def test_by_meaning_alone_a_penal_article_is_quoted_at_its_basic_offence():
    quote = key_sentences(FRAUD, "网贷逾期会坐牢吗", 1, "中华人民共和国刑法", NearestSays("无期徒刑"))
    assert quote == [FRAUD.split("；")[0] + "；"]


def test_an_aggravated_tier_is_quoted_when_the_question_names_it():
    quote = key_sentences(FRAUD, "诈骗数额特别巨大判几年", 1, "中华人民共和国刑法", NearestSays("无期徒刑"))
    assert quote and quote[0].startswith("数额特别巨大")


def test_an_article_without_tiers_is_still_quoted_by_meaning():
    text = "借款人应当按照约定的期限返还借款。对借款期限没有约定或者约定不明确的，借款人可以随时返还；贷款人可以催告借款人在合理期限内返还。"
    quote = key_sentences(text, "钱到底哪天给", 1, "中华人民共和国民法典", NearestSays("催告"))
    assert quote == ["贷款人可以催告借款人在合理期限内返还。"]


def test_a_stray_shared_word_does_not_reach_an_aggravated_tier():
    # 财产 is in the heaviest tier's penalty (没收财产), not in its circumstance.
    quote = key_sentences(FRAUD, "把公安局收押的自己的财产偷回来是犯罪吗？", 1, "中华人民共和国刑法")
    assert quote == [FRAUD.split("；")[0] + "；"]


def test_a_bare_referral_is_never_the_quote():
    text = FRAUD + "本法另有规定的，依照规定。"
    quote = key_sentences(text, "这种情况依照什么规定处理", 1, "中华人民共和国刑法", NearestSays("另有规定"))
    assert quote == [FRAUD.split("；")[0] + "；"]


REFUSAL = ("对人民法院的判决、裁定有能力执行而拒不执行，情节严重的，处三年以下有期徒刑、拘役或者罚金；"
           "情节特别严重的，处三年以上七年以下有期徒刑，并处罚金。"
           "单位犯前款罪的，对单位判处罚金，并对其直接负责的主管人员和其他直接责任人员，依照前款的规定处罚。")


def test_the_unit_crime_clause_is_quoted_only_for_a_question_about_a_company():
    person = key_sentences(REFUSAL, "判决了不还钱算犯罪吗", 1, "中华人民共和国刑法", NearestSays("单位"))
    assert person == [REFUSAL.split("；")[0] + "；"]
    company = key_sentences(REFUSAL, "单位犯了这个罪怎么处罚", 1, "中华人民共和国刑法")
    assert company and company[0].startswith("单位犯前款罪")


def test_an_aggravated_tier_is_reached_only_by_its_own_circumstance():
    text = ("未取得医生执业资格的人非法行医，情节严重的，处三年以下有期徒刑、拘役或者管制，并处或者单处罚金；"
            "严重损害就诊人身体健康的，处三年以上十年以下有期徒刑，并处罚金；造成就诊人死亡的，处十年以上有期徒刑，并处罚金。")
    quote = key_sentences(text, "对病人的生命与健康漠不关心，导致病人死亡，构成犯罪吗？", 1, "中华人民共和国刑法")
    assert quote == ["造成就诊人死亡的，处十年以上有期徒刑，并处罚金。"]


def test_a_list_item_is_quoted_after_its_lead_in():
    text = ("有下列行为之一的，处五日以下拘留或者一千元以下罚款；情节较重的，处五日以上十日以下拘留，可以并处一千元以下罚款：\n"
            "（一）写恐吓信或者以其他方法威胁他人人身安全的；\n（二）公然侮辱他人或者捏造事实诽谤他人的；\n"
            "（五）多次发送淫秽、侮辱、恐吓等信息或者采取滋扰、纠缠、跟踪等方法，干扰他人正常生活的；")
    quote = key_sentences(text, "催收天天发恐吓短信骚扰我", 1, "中华人民共和国治安管理处罚法")
    assert quote == ["有下列行为之一的，处五日以下拘留或者一千元以下罚款：……（一）写恐吓信或者以其他方法威胁他人人身安全的；"]
    short = key_sentences("有下列情形之一的，可以解除合同：\n（四）恶意透支的。", "恶意透支", 1)
    assert short == ["有下列情形之一的，可以解除合同：……（四）恶意透支的。"]  # an item too short alone still counts
