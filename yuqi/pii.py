"""Find personal data in text: ID, bank card and phone numbers, names, addresses.

Detection runs on the one normaliser's view (`yuqi.textnorm.normalize`): full-width
forms folded, invisible characters (zero-width, soft hyphen, bidi marks) and spaces
between Chinese characters removed; its offset map turns every span back into an
exact span of the original text (covering the removed characters inside it). Chinese
numerals in a run of seven or more (一三九…) are read as digits. Numbers are read as
runs of digit groups ("110101 19900307 1234", "139/1234/5678", "1 3 9 …", an ID
split across lines) and each run is split into the longest valid ID / phone / card
numbers. Names and addresses
come from data (yuqi/data/pii_names.json, pii_address.json): a surname list
with the context that marks a person, and an address grammar of unit words.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from bisect import bisect_left

from .textnorm import CJK, NUMERAL, normalize

DATA = Path(__file__).resolve().parent / "data"
Span = tuple[int, int, str | None]  # start, end, label (None = public text, keep as is)

_OFFICIAL_HOSTS = r"(?:gov\.cn|12377\.cn|12321\.cn|chinacourt\.org|nifa\.org\.cn)"
# Text that looks personal but is public: official sites, service numbers, case and document numbers.
PROTECTED = [
    re.compile(rf"(?<![a-z0-9._%+/:@-])(?:https?://)?(?:[a-z0-9._%+-]+@)?(?:[a-z0-9-]+\.)*{_OFFICIAL_HOSTS}"
               r"(?::\d+)?(?:/[\x21-\x7e]*)?"),
    re.compile(r"(?<!\d)(?:12368|12378|12377|12381|12321|12315|12345|12363|12389|96110|110|10086|10010|10000"
               r"|95\d{3,4}|[48]00[ -]?\d{3}[ -]?\d{4})(?!\d)"),
    re.compile(rf"[（(〔\[]\d{{4}}[）)〕\]][{CJK}]{{0,6}}\d{{0,6}}[{CJK}]{{0,6}}\d+号"),  # （2024）京0105民初123号
    re.compile(rf"第{NUMERAL}+号"),  # document numbers share the article-number digits
]
EMAIL = re.compile(r"(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
LANDLINE = re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3}[ -]?)[2-9]\d{6,7}(?!\d)")
# Separators inside a written number; one way to match each, so a failed match cannot backtrack exponentially.
# Hyphens, slashes, underscores, middle dots and commas between digit groups, or a line break.
_SEP = r"(?: ?[-‐‑‒–—﹣/_·・•∙,，、] ?|[ .]|[ \t]*\r?\n[ \t]*)"
# A letter may touch a number ("wx13912345678", "?tel13912345678"): a handle holding a phone is a phone.
DIGIT_RUN = re.compile(rf"(?<![0-9])\+?\d{{1,24}}(?:{_SEP}\d{{1,24}}){{0,23}}(?:{_SEP}?x)?(?![0-9])")
# Chinese numerals read one by one ("一三九一二三四五六七八"); seven or more in a row are a number.
_ZH_DIGITS = re.compile("[零〇一二三四五六七八九幺两]{7,}")
_ZH_DIGIT_MAP = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")
_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
MAX_GROUPS = 23  # an ID written one digit at a time plus a +86: longer groupings are not one number
NUMBER_SIZES = (7, 23)  # digits in the shortest and longest number kind
NUMBER_KINDS = [  # (label, full-match pattern on the digits of a run), in priority order
    ("身份证", re.compile(rf"[1-9]\d{{5}}{_DATE8}\d{{3}}[\dx]")),
    ("身份证", re.compile(r"[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")),
    ("手机号", re.compile(r"(?:\+?(?:00)?86)?1[3-9]\d{9}")),
    ("银行卡", re.compile(r"[1-9]\d{15,20}")),
]


@lru_cache(maxsize=1)
def _grammar() -> dict[str, re.Pattern[str]]:
    names = json.loads((DATA / "pii_names.json").read_text(encoding="utf-8"))
    place = json.loads((DATA / "pii_address.json").read_text(encoding="utf-8"))
    alt = lambda words: "|".join(map(re.escape, sorted(words, key=len, reverse=True)))  # noqa: E731
    surname = f"(?:{alt(names['compound_surnames'])}|[{names['surnames']}])"
    given, free = f"[{names['given_chars']}]", f"(?:(?![{names['stop_chars']}])[{CJK}])"
    strong, weak = alt(names["strong_before"]), alt(names["weak_before"])
    unit = alt(place["coarse_units"] + place["fine_units"])
    part = f"(?:(?![{place['stop_chars']}])[{CJK}a-z0-9-]){{1,6}}?(?:{unit})"
    return {
        "name_label": re.compile(rf"(?:{strong})\s*[:：]\s*(?P<v>(?:{free}|·){{2,5}})(?![{CJK}·])"),
        "name_strong": re.compile(rf"(?:{strong})(?:为|是)?(?P<v>{surname}{given}{{1,2}})"),
        "name_weak": re.compile(rf"(?:{weak})(?P<v>{surname}{given}{{1,2}})"),
        "name_title": re.compile(rf"(?P<v>{surname}{free}{{0,2}})(?={alt(names['strong_after'])})"),
        "name_after": re.compile(rf"(?P<v>{surname}{given}{{1,2}})(?={alt(names['weak_after'])}|[（(，,]?身份证)"),
        # "致 王小明：", "您好，王小明，您的…": a letter's salutation names its reader.
        "name_salute": re.compile(rf"(?:(?:^|(?<=[\n。！？!?】\]]))\s*致|(?:您|你)好\s*[,，!！]?)\s*"
                                  rf"(?P<v>{surname}{free}{{1,2}}?)\s*(?:先生|女士|小姐)?\s*(?=[,，:：!！])", re.M),
        # An address line's addressee: "王小明 收", "张伟（收）".
        # A name right before a mobile number is who answers it: "请联系张三 138…".
        "name_phone": re.compile(rf"(?P<v>{surname}{free}{{1,2}})\s*[:：]?\s*(?=(?:\+?86)?1[3-9]\d{{9}}(?!\d))"),
        "name_addressee": re.compile(rf"(?P<v>{surname}{given}{{1,2}})\s*(?:[（(]收[）)]|收(?=\s|$|[,，。;；]))", re.M),
        "name_start": re.compile(rf"(?:^|(?<=[\n。！？!?】\]：:]))\s*(?P<v>{surname}{given}{{1,2}})"
                                 rf"(?=[，,：:]\s*(?:你|您|请)|[：:])", re.M),
        "address_label": re.compile(
            rf"(?:{alt(place['labels'])})\s*[:：]?\s*(?:为|是|在)?\s*(?P<v>(?!https?:|www\.|{alt(place['institution_after'])})"
            rf"(?=[^，,。；;！!？?、\s{place['stop_chars']}]*[省市区县镇乡村路街道巷弄号楼栋室\d])"
            rf"[^，,。；;！!？?、\s{place['stop_chars']}]{{2,60}})"),
        "address": re.compile(rf"(?P<v>{part}(?:{part})+)"),
        "part": re.compile(part.replace(f"(?:{unit})", f"(?P<u>{unit})")),
        "coarse": re.compile(alt(place["coarse_units"])),
        "not_place": re.compile(alt(place["not_places"])),
        "prose": re.compile(alt(place["not_in_address"])),
        "numbered": re.compile(rf"(?:\d+[a-z]?|[a-z])(?:{alt(place['numbered_units'])})$"),
        "not_name": re.compile(alt(names["not_names"])),
        "institution": re.compile(alt(place["institution_after"])),
    }


def find_spans(text: str, known: list[Span] | None = None) -> list[Span]:
    """Protected (label None) and personal spans of `text`, non-overlapping, in order.

    `known` spans (e.g. placeholders already in the text, values seen in earlier
    turns) are taken first; nothing found here overlaps them.
    """
    view = normalize(text)
    norm = _ZH_DIGITS.sub(lambda m: m.group().translate(_ZH_DIGIT_MAP), view.text)
    src = view.src
    to_norm = (lambda i: i) if src is None else (lambda i: bisect_left(src, i))
    taken = [(to_norm(s), to_norm(e), label) for s, e, label in known or []]
    first = len(taken)
    for span in _spans_in(norm, taken):
        taken.append(span)
    found = [(*view.span(s, e), label) for s, e, label in taken[first:]]
    return sorted(list(known or []) + found)


def _spans_in(norm: str, taken: list[Span]) -> list[Span]:
    """The spans `find_spans` adds, in normalised offsets (`taken` is extended in place)."""
    start = len(taken)
    g = _grammar()
    # An ID or phone number in an official link's query ("?id=…&tel=…") still goes to that server.
    _add(taken, (n for m in PROTECTED[0].finditer(norm) if "?" in m.group() or "#" in m.group()
                 for n in _number_spans(norm, m.start() + _query_at(m.group()), m.end())
                 if n[2] in ("身份证", "手机号")))
    for p in PROTECTED:
        for m in p.finditer(norm):
            _add_around(taken, m.start(), m.end())
    _add(taken, ((m.start(), m.end(), "邮箱") for m in EMAIL.finditer(norm)))
    _add(taken, _number_spans(norm))
    _add(taken, ((m.start(), m.end(), "电话") for m in LANDLINE.finditer(norm)))
    _add(taken, _labelled_addresses(norm, g), clip=True)
    _add(taken, _name_spans(norm, g), clip=True)
    # An address never runs through a number or a name already found ("欠款人彭志刚现居长春市…").
    blanked = list(norm)
    for s, e, _ in taken:
        blanked[s:e] = "的" * (e - s)
    _add(taken, _address_spans("".join(blanked), g), clip=True)
    found = taken[start:]
    del taken[start:]
    return found


def _labelled_addresses(norm: str, g: dict[str, re.Pattern[str]]):
    """After 家住/户籍地址…: two components or a number ("住在行洪河道内" is statute prose)."""
    for m in g["address_label"].finditer(norm):
        value = m["v"]
        if len(g["part"].findall(value)) >= 2 or re.search(r"\d", value):
            if not g["prose"].search(value):
                yield *m.span("v"), "地址"


def _add(taken: list[Span], spans, clip: bool = False) -> None:
    """Add spans that do not overlap taken ones; a name or address may be clipped, a number never."""
    for start, end, label in spans:
        reach = _room(start, end, taken)
        if reach == end or (clip and reach - start >= 2):
            taken.append((start, reach, label))


def _room(start: int, end: int, taken: list[Span]) -> int:
    """How far a new span may reach without overlapping taken ones; `start` if its start is taken."""
    for s, e, _ in taken:
        if s <= start < e:
            return start
        if start < s < end:
            end = s
    return end


def _query_at(url: str) -> int:
    return min(i for i in (url.find("?"), url.find("#")) if i >= 0)


def _add_around(taken: list[Span], start: int, end: int) -> None:
    """Protect start..end except the parts already taken."""
    pos = start
    for s, e, _ in sorted(t for t in taken if t[0] < end and t[1] > start):
        if s > pos:
            taken.append((pos, s, None))
        pos = max(pos, e)
    if pos < end:
        taken.append((pos, end, None))


def _number_spans(norm: str, start: int = 0, end: int | None = None):
    for run in DIGIT_RUN.finditer(norm, start, len(norm) if end is None else end):
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in re.finditer(r"\+?\d+x?", run.group())]
        total = [0]
        for s, e in groups:
            total.append(total[-1] + e - s)
        i = 0
        while i < len(groups):
            # MAX_GROUPS and the digit count bound the work on long runs ("1 1 1 1 …").
            for j in range(min(len(groups), i + MAX_GROUPS), i, -1):
                size = total[j] - total[i]
                if not NUMBER_SIZES[0] <= size <= NUMBER_SIZES[1] + 1:
                    continue
                label = _number_kind(norm, groups[i:j])
                if label:
                    yield groups[i][0], groups[j - 1][1], label
                    i = j
                    break
            else:
                i += 1


def _number_kind(norm: str, groups: list[tuple[int, int]]) -> str | None:
    digits = "".join(norm[s:e] for s, e in groups)
    sizes = [e - s for s, e in groups]
    for label, pattern in NUMBER_KINDS:
        if not pattern.fullmatch(digits):
            continue
        # A card written in groups is grouped by four (or 6 + rest); other splits are separate numbers.
        if label == "银行卡" and len(groups) > 1 and not (
                all(n == 4 for n in sizes[:-1]) or (len(sizes) == 2 and sizes[0] == 6)):
            continue
        return label
    return None


def _address_spans(norm: str, g: dict[str, re.Pattern[str]]):
    for m in g["address"].finditer(norm):
        if g["institution"].match(norm, m.end()) or g["prose"].search(m.group()):
            continue  # 朝阳区人民法院, 县级人民政府组织…: an institution or statute prose, not where someone lives
        parts = list(g["part"].finditer(m.group()))
        coarse = [bool(g["coarse"].fullmatch(p["u"])) for p in parts]
        if all(coarse):
            continue  # a city or district alone is no one's address
        numbered = any(g["numbered"].search(p.group()) for p in parts)
        first = parts[0].group()[: parts[0].start("u")]
        named = coarse[0] and len(first) >= 2 and not g["not_place"].fullmatch(first)
        if numbered or (named and len(parts) >= 3):
            yield m.start(), m.end(), "地址"


def _name_spans(norm: str, g: dict[str, re.Pattern[str]]):
    for key in ("name_label", "name_strong", "name_weak", "name_title", "name_after", "name_start", "name_salute",
                "name_addressee", "name_phone"):
        for m in g[key].finditer(norm):
            if key == "name_label" or not g["not_name"].match(m["v"]):  # 卫生健…, 农民专…
                yield *m.span("v"), "姓名"
