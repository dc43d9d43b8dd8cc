"""What to cite, how to verify and what to do, looked up from data/advice.json."""

from __future__ import annotations

from yuqi.textnorm import normalize_for_rules

from .lexicon import advice, compiled
from .model import Cue, Reason

_CUE_KINDS_FOR_ADVICE = ("fee_demand", "repair_service", "payment_demand", "personal_account", "url_unknown",
                         "case_number", "phone_personal", "harassment", "insult",
                         "intimidation", "impersonation", "exaggeration")


def topics(text: str) -> tuple[str, ...]:
    norm = normalize_for_rules(text)
    return tuple(t for t, p in advice()["topics"].items() if compiled(p).search(norm))


def _kinds(cues: tuple[Cue, ...]) -> list[str]:
    present = {c.kind for c in cues}
    return [k for k in _CUE_KINDS_FOR_ADVICE if k in present]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def collect_refs(reasons: tuple[Reason, ...], threats: tuple[str, ...], topic_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Reasons first (they carry the verdict), then topic-specific, then per threat (a threat's
    statutes for this kind of debt before its general ones)."""
    data = advice()
    refs = [r for reason in reasons for r in reason.refs]
    refs += [r for t in topic_ids for r in data["cue_refs"].get(t, ())]
    for t in threats:
        by_topic = data["threat_topic_refs"].get(t, {})
        refs += [r for topic in topic_ids for r in by_topic.get(topic, ())]
        refs += data["threat_refs"].get(t, [])
    return _unique(refs)


def collect_verify(threats: tuple[str, ...], cues: tuple[Cue, ...], verdict: str | None) -> tuple[str, ...]:
    data = advice()
    out = [v for k in _kinds(cues) for v in data["verify_cue"].get(k, ())]
    out += [v for t in threats for v in data["verify"].get(t, ())]
    if not out and (verdict or threats):
        out = list(data["verify_cue"]["generic"])
    return _unique(out)


def collect_steps(verdict: str | None, threats: tuple[str, ...], topic_ids: tuple[str, ...]) -> tuple[str, ...]:
    data = advice()
    out = list(data["steps_verdict"].get(verdict, ())) if verdict else []
    out += [s for t in topic_ids for s in data["steps_cue"].get(t, ())]
    out += [s for t in threats for s in data["steps_threat"].get(t, ())]
    if not out:
        out = list(data["steps_general"])
    return _unique(out)


def expansion(threats: tuple[str, ...], cues: tuple[Cue, ...], topic_ids: tuple[str, ...], verdict: str | None) -> str:
    """Extra query words so a short, emotional message still retrieves the right law."""
    data = advice()
    parts = [data["expansion_threat"][t] for t in threats]
    parts += [data["expansion_cue"][k] for k in _kinds(cues) + list(topic_ids) if k in data["expansion_cue"]]
    if verdict:
        parts.append(data["verdict_labels"][verdict])
    words = [w for p in parts for w in p.split()]
    return " ".join(dict.fromkeys(words))
