"""Knowledge cards: one question per Markdown file in corpus/knowledge/, parsed and checked.

A card is an ordinary corpus article (doc id = file stem). What makes it a card is
the header block: `问法：` (how people ask) and `依据：` (the statute references the
card rests on). Every reference must name an article that exists in the current
text we hold (laws.db or the regulation files); otherwise the build stops, because
a card is shown as legal information and people quote it to collectors and courts.
Knowledge files without a `问法：` line (fact sheets such as hecha_qudao.md) are
not cards and are left alone. The format is documented in corpus/knowledge/README.md.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from yuqi.citations.numerals import canonical_article
from yuqi.documents import Source
from yuqi.errors import YuqiError
from yuqi.textnorm import ARTICLE

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("简答", "为什么", "怎么核实", "现在该做什么", "依据")  # all required, in this order
# 依据 comes last, not in the header: a header full of references would fill the first chunk
# and push the 简答 away from the title and the phrasings it answers.
MIN_PHRASINGS = 3
MAX_SHORT_SENTENCES = 2  # the 简答 is the direct answer: one or two sentences
LIST_SEP = "；"
# The article must also be in laws.db's canonical form (第五百六十三条, not 第563条): see _refs.
REF_RE = re.compile(rf"^(?P<title>[^#\s]{{2,120}})#(?P<article>{ARTICLE})$")
HEADER_RE = re.compile(r"^(问法)：(.*)$", re.M)
SECTION_RE = re.compile(r"^## +(.+?)\s*$", re.M)
SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*")


class CardError(YuqiError):
    """A knowledge card that must not be indexed; the message names the card and the problem."""


class CardFormatError(CardError):
    pass


class CardRefError(CardError):
    pass


@dataclass(frozen=True)
class CardRef:
    title: str  # official title (laws.db / regulation file header)
    article: str  # 第X条 or 第X条之Y
    start: int  # offsets of the reference string in the file text
    end: int

    @property
    def ref(self) -> str:
        return f"{self.title}#{self.article}"


@dataclass(frozen=True)
class CardSection:
    name: str  # one of SECTIONS
    text: str  # the section body, stripped; == file_text[start:end]
    start: int
    end: int
    heading_start: int  # offset of the "## " line, so a caller can show heading + body


@dataclass(frozen=True)
class Card:
    doc_id: str  # file stem: the card's reference in the corpus
    path: str
    title: str  # the question as the heading states it
    phrasings: tuple[str, ...]
    refs: tuple[CardRef, ...]
    sections: tuple[CardSection, ...]

    def section(self, name: str) -> CardSection:
        return next(s for s in self.sections if s.name == name)

    @property
    def short_answer(self) -> str:
        return self.section("简答").text


def is_card(text: str) -> bool:
    """A knowledge file is a card when its header (before the first ##) has a 问法： line."""
    head = text[: m.start()] if (m := SECTION_RE.search(text)) else text
    return re.search(r"^问法：", head, re.M) is not None


def sentences(text: str) -> list[str]:
    """Sentences of a short Chinese text (a trailing fragment without 。 counts as one)."""
    parts, pos = [], 0
    for m in SENTENCE_END.finditer(text):
        if text[pos:m.start()].strip():
            parts.append(text[pos:m.end()].strip())
        pos = m.end()
    if text[pos:].strip():
        parts.append(text[pos:].strip())
    return parts


def _stripped_span(text: str, start: int, end: int) -> tuple[int, int]:
    seg = text[start:end]
    lead = len(seg) - len(seg.lstrip())
    return start + lead, start + len(seg.rstrip())


def _items(value: str, offset: int) -> list[tuple[str, int, int]]:
    """`a；b；c` -> [(item, start, end)] with offsets into the file."""
    out, pos = [], 0
    for part in value.split(LIST_SEP):
        s, e = _stripped_span(value, pos, pos + len(part))
        if e > s:
            out.append((value[s:e], offset + s, offset + e))
        pos += len(part) + len(LIST_SEP)
    return out


def _header(text: str, name: str, head_end: int) -> tuple[int, str]:
    for m in HEADER_RE.finditer(text, 0, head_end):
        if m.group(1) == name:
            return m.start(2), m.group(2)
    raise CardFormatError(f"缺少“{name}：”一行")


def _sections(text: str) -> tuple[CardSection, ...]:
    heads = list(SECTION_RE.finditer(text))
    names = tuple(h.group(1) for h in heads)
    if names != SECTIONS:
        raise CardFormatError(f"小节应依次为 {'、'.join(SECTIONS)}，实际为 {'、'.join(names) or '（无）'}")
    out = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        s, e = _stripped_span(text, h.end(), end)
        if e <= s:
            raise CardFormatError(f"“{h.group(1)}”一节没有内容")
        out.append(CardSection(h.group(1), text[s:e], s, e, h.start()))
    return tuple(out)


def _refs(basis: CardSection) -> list[CardRef]:
    refs = []
    for item, s, e in _items(basis.text.replace("\n", LIST_SEP), basis.start):
        m = REF_RE.match(item)
        if m is None or canonical_article(m.group("article")) != m.group("article"):
            raise CardFormatError(f"依据“{item}”不符合“<法律法规正式名称>#第X条”的格式")
        refs.append(CardRef(m.group("title"), m.group("article"), s, e))
    if not refs:
        raise CardFormatError("“依据”一节没有条文")
    return refs


def _parse(text: str, doc_id: str, path: str) -> Card:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if not first.startswith("# ") or not first[2:].strip():
        raise CardFormatError("第一行应为“# 问题标题”")
    head_end = m.start() if (m := SECTION_RE.search(text)) else len(text)
    extra = [ln for ln in text[:head_end].split("\n")[1:] if ln.strip() and not ln.startswith("问法：")]
    if extra:
        raise CardFormatError(f"标题和第一个小节之间只能有“问法：”一行，多出：{extra[0][:30]}")
    p_at, p_val = _header(text, "问法", head_end)
    phrasings = tuple(p for p, _, _ in _items(p_val, p_at))
    if len(phrasings) < MIN_PHRASINGS:
        raise CardFormatError(f"“问法”至少要有 {MIN_PHRASINGS} 种说法（用“；”分隔），现有 {len(phrasings)} 种")
    sections = _sections(text)
    refs = _refs(sections[-1])
    short = sentences(sections[0].text)
    if len(short) > MAX_SHORT_SENTENCES:
        raise CardFormatError(f"“简答”应为一到两句话，现有 {len(short)} 句")
    return Card(doc_id, path, first[2:].strip(), phrasings, tuple(refs), sections)


def parse_card(text: str, doc_id: str, path: str = "") -> Card:
    """Text of a card file -> Card; CardFormatError (Chinese, naming the card) if malformed."""
    try:
        return _parse(text, doc_id, path)
    except CardFormatError as err:
        raise CardFormatError(f"知识卡片 {doc_id} 格式不正确：{err}") from None


def load_card(path: Path) -> Card:
    return parse_card(path.read_text(encoding="utf-8"), path.stem, str(path))


def card_text(card: Card) -> str:
    """Title, phrasings and the four answer sections: what the card says (its 依据 excluded)."""
    return "\n".join([card.title, *card.phrasings, *(s.text for s in card.sections if s.name != "依据")])


def load_cards(knowledge_dir: Path) -> dict[str, Card]:
    """Every card in a folder by doc id (fact sheets skipped), e.g. to map a retrieved card to its 依据."""
    out = {}
    for path in sorted(knowledge_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if path.name != "README.md" and is_card(text):
            out[path.stem] = parse_card(text, path.stem, str(path))
    return out


# -- reference check ----------------------------------------------------------

def regulation_dir() -> Path | None:
    """Where the regulation texts are: $YUQI_REGULATIONS_DIR, corpus/regulations, or ../shared beside the repo."""
    env = os.environ.get("YUQI_REGULATIONS_DIR")
    candidates = [Path(env)] if env else []
    candidates += [ROOT / "corpus" / "regulations", ROOT.parent / "shared" / "regulations",
                   ROOT.parent.parent / "shared" / "regulations"]  # worktrees live one level deeper
    return next((d for d in candidates if d.is_dir() and any(d.glob("*.md"))), None)


@lru_cache(maxsize=4)
def _checker(reg_dir: Path | None):
    """The ONE place that uses yuqi's citation checker (yuqi.citations).

    Returns verify(title, article, card_text) -> (ok, note): ok only when the article exists
    in the current text we hold. For a law renumbered since (治安管理处罚法 2025, or any law
    laws.db holds a 历史版本 of), the card's own wording decides which reading it means: a
    card that talks about what the old article said is citing an outdated number."""
    from ingest.statutes import parse_statute
    from yuqi.citations import Citation, check, from_sources

    files = sorted(reg_dir.glob("*.md")) if reg_dir else []
    source = from_sources([parse_statute(f.read_text(encoding="utf-8"), str(f)) for f in files if f.name != "README.md"])

    def verify(title: str, article: str, card_text: str) -> tuple[bool, str]:
        r = check(Citation(f"{title}{article}", 0, 0, title, title, article), source)
        if r.status == "renumbered" and len(r.readings) == 2:
            now, old = r.readings
            if _overlap(now.text, card_text) >= _overlap(old.text, card_text):
                return True, ""
            return False, f"{r.note}；卡片写的是旧版内容"
        return r.status == "verified", r.note or r.status

    return verify


def _overlap(article: str, card_text: str) -> float:
    """Share of the article's character bigrams that the card's text uses."""
    grams = {article[i:i + 2] for i in range(len(article) - 1)}
    return sum(g in card_text for g in grams) / len(grams) if grams else 0.0


def ref_problems(card: Card, reg_dir: Path | None = None) -> list[str]:
    """Chinese descriptions of the card's references that are not current articles."""
    verify = _checker(reg_dir or regulation_dir())
    text = card_text(card)
    out = []
    for r in card.refs:
        ok, note = verify(r.title, r.article, text)
        if not ok:
            out.append(f"{r.ref}（{note}）")
    return out


def validate_card(card: Card, reg_dir: Path | None = None) -> None:
    reg_dir = reg_dir or regulation_dir()
    bad = ref_problems(card, reg_dir)
    if bad:
        hint = "" if reg_dir else "。未找到规章文件目录，司法解释和条例无法核验（可设置 YUQI_REGULATIONS_DIR）"
        raise CardRefError(f"知识卡片 {card.doc_id} 引用的条文无法核验，构建已停止：{'；'.join(bad)}{hint}")


def check_cards(sources: list[Source]) -> list[Card]:
    """Build hook: parse and validate every card among the sources; raise CardError on the first bad one."""
    cards = []
    for src in sources:
        path = Path(src.path)
        if src.kind != "article" or path.parent.name != "knowledge" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if is_card(text):
            card = parse_card(text, src.doc_id, src.path)
            validate_card(card)
            cards.append(card)
    return cards
