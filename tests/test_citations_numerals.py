import sqlite3

import pytest

from yuqi.citations import lawsdb
from yuqi.citations.numerals import article_label, canonical_article, cn_to_int, int_to_cn


@pytest.mark.parametrize(
    ("text", "value"),
    [("二百九十三", 293), ("十", 10), ("一十", 10), ("十五", 15), ("一十五", 15), ("一百零一", 101),
     ("一百一十", 110), ("一千零三十二", 1032), ("一千二百六十", 1260), ("两百", 200),
     ("一万零一十", 10010), ("563", 563), ("５６３", 563), ("一百十", 110)],
)
def test_cn_to_int_known_forms(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "五百百", "十十", "零五", "一二三", "百", "五十零", "千千", "一万万", "abc"])
def test_cn_to_int_rejects_malformed(bad):
    with pytest.raises(ValueError):
        cn_to_int(bad)


def test_int_to_cn_known_forms():
    assert int_to_cn(563) == "五百六十三"
    assert int_to_cn(10) == "十"
    assert int_to_cn(110) == "一百一十"
    assert int_to_cn(1010) == "一千零一十"
    assert int_to_cn(1032) == "一千零三十二"
    assert int_to_cn(1260) == "一千二百六十"
    assert int_to_cn(10001) == "一万零一"


def test_round_trip_1_to_1300():
    for n in range(1, 1301):
        assert cn_to_int(int_to_cn(n)) == n, n
    assert len({int_to_cn(n) for n in range(1, 1301)}) == 1300


def test_article_label_and_canonical():
    assert article_label(293, "一") == "第二百九十三条之一"
    assert article_label(293, "1") == "第二百九十三条之一"
    assert article_label(10) == "第十条"
    assert canonical_article("第 293 条之 1") == "第二百九十三条之一"
    assert canonical_article("第５６３条") == "第五百六十三条"
    assert canonical_article("第五百百条") is None
    assert canonical_article("第一章") is None


def test_article_label_matches_every_label_in_laws_db():
    if not lawsdb.available():
        pytest.skip("laws.db not installed")
    path = lawsdb.path()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT article_no, article_no_arabic FROM articles WHERE article_no LIKE '第%条%'").fetchall()
    assert len(rows) > 25_000
    for label, arabic in rows:
        suffix = label.partition("之")[2]
        assert article_label(arabic, suffix) == label
        assert canonical_article(label) == label
