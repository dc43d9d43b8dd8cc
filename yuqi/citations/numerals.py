"""Chinese article numerals.

laws.db writes article numbers one way (第十条, 第一百一十条, 第一千零三十二条,
第二百九十三条之一); `article_label` produces exactly that form so a parsed
citation can be looked up by string.
"""

from __future__ import annotations

import re
import unicodedata

from yuqi.textnorm import NUMERAL

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_DIGITS = "零一二三四五六七八九"
# ARTICLE with spaces allowed and the numbers captured; cn_to_int then checks they are well-formed.
_LABEL = re.compile(rf"第\s*({NUMERAL}+)\s*条(?:\s*之\s*({NUMERAL}+))?")


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
    m = _LABEL.fullmatch(_to_ascii(label.strip()))
    if not m:
        return None
    try:
        n = cn_to_int(m.group(1))
        return article_label(n, m.group(2) or "") if n > 0 else None
    except ValueError:
        return None


