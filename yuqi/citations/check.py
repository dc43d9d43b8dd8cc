"""Check one citation against a statute source: does the article exist, is it
current, and does the quoted text match it or (old numbering) another article?

Quotes in articles online are partial, re-punctuated, elided (……) and often
from an older version, so matching is character-bigram containment: the share
of the quote's bigrams that occur in the article text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from yuqi.citations.lawsdb import is_current
from yuqi.citations.names import alias_table
from yuqi.citations.parse import Citation
from yuqi.citations.renumber import old_versions, renumbered_since
from yuqi.citations.sources import StatuteSource, origin_of
from yuqi.citations.status import IDS
from yuqi.textnorm import ARTICLE, CJK, NUMERAL

MATCH = 0.6  # containment at which a quote counts as this article's text
MARGIN = 0.15  # how much better another article must match to call the number outdated
MIN_QUOTE = 6  # shorter normalised quotes say too little to judge
STATUSES = IDS

_NOISE = re.compile(rf"^{ARTICLE}|[（(]{NUMERAL}+[)）]|第{NUMERAL}+[款项]|……|…|\.\.\.")
_KEEP = re.compile(f"[^{CJK}A-Za-z0-9]")


@dataclass(frozen=True)
class Reading:
    """One way to read a cited number: today's article of that number, or where its old text went."""

    label: str  # "现行第四十二条" / "2012年修正本第四十二条，现为第五十条"
    ref: str
    text: str


@dataclass(frozen=True)
class CheckResult:
    citation: Citation
    status: str  # one of STATUSES
    current_ref: str | None
    current_text: str | None
    note: str
    score: float | None = None  # quote containment in the article it was judged against
    readings: tuple[Reading, ...] = ()  # status "renumbered": both readings
    claim: object = None  # a claims.Claim when the text asserts a crime this article defines


def match_text(text: str) -> str:
    """What is left for matching: no header, enumerators, 款/项 markers, punctuation."""
    text = unicodedata.normalize("NFKC", text).strip()
    return _KEEP.sub("", _NOISE.sub("", text))


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def containment(quote: frozenset[str], article: frozenset[str]) -> float:
    return len(quote & article) / len(quote) if quote else 0.0


# id(articles dict) -> (the dict, its bigram index); holding the dict keeps the id valid
_INDEX: dict[int, tuple[dict[str, str], dict[str, frozenset[str]]]] = {}


def _gram_index(articles: dict[str, str]) -> dict[str, frozenset[str]]:
    hit = _INDEX.get(id(articles))
    if hit is not None and hit[0] is articles:
        return hit[1]
    if len(_INDEX) > 256:
        _INDEX.clear()
    index = {no: bigrams(match_text(text)) for no, text in articles.items()}
    _INDEX[id(articles)] = (articles, index)
    return index


def best_match(articles: dict[str, str], quote: frozenset[str]) -> tuple[str | None, float]:
    """The article of one law whose text contains most of the quote."""
    best_no, best = None, 0.0
    for no, grams in _gram_index(articles).items():
        score = containment(quote, grams)
        if score > best:
            best_no, best = no, score
    return best_no, best


def _short(title: str) -> str:
    return title.removeprefix("中华人民共和国")


def _repealed_note(title: str, status: str | None) -> str:
    info = alias_table()["repealed"].get(title)
    why = info["note"] if info else ("仅收录历史版本" if status == "历史版本" else "已废止")
    return f"《{title}》{why}，所引条文不是现行有效的规定"


def _resolve(citation: Citation, source: StatuteSource) -> str | None:
    if citation.law_title and source.status(citation.law_title) is not None:
        return citation.law_title
    return source.resolve(citation.law_name)


def check(citation: Citation, source: StatuteSource, as_of: str | None = None) -> CheckResult:
    """`as_of`: date of the text's numbering (a regulation's adoption date); None for a
    text of unknown date (a collector's message): a renumbered law then gets both readings."""
    result = _check(citation, source, as_of)
    if result.status == "verified" and result.current_ref and origin_of(source, result.current_ref.partition("#")[0]) == "upload":
        note = "只在用户上传的文本中核对，未经国家法律法规数据库或收录的司法解释核验"
        return CheckResult(result.citation, "uploaded", result.current_ref, result.current_text, note, result.score)
    return result


