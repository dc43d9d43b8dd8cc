"""Sources → chunks. Statutes: one 条 per chunk. Articles: Chinese-aware windows.

Article windows are cut at paragraphs, then at 。！？；, packed to about
`size` characters with `overlap` characters of whole sentences carried over,
and a heading line always travels with the text under it. Offsets map back to
the original file through `Source.spans`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

from yuqi.documents import Chunk, Source, StatuteArticle

SENTENCE_END = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|$)")
HEADING_LINE = re.compile(
    r"^\s*(#{1,6}\s|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}[.、．]\s*\S)"
)
MAX_ARTICLE_CHARS = 1200  # a longer 条 is split by 款, header kept on every piece
# A "sentence" longer than this (a PDF line with no punctuation, 4,000,000 characters of it)
# is cut into pieces, so no passage grows past about `size` + this.
MAX_UNIT_CHARS = 1000


def chunk_source(src: Source, size: int, overlap: int) -> list[Chunk]:
    if src.kind == "statute" and src.articles:
        return [c for art in src.articles for c in _statute_chunks(src, art)]
    return list(_article_chunks(src, size, overlap))


# -- statutes ---------------------------------------------------------------

def _statute_chunks(src: Source, art: StatuteArticle) -> list[Chunk]:
    ref = f"{src.title}#{art.number}"
    pieces = _split_by_kuan(art.text, art.number) if len(art.text) > MAX_ARTICLE_CHARS else [art.text]
    chunks = []
    for i, text in enumerate(pieces):
        chunks.append(Chunk(
            chunk_id=ref if len(pieces) == 1 else f"{ref}/{i + 1}",
            ref=ref, doc_id=src.doc_id, title=src.title, kind="statute", text=text,
            path=src.path, start=art.start, end=art.end, url=src.url,
            article_no=art.number, heading=art.chapter,
            meta={"status": src.status, "part": i + 1, "parts": len(pieces), **_provenance(src)},
        ))
    return chunks


def _provenance(src: Source) -> dict:
    # Source cards show the version of a shipped regulation or law without reloading the source.
    return {k: v for k, v in (("origin", src.origin), ("version", src.version)) if v}


def _split_by_kuan(text: str, number: str) -> list[str]:
    paras = [p for p in text.split("\n") if p.strip()]
    pieces: list[str] = []
    buf = ""
    for p in paras:
        if buf and len(buf) + len(p) > MAX_ARTICLE_CHARS:
            pieces.append(buf)
            buf = ""
        buf = f"{buf}\n{p}" if buf else p
    if buf:
        pieces.append(buf)
    header = f"{number}（续）"
    return [pieces[0]] + [f"{header}\n{p}" for p in pieces[1:]]


# -- articles ---------------------------------------------------------------

def _units(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_heading) for each sentence-ish unit, in order."""
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = pos + len(line) - len(line.lstrip())
            if HEADING_LINE.match(line) or _looks_like_title(stripped):
                yield from _bounded(lead, lead + len(stripped), True)
            else:
                for m in SENTENCE_END.finditer(line):
                    s, e = m.span()
                    seg = line[s:e]
                    if seg.strip():
                        ls = len(seg) - len(seg.lstrip())
                        yield from _bounded(pos + s + ls, pos + s + len(seg.rstrip()), False)
        pos += len(line) + 1


def _bounded(start: int, end: int, heading: bool) -> Iterator[tuple[int, int, bool]]:
    for s in range(start, end, MAX_UNIT_CHARS):
        yield s, min(end, s + MAX_UNIT_CHARS), heading and s == start


def _looks_like_title(line: str) -> bool:
    # Short lines with no sentence punctuation are section titles in web articles.
    return len(line) <= 30 and not re.search(r"[，。；！？,;]", line[:-1]) and not line.endswith("。")


def _windows(units: list[tuple[int, int, bool]], size: int, overlap: int) -> Iterator[list[int]]:
    """Indices of units per window: pack to `size`, carry `overlap` chars back."""
    i, n = 0, len(units)
    while i < n:
        j, length = i, 0
        while j < n and (j == i or length + (units[j][1] - units[j][0]) <= size):
            # A heading closing a window would be cut from its text: start the next one with it.
            if j > i and units[j][2] and length >= size // 3:
                break
            length += units[j][1] - units[j][0]
            j += 1
        while j - 1 > i and units[j - 1][2]:
            j -= 1  # never end a window on a heading
        yield list(range(i, j))
        if j >= n:
            return
        back, k = 0, j
        while k - 1 > i and back + (units[k - 1][1] - units[k - 1][0]) <= overlap and not units[k - 1][2]:
            k -= 1
            back += units[k][1] - units[k][0]
        i = k if k > i else j


def _article_chunks(src: Source, size: int, overlap: int) -> Iterable[Chunk]:
    units = list(_units(src.text))
    to_raw = _offset_mapper(src)
    heading = ""
    for n, idx in enumerate(_windows(units, size, overlap)):
        first, last = units[idx[0]], units[idx[-1]]
        heads = [src.text[units[k][0]:units[k][1]] for k in idx if units[k][2]]
        if not first[2] and heading:
            lead = heading
        else:
            lead = ""
        heading = heads[-1] if heads else heading
        body = _join(src.text, [units[k] for k in idx])
        yield Chunk(
            chunk_id=f"{src.doc_id}:{n}", ref=src.doc_id, doc_id=src.doc_id, title=src.title,
            kind="article", text=body, path=src.path, start=to_raw(first[0]), end=to_raw(last[1] - 1) + 1,
            url=src.url, heading=lead or (heads[0] if heads else ""), meta=_provenance(src),
        )


def _join(text: str, units: list[tuple[int, int, bool]]) -> str:
    out = []
    for k, (s, e, _) in enumerate(units):
        if k:
            gap = text[units[k - 1][1]:s]
            out.append("\n" if "\n" in gap else gap)  # same line: keep it verbatim
        out.append(text[s:e])
    return "".join(out)


def _offset_mapper(src: Source):
    """Position in `src.text` → position in the original file."""
    if not src.spans:
        return lambda p: p
    starts, pos = [], 0
    for s, e in src.spans:
        starts.append(pos)
        pos += (e - s) + 1  # kept lines are joined by "\n"

    def to_raw(p: int) -> int:
        i = max(0, bisect.bisect_right(starts, p) - 1)
        s, e = src.spans[i]
        return min(s + (p - starts[i]), e)

    return to_raw
