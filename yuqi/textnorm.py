"""The one text module: normalisation, "is this Chinese?", article numbers, tokenisation.

`normalize_for_search` folds the spelling variants a user and a source may use
for the same thing, character by character, so it never changes the length:
offset i in the normalised text is offset i in the original.
`normalize_for_rules` is the same fold plus Chinese punctuation to ASCII; the
message analysis matches its rule patterns on it.

`CJK` is the one definition of a Chinese character (a regex class body);
`NUMERAL` / `ARTICLE` the one grammar of an article number (第X条, 第X条之Y).

`tokenize_zh` turns text into BM25 terms with jieba, using a legal user
dictionary (yuqi/data/userdict_zh.txt) and a small stopword list
(yuqi/data/stopwords_zh.txt).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT = DATA_DIR / "userdict_zh.txt"
STOPWORDS = DATA_DIR / "stopwords_zh.txt"

# CJK Unified Ideographs with extension A (U+3400-U+9FFF; the Yijing hexagram block
# U+4DC0-U+4DFF inside that span is harmless) and the compatibility ideographs U+F900-U+FAFF
# that some PDFs and input methods produce. A regex class body: embed it as f"[{CJK}]".
CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")

# An article number as people write it: Chinese numerals, ASCII or full-width digits.
NUMERAL = "[0-9０-９零〇一二两三四五六七八九十百千万]"
# 第X条 with an optional 之Y (第二百九十三条之一). Anchors and context belong to each caller.
ARTICLE = rf"第{NUMERAL}+条(?:之{NUMERAL}+)?"


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def cjk_count(text: str) -> int:
    return len(_CJK_CHAR.findall(text))


# Full-width forms that are real Chinese sentence punctuation stay as they are
# in search text: ，！？：；（） carry sentence structure (and jieba splits on
# them). The rest of the full-width ASCII block (Ａ-Ｚ, ０-９, ％, ＠, ．…) are
# just wide spellings of ASCII and are folded like NFKC would.
_KEEP_WIDE = set("，！？：；（）")


def _fold_table(keep: set[str]) -> dict[int, int]:
    table = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
    for code in range(0xFF01, 0xFF5F):
        if chr(code) not in keep:
            narrow = code - 0xFEE0
            table[code] = table.get(narrow, narrow)  # Ａ → a in one step
    table[0x3000] = 0x20  # ideographic space
    return table


_FOLD = _fold_table(_KEEP_WIDE)
_FOLD_ALL = _fold_table(set())  # for rule patterns: "，" and "," are the same comma

_t2s_lock = threading.Lock()
_tok_lock = threading.Lock()
_t2s: opencc.OpenCC | None = None
_trad_chars: frozenset[str] = frozenset()
_tokenizer: jieba.Tokenizer | None = None
_stopwords: frozenset[str] = frozenset()


def _load_t2s() -> tuple[opencc.OpenCC, frozenset[str]]:
    """The converter plus every character it can change, for a fast skip."""
    global _t2s, _trad_chars
    if _t2s is not None:
        return _t2s, _trad_chars
    with _t2s_lock:
        if _t2s is None:
            dict_dir = Path(opencc.__file__).resolve().parent / "dictionary"
            chars: set[str] = set()
            for name in ("TSCharacters.txt", "TSPhrases.txt"):
                for line in (dict_dir / name).read_text(encoding="utf-8").splitlines():
                    key, _, val = line.partition("\t")
                    val = val.split(" ")[0]
                    chars.update(a for a, b in zip(key, val) if a != b)
            _trad_chars = frozenset(chars)
            _t2s = opencc.OpenCC("t2s")
    return _t2s, _trad_chars


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s), keeping the length.

    Most text has no traditional character at all; the check is much cheaper
    than the pure-Python converter, so it runs first.
    """
    conv, trad = _load_t2s()
    if not any(ch in trad for ch in text):
        return text
    out = conv.convert(text)
    # t2s maps 1:1 today; if a future dictionary ever does not, offsets matter
    # more than the fold, so keep the original.
    return out if len(out) == len(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds a surrogate code point (never valid in a Python str from real UTF-8;
    it comes from JSON escapes like "\\ud800" or surrogateescape decoding)."""
    return _SURROGATE.search(text) is not None


def scrub(text: str) -> str:
    """Lone surrogates → U+FFFD, one for one, so offsets into the text stay valid.
    Tokenizers (jieba, the embedding model's) fail on them otherwise."""
    return _SURROGATE.sub("\ufffd", text) if has_lone_surrogate(text) else text


def normalize_for_search(text: str) -> str:
    """Fold text for matching, one character for one character.

    - full-width ASCII letters, digits and symbols → ASCII (Ｐ２Ｐ → p2p),
      the ideographic space → " "; Chinese punctuation ，！？：；（）and
      。、“”《》【】 is kept;
    - traditional → simplified Chinese (網貸 → 网贷);
    - Latin A-Z → a-z (only ASCII, because str.lower() can lengthen text).
    """
    return to_simplified(scrub(text).translate(_FOLD))


@lru_cache(maxsize=64)  # one analysis normalises the same text in several stages
def normalize_for_rules(text: str) -> str:
    """`normalize_for_search`, and ，！？：；（） folded to ,!?:;() as well.

    The message analysis writes its rule patterns against this view, so a pattern
    says "[,，]" nowhere and a cue's span is still its span in the original text.
    """
    return to_simplified(scrub(text).translate(_FOLD_ALL))


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
