"""The learned verdict: what the rules read, the nearest real cases and the message's own vector and characters
(features.py), into a small calibrated classifier.

The lawful-actor model (verdict.py) reads facts and names red flags; on its own it only
knows the wording its authors saw. Here those facts become features beside what the
nearest cases of the bank (bank.py) were labelled, and a multinomial logistic model fitted
on the bank (`python -m eval.casebank --fit`) weighs them. Two things stay rules, because
they are law, not statistics: a hard red flag (money to a private account, a fee through a
link, "press 9", credentials, an authority asking for bail money) is always a scam, and a
message whose only link is an official court host is never called a scam.

Inference is numpy only: the fitted weights live in data/verdict_model.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from .bank import Case
from .features import K, NGRAM, TAU, features, label_of, rule_features
from .model import THREAT_IDS, VERDICT_IDS, Analysis

CLASSES: tuple[str, ...] = (*VERDICT_IDS, "none")
MODEL_FILE = Path(__file__).parent / "data" / "verdict_model.json"
# A text the rules found nothing in is judged only when it is this close to some real case: e5 cosines of
# unrelated Chinese sit around 0.80-0.87 ("红烧肉怎么做" 0.848); CV on the development folds: gate 0.88 costs
# 0.011 accuracy and keeps off-topic chatter unjudged. A *question* the rules found nothing in is never judged
# (see `judges_unread`).
DOMAIN_MIN = 0.88
THREAT_MIN = 0.3  # a threat the model gives this probability joins the rules' threats (CV: 0.5 → 0.787, 0.3 → 0.819 F1)
# Red flags that are law, not statistics: the learned layer can never make these safer.
HARD_SCAM = frozenset({"pay_link", "press_key", "bail_fee", "credentials", "screen_share", "pay_personal"})
# Conduct the law forbids a collector, read from the words themselves (lawful.json: disclosing the debt to others,
# publishing personal data, threats to safety, insults, harassment): the model may call such a message a scam, never
# less than unlawful. The bank agrees (54 of 63 cases threatening contacts are "illegal"); on the development folds
# this floor changes nothing beyond noise (repeated grouped CV 0.766 -> 0.767).
HARD_ILLEGAL = frozenset({"disclose_third_party", "publish", "threat_safety", "insult", "harassment"})
# A court host among the links and no hard flag: a real e-service notice looks exactly like this.
OFFICIAL_LINK = "channel:link_court"


@dataclass(frozen=True)
class Model:
    names: tuple[str, ...]
    W: np.ndarray  # (features, classes)
    b: np.ndarray
    TW: np.ndarray  # (features, threats): one-vs-rest logistic per threat
    Tb: np.ndarray
    threat_ids: tuple[str, ...] = THREAT_IDS

    @cached_property
    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.names)}

    @cached_property
    def vocab(self) -> frozenset[str]:
        """The character n-grams the model was fitted on (see features.ngram_vocab)."""
        return frozenset(n[len(NGRAM):] for n in self.names if n.startswith(NGRAM))

    def vector(self, feats: dict[str, float]) -> np.ndarray:
        x = np.zeros(len(self.names), dtype=np.float64)
        for name, value in feats.items():
            if (i := self.index.get(name)) is not None:
                x[i] = value
        return x

    def verdict_probs(self, feats: dict[str, float]) -> dict[str, float]:
        z = self.vector(feats) @ self.W + self.b
        p = np.exp(z - z.max())
        p /= p.sum()
        return dict(zip(CLASSES, map(float, p)))

    def threat_probs(self, feats: dict[str, float]) -> dict[str, float]:
        z = self.vector(feats) @ self.TW + self.Tb
        return dict(zip(self.threat_ids, map(float, 1 / (1 + np.exp(-z)))))

    def to_json(self, extra: dict | None = None) -> dict:
        return {**(extra or {}), "names": list(self.names), "classes": list(CLASSES), "threat_ids": list(self.threat_ids),
                "W": np.round(self.W, 6).tolist(), "b": np.round(self.b, 6).tolist(),
                "TW": np.round(self.TW, 6).tolist(), "Tb": np.round(self.Tb, 6).tolist()}

    @classmethod
    def from_json(cls, d: dict) -> Model:
        return cls(tuple(d["names"]), np.asarray(d["W"]), np.asarray(d["b"]), np.asarray(d["TW"]),
                   np.asarray(d["Tb"]), tuple(d["threat_ids"]))


@lru_cache(maxsize=2)
def shipped_model(path: Path = MODEL_FILE) -> Model | None:
    if not path.is_file():
        return None
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))


def _read_by_rule(reason) -> bool:
    """A red flag read from the words themselves, not from a clause that merely sounds like one."""
    return reason.cue is None or not reason.cue.value.startswith("semantic:")


def learned_layer(encoder) -> bool:
    """A fitted model and a bank are shipped (a bare test corpus has neither), and the encoder can read the bank."""
    from .bank import bank

    full = all(hasattr(encoder, n) for n in ("fingerprint", "encode_passages"))
    return full and shipped_model() is not None and bool(bank()[0])


def decide_learned(a: Analysis, probs: dict[str, float]) -> str | None:
    """The learned verdict under the legal rules that statistics may not override."""
    flags = {r.key for r in a.reasons if r.key and _read_by_rule(r)}
    if flags & HARD_SCAM:
        return "scam"
    ranked = sorted(probs, key=probs.get, reverse=True)
    if OFFICIAL_LINK in rule_features(a) and not flags & HARD_SCAM:
        ranked = [c for c in ranked if c != "scam"]
    best = label_of_none(ranked[0])
    if flags & HARD_ILLEGAL and _safer(best, "illegal"):
        best = "illegal"
    if any(c.kind == "injection" for c in a.cues) and _safer(best, a.verdict):
        return a.verdict  # injected text can never move a verdict toward plausible
    return best


def label_of_none(label: str) -> str | None:
    return None if label == "none" else label


def _safer(new: str | None, old: str | None) -> bool:
    order = {v: i for i, v in enumerate(CLASSES)}
    return order[label_of(new)] > order[label_of(old)]


@dataclass(frozen=True)
class Judgement:
    verdict: str | None
    reasons: tuple
    threats: tuple[str, ...]
    similar: tuple
    probs: dict
    statutes: tuple[str, ...] = ()  # what the nearest real cases rest on, for retrieval


STATUTES_SHOWN = 3


def voted_statutes(sims: np.ndarray, cases: tuple[Case, ...], k: int = K, n: int = STATUTES_SHOWN) -> tuple[str, ...]:
    """The statutes the k nearest cases rest on, by similarity-weighted vote (a case's first statute counts most).

    Read on the bank with each case's own page hidden, the top five of this vote hold a statute its readers
    chose for 0.90 of cases (k=8) and for 0.95 of the 60 dev items (another team's gold); the nearest case
    alone 0.74."""
    if not len(cases) or not np.isfinite(sims).any():
        return ()
    top = np.argsort(-sims)[:k]
    top = top[np.isfinite(sims[top])]
    w = np.exp((sims[top] - sims[top[0]]) / TAU)
    votes: dict[str, float] = {}
    for weight, i in zip(w, top):
        for rank, ref in enumerate(cases[i].statutes):
            votes[ref] = votes.get(ref, 0.0) + float(weight) / (1 + 0.3 * rank)
    return tuple(sorted(votes, key=lambda r: (-votes[r], r))[:n])


def _verdict_of(reason) -> str | None:
    from .lexicon import lawful

    if reason.key.startswith("step:"):
        return "plausible"
    flag = lawful()["red_flags"].get(reason.key)
    return flag["verdict"] if flag else None


def reasons_for(verdict: str | None, a: Analysis, similar: tuple) -> tuple:
    """The rule reasons that support the verdict shown lead; overruled, more severe ones go."""
    if verdict == a.verdict:
        return a.reasons
    order = {v: i for i, v in enumerate(CLASSES)}
    keep = [r for r in a.reasons if r.key and order[label_of(_verdict_of(r))] >= order[label_of(verdict)]]
    own = [r for r in keep if _verdict_of(r) == verdict]
    rest = [r for r in keep if _verdict_of(r) != verdict]
    if not own and verdict is not None and similar:
        own = [bank_reason(similar[0])]
    return tuple(own + rest)


def bank_reason(s) -> object:
    from .model import Reason

    fam = s.shown_as or s.family_name
    text = (f"这条信息的说法与案例库中的真实案例高度相似：{fam}（{s.case.source.publisher or '公开来源'}记录）。"
            f"{s.case.why}")
    return Reason(text, None, s.case.statutes, "bank:" + s.case.family)


def threats_for(a: Analysis, tprobs: dict[str, float]) -> tuple[str, ...]:
    found = set(a.threats) | {t for t, p in tprobs.items() if p >= THREAT_MIN}
    return tuple(t for t in THREAT_IDS if t in found)


def judges_unread(text: str, sims: np.ndarray) -> bool:
    """Whether the model may judge a text the rules read nothing in (no cue, no threat, no message shape).

    A question so read describes no message or conduct: it is a general legal question, null by the labels'
    own rule. Judged anyway, 75 of 120 stard_dev questions ("没交物业费物业对我停水停电，合法吗？") got a
    verdict, most of them "scam", since some bank question sits within 0.88 of nearly any legal question.
    On the bank's development folds leaving such questions unjudged costs nothing (0.718 either way)."""
    from yuqi.textnorm import normalize_for_rules

    from .threats import asks_question

    if asks_question(normalize_for_rules(text)):
        return False
    return bool(len(sims)) and float(np.max(sims)) >= DOMAIN_MIN


def revise(a: Analysis, encoder, model: Model | None = None, read: bool = True) -> Judgement | None:
    """The learned judgement of a rule analysis, or None when no model or bank is shipped.

    `read`: the rules judged the text or found any cue in it; otherwise only a text close to the bank is judged."""
    from .similar import nearest, similarities

    if not learned_layer(encoder):
        return None  # a clause-only encoder (the semantic layer's tests) cannot read the bank
    model = model or shipped_model()
    sims, cases, vec = similarities(encoder, a.text)
    if model is None or not len(cases) or not (read or judges_unread(a.text, sims)):
        return None
    feats = features(a, sims, cases, vec, model.vocab)
    probs = model.verdict_probs(feats)
    verdict = decide_learned(a, probs)
    similar = nearest(sims, cases, verdict)
    return Judgement(verdict, reasons_for(verdict, a, similar), threats_for(a, model.threat_probs(feats)), similar, probs,
                     voted_statutes(sims, cases))
