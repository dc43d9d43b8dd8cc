"""Entry points: analyze a pasted message or question, and carry it into follow-ups."""

from __future__ import annotations

from yuqi.textnorm import normalize_for_rules, normalize_map

from .advice import collect_refs, collect_steps, collect_verify, expansion, topics
from .cues import extract_cues
from .facts import read_facts
from .lexicon import rule
from .model import THREAT_IDS, VERDICT_IDS, Analysis, Cue, Facts
from .threats import is_message, threats_from_cues, wants_judgement
from .learned import learned_layer, revise
from .verdict import decide, unsure_reason

_NEW_MESSAGE_KINDS = {"sender", "case_number", "url_unknown", "url_official", "bank_card",
                      "phone_personal", "phone_court", "phone_service", "account_name"}
# Claimed steps -> threat ids (the step table in data/lawful.json says which threat each step is).
_CLAIM_THREAT = {"freeze": "preservation", "preservation": "preservation", "enforcement": "enforcement",
                 "blacklist": "enforcement", "lawsuit": "lawsuit", "hearing": "lawsuit", "mediation": "lawsuit",
                 "lawyer_letter": "lawyer_letter", "visit": "visit", "contact_third": "contacts",
                 "court_notice": "court_sms", "criminal": "criminal", "credit_report": "credit"}


def _threats(cues: tuple[Cue, ...], facts: Facts) -> tuple[str, ...]:
    found = set(threats_from_cues(cues))
    found |= {_CLAIM_THREAT[c.kind] for c in facts.claims if c.kind in _CLAIM_THREAT}
    if facts.has("context", "self_report") and not facts.has("context", "suspect"):
        # The user's own "能报警吗" is not a criminal threat made against them.
        own = [c.cue for c in facts.context if c.kind == "self_report"]
        crim = [c for c in cues if c.kind == "threat:criminal" or c.kind == "fact:criminal"]
        if all(any(o.start <= c.start < o.end for o in own) for c in crim):
            found.discard("criminal")
    if facts.speaker == "court" or any(c.kind == "impersonation" and "法院" in c.cue.text for c in facts.conduct):
        found.add("court_sms")
    if facts.addressee == "third_party" or facts.has("conduct", "publish", "disclose_done"):
        found.add("contacts")
    if facts.has("demands", "paid_repair", "account_cancel") and facts.has("claims", "credit_report"):
        found.add("credit")
    if facts.has("demands", "paid_repair"):
        found.add("credit")
    if facts.has("context", "suspect"):
        found.add("criminal")
    return tuple(t for t in THREAT_IDS if t in found)


def _settled(facts: Facts) -> bool:
    """The rule layer already found scam or unlawful conduct: more cues cannot make it safer,
    so the semantic layer (the costly part) is skipped."""
    verdict, _, _ = decide(facts, ())
    return verdict in ("scam", "illegal")


def _should_judge(text: str, facts: Facts, message: bool) -> bool:
    if message or facts.conduct or facts.demands or facts.addressee == "third_party":
        return True
    if facts.has("context", "no_dispute", "suspect"):
        return True
    asks = rule("user_question", "asks").search(normalize_for_rules(text))
    if facts.claims and (facts.has("context", "asks_credibility") or not asks):
        return True  # a fragment stating a claim, or a question whether a received claim is true
    return wants_judgement(text)


def visible(text: str) -> str:
    """The text without what the normaliser removes (invisible and format characters, a space inside
    a Chinese word): the rules then read the same offsets the highlight shows, and a zero-width
    character inside 转账 cannot move a verdict."""
    src = normalize_map(text).src
    return text if src is None else "".join(text[j] for j in dict.fromkeys(src[:-1]) if j < len(text))


