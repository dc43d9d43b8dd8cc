"""The one normaliser: every text that feeds a decision is read through `normalize`.

A pasted message, a document and its title, an LLM answer, a URL, an eval set: Unicode format
characters (Cf: soft hyphen, zero-width space and joiners, bidi marks, BOM) and other invisible
fillers go, NFKC is applied where it maps one character to one (full-width forms, Kangxi radicals,
compatibility ideographs), A-Z become a-z, traditional characters become simplified, and a space
between two Chinese characters goes. `Normalized.src` maps every character back to the original
text, so a highlight or a mask still covers what the person pasted.

`CJK` is the one definition of a Chinese character (a regex class body). yuqi.textnorm re-exports
all of this next to the tokenizer.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc

# CJK Unified Ideographs with extension A (U+3400-U+9FFF; the Yijing hexagram block
# U+4DC0-U+4DFF inside that span is harmless) and the compatibility ideographs U+F900-U+FAFF
# that some PDFs and input methods produce. A regex class body: embed it as f"[{CJK}]".
CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def cjk_count(text: str) -> int:
    return len(_CJK_CHAR.findall(text))


# Full-width forms that are real Chinese sentence punctuation stay as they are
# in search text: ，！？：；（） carry sentence structure (and jieba splits on
# them). The rest of the full-width ASCII block (Ａ-Ｚ, ０-９, ％, ＠, ．…) are
# just wide spellings of ASCII and are folded like NFKC would.
_KEEP_WIDE = set("，！？：；（）")


_t2s_lock = threading.Lock()
_t2s: opencc.OpenCC | None = None
_trad_chars: frozenset[str] = frozenset()


def _load_t2s() -> tuple[opencc.OpenCC, frozenset[str]]:
    """The converter plus every character it can change, for a fast skip."""
    global _t2s, _trad_chars
    if _t2s is not None:
        return _t2s, _trad_chars
    with _t2s_lock:
        if _t2s is None:
            dict_dir = Path(opencc.__file__).resolve().parent / "dictionary"
            chars: set[str] = set()
            for name in ("TSCharacters.txt", "TSPhrases.txt"):
                for line in (dict_dir / name).read_text(encoding="utf-8").splitlines():
                    key, _, val = line.partition("\t")
                    val = val.split(" ")[0]
                    chars.update(a for a, b in zip(key, val) if a != b)
            _trad_chars = frozenset(chars)
            _t2s = opencc.OpenCC("t2s")
    return _t2s, _trad_chars


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s), keeping the length.

    Most text has no traditional character at all; the check is much cheaper
    than the pure-Python converter, so it runs first.
    """
    conv, trad = _load_t2s()
    if not any(ch in trad for ch in text):
        return text
    out = conv.convert(text)
    # t2s maps 1:1 today; if a future dictionary ever does not, offsets matter
    # more than the fold, so keep the original.
    return out if len(out) == len(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds a surrogate code point (never valid in a Python str from real UTF-8;
    it comes from JSON escapes like "\\ud800" or surrogateescape decoding)."""
    return _SURROGATE.search(text) is not None


def scrub(text: str) -> str:
    """Lone surrogates → U+FFFD, one for one, so offsets into the text stay valid.
    Tokenizers (jieba, the embedding model's) fail on them otherwise."""
    return _SURROGATE.sub("\ufffd", text) if has_lone_surrogate(text) else text

# --- The one normaliser ------------------------------------------------------------------------
# Characters that draw nothing but split words for a matcher: Unicode format characters (Cf:
# soft hyphen, zero-width space/joiners, bidi marks, BOM, word joiner …) plus the few invisible
# fillers outside Cf (combining grapheme joiner, Hangul fillers, variation selectors).
_EXTRA_INVISIBLE = "\u034f\u115f\u1160\u3164\uffa0\u2800"
# Line and paragraph separators end a line like "\n" does.
_LINE_BREAKS = {0x2028: 0x0A, 0x2029: 0x0A, 0x85: 0x0A}
_HSPACE = " \t"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, int], dict[int, int], re.Pattern[str], frozenset[str]]:
    """(search table, rules table, invisible-character class and set), built once from unicodedata.

    Every entry maps one character to one character, so a translate keeps offsets: NFKC is
    applied where it gives a single character (Ａ→a, ⼈→人, 兀→兀, U+3000→space); where it
    would lengthen the text (…→..., ㈠→(一)) the character stays, since that fold decides nothing.
    """
    invisible = [chr(c) for c in range(0x30000) if unicodedata.category(chr(c)) == "Cf"]
    invisible += [chr(c) for c in range(0xE0000, 0xE1000) if unicodedata.category(chr(c)) in ("Cf", "Mn")]
    invisible += list(_EXTRA_INVISIBLE) + [chr(c) for c in range(0xFE00, 0xFE10)]
    rules: dict[int, int] = {}
    for code in range(0x80, 0x30000):
        ch = chr(code)
        if ch in _SURROGATE_SET:
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and len(folded) == 1 and unicodedata.category(ch) != "Cf":
            rules[code] = ord(folded)
    for code in range(ord("A"), ord("Z") + 1):
        rules[code] = code + 32
    for code, narrow in list(rules.items()):  # Ａ → A → a in one step
        if ord("A") <= narrow <= ord("Z"):
            rules[code] = narrow + 32
    for code in (0xA0, 0x3000, *range(0x2000, 0x200B), 0x202F, 0x205F):
        rules[code] = 0x20
    rules.update(_LINE_BREAKS)
    search = {c: t for c, t in rules.items() if chr(c) not in _KEEP_WIDE}
    body = "".join(re.escape(ch) for ch in dict.fromkeys(invisible))
    return search, rules, re.compile(f"[{body}]"), frozenset(invisible)


