"""Structural cues: senders, phone numbers, links, case numbers, courts, money, deadlines.

All regexes run on the normalised text (same length as the original), so a
match's span is also its span in the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import compiled, court_hosts, structure
from .model import Cue


def _cue(original: str, kind: str, start: int, end: int, label: str, value: str = "") -> Cue:
    return Cue(kind, original[start:end], start, end, label, value)


def senders(norm: str, original: str) -> Iterator[Cue]:
    data = structure()
    orgs = data["sender_orgs"]
    for m in compiled(data["bracket_sender"]).finditer(norm):
        name = m.group(1)
        org = next((o for o, p in orgs.items() if compiled(p).search(name)), "平台")
        yield _cue(original, "sender", m.start(), m.end(), f"署名：{org}", org)
    before = compiled(data["self_described"])
    for org, pattern in orgs.items():
        for m in compiled(pattern).finditer(norm):
            # Only a self-description ("我是XX律所", a signature) names the sender;
            # "向法院起诉" merely mentions a court.
            head, tail = norm[max(0, m.start() - 10):m.start()], norm[m.end():m.end() + 2].strip()
            if before.search(head) or m.start() == 0 or (not tail and m.start() > 0):
                yield _cue(original, "sender", m.start(), m.end(), f"自称{org}", org)


def _phone_kind(digits: str) -> tuple[str, str]:
    data = structure()
    if digits in data["court_hotlines"]:
        return "phone_court", "法院诉讼服务热线12368"
    if digits in data["official_hotlines"]:
        return "phone_hotline", data["official_hotlines"][digits]
    for prefix in sorted(data["service_prefixes"], key=len, reverse=True):
        if digits.startswith(prefix):
            return "phone_service", data["service_prefixes"][prefix]
    if digits.startswith("1") and len(digits) == 11:
        return "phone_personal", "11位手机号（个人号码）"
    return "phone_landline", "固定电话"


def phones(norm: str, original: str) -> Iterator[Cue]:
    data = structure()
    for key in ("phone_hotline", "phone_service", "phone_mobile", "phone_landline"):
        for m in compiled(data[key]).finditer(norm):
            digits = re.sub(r"\D", "", m.group())
            kind, label = _phone_kind(digits)
            yield _cue(original, kind, m.start(), m.end(), label, digits)


def _host_kind(host: str) -> tuple[str, str]:
    data = structure()
    official = (*data["official_domains"], *court_hosts())
    if any(host == d or host.endswith("." + d) for d in official):
        return "url_official", "官方域名"
    if host in data["short_link_hosts"]:
        return "url_unknown", "短链接（看不出真实去向）"
    return "url_unknown", "陌生网址（非官方域名）"


def urls(norm: str, original: str) -> Iterator[Cue]:
    data = structure()
    tlds = set(data["tlds"])
    for m in compiled(data["url"]).finditer(norm):
        has_scheme = m.group().startswith(("http://", "https://"))
        if not has_scheme and m.group(1) not in tlds:
            continue
        host = re.sub(r"^https?://", "", m.group()).split("/")[0].split(":")[0]
        kind, label = _host_kind(host)
        yield _cue(original, kind, m.start(), m.end(), label, host)


def case_numbers(norm: str, original: str) -> Iterator[Cue]:
    for m in compiled(structure()["case_number"]).finditer(norm):
        value = re.sub(r"\s", "", norm[m.start():m.end()])
        yield _cue(original, "case_number", m.start(), m.end(), "案号", value)


def courts(norm: str, original: str) -> Iterator[Cue]:
    data = structure()
    trim, places = data["court_trim_chars"], data["court_place_markers"]
    for m in compiled(data["court_name"]).finditer(norm):
        name = m.group(1)
        cut = max((name.rfind(ch) for ch in trim), default=-1)
        start = m.start(1) + cut + 1
        head = norm[start:m.start(2)]
        if len(head) >= 2 and any(ch in head for ch in places):
            yield _cue(original, "court", start, m.end(), "法院名称", norm[start:m.end()])


def money(norm: str, original: str) -> Iterator[Cue]:
    for m in compiled(structure()["amount"]).finditer(norm):
        text = m.group()
        if compiled(structure()["amount_unit"]).search(text):
            yield _cue(original, "amount", m.start(), m.end(), "金额", text.strip())


def deadlines(norm: str, original: str) -> Iterator[Cue]:
    for pattern in structure()["deadlines"]:
        for m in compiled(pattern).finditer(norm):
            if m.end() > m.start():
                yield _cue(original, "deadline", m.start(), m.end(), "期限", m.group().strip())


def accounts(norm: str, original: str) -> Iterator[Cue]:
    data = structure()
    for m in compiled(data["bank_card"]).finditer(norm):
        digits = re.sub(r"\D", "", m.group())
        if 15 <= len(digits) <= 19:
            yield _cue(original, "bank_card", m.start(), m.end(), "银行卡号", digits)
    for m in compiled(data["account_name"]).finditer(norm):
        name = m.group(1)
        personal = not compiled(data["org_name"]).search(name)
        label = "收款人为个人" if personal else "收款方为单位"
        yield _cue(original, "account_name", m.start(1), m.end(1), label, "personal" if personal else "org")


EXTRACTORS = (senders, phones, urls, case_numbers, courts, money, deadlines, accounts)


def structural_cues(norm: str, original: str) -> list[Cue]:
    return [cue for fn in EXTRACTORS for cue in fn(norm, original)]
