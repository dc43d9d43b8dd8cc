"""`python -m yuqi.citations` does work linear in the number of citations (issue 25)."""

from __future__ import annotations

import importlib
import re

import pytest

from yuqi.citations import lawsdb

claims = importlib.import_module("yuqi.citations.claims")  # the package also exports a function `claims`

pytestmark = pytest.mark.skipif(not lawsdb.available(), reason="laws.db not installed")

LINE = "《中华人民共和国刑法》第二百六十六条规定，诈骗公私财物。民法典第六百七十五条。\n"


class CountingPattern:
    """Wraps a compiled pattern and counts the characters its searches may scan."""

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern, self.scanned = pattern, 0

    def finditer(self, text, pos=0, endpos=None):
        end = len(text) if endpos is None else min(endpos, len(text))
        self.scanned += max(0, end - pos)
        return self.pattern.finditer(text, pos, end)

    def search(self, text, pos=0, endpos=None):
        m = self.pattern.search(text, pos, len(text) if endpos is None else endpos)
        self.scanned += ((m.end() if m else len(text)) - pos)
        return m


@pytest.mark.parametrize("n", [200, 2000])
def test_sentence_search_scans_the_text_a_bounded_number_of_times(monkeypatch, n):
    from yuqi.citations.__main__ import _source
    from yuqi.citations.clean import check_text

    counter = CountingPattern(claims._SENTENCE_END)
    monkeypatch.setattr(claims, "_SENTENCE_END", counter)
    text = LINE * (n // 2)
    results = check_text(text, _source())
    assert len(results) == n
    assert counter.scanned <= 3 * len(text)  # a search back from each citation scanned ~n/2 × len(text)


def test_claims_still_found_around_citations():
    text = "他以非法占有为目的骗取贷款，构成诈骗罪（《刑法》第二百六十六条）。另一句。"
    start = text.index("《")
    assert claims._sentence(text, start, start + 12) == text[: text.index("。")]
