"""Decode a 案号 and check that its structure holds (year, province, court code, type code).

Structure per 法〔2015〕137号: （2023）京0105民初12345号 — year, province abbreviation,
court digits (none = high court, 2 = intermediate, 4 = basic), type code, serial.
"""

from __future__ import annotations

import re
from datetime import date

from yuqi.textnorm import CJK

from .lexicon import _load
from .model import CaseNumber

# The 案号 shape with its parts captured (year, province, court digits, type, serial); the
# names the parts may take are data (casenum.json), the shape itself is the standard's.
_SHAPE = re.compile(rf"[(（〔\[【]\s?((?:19|20)\d{{2}})\s?[)）〕\]】]\s?([{CJK}])\s?(\d{{0,6}})\s?"
                    rf"([{CJK}]{{1,6}}?)\s?(\d{{1,7}})\s?号")


def _court_level(code: str, province: str) -> str:
    if province == "最":
        return "最高"
    return {0: "高级", 2: "中级", 4: "基层"}.get(len(code), "")


def _type(rest: str) -> tuple[str, str]:
    types = _load("casenum.json")["types"]
    for code in sorted(types, key=len, reverse=True):
        if rest.endswith(code) or rest == code:
            return code, types[code]["label"]
    return rest, ""


def decode(raw: str, today: date | None = None) -> CaseNumber:
    m = _SHAPE.search(raw)
    if not m:
        return CaseNumber(raw, None, "", "", "", "", "", False, ("格式不成立",))
    year, province, code, rest, _ = m.groups()
    problems = []
    this_year = (today or date.today()).year
    if not 2000 <= int(year) <= this_year:
        problems.append(f"年份{year}不成立")
    if province not in _load("casenum.json")["provinces"]:
        problems.append(f"“{province}”不是省级简称")
    level = _court_level(code, province)
    if not level:
        problems.append(f"法院代码“{code}”位数不对")
    case_type, label = _type(rest)
    if not label:
        problems.append(f"类型代字“{rest}”不在常见民事/执行类型中")
    return CaseNumber(raw, int(year), province, code, level, case_type, label, not problems, tuple(problems))


def fits(case: CaseNumber, step: str) -> bool:
    """Whether the case type can carry the claimed step (unknown type: no judgement)."""
    info = _load("casenum.json")["types"].get(case.case_type)
    return info is None or step in info["steps"]
