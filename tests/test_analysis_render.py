"""ui/facts.py: the facts rows name only what the text holds, and user text never renders as markup."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui.facts import facts_rows
from yuqi.analysis import analyze

SMS = ("【12368】您有一份（2026）沪0115民初20931号案件的诉讼文书，请点击 [付款](http://evil.example/pay) "
       "![](http://evil.example/t.png) 缴费 http://t.cn/abc")


def test_rows_decode_the_case_number_and_quote_the_text() -> None:
    rows = dict(facts_rows(analyze(SMS)))
    assert rows["谁在说"].startswith("自称法院")
    assert "沪" in rows["案号"] and "民事一审" in rows["案号"] and "基层" in rows["案号"]
    assert "非法院平台链接" in rows["渠道"] and "t.cn" in rows["渠道"]
    third = dict(facts_rows(analyze("你是XXX的朋友吗？他在我们这里借了钱，需要你联系上他")))
    assert third["对谁说"].startswith("借款人的亲友")


def _page() -> None:
    from ui.facts import render_facts
    from yuqi.analysis import analyze as run

    render_facts(run("【12368】您有一份（2026）沪0115民初20931号案件的诉讼文书，请点击 [付款](http://evil.example/pay) "
                     "![](http://evil.example/t.png) 缴费 http://t.cn/abc"))


def test_render_uses_plain_text_only() -> None:
    at = AppTest.from_function(_page).run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert any("http://t.cn/abc" in t for t in texts) and any("（2026）" in t or "(2026)" in t for t in texts)
    assert not any("evil.example" in m.value or "t.cn" in m.value for m in at.markdown)
    assert not any("evil.example" in c.value for c in at.caption)
