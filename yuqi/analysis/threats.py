"""Threat types (multi-label) and the kind of text we are looking at."""

from __future__ import annotations

import re

from .lexicon import compiled, structure
from .model import THREAT_IDS, Cue
from .normalize import normalise

# A court sender or a court phone number is itself a claim to come from a court.
_COURT_ORGS = {"法院"}
_MESSAGE_KINDS = {"sender", "phone_personal", "phone_service", "phone_court", "url_official",
                  "url_unknown", "case_number", "bank_card", "account_name"}
_NOTICE = re.compile(r"尊敬的|^\s*(您好|你好)|(客户|用户|先生|女士)(您好|你好)|请(于|在|尽快|立即|及时|登录|联系|通过)|"
                     r"(您|你)(的|已|名下|在我司|本期)")
_QUESTION = re.compile(r"[吗呢么]\s*[?？]?\s*$|[?？]\s*$|怎么办|怎么(查|处理|应对)|是不是|会不会|能不能|有没有|可以吗")
_FIRST_PERSON = re.compile(r"我(?!司|们|方|所|院|行|局|中心)")
_REPORTED = re.compile(r"收到|发来|发了|打来|打电话|来电|催收|对方|他们|平台说|说要|说我|说会|说可以|说明天|威胁|骂我|天天|每天|自称")
_HYPOTHETICAL = re.compile(r"如果|要是|万一|假如|假设")
_ASKS_JUDGEMENT = re.compile(r"真的吗|是真的|真的假的|是不是真|靠谱吗|能信吗|可信吗|合法吗|违法吗|合不合法|正常吗|"
                             r"是不是骗|骗子吗|吓唬|怎么办|该怎么|怎么处理|是不是诈骗|诈骗吗")


def threats_from_cues(cues: tuple[Cue, ...]) -> tuple[str, ...]:
    found = {c.kind.removeprefix("threat:") for c in cues if c.kind.startswith("threat:")}
    if any(c.kind == "phone_court" for c in cues) or any(
        c.kind == "sender" and c.value in _COURT_ORGS and c.text.startswith("【") for c in cues
    ):
        found.add("court_sms")
    return tuple(t for t in THREAT_IDS if t in found)


def is_message(text: str, cues: tuple[Cue, ...]) -> bool:
    """A pasted SMS/notice rather than the user's own question."""
    norm = normalise(text).strip()
    if not norm:
        return False
    if any(c.kind in _MESSAGE_KINDS for c in cues):
        return True
    if _FIRST_PERSON.search(norm) and _QUESTION.search(norm):
        return False
    return bool(_NOTICE.search(norm)) or (not _QUESTION.search(norm) and "你" in norm)


def _report_pattern(key: str) -> re.Pattern[str]:
    return compiled(structure()["reported_message"][key])


def is_reported(text: str) -> bool:
    """The user tells of a concrete message or act they received (not a hypothetical)."""
    norm = normalise(text)
    reported = _REPORTED.search(norm) or _report_pattern("source").search(norm)
    return bool(reported) and not _HYPOTHETICAL.search(norm)


def quotes_ultimatum(text: str) -> bool:
    """The report quotes a concrete demand ("说七天内不联系就起诉"), so it is a specific message."""
    return bool(_report_pattern("quoted_ultimatum").search(normalise(text)))


_COLLECTOR_SPEECH = re.compile(r"(催收|对方|他们|平台|客服|律师(?!函)|那人|这人)[^。，,]{0,8}(说|讲|威胁|骂|要|让)")


def asks_judgement(text: str) -> bool:
    return bool(_ASKS_JUDGEMENT.search(normalise(text)))


def wants_judgement(text: str) -> bool:
    """A reported message is judged unless the user only asks what follows from it; quoting a
    concrete demand or asking whether the claim is true makes it a message to judge."""
    norm = normalise(text)
    if not is_reported(text):
        return False
    return bool(_ASKS_JUDGEMENT.search(norm) or _COLLECTOR_SPEECH.search(norm) or not _QUESTION.search(norm)
                or quotes_ultimatum(text) or _report_pattern("asks_credibility").search(norm))
