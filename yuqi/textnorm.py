"""The one text module: "is this Chinese?", article numbers, tokenisation, and the normaliser's views.

`normalize_for_search` and `normalize_for_rules` are views of the one normaliser
(yuqi.normalizer.normalize, re-exported here): invisible characters removed, full-width and
traditional forms folded. The rules view also folds Chinese punctuation to ASCII; the message
analysis matches its rule patterns on it. Both keep the original's length unless something
invisible (or a space between two Chinese characters) was removed; `normalize_map` then maps a
span back.

`CJK` is the one definition of a Chinese character (a regex class body, defined in
yuqi.normalizer); `NUMERAL` / `ARTICLE` the one grammar of an article number (第X条, 第X条之Y).

`tokenize_zh` turns text into BM25 terms with jieba, using a legal user
dictionary (yuqi/data/userdict_zh.txt) and a small stopword list
(yuqi/data/stopwords_zh.txt).
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba

from yuqi.normalizer import (  # noqa: F401 - re-exported: callers import these from yuqi.textnorm
    CJK, Normalized, cjk_count, has_cjk, has_lone_surrogate, normalize, scrub, strip_invisible, to_simplified,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT = DATA_DIR / "userdict_zh.txt"
STOPWORDS = DATA_DIR / "stopwords_zh.txt"

# An article number as people write it: Chinese numerals, ASCII or full-width digits.
NUMERAL = "[0-9０-９零〇一二两三四五六七八九十百千万]"
# 第X条 with an optional 之Y (第二百九十三条之一). Anchors and context belong to each caller.
ARTICLE = rf"第{NUMERAL}+条(?:之{NUMERAL}+)?"


_tok_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_stopwords: frozenset[str] = frozenset()


def normalize_for_search(text: str) -> str:
    """`normalize(text).text`: the view retrieval, masking and matching read.

    Full-width ASCII → ASCII (Ｐ２Ｐ → p2p), the ideographic space → " "; Chinese punctuation
    ，！？：；（）and 。、“”《》【】 kept; traditional → simplified (網貸 → 网贷); A-Z → a-z;
    invisible characters gone. Same length as `text` unless something invisible was removed.
    """
    return normalize(text).text


@lru_cache(maxsize=64)  # one analysis normalises the same text in several stages
def normalize_for_rules(text: str) -> str:
    """`normalize_for_search`, and ，！？：；（） folded to ,!?:;() as well.

    The message analysis writes its rule patterns against this view, so a pattern says "[,，]"
    nowhere. Offsets are the original's unless an invisible character or a space between two
    Chinese characters was removed; `normalize_map(text).span(a, b)` maps a span back then.
    """
    return normalize(text, keep_punct=False).text


@lru_cache(maxsize=64)
def normalize_map(text: str) -> Normalized:
    """`normalize_for_rules` with its offset map back to `text`."""
    return normalize(text, keep_punct=False)


def _init_tokenizer() -> jieba.Tokenizer:
    global _tokenizer, _stopwords
    if _tokenizer is not None:
        return _tokenizer
    with _tok_lock:
        if _tokenizer is not None:
            return _tokenizer
        # jieba prints "Building prefix dict…" to stderr on every start.
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        for word in _read_list(USERDICT):
            tok.add_word(normalize_for_search(word.split()[0]))
        _stopwords = frozenset(_read_list(STOPWORDS))
        _tokenizer = tok
    return tok


def _read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.startswith("#")]


def _is_junk(token: str) -> bool:
    """Whitespace, punctuation and symbols: nothing to match on."""
    return all(unicodedata.category(ch)[0] in "PZSC" for ch in token)


def tokenize_zh(text: str) -> list[str]:
    """BM25 terms for `text`.

    Uses jieba's search mode (`lcut_for_search`): besides each word it also
    emits the dictionary words inside long words (失信被执行人 → 失信, 执行,
    行人, 失信被执行人), so a question saying 失信 still meets
    a passage saying 失信被执行人. Plain `lcut` would keep only the long word.
    """
    tok = _init_tokenizer()
    terms = tok.lcut_for_search(normalize_for_search(text))
    return [t for t in terms if t not in _stopwords and not _is_junk(t)]


def stopwords() -> frozenset[str]:
    _init_tokenizer()
    return _stopwords