def _check(c: Citation, source: StatuteSource, as_of: str | None) -> CheckResult:
    if c.article_no is None:
        return CheckResult(c, "garbled", None, None, f"条号无法识别：{c.raw}")
    title = _resolve(c, source)
    if title is None:
        return CheckResult(c, "unknown_law", None, None, f"《{c.law_name}》未收录，无法核验")
    status = source.status(title)
    articles = source.articles(title) or {}
    if not is_current(status):
        return CheckResult(c, "repealed", None, articles.get(c.article_no), _repealed_note(title, status))
    quote = bigrams(match_text(c.quote or ""))
    if len(quote) < MIN_QUOTE - 1:
        return _check_number(c, title, articles, as_of)
    return _check_quote(c, title, articles, quote)


def _check_number(c: Citation, title: str, articles: dict[str, str], as_of: str | None) -> CheckResult:
    """A bare number (no quote) of a law that exists: which article does it mean?"""
    ref, text = f"{title}#{c.article_no}", articles.get(c.article_no or "")
    since = renumbered_since(title)
    if since is None or (as_of is not None and as_of >= since):
        return _exists(c, title, text)
    moved = _old_text_now_at(c, title, articles)
    if as_of is not None:  # dated before the renumbering: the old reading is the meant one
        if moved is None:
            note = f"引用时《{_short(title)}》尚未按现行文本重新编号，{c.article_no}为旧版本条号，现行条号未能核对"
            return CheckResult(c, "dated", None, None, note)
        new_no, old = moved
        if new_no == c.article_no:
            return _exists(c, title, text)
        note = f"所引《{_short(title)}》{c.article_no}为修订前编号，该条内容现行为{new_no}"
        return CheckResult(c, "outdated", f"{title}#{new_no}", articles[new_no], note)
    if moved is None or moved[0] == c.article_no:
        return _exists(c, title, text)
    new_no, old = moved
    readings = tuple(r for r in (
        Reading(f"现行{c.article_no}", ref, text) if text is not None else None,
        Reading(f"{old.label}{c.article_no}，现为{new_no}", f"{title}#{new_no}", articles[new_no]),
    ) if r)
    note = (f"《{_short(title)}》已重新编号：现行{c.article_no}" + ("与旧版内容不同" if text else "不存在")
            + f"；旧版（{old.label}）{c.article_no}的内容现为{new_no}")
    return CheckResult(c, "renumbered", f"{title}#{new_no}", articles[new_no], note, None, readings)


def _exists(c: Citation, title: str, text: str | None) -> CheckResult:
    if text is None:
        return CheckResult(c, "not_found", None, None, f"《{_short(title)}》没有{c.article_no}")
    return CheckResult(c, "verified", f"{title}#{c.article_no}", text, "")


def _old_text_now_at(c: Citation, title: str, articles: dict[str, str]):
    """(current number, the old version) holding what `c.article_no` said before renumbering."""
    for old in old_versions(title):
        old_text = old.articles.get(c.article_no or "")
        if not old_text:
            continue
        no, score = best_match(articles, bigrams(match_text(old_text)))
        if no and score >= MATCH:
            return no, old
    return None


def _check_quote(c: Citation, title: str, articles: dict[str, str], quote: frozenset[str]) -> CheckResult:
    cited = articles.get(c.article_no or "")
    own = containment(quote, bigrams(match_text(cited))) if cited is not None else 0.0
    ref = f"{title}#{c.article_no}"
    if own >= MATCH:
        return CheckResult(c, "verified", ref, cited, "", own)
    best_no, best = best_match(articles, quote)
    if best_no and best >= MATCH and best - own >= MARGIN:
        note = f"本文引用的《{_short(title)}》{c.article_no}为修订前编号或误写，引文内容现行为{best_no}"
        return CheckResult(c, "outdated", f"{title}#{best_no}", articles[best_no], note, best)
    if cited is None:
        return CheckResult(c, "not_found", None, None, f"《{_short(title)}》没有{c.article_no}", best)
    note = f"引文与《{_short(title)}》{c.article_no}现行条文不符"
    return CheckResult(c, "quote_mismatch", ref, cited, note, own)