_SURROGATE_SET = frozenset(chr(c) for c in range(0xD800, 0xE000))
# Horizontal space between two Chinese characters separates nothing a reader sees as words
# ("转 账", "转　账", a name written 王 芳): the rule and search views drop it, so a cue or a name
# is still whole. Space next to a digit or punctuation stays: it is common in ordinary messages
# ("卡号 6217…") and removing it would move every offset after it.
_HSPACE_RUN = re.compile(f"[{_HSPACE}]+")


class _CjkGap:
    """The gaps above, found from the spaces outward (a lookbehind class tried at every
    position made this the slowest step of normalising a document)."""

    @staticmethod
    def finditer(text: str):
        for m in _HSPACE_RUN.finditer(text):
            a, b = m.span()
            if 0 < a and b < len(text) and _CJK_CHAR.match(text[a - 1]) and _CJK_CHAR.match(text[b]):
                yield m


_CJK_GAP = _CjkGap()
# Seven or more single digits one space apart ("1 3 9 1 2 3 4 5 6 7 8") are one number.
_SPACED_DIGITS = re.compile(r"(?<![0-9])[0-9](?: [0-9]){6,}(?![0-9])")


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus where each of its characters came from in the original.

    `src[i]` is the original offset of character i (len(text) + 1 entries, the last one
    len(original)); None when nothing was removed, i.e. offsets are shared.
    """

    text: str
    original: str
    src: tuple[int, ...] | None = None

    def to_original(self, i: int) -> int:
        return i if self.src is None else self.src[min(max(i, 0), len(self.text))]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering normalised text[start:end] (removed characters inside it included)."""
        if self.src is None or end <= start:
            return self.to_original(start), self.to_original(max(start, end))
        return self.src[start], self.src[end - 1] + 1


def _drop(text: str, pattern, src: list[int] | None) -> tuple[str, list[int] | None]:
    """Remove `pattern`'s matches, carrying the offset map along."""
    cuts = [m.span() for m in pattern.finditer(text)]
    if not cuts:
        return text, src
    src = src if src is not None else list(range(len(text) + 1))
    keep_text, keep_src, pos = [], [], 0
    for a, b in cuts:
        keep_text.append(text[pos:a])
        keep_src.extend(src[pos:a])
        pos = b
    keep_text.append(text[pos:])
    keep_src.extend(src[pos:])
    return "".join(keep_text), keep_src


def normalize(text: str, keep_punct: bool = True) -> Normalized:
    """THE normaliser: every text that feeds a decision goes through here.

    Removes invisible and format characters (Unicode Cf: soft hyphen, zero-width, joiners, bidi
    marks) and horizontal space between two Chinese characters (or one and a digit); folds NFKC one character for one
    (full-width ASCII and spaces, compatibility and Kangxi ideographs), ASCII A-Z → a-z, and
    traditional → simplified Chinese. `keep_punct` keeps ，！？：；（） (search text: jieba splits
    on them); without it they become ,!?:;() (rule text: one comma for a pattern to say).
    """
    search, rules, invisible, invisible_set = _tables()
    folded = to_simplified(scrub(text).translate(search if keep_punct else rules))
    # Invisible characters are rare: a set check in C skips the regex scan for most texts.
    out, src = (folded, None) if invisible_set.isdisjoint(folded) else _drop(folded, invisible, None)
    out, src = _drop(out, _CJK_GAP, src)
    out, src = _drop_spaced_digits(out, src)
    return Normalized(out, text, tuple(src) if src is not None else None)


def _drop_spaced_digits(text: str, src: list[int] | None) -> tuple[str, list[int] | None]:
    runs = [m.span() for m in _SPACED_DIGITS.finditer(text)]
    if not runs:
        return text, src
    src = src if src is not None else list(range(len(text) + 1))
    keep = bytearray(b"\x01") * len(text)
    for a, b in runs:
        for i in range(a, b):
            if text[i] == " ":
                keep[i] = 0
    kept = [i for i in range(len(text)) if keep[i]]
    return "".join(text[i] for i in kept), [src[i] for i in kept] + [src[len(text)]]


def strip_invisible(text: str) -> str:
    """`text` without its invisible and format characters, nothing else changed (a URL keeps its case)."""
    return _tables()[2].sub("", text)
