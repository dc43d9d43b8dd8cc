"""One rendering rule for every text that did not come from this project.

A pasted message, a document passage or an LLM answer is drawn as HTML that we
write ourselves: every character of the text is escaped (HTML and Markdown
alike, so Streamlit's Markdown layer can never turn `![](//host/x.png)` or
`[付款](//host/pay)` into an image or a link), no raw HTML passes, no image is
ever drawn, and the only live links are to the official hosts named in
yuqi/data/official_hosts.json. A URL that carries personal data is never live,
whatever its host: personal data is restored in plain text only. A host is
read as a browser reads it (backslash = slash, user info dropped, percent-decoded,
full-width forms and invisible characters folded by the one normaliser).
The emergency and official service numbers 110, 96110, 12368, 12378 and 12348
are tap-to-call `tel:` links: the only live links besides the official hosts.

The output is a single line (no raw newline) so that Streamlit's Markdown
parser sees one HTML block and leaves its inside alone. Pure functions only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote

from markdown_it import MarkdownIt

from yuqi.settings import ROOT
from yuqi.pii import find_spans
from yuqi.textnorm import CJK, normalize, normalize_for_search, strip_invisible

HOSTS_FILE = ROOT / "yuqi" / "data" / "official_hosts.json"
# Stop a URL at whitespace, CJK text and full-width punctuation: "www.pbccrc.org.cn）查询…" ends at "）".
_URL_CHAR = rf"[^\s<>\"'`\u2000-\u206f\u3000-\u303f{CJK}\ufe30-\ufe4f\uff00-\uffef]"
_TLD = r"(?:cn|com|net|org|top|xyz|vip|cc|info|me|io|co|app|site|online|shop|club|ltd|link|ink|wang|ren|fun|icu|hk|tk|ml|ga|cf|gq|pw|tw|biz|mobi|asia|tv|live|store|tech)"
URL = re.compile(
    rf"(?:(?:https?:)?[/\\]{{2}}|www\.){_URL_CHAR}+"
    rf"|(?<![\w.@\\/-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+{_TLD}(?![\w-])(?::\d{{1,5}})?(?:/{_URL_CHAR}*)?",
    re.I,
)
# A link that carries what looks like a phone, ID or card number is never live.
PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{15,19}|\d{17}[\dXx])(?!\d)")
_MD_SPECIAL = set("&<>\"'[]()!*_`~#|\\$:{}.@=+-^%")
LEADS = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•]\s+|>\s?)", re.M)
EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
SENTENCE_END = "。！？；!?;\n"


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    url: str
    live: bool


@lru_cache(maxsize=1)
def official_hosts() -> tuple[str, ...]:
    data = json.loads(HOSTS_FILE.read_text(encoding="utf-8"))
    return tuple(h["host"].lower() for h in data["hosts"])


_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*:")
# Code points a browser refuses in a host (WHATWG URL "forbidden host code point" plus "%"
# left after decoding): a host holding one is no host to trust.
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")


def _authority(url: str) -> str | None:
    """The authority part as a browser cuts it: "\\" counts as "/", tabs and newlines are dropped."""
    url = re.sub(r"[\t\n\r]", "", url.strip()).replace("\\", "/")
    m = _SCHEME.match(url)
    if m:
        if m.group().lower() not in ("http:", "https:"):
            return None
        url = url[m.end():]
    rest = url.lstrip("/")
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


def host_of(url: str) -> str:
    """The hostname a browser would contact, lower case; "" when there is none or it is not a valid host."""
    authority = _authority(normalize_for_search(url))
    if not authority:
        return ""
    host = authority.rpartition("@")[2]  # user info is dropped; the host follows the last "@"
    if host.startswith("["):
        return ""  # an IPv6 literal is never an official host
    host = unquote(host.rpartition(":")[0] if re.search(r":\d*$", host) else host)
    host = normalize_for_search(host).replace("。", ".").rstrip(".")
    return "" if not host or _FORBIDDEN_HOST.search(host) else host


def is_official(url: str, hosts: Iterable[str] | None = None) -> bool:
    """An http(s) link (or bare www./domain) whose host, as a browser parses it, is an official host
    or its subdomain, with no user info ("https://gov.cn@evil.example/" goes to evil.example)."""
    flat = normalize_for_search(url).strip()
    if not re.match(r"(?i)^(https?:[/\\]{2}|www\.|[a-z0-9])", flat):
        return False  # no javascript:, data:, protocol-relative or other schemes
    if "@" in (_authority(flat) or "@"):
        return False
    host = host_of(flat)
    return bool(host) and any(host == h or host.endswith("." + h) for h in (hosts or official_hosts()))


# Query keys that name a person or their details; an official link carrying one is never live.
_PERSONAL_KEYS = re.compile(r"(?i)name|xm|addr|dz|phone|tel|mobile|sj|id|sfz|card|kh|user|email|mail")


def carries_personal(url: str, private: Iterable[str] = ()) -> bool:
    """Personal data in a link: a phone/ID/card number (through invisible characters and encodings),
    anything the masking finds, a value the person gave, or a query field named like personal data."""
    url = normalize_for_search(unquote(url))  # "%E7%8E%8B" is 王 to the server that receives it
    flat = re.sub(r"[\s\-_./·,，]", "", url)
    if PERSONAL_NUMBER.search(flat) or any(label for *_, label in find_spans(url)):
        return True
    query = url.partition("?")[2].partition("#")[0]
    for key, value in parse_qsl(query, keep_blank_values=True):
        if _PERSONAL_KEYS.search(key) or re.search(f"[{CJK}]", value):
            return True
    return any(v and (v in url or re.sub(r"\s", "", v) in flat) for v in private)


def live_url(url: str, private: Iterable[str] = ()) -> bool:
    return is_official(url) and not carries_personal(url, private)


def _trim(url: str) -> str:
    """Drop trailing punctuation that ends the sentence, not the URL (and an unmatched ")")."""
    while url and url[-1] in ".,;:!?'\")]}>":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def find_links(text: str, private: Iterable[str] = ()) -> list[Link]:
    """Links found on the one normaliser's view (a zero-width space or full-width dot cannot cut
    or hide a URL); each Link spans the original text, its `url` is that text with invisible
    characters removed and NFKC applied (the address a browser would go to)."""
    private = tuple(private)
    view = normalize(text)
    out = []
    for m in URL.finditer(view.text):
        trimmed = _trim(m.group(0))
        if not (trimmed.strip("/") and "." in trimmed):
            continue
        start, end = view.span(m.start(), m.start() + len(trimmed))
        url = _clean_url(text[start:end])
        out.append(Link(start, end, url, live_url(url, private)))
    return out


def _clean_url(raw: str) -> str:
    return unicodedata.normalize("NFKC", strip_invisible(raw))


def escape(text: str) -> str:
    """HTML-escape and neutralise every Markdown-significant character; newlines become <br>."""
    return "".join(f"&#{ord(ch)};" if ch in _MD_SPECIAL else "<br>" if ch == "\n" else ch for ch in text.replace("\r", ""))


def href(url: str) -> str:
    full = url if re.match(r"(?i)^https?://", url) else "https://" + url.lstrip("/")
    return full.replace("&", "&amp;").replace('"', "&quot;").replace("<", "%3C").replace(">", "%3E")


def anchor(url: str, label: str | None = None) -> str:
    return (f'<a href="{href(url)}" target="_blank" rel="noopener noreferrer nofollow" class="official-link">'
            f"{escape(label if label is not None else url)}</a>")


# Numbers a person in trouble may tap to call: police, the anti-fraud centre, the courts' service
# line, the procuratorate's and the legal aid line. Not part of a longer number, an amount or a date.
HOTLINES = re.compile(r"(?<![\d.¥￥$第])(110|96110|12368|12378|12348)(?![\d.%]|\s*[元块万千百天日月年号条次个])")


def tel_anchor(number: str) -> str:
    return f'<a href="tel:{number}" class="tel-link">{number}</a>'


def _plain(text: str) -> str:
    """Escaped text with the hotline numbers as tel: links."""
    out, pos = [], 0
    for m in HOTLINES.finditer(text):
        out += [escape(text[pos:m.start()]), tel_anchor(m.group(1))]
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def inline(text: str, private: Iterable[str] = ()) -> str:
    """Plain untrusted text → escaped HTML; official links live and whole, hotlines tap-to-call, all else inert."""
    out, pos = [], 0
    for link in find_links(text, private):
        out.append(_plain(text[pos:link.start]))
        out.append(anchor(link.url) if link.live else f'<span class="inert-link">{escape(link.url)}</span>')
        pos = link.end
    out.append(_plain(text[pos:]))
    return "".join(out)


def plain_html(text: str, private: Iterable[str] = (), css: str = "yuqi-text") -> str:
    return f'<div class="{css}" style="white-space:normal;line-height:1.7">{inline(text, private)}</div>'


def highlight_html(text: str, cues, private: Iterable[str] = ()) -> str:
    """The pasted message with each cue marked; cue offsets come from the analysis."""
    spans = sorted(((c.start, c.end, c.label) for c in cues if 0 <= c.start < c.end <= len(text)),
                   key=lambda s: (s[0], -s[1]))
    out, pos = [], 0
    for start, end, label in spans:
        if start < pos:
            continue  # overlapping cue: the outer one is already marked
        out.append(inline(text[pos:start], private))
        out.append(f'<mark class="cue" title="{escape(label)}" style="background:#fff3b0;border-radius:3px">'
                   f"{inline(text[start:end], private)}</mark>")
        pos = end
    out.append(inline(text[pos:], private))
    return '<div class="yuqi-message" style="line-height:1.7">' + "".join(out) + "</div>"


# --- Markdown from an LLM or the composer --------------------------------------------------------

def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")
    r = md.renderer.rules
    r["text"] = lambda tokens, i, opts, env: inline(tokens[i].content, env.get("private", ()))
    r["image"] = lambda tokens, i, opts, env: escape(f"〔图片未显示{'：' + tokens[i].content if tokens[i].content else ''}〕")
    r["code_inline"] = lambda tokens, i, opts, env: f"<code>{escape(tokens[i].content)}</code>"
    r["code_block"] = r["fence"] = lambda tokens, i, opts, env: f"<pre><code>{escape(tokens[i].content)}</code></pre>"
    r["softbreak"] = lambda tokens, i, opts, env: "<br>"
    r["html_inline"] = r["html_block"] = lambda tokens, i, opts, env: escape(tokens[i].content)
    r["link_open"] = _link_open
    r["link_close"] = _link_close
    return md


def _link_open(tokens, i, opts, env) -> str:
    url = tokens[i].attrGet("href") or ""
    live = live_url(url, env.get("private", ()))
    env.setdefault("links", []).append((url, live))
    return anchor(url, "")[:-4] if live else ""  # the opening tag only; the text comes next


def _link_close(tokens, i, opts, env) -> str:
    url, live = env["links"].pop()
    if live:
        return "</a>"
    label = tokens[i - 1].content if i and tokens[i - 1].type == "text" else ""
    # An inert link keeps its text; its target is shown as text so a reader can judge it.
    return "" if not url or label == url else f'<span class="inert-link">（{escape(unquote(url))}）</span>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return _md()


def markdown_html(text: str, private: Iterable[str] = ()) -> str:
    """Untrusted Markdown → one line of safe HTML: no images, no raw HTML, live links only to official hosts."""
    env = {"private": tuple(private)}
    body = _parser().render(text or "", env).replace("\n", "")
    return f'<div class="yuqi-md">{body}</div>'


# --- Source passages and widget labels -------------------------------------------------------------

def clean_passage(text: str, mid_start: bool = False) -> str:
    """Passage text a person can read: no Markdown marks; a cut sentence is trimmed or marked with …"""
    text = EMPHASIS.sub(r"\2", LEADS.sub("", text or "")).strip()
    text = re.sub(r"\n{2,}", "\n", text)
    if mid_start:
        cut = next((i for i, ch in enumerate(text[:120]) if ch in SENTENCE_END), -1)
        text = text[cut + 1:].lstrip() if 0 <= cut < len(text) - 20 else "…" + text
    if text and text[-1] not in "。！？；!?;：:）)」”\"…":
        text += "…"
    return text


def inert_label(text: str) -> str:
    """For widget labels, which Streamlit reads as Markdown: escape its syntax, defang URLs and e-mails."""
    text = re.sub(r"([\\`*_{}\[\]()!|~<>$])", r"\\\1", (text or "").replace("\n", " "))
    text = re.sub(r"^(\s*)([-+#>])", r"\1\\\2", text)  # a list or heading mark at the start
    text = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text)
    return re.sub(r"(?i)(www|https?|@)", lambda m: m.group(1) + "\u200b", text)


# A short bold or heading line is a section title; one with a colon ("**结论：这是诈骗**") is content.
SECTION = re.compile(r"^\s*(?:\*\*([^*\n：:]{1,16})\*\*|#{1,4}\s+([^\n：:]{1,16}))\s*$")


def split_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """An answer's opening (the direct answer) and its titled sections ("**为什么**" … or "### 为什么" …)."""
    head: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in (text or "").splitlines():
        m = SECTION.match(line)
        if m:
            sections.append(((m.group(1) or m.group(2)).strip(), []))
        elif sections:
            sections[-1][1].append(line)
        else:
            head.append(line)
    return "\n".join(head).strip(), [(t, "\n".join(b).strip()) for t, b in sections if "\n".join(b).strip()]
