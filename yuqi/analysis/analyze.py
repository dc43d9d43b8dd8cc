"""Entry points: analyze a pasted message or question, and carry it into follow-ups."""

from __future__ import annotations

import re

from .advice import collect_refs, collect_steps, collect_verify, expansion, topics
from .cues import extract_cues
from .model import THREAT_IDS, Analysis, Cue
from .normalize import normalise
from .threats import is_message, is_reported, threats_from_cues, wants_judgement
from .verdict import decide

# Conduct that can be judged even when the user describes it in a question.
_CONDUCT = {"harassment", "insult", "intimidation", "fee_demand", "payment_demand",
            "personal_account", "impersonation", "url_unknown"}
_VERIFY_QUESTION = re.compile(r"核实|核查|查询|怎么查|去哪查|真假|是不是真|真的吗|验证|确认")
_NEW_MESSAGE_KINDS = {"sender", "case_number", "url_unknown", "url_official", "bank_card",
                      "phone_personal", "phone_court", "phone_service", "account_name"}


def _should_judge(text: str, cues: tuple[Cue, ...], message: bool) -> bool:
    if message or any(c.kind in _CONDUCT for c in cues):
        return True
    # Contacting family or colleagues is conduct to judge once the user says it happened.
    reported_contacts = is_reported(text) and any(c.kind == "threat:contacts" for c in cues)
    return reported_contacts or wants_judgement(text)


def analyze(text: str) -> Analysis:
    text = text if isinstance(text, str) else ""
    cues = extract_cues(text)
    threats = threats_from_cues(cues)
    message = is_message(text, cues)
    verdict, reasons, conflict = (None, (), False)
    if _should_judge(text, cues, message):
        verdict, reasons, conflict = decide(cues, threats, text)
    topic_ids = topics(text)
    return Analysis(
        text=text, cues=cues, threats=threats, verdict=verdict, reasons=reasons,
        is_message=message, harassment=any(c.kind == "harassment" for c in cues),
        conflict=conflict, expansion=expansion(threats, cues, topic_ids, verdict),
        refs=collect_refs(reasons, threats, topic_ids),
        verify=collect_verify(threats, cues, verdict),
        steps=collect_steps(verdict, threats, topic_ids),
    )


def _is_new_message(new: Analysis) -> bool:
    """A pasted message replaces the old one; a short question only adds to it."""
    if not new.is_message:
        return False
    strong = any(c.kind in _NEW_MESSAGE_KINDS for c in new.cues)
    return strong or len(normalise(new.text).strip()) > 40


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for g in groups for x in g))


def analyze_followup(question: str, previous: Analysis | None) -> Analysis:
    new = analyze(question)
    if previous is None or _is_new_message(new):
        return new
    threats = tuple(t for t in THREAT_IDS if t in set(previous.threats) | set(new.threats))
    verify_first = bool(_VERIFY_QUESTION.search(normalise(question)))
    verify = _merge(previous.verify, new.verify) if verify_first else _merge(new.verify, previous.verify)
    return Analysis(
        text=previous.text, cues=previous.cues, threats=threats, verdict=previous.verdict,
        reasons=previous.reasons, is_message=previous.is_message, harassment=previous.harassment or new.harassment,
        conflict=previous.conflict, expansion=" ".join(dict.fromkeys((new.expansion + " " + previous.expansion).split())),
        refs=_merge(previous.refs, new.refs), verify=verify,
        steps=_merge(new.steps if new.threats else (), previous.steps),
        question=question, followup=True,
    )
