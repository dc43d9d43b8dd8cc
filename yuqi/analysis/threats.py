"""Threat types (multi-label) and the kind of text we are looking at."""

from __future__ import annotations

import re

from yuqi.textnorm import normalize_for_rules

from .lexicon import rule
from .model import THREAT_IDS, Cue

# A court sender or a court phone number is itself a claim to come from a court.
_COURT_ORGS = {"法院"}
_MESSAGE_KINDS = {"sender", "phone_personal", "phone_service", "phone_court", "url_official",
                  "url_unknown", "case_number", "bank_card", "account_name"}
_READER = re.compile("[你您]")


def _shape(key: str) -> re.Pattern[str]:
    """Wording that tells a pasted message from the user's own question (structure.json)."""
    return rule("message_shape", key)


def _reported(key: str) -> re.Pattern[str]:
    """Wording of a user reporting a message they received (structure.json)."""
    return rule("reported_message", key)


def threats_from_cues(cues: tuple[Cue, ...]) -> tuple[str, ...]:
    found = {c.kind.removeprefix("threat:") for c in cues if c.kind.startswith("threat:")}
    if any(c.kind == "phone_court" for c in cues) or any(
        c.kind == "sender" and c.value in _COURT_ORGS and c.text.startswith("【") for c in cues
    ):
        found.add("court_sms")
    return tuple(t for t in THREAT_IDS if t in found)


def is_message(text: str, cues: tuple[Cue, ...]) -> bool:
    """A pasted SMS/notice rather than the user's own question."""
    norm = normalize_for_rules(text).strip()
    if not norm:
        return False
    if any(c.kind in _MESSAGE_KINDS for c in cues):
        return True
    if _shape("first_person").search(norm) and _shape("question").search(norm):
        return False
    return bool(_shape("notice").search(norm)) or (not _shape("question").search(norm) and "你" in norm)


def asks_question(norm: str) -> bool:
    """The text asks something (normalised for rules): a question at its end, or question wording anywhere
    ("是否构成…", "谁来担任…", "…吗？（注：…）"); the learned layer leaves such a text alone when the rules read
    nothing in it."""
    return bool(_shape("question").search(norm) or _shape("general_question").search(norm))


def speaks_to_reader(norm: str) -> bool:
    """A pasted message, in its sender's voice: notice wording, or it addresses 你/您 without the user's own
    question. Its "催收" or "对方" are the sender's words ("已转交催收部门"), not the user telling what happened."""
    if _shape("first_person").search(norm) and _shape("question").search(norm):
        return False
    return bool(_shape("notice").search(norm)) or (bool(_READER.search(norm)) and not _shape("question").search(norm))


def is_reported(text: str) -> bool:
    """The user tells of a concrete message or act they received (not a hypothetical)."""
    norm = normalize_for_rules(text)
    reported = _reported("reported").search(norm) or _reported("source").search(norm)
    return bool(reported) and not _reported("hypothetical").search(norm)


def quotes_ultimatum(text: str) -> bool:
    """The report quotes a concrete demand ("说七天内不联系就起诉"), so it is a specific message."""
    return bool(_reported("quoted_ultimatum").search(normalize_for_rules(text)))


def asks_judgement(text: str) -> bool:
    return bool(_reported("asks_judgement").search(normalize_for_rules(text)))


def wants_judgement(text: str) -> bool:
    """A reported message is judged unless the user only asks what follows from it; quoting a
    concrete demand or asking whether the claim is true makes it a message to judge."""
    norm = normalize_for_rules(text)
    if not is_reported(text):
        return False
    return bool(_reported("asks_judgement").search(norm) or _reported("collector_speech").search(norm)
                or not _shape("question").search(norm) or quotes_ultimatum(text)
                or _reported("asks_credibility").search(norm))
