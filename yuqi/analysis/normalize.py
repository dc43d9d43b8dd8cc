"""Length-preserving normalisation so match offsets index the original text.

Full-width ASCII -> half-width, ASCII lower-case, traditional -> simplified.
Every step maps one character to exactly one character.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

import opencc

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_TABLE = {**_FULLWIDTH, 0x3000: 0x20, **{c: c + 32 for c in range(0x41, 0x5B)}}
# Full-width upper-case letters must end up lower-case too.
_TABLE.update({c: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)})


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _char_map() -> dict[int, int]:
    """Single-character t2s table from opencc's own dictionary (fallback path)."""
    text = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text("utf-8")
    table: dict[int, int] = {}
    for line in text.splitlines():
        src, _, dst = line.partition("\t")
        first = dst.split(" ")[0] if dst else ""
        if len(src) == 1 and len(first) == 1:
            table[ord(src)] = ord(first)
    return table


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def to_simplified(text: str) -> str:
    """opencc t2s when it keeps the length; otherwise a char-by-char table."""
    if not _has_cjk(text):
        return text
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return text.translate(_char_map())


@lru_cache(maxsize=64)  # one analysis normalises the same text in several stages
def normalise(text: str) -> str:
    out = to_simplified(text.translate(_TABLE))
    assert len(out) == len(text)  # offsets contract; every mapping above is 1:1
    return out
