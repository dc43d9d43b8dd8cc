"""Find statute references (《民法典》第563条, 同法第X条 …) in free Chinese text.

A reference only counts when a law is named right before the article number
(or a back-reference such as 该法 points to one); a bare 第X条 is ignored,
because guessing its law is how wrong citations get made.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from yuqi.citations.names import alias_map, resolve_name, unbracketed_names
from yuqi.citations.numerals import article_label, cn_to_int, int_to_cn
from yuqi.citations.status import ANY_FLAG
from yuqi.textnorm import NUMERAL

NUM = f"{NUMERAL}+"
_SP = r"[ \t\u3000]*"
_DETAIL = rf"(?:第{_SP}{NUM}{_SP}款)?(?:第{_SP}[（(]?{NUM}[）)]?{_SP}项|[（(]{NUM}[）)]项)?"
_ITEM = re.compile(rf"(第)?{_SP}({NUM}){_SP}(?:(条)(?:{_SP}之{_SP}({NUM}))?({_DETAIL}))?")
_SEP = re.compile(rf"{_SP}(至|到|~|～|—|－|-|、|，|,|以及|或者|和|及|与|或){_SP}")
_RANGE = {"至", "到", "~", "～", "—", "－", "-"}
_CANDIDATE = re.compile(rf"第?{_SP}{NUM}{_SP}(?:条|[、，,和及与或至到~～—－-])")
# back-reference -> how the name it points to must end (本条例 never means a 法)
_LAW = ("法", "法典")  # 民法典 is a 法 too: "本法第五百一十条" inside it means itself
_BACKREFS = {"同法": _LAW, "该法": _LAW, "本法": _LAW, "此法": _LAW, "上述法律": _LAW, "前述法律": _LAW,
             "该条例": "条例", "本条例": "条例", "该规定": "规定", "本规定": "规定",
             "该解释": "解释", "本解释": "解释", "该办法": "办法", "本办法": "办法"}
_BRACKETED = re.compile(r"《([^《》\n]{1,100})》")
_VERSION = re.compile(r"[（(][^（）()\n]{0,16}(?:\d{4}|修正|修订|年)[^（）()\n]{0,16}[）)]$")
_FLAGS = re.compile(f"(?:{ANY_FLAG.pattern})+")  # flags an earlier check inserted
_QUOTE_LEAD = re.compile(r"[ \t\u3000]*(?:的|之|中)?(?:明确规定|规定|指出|载明|写道)?[，,]?[ \t\u3000]*")
_CLOSERS = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}
RANGE_CAP = 50


@dataclass(frozen=True)
class Citation:
    raw: str  # text[start:end]; items of one list/range share the span
    start: int
    end: int
    law_name: str  # as written (for 该法-style references: the law it points back to)
    law_title: str | None  # official title when resolved
    article_no: str | None  # canonical 第X条[之Y]; None when the number is garbled
    detail: str = ""  # 款/项, canonical (第一款第三项)
    quote: str | None = None  # text quoted right after the reference

    @property
    def ref(self) -> str | None:
        if self.law_title and self.article_no:
            return f"{self.law_title}#{self.article_no}"
        return None


@dataclass
class _Item:
    start: int
    end: int
    num: str
    suffix: str
    detail: str
    has_tiao: bool
    range_end: bool


@lru_cache(maxsize=1)
def _names_by_last_char() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for name in unbracketed_names():
        table[name[-1]].append(name)
    return {k: tuple(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def _alias_mentions() -> re.Pattern[str]:
    names = sorted(alias_map(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def _skip_space_back(text: str, j: int) -> int:
    while j > 0 and text[j - 1] in " \t\u3000":
        j -= 1
    return j


def _last_mention(text: str, end: int, kind: str | tuple[str, ...]) -> str | None:
    """The last law of this kind (…法, …条例) named before `end`, bracketed or by a known name."""
    found = [(m.end(), m.group(1)) for m in _BRACKETED.finditer(text, 0, end)]
    found += [(m.end(), m.group(0)) for m in _alias_mentions().finditer(text, 0, end)]
    fits = [(pos, name) for pos, name in found if _kind_of(name).endswith(kind)]
    return max(fits)[1] if fits else None


def _kind_of(name: str) -> str:
    title = alias_map().get(name, name)
    return re.sub(r"[（(][^（）()]*[)）]$", "", title)


def _law_before(text: str, pos: int) -> tuple[int, str] | None:
    """(start, name as written) of a law named immediately before `pos`."""
    j = _skip_space_back(text, pos)
    version = _VERSION.search(text, max(0, j - 40), j)
    if version:
        j = _skip_space_back(text, version.start())
    if j == 0:
        return None
    if text[j - 1] == "》":
        k = text.rfind("《", max(0, j - 102), j - 1)
        if k >= 0 and "\n" not in text[k:j] and "》" not in text[k + 1:j - 1]:
            return k, text[k + 1:j - 1]
        return None
    for name in _names_by_last_char().get(text[j - 1], ()):
        if text.startswith(name, j - len(name)):
            return j - len(name), name
    for token, kind in _BACKREFS.items():
        if text.startswith(token, j - len(token)):
            earlier = _last_mention(text, j - len(token), kind)
            return (j - len(token), earlier) if earlier else None
    return None


def _canon_detail(raw: str) -> str:
    out = ""
    for num, unit in re.findall(rf"({NUM})[）)]?{_SP}(款|项)", raw):
        try:
            out += f"第{int_to_cn(cn_to_int(num))}{unit}"
        except ValueError:
            out += f"第{num}{unit}"
    return out


def _scan_items(text: str, pos: int) -> list[_Item]:
    items: list[_Item] = []
    i, range_next = pos, False
    while True:
        m = _ITEM.match(text, i)
        if not m or not m.group(2):
            break
        has_di, has_tiao = bool(m.group(1)), bool(m.group(3))
        prev_bare = bool(items) and not items[-1].has_tiao
        if items and not (has_di or has_tiao or prev_bare):
            break
        items.append(_Item(m.start(), m.end(), m.group(2), m.group(4) or "",
                           _canon_detail(m.group(5) or ""), has_tiao, range_next))
        sep = _SEP.match(text, m.end())
        if not sep:
            break
        if sep.group(1) in "，," and not (has_tiao and text.startswith("第", sep.end())):
            break
        i, range_next = sep.end(), sep.group(1) in _RANGE
    while items and not items[-1].has_tiao:
        items.pop()
    return items


def _sub_groups(items: list[_Item]) -> list[list[_Item]]:
    """Split into spans that share one 条 (第563、565条) or one range."""
    groups: list[list[_Item]] = []
    current: list[_Item] = []
    for item in items:
        if item.range_end and groups and not current:
            groups[-1].append(item)
            continue
        current.append(item)
        if item.has_tiao:
            groups.append(current)
            current = []
    return groups


def _label(num: str, suffix: str) -> str | None:
    try:
        n = cn_to_int(num)
        return article_label(n, suffix) if n > 0 else None
    except ValueError:
        return None


def _expand(group: list[_Item]) -> list[tuple[str | None, str]]:
    """(article_no, detail) for each article a sub-group names, ranges expanded."""
    out: list[tuple[str | None, str]] = []
    for idx, item in enumerate(group):
        if item.range_end and idx and not group[idx - 1].suffix and not item.suffix:
            try:
                lo, hi = cn_to_int(group[idx - 1].num), cn_to_int(item.num)
            except ValueError:
                lo, hi = 0, 0
            room = RANGE_CAP - 2
            for n in range(lo + 1, min(hi, lo + 1 + room)):
                out.append((article_label(n), ""))
        out.append((_label(item.num, item.suffix), item.detail))
    return out


def _extract_quote(text: str, i: int, limit: int) -> str | None:
    """The article text quoted right after a reference (after ：or inside “”)."""
    flags = _FLAGS.match(text, i)
    i = _QUOTE_LEAD.match(text, flags.end() if flags else i).end()
    colon = i < len(text) and text[i] in ":："
    if colon:
        i += 1
        while i < len(text) and text[i] in " \t\u3000":
            i += 1
    closer = _CLOSERS.get(text[i]) if i < len(text) else None
    if closer:
        i += 1
    elif not colon:
        return None
    stop = text.find("\n", i)
    stop = min(limit, stop if stop >= 0 else len(text))
    if closer:
        close = text.find(closer, i, stop)
        stop = close if close >= 0 else stop
    quote = re.sub(r"\[\d+\]", "", text[i:stop]).strip().rstrip("”」』\"’")
    return quote if len(quote) >= 4 else None


def _groups(text: str) -> list[tuple[int, str, list[_Item]]]:
    """(law start, law name, items) for every reference with a named law."""
    found: list[tuple[int, str, list[_Item]]] = []
    pos = 0
    while True:
        m = _CANDIDATE.search(text, pos)
        if not m:
            return found
        law = _law_before(text, m.start())
        items = _scan_items(text, m.start()) if law else []
        if not law or not items or (not text.startswith("第", m.start()) and not items[0].has_tiao):
            pos = m.start() + 1
            continue
        found.append((law[0], law[1], items))
        pos = items[-1].end


def find_citations(text: str, resolve: Callable[[str], str | None] | None = None) -> list[Citation]:
    """Every statute reference in `text`, one Citation per article, in order."""
    resolve = resolve or resolve_name
    groups = _groups(text)
    out: list[Citation] = []
    for n, (law_start, name, items) in enumerate(groups):
        title = resolve(name)
        next_start = groups[n + 1][0] if n + 1 < len(groups) else len(text)
        subs = _sub_groups(items)
        single = len(subs) == 1 and len(items) == 1
        for k, sub in enumerate(subs):
            start = law_start if k == 0 else sub[0].start
            end = sub[-1].end
            quote = _extract_quote(text, end, next_start) if single else None
            for article_no, detail in _expand(sub):
                out.append(Citation(text[start:end], start, end, name, title, article_no, detail, quote))
    return out
