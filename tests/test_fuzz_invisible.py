"""Invisible characters, full-width forms and spaces change nothing a decision reads (issue 25).

Hypothesis inserts format characters (zero-width, soft hyphen, joiners, bidi marks, BOM…), turns
ASCII into its full-width form, or puts spaces between two Chinese characters, in the project's
real test messages (eval/sms.jsonl, the SMS holdouts, the PII cases); the verdict, the threats,
what is masked and which links are live to which host must stay as they were.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqi.analysis import analyze
from yuqi.pii import find_spans
from yuqi.render import find_links, host_of
from yuqi.textnorm import has_cjk, normalize_for_search

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT / "eval" / "sms.jsonl", *sorted((ROOT / "tests" / "data").glob("sms_holdout*.jsonl"))]
INVISIBLE = ["\u200b", "\u00ad", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202c",
             "\u202e", "\u2066", "\u2069", "\u034f", "\ufe0f", "\u180e"]
SPACES = [" ", "\u3000", "\u00a0", "  "]


def _queries(path: Path, key: str) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(x)[key] for x in lines if x.strip()]


@lru_cache(maxsize=1)
def messages() -> tuple[str, ...]:
    texts = [q for p in SETS for q in _queries(p, "query")]
    texts += _queries(ROOT / "tests" / "data" / "pii_cases.jsonl", "text")
    return tuple(dict.fromkeys(t for t in texts if t.strip()))


@st.composite
def disguised(draw):
    """(original, disguised) — one message with some invisible, full-width or spacing edits."""
    text = draw(st.sampled_from(messages()))
    chars = list(text)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["invisible", "wide", "space"]))
        at = draw(st.integers(0, len(chars)))
        if kind == "invisible":
            chars.insert(at, draw(st.sampled_from(INVISIBLE)))
        elif kind == "wide":
            ascii_at = [i for i, c in enumerate(chars) if "!" <= c <= "~"]
            if ascii_at:
                i = ascii_at[at % len(ascii_at)]
                chars[i] = chr(ord(chars[i]) + 0xFEE0)
        else:  # only between two Chinese characters: a space elsewhere can split a number or a URL
            pairs = [i for i in range(1, len(chars)) if has_cjk(chars[i - 1]) and has_cjk(chars[i])]
            if pairs:
                chars.insert(pairs[at % len(pairs)], draw(st.sampled_from(SPACES)))
    return text, "".join(chars)


def masked(text: str) -> list[tuple[str, str]]:
    """What is masked: (label, value as the normaliser reads it), in order."""
    return [(label, normalize_for_search(text[s:e]).replace(" ", "")) for s, e, label in find_spans(text) if label]


def links(text: str) -> list[tuple[str, bool]]:
    return [(host_of(link.url), link.live) for link in find_links(text)]


# YUQI_FUZZ_EXAMPLES=2000 for a longer search; 150 keeps the fast suite fast.
FUZZ = settings(max_examples=int(os.environ.get("YUQI_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def test_the_fuzz_reads_real_messages():
    assert len(messages()) > 300
    assert any(find_links(m) for m in messages()) and any(masked(m) for m in messages())


@FUZZ
@given(disguised())
def test_masking_does_not_move(pair):
    text, fuzzed = pair
    assert masked(fuzzed) == masked(text)


@FUZZ
@given(disguised())
def test_host_classification_does_not_move(pair):
    text, fuzzed = pair
    assert links(fuzzed) == links(text)


@FUZZ
@given(disguised())
def test_verdict_and_threats_do_not_move(pair):
    text, fuzzed = pair
    before, after = analyze(text), analyze(fuzzed)
    assert (after.verdict, after.threats) == (before.verdict, before.threats)


FAKE_COURT = [
    "【北京市朝阳区人民法院】您的借款纠纷已立案，请于今日内转账5000元到法院指定账户6222021234567890123，否则将冻结您的银行卡。",
    "【人民法院】你的网贷案件已立案，今天下午五点前转账到指定账户撤诉，否则明天冻结全部财产。",
]


@pytest.mark.parametrize("mark", ["\u200b", "\u00ad", "\u200d", " ", "\u3000"])
@pytest.mark.parametrize("message", FAKE_COURT)
def test_a_fake_court_transfer_demand_stays_a_scam_with_a_mark_inside_its_transfer(message, mark):
    """The red team's flip: one U+200B or U+00AD inside 转账 made this 'plausible' (main: 29fd863)."""
    assert analyze(message).verdict == "scam"
    assert analyze(message.replace("转账", f"转{mark}账")).verdict == "scam"
