import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yuqi.textnorm import (
    ARTICLE, USERDICT, cjk_count, has_cjk, normalize, normalize_for_rules, normalize_for_search, stopwords, tokenize_zh,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus" / "articles").glob("*.txt"))
LEGAL_TERMS = (
    "诉前财产保全", "失信被执行人", "限制高消费", "支付令", "律师函", "通讯录", "催收", "网贷", "征信",
    "逾期", "立案", "外访", "治安管理处罚法", "民法典",
)


def test_full_width_ascii_folds_and_lowercases():
    assert normalize_for_search("ＰＤＦ文件Ａ１２３＠ＱＱ．ＣＯＭ　ＯＫ％") == "pdf文件a123@qq.com ok%"


def test_chinese_punctuation_kept():
    text = "法院会发短信吗？不会，请核实：拨打（12368）；《民法典》第一千条。“真的”【注】、"
    assert normalize_for_search(text) == text


def test_traditional_to_simplified():
    assert normalize_for_search("網貸逾期後收到律師函，這是真的嗎？") == "网贷逾期后收到律师函，这是真的吗？"
    assert normalize_for_search("頭髮乾燥") == "头发干燥"  # phrase-level, not char-by-char


def test_simplified_text_unchanged():
    text = seed_text()
    expected = "".join(c.lower() if c.isascii() else c for c in text).translate({0x3000: 0x20})
    # Only spaces between two Chinese characters may go.
    assert normalize_for_search(text).replace(" ", "") == expected.replace(" ", "")


@given(st.text())
def test_offset_map_points_at_the_original(text):
    """Every kept character maps back to the original character it came from (length kept when
    nothing invisible or no space between Chinese characters was removed)."""
    n = normalize(text)
    assert n.src is None or len(n.src) == len(n.text) + 1
    for i, ch in enumerate(n.text):
        j = n.to_original(i)
        assert 0 <= j < len(text)
        assert normalize(text[j]).text in (ch, "")  or ch == " "
    if n.src is None:
        assert len(n.text) == len(text)


INVISIBLES = ["\u200b", "\u00ad", "\u200d", "\u200c", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202e",
              "\u2066", "\u034f", "\ufe0f"]


@pytest.mark.parametrize("mark", INVISIBLES)
def test_invisible_characters_removed_from_both_views(mark):
    text = f"请立即转{mark}账到指定账户"
    assert normalize_for_rules(text) == "请立即转账到指定账户"
    assert normalize_for_search(text) == "请立即转账到指定账户"


def test_spaces_between_chinese_characters_dropped_others_kept():
    assert normalize_for_rules("转 账　到 账户 abc 12 3") == "转账到账户 abc 12 3"
    assert normalize_for_rules("卡号 6217 0000，请 转 账") == "卡号 6217 0000,请转账"


def test_nfkc_compatibility_and_kangxi_forms_fold():
    assert normalize_for_rules("⼈民法院") == "人民法院"  # U+2F08 KANGXI RADICAL MAN
    assert normalize_for_search("ｗｗｗ．ｃｏｕｒｔ．ｇｏｖ．ｃｎ") == "www.court.gov.cn"


def test_traditional_with_invisible_inside():
    assert normalize_for_rules("請立即轉\u200b賬") == "请立即转账"


def test_span_maps_back_over_removed_characters():
    text = "付款：转\u200b 账到6222"
    n = normalize(text, keep_punct=False)
    start = n.text.index("转账")
    a, b = n.span(start, start + 2)
    assert text[a:b] == "转\u200b 账"
    assert n.to_original(n.text.index("6222")) == text.index("6222")


@pytest.mark.parametrize("term", LEGAL_TERMS)
def test_legal_terms_kept_whole(term):
    assert term in tokenize_zh(f"他说我已经{term}了怎么办")


def test_every_userdict_term_is_a_token():
    terms = [s.split()[0] for s in USERDICT.read_text(encoding="utf-8").splitlines() if s and s[0] != "#"]
    missing = [t for t in terms if t not in tokenize_zh(t)]
    assert missing == []


def test_stopwords_and_punctuation_dropped_numbers_kept():
    tokens = tokenize_zh("我的网贷逾期了，收到12368的短信，是真的吗？！")
    assert "12368" in tokens and "网贷" in tokens and "短信" in tokens
    assert not {"我", "的", "了", "是", "吗", "，", "？", "！", " "} & set(tokens)
    assert {"的", "吗", "我"} <= stopwords()
    assert not {"不", "没有", "会"} & stopwords()  # negations and modals carry meaning


def test_traditional_and_full_width_queries_match_simplified():
    assert tokenize_zh("網貸逾期被列為失信被執行人，ＡＰＰ會起訴嗎") == tokenize_zh("网贷逾期被列为失信被执行人，app会起诉吗")


def test_search_mode_emits_parts_of_long_terms():
    tokens = tokenize_zh("被列为失信被执行人")
    assert {"失信", "失信被执行人"} <= set(tokens)


def test_tokenizer_fast_on_seed_articles():
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    tokenize_zh("预热")
    start = time.perf_counter()
    count = sum(len(tokenize_zh(t)) for t in texts * 3)
    rate = count / (time.perf_counter() - start)
    assert rate > 20_000, f"{rate:.0f} tokens/s"  # measured ~110k tokens/s


def test_first_use_is_quiet_and_thread_safe():
    # A fresh process: eight threads race for the lazy first initialisation.
    code = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from yuqi.textnorm import tokenize_zh\n"
        "with ThreadPoolExecutor(8) as ex:\n"
        "    out = list(ex.map(tokenize_zh, ['網貸逾期收到律师函'] * 8))\n"
        "assert all(o == out[0] for o in out), out\n"
        "print(' '.join(out[0]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # jieba's "Building prefix dict…" is silenced
    assert "律师函" in proc.stdout.split()


def seed_text() -> str:
    return SEEDS[0].read_text(encoding="utf-8")


def test_rules_view_also_folds_chinese_punctuation_and_keeps_offsets():
    text = "您好，請於３日內還款（ＡＰＰ）！"
    assert normalize_for_rules(text) == "您好,请于3日内还款(app)!"
    assert normalize_for_search(text) == "您好，请于3日内还款（app）！"


@given(st.text())
def test_rules_view_length_preserved_unless_something_was_removed(text):
    n = normalize(text, keep_punct=False)
    assert n.text == normalize_for_rules(text)
    assert len(n.text) == len(text) or n.src is not None


def test_one_chinese_class_covers_extension_a_and_compatibility_ideographs():
    assert cjk_count("网贷㐀豈abc123，") == 4  # U+3400 ext-A, U+F900 compatibility
    assert not has_cjk("ＡＢＣ，。《》") and has_cjk("a中")


@pytest.mark.parametrize("label", ["第五百六十三条", "第563条", "第５６３条", "第二百九十三条之一", "第一千零三十二条"])
def test_article_grammar_reads_every_written_form(label):
    assert re.fullmatch(ARTICLE, label)
    assert not re.fullmatch(ARTICLE, label.replace("条", "款"))
