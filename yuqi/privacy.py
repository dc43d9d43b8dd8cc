"""Mask personal data before text leaves the machine; restore it only for the user.

A `Vault` remembers which value got which placeholder ("〔手机号1〕"), so one
chat keeps stable placeholders across turns and the model's answer can be
turned back into the user's own details locally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CJK = r"[\u4e00-\u9fff]"
# Characters that end a name rather than continue it ("借款人张三已逾期").
_STOP = "已逾欠的在于是名等及和与向称说请将被因从到对为了个先女您你他她我身电手住家地户账卡银借还拖涉逃即应需须务必要会就都也并或有无不没所之其这那今后前上下内外共合计本息元万号日月年时"
_GIVEN = rf"(?:(?![{_STOP}]){_CJK})"
# Common surnames minus ones that are everyday words (和, 向, 于 …), so that an
# unlabeled "借款人和担保人" is not read as a name.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔"
    "汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍"
    "涂苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆农司卓古吉缪简芦麦褚娄窦戚岑景宫费卜冷晏席"
    "卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"
)
_SURNAME = rf"(?:欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木|[{_SURNAMES}])"
_NAME_LABEL = r"(?:姓名|户名|开户名|收款人|借款人|联系人|持卡人|当事人|紧急联系人|我叫|名叫)"
_ADDRESS_LABEL = r"(?:家庭住址|户籍地址|户籍所在地|现住址|居住地址|住址|家住|地址|户籍地|居住地|住在)"
# An address names a place or a house number; "到您户籍地走访" has neither.
_PLACE = r"[^，,。；;！!？?、\s]*[省市区县镇乡村路街道巷弄号楼栋室院\d]"
_OFFICIAL_HOSTS = r"(?:gov\.cn|12377\.cn|12321\.cn|chinacourt\.org|nifa\.org\.cn)"

# Spans that look personal but are public: official sites and service numbers.
PROTECTED = [
    re.compile(rf"(?:https?://)?(?:[A-Za-z0-9._%+-]+@)?(?:[A-Za-z0-9-]+\.)*{_OFFICIAL_HOSTS}(?::\d+)?(?:/[\x21-\x7e]*)?"),
    re.compile(
        r"(?<!\d)(?:12368|12378|12377|12381|12321|12315|12345|12363|12389|96110|110|10086|10010|10000"
        r"|95\d{3,4}|[48]00[ -]?\d{3}[ -]?\d{4})(?!\d)"
    ),
]
# (label, pattern) in priority order; a pattern's group "v", if any, is the masked part.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("邮箱", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("身份证", re.compile(
        r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")),
    ("身份证", re.compile(r"(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")),
    ("银行卡", re.compile(r"(?<!\d)(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?!\d)")),
    ("手机号", re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")),
    ("电话", re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3}[ -]?)[2-9]\d{6,7}(?!\d)")),
    # A longer run after "收款人：" is a company, not a person.
    ("姓名", re.compile(rf"{_NAME_LABEL}\s*[:：]\s*(?P<v>(?:{_GIVEN}|·){{2,5}})(?!{_GIVEN})")),
    ("姓名", re.compile(rf"{_NAME_LABEL}(?:为|是)?(?P<v>{_SURNAME}{_GIVEN}{{1,2}})")),
    ("姓名", re.compile(rf"(?P<v>{_SURNAME}{_GIVEN}{{0,2}})(?=先生|女士|小姐)")),
    ("地址", re.compile(
        rf"{_ADDRESS_LABEL}\s*[:：]?\s*(?:为|是|在)?\s*(?P<v>(?!https?:|www\.)(?={_PLACE})[^，,。；;！!？?、\s]{{2,60}})")),
]
LABELS = ("手机号", "电话", "身份证", "银行卡", "邮箱", "姓名", "地址")
# Lenient on purpose: models sometimes echo 〔姓名1〕 as 【姓名1】 or [姓名 1].
PLACEHOLDER = re.compile(rf"[〔【\[] ?(?P<label>{'|'.join(LABELS)}) ?(?P<n>\d{{1,4}}) ?[〕】\]]")
MAX_PLACEHOLDER = 16  # longer than any PLACEHOLDER match
_OPENERS = "〔【["
_CLOSERS = "〕】]"


@dataclass
class Vault:
    """Placeholder ↔ value table for one conversation."""

    by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    by_slot: dict[tuple[str, int], str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def placeholder(self, label: str, value: str, avoid: set[tuple[str, int]]) -> str:
        """Same value → same placeholder; `avoid` holds slots the text itself already spells."""
        known = self.by_value.get((label, value))
        if known:
            return known
        n = self.counts.get(label, 0) + 1
        while (label, n) in avoid:
            n += 1
        self.counts[label] = n
        self.by_slot[(label, n)] = value
        self.by_value[(label, value)] = placeholder = f"〔{label}{n}〕"
        return placeholder

    def lookup(self, label: str, n: int) -> str | None:
        return self.by_slot.get((label, n))

    def __len__(self) -> int:
        return len(self.by_slot)


Span = tuple[int, int, str | None]  # start, end, label (None = protected, keep as is)


def _room(start: int, end: int, taken: list[Span]) -> int:
    """How far a new span may reach without overlapping taken ones; 0 if its start is taken."""
    for s, e, _ in taken:
        if s <= start < e:
            return 0
        if start < s < end:
            end = s
    return end


def _find_spans(text: str, vault: Vault) -> list[Span]:
    taken: list[Span] = [(m.start(), m.end(), None) for p in PROTECTED for m in p.finditer(text)]
    for label, pattern in PATTERNS:
        clippable = label in ("姓名", "地址")  # a clipped number would be half-masked
        for m in pattern.finditer(text):
            start, end = m.span("v") if "v" in pattern.groupindex else m.span()
            reach = _room(start, end, taken)
            if reach == end or (clippable and reach - start >= 2):
                taken.append((start, reach, label))
    # Values seen before (this turn or earlier) are masked wherever they recur,
    # e.g. a name from "户名：张三" that the model later repeats bare.
    known = sorted(vault.by_value, key=lambda k: -len(k[1]))
    found = {(label, text[s:e]) for s, e, label in taken if label}
    for label, value in [*known, *sorted(found, key=lambda k: -len(k[1]))]:
        for m in re.finditer(re.escape(value), text):
            if len(value) >= 2 and _room(m.start(), m.end(), taken) == m.end():
                taken.append((m.start(), m.end(), label))
    return sorted(s for s in taken if s[2])


def mask(text: str, vault: Vault | None = None) -> tuple[str, Vault]:
    """Replace personal data with placeholders; pass the same vault for every turn."""
    vault = vault if vault is not None else Vault()
    avoid = {(m["label"], int(m["n"])) for m in PLACEHOLDER.finditer(text)}
    out, pos = [], 0
    for start, end, label in _find_spans(text, vault):
        out += [text[pos:start], vault.placeholder(label or "", text[start:end], avoid)]
        pos = end
    out.append(text[pos:])
    return "".join(out), vault


def unmask(text: str, vault: Vault) -> str:
    """Put the real values back; placeholders the vault does not know stay as they are."""

    def restore(m: re.Match[str]) -> str:
        value = vault.lookup(m["label"], int(m["n"]))
        return m.group(0) if value is None else value

    return PLACEHOLDER.sub(restore, text)


def mask_messages(messages: list[dict], vault: Vault) -> list[dict]:
    """Copies of chat messages with every text content masked."""
    return [_mask_message(message, vault) for message in messages]


def _mask_message(message: dict, vault: Vault) -> dict:
    content = message.get("content")
    if isinstance(content, str):
        return {**message, "content": mask(content, vault)[0]}
    if isinstance(content, list):  # multi-part content: only text parts carry prose
        parts = [
            {**part, "text": mask(part["text"], vault)[0]}
            if isinstance(part, dict) and isinstance(part.get("text"), str) else part
            for part in content
        ]
        return {**message, "content": parts}
    return dict(message)


class Unmasker:
    """Unmask a stream of deltas without ever showing half a placeholder."""

    def __init__(self, vault: Vault):
        self.vault = vault
        self._held = ""

    def feed(self, delta: str) -> str:
        text = self._held + delta
        cut = _open_tail(text)
        self._held = text[cut:]
        return unmask(text[:cut], self.vault)

    def flush(self) -> str:
        text, self._held = self._held, ""
        return unmask(text, self.vault)


def _open_tail(text: str) -> int:
    """Index where a possibly unfinished placeholder starts, or len(text)."""
    start = max(text.rfind(c) for c in _OPENERS)
    if start < 0 or len(text) - start >= MAX_PLACEHOLDER:
        return len(text)
    if any(c in text[start:] for c in _CLOSERS):
        return len(text)
    return start