def analyze(text: str, encoder=None, learn: bool = True) -> Analysis:
    """`learn=False` keeps the rule layer's verdict (the bank's cross-validation scores the rules alone)."""
    text = visible(text if isinstance(text, str) else "")
    cues = extract_cues(text)
    facts = read_facts(text, cues)
    if encoder is not None and text.strip() and not (learn and learned_layer(encoder)) and not _settled(facts):
        # Clause prototypes stand in for the bank only where there is no bank: beside the learned layer they
        # added false red flags ("逾期将影响您的信用记录" read as paid credit repair) and cost ~20% of an answer;
        # cross-validated by page, leaving them out moved accuracy 0.735 -> 0.732 and threat F1 0.821 -> 0.826.
        from .semantic import semantic_cues

        cues = tuple(sorted(cues + semantic_cues(text, cues, encoder), key=lambda c: (c.start, c.end, c.kind)))
        facts = read_facts(text, cues)
    threats = _threats(cues, facts)
    message = is_message(text, cues) or bool(facts.conduct) or facts.addressee == "third_party"
    verdict, reasons, conflict = (None, (), False)
    judge = _should_judge(text, facts, message)
    if judge:
        # Cues inside an injected instruction were dropped (risk cues excepted), so injected
        # text can never add a plausible signal; it can only keep a payment demand visible.
        verdict, reasons, conflict = decide(facts, threats)
    similar, learned, case_refs = (), False, ()
    if learn and encoder is not None and text.strip():
        rules = Analysis(text=text, cues=cues, threats=threats, verdict=verdict, reasons=reasons,
                         is_message=message, facts=facts)
        if judged := revise(rules, encoder, read=judge or bool(threats) or bool(cues)):
            conflict = conflict and judged.verdict == verdict
            verdict, reasons, threats, similar, learned = (judged.verdict, judged.reasons, judged.threats,
                                                           judged.similar, True)
            # Only for a text judged or threatening something: a general legal question ("离婚财产怎么分")
            # is near some bank question too, and debt statutes would crowd out its own (stard_dev).
            case_refs = judged.statutes if (verdict or threats) else ()
    if judge and verdict is None and threats:
        reasons = (unsure_reason(threats),)
    topic_ids = topics(text)
    return Analysis(
        text=text, cues=cues, threats=threats, verdict=verdict, reasons=reasons,
        is_message=message, harassment=bool(facts.has("conduct", "harassment")),
        conflict=conflict, expansion=expansion(threats, cues, topic_ids, verdict),
        refs=_merge(collect_refs(reasons, threats, topic_ids), case_refs or _case_refs(similar)),
        verify=collect_verify(threats, cues, verdict),
        steps=collect_steps(verdict, threats, topic_ids), facts=facts, similar=similar, learned=learned,
    )


def _case_refs(similar: tuple) -> tuple[str, ...]:
    """The closest real case's first two statutes: a boost for retrieval after the verdict's own refs (pinned
    first, they would crowd out the passages retrieval found)."""
    return tuple(similar[0].case.statutes[:2]) if similar else ()


def _is_new_message(new: Analysis) -> bool:
    """A pasted message replaces the old one; a short question only adds to it."""
    if not new.is_message:
        return False
    strong = any(c.kind in _NEW_MESSAGE_KINDS for c in new.cues)
    return strong or len(normalize_for_rules(new.text).strip()) > 40


def _more_severe(new: str | None, old: str | None) -> bool:
    order = {v: i for i, v in enumerate(VERDICT_IDS)}
    return new is not None and (old is None or order[new] < order[old])


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for g in groups for x in g))


def analyze_followup(question: str, previous: Analysis | None, encoder=None) -> Analysis:
    new = analyze(question, encoder=encoder)
    if previous is None or _is_new_message(new):
        return new
    threats = tuple(t for t in THREAT_IDS if t in set(previous.threats) | set(new.threats))
    verify_first = bool(rule("user_question", "asks_verify").search(normalize_for_rules(question)))
    verify = _merge(previous.verify, new.verify) if verify_first else _merge(new.verify, previous.verify)
    verdict, reasons = previous.verdict, previous.reasons
    if (new.facts.conduct or new.facts.demands) and _more_severe(new.verdict, previous.verdict):
        # The follow-up tells of new conduct ("他们还打给我妈了"): the worse finding leads.
        verdict, reasons = new.verdict, new.reasons + previous.reasons
    return Analysis(
        text=previous.text, cues=previous.cues, threats=threats, verdict=verdict,
        reasons=reasons, is_message=previous.is_message, harassment=previous.harassment or new.harassment,
        conflict=previous.conflict, expansion=" ".join(dict.fromkeys((new.expansion + " " + previous.expansion).split())),
        refs=_merge(previous.refs, new.refs), verify=verify,
        steps=_merge(new.steps if new.threats else (), previous.steps),
        question=question, followup=True, facts=previous.facts,
    )
