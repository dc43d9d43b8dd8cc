"""Document identity: every loaded file is its own document, whatever its name.

File stems and legal titles are good ids until two files share one (`notice.txt`
beside `notice.md`, `same.txt` in two folders, two Markdown files titled alike).
Then the file the live index already knows under that id keeps it, and every
other one gets the id plus its path in the corpus, so nothing is ever shadowed
or overwritten silently.

A user upload can never take the identity of a law: a statute-shaped upload
titled like a laws.db law (or its short form without 中华人民共和国) or a shipped
regulation is indexed as "用户上传：<title>", with origin "upload".
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from yuqi.documents import Source
from yuqi.errors import AmbiguousDocument, YuqiError

UPLOAD_PREFIX = "用户上传："
USER_DIR = "user"
REGULATIONS_DIR = "regulations"
NATION = "中华人民共和国"


def settle(sources: list[Source], corpus_dir: Path, previous: dict[str, dict]) -> list[Source]:
    """Uploads marked and kept off reserved titles; then every doc id made unique."""
    reserved = {s.title for s in sources if _is_shipped_regulation(s, corpus_dir)} | regulation_titles(corpus_dir)
    reserved_keys = {title_key(t) for t in reserved}
    marked = [_as_upload(s, reserved_keys) if _under(s.path, corpus_dir / USER_DIR) else s for s in sources]
    return unique_ids(marked, corpus_dir, previous)


# A version note after a title: （2023年修正）, (2020修订), （修正本）, 【2018年修订】.
_VERSION_NOTE = re.compile(r"[（(【\[][^）)】\]]{0,12}(?:修正|修订|修改|版|本)[^）)】\]]{0,4}[）)】\]]$")
_FILE_SUFFIX = re.compile(r"(?i)\.(?:txt|html?|md|markdown|pdf)$")


def title_key(title: str) -> str:
    """A title as the official-title check compares it: the one normaliser (traditional script,
    zero-width characters, full-width forms), no spaces or 《》, no file suffix or version note."""
    from yuqi.textnorm import normalize_for_search

    key = re.sub(r"[\s《》〈〉“”\"'「」]", "", normalize_for_search(title or ""))
    for _ in range(2):
        key = _VERSION_NOTE.sub("", _FILE_SUFFIX.sub("", key))
    return key


def regulation_titles(corpus_dir: Path) -> set[str]:
    """Titles of the regulations the project ships (first line `# <title>` of each file)."""
    folder = corpus_dir / REGULATIONS_DIR
    if not folder.is_dir():
        return set()
    titles = set()
    for f in sorted(folder.glob("*.md")):
        try:
            first = f.read_text(encoding="utf-8-sig").lstrip().split("\n", 1)[0]
        except (OSError, UnicodeDecodeError):
            continue
        if first.startswith("# "):
            titles.add(first[2:].strip())
    return titles


def _is_shipped_regulation(src: Source, corpus_dir: Path) -> bool:
    return src.origin == "regulation" or _under(src.path, corpus_dir / REGULATIONS_DIR)


def _as_upload(src: Source, reserved: set[str]) -> Source:
    """An upload whose title (or doc id: a file name) is an official title, however spelt, is
    marked "用户上传：…" in both, whatever its format (.md, .txt, .html, .pdf)."""
    names = {src.title, src.doc_id}
    if any(title_key(n) in reserved or is_law_title(n) for n in names if n):
        own = UPLOAD_PREFIX + src.title
        # The title changes too: statute refs are "<title>#<第X条>" and must not meet the law's.
        doc_id = own if src.kind == "statute" or src.doc_id == src.title else UPLOAD_PREFIX + src.doc_id
        return replace(src, doc_id=doc_id, title=own, origin="upload")
    return replace(src, origin="upload")


def is_law_title(title: str) -> bool:
    """A title laws.db owns: a law's name, or its name without 中华人民共和国 (compared by `title_key`)."""
    names = _law_keys()
    t = title_key(title)
    return bool(t) and (t in names or title_key(NATION + t) in names)


@lru_cache(maxsize=1)
def _law_keys() -> frozenset[str]:
    from ingest.statutes import _connect  # the one laws.db connection

    return frozenset(title_key(r[0]) for r in _connect().execute("SELECT DISTINCT law_name FROM laws"))


def unique_ids(sources: list[Source], corpus_dir: Path, previous: dict[str, dict]) -> list[Source]:
    """Sources sharing a doc id: the one the live index holds under it (else the first) keeps it."""
    out = list(sources)
    # A file the live index already knows under its longer id keeps that id (ids stay stable).
    by_path = {d.get("path", ""): d_id for d_id, d in previous.items()}
    for i, s in enumerate(sources):
        longer = _renamed(s, corpus_dir)
        if by_path.get(s.path) == longer.doc_id:
            out[i] = longer
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(out):
        groups.setdefault(s.doc_id, []).append(i)
    for doc_id, members in groups.items():
        if len(members) < 2:
            continue
        known = (previous.get(doc_id) or {}).get("path", "")
        keeper = next((i for i in members if _same_path(out[i].path, known)), members[0])
        for i in members:
            if i != keeper:
                out[i] = _renamed(out[i], corpus_dir)
    return out


def _renamed(src: Source, corpus_dir: Path) -> Source:
    own = f"{src.doc_id}（{relative_name(src.path, corpus_dir)}）"
    return replace(src, doc_id=own, title=own if src.kind == "statute" else src.title)


def relative_name(path: str, corpus_dir: Path) -> str:
    try:
        return Path(path).resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def _same_path(a: str, b: str) -> bool:
    if not a or not b or b.startswith("laws.db:"):
        return False
    return a == b or Path(a).resolve() == Path(b).resolve()


def _under(path: str, root: Path) -> bool:
    if path.startswith("laws.db:"):
        return False
    try:
        Path(path).resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


# Where a shipped document comes from, as said in a refusal.
SHIPPED_KINDS = {"lawsdb": "法律", "regulation": "自带法规", "article": "自带文章", "knowledge": "知识卡片"}


def is_shipped(doc: dict) -> bool:
    """A document the project ships (a laws.db law, a regulation, an article, a card): anything
    that is not a user upload in corpus/user. `ingest remove` never deletes one."""
    return doc.get("origin") != "upload" or str(doc.get("path", "")).startswith("laws.db:")


def _names(doc: dict, origins: dict[str, str]) -> set[str]:
    """Every name a person may use for `doc`: title, file name and stem, and for an upload the
    name of the file it was copied from (two `same.txt` become same.txt and same-2.txt)."""
    path = Path(str(doc.get("path", "")))
    names = {str(doc.get("title") or ""), path.name, path.stem}
    source = origins.get(path.name) if doc.get("origin") == "upload" else None
    if source:
        names |= {Path(source).name, Path(source).stem}
    return {_key(n) for n in names if n}


def _key(name: str) -> str:
    from yuqi.textnorm import normalize_for_search

    return normalize_for_search(name.strip().strip("《》")).replace(" ", "")


def find_document(name: str, docs: dict[str, dict], origins: dict[str, str] | None = None) -> dict:
    """The one user upload `name` means, or an error that removes nothing.

    A document id names exactly one document. Any other name (title, file name, the uploaded
    file's own name) must match exactly one document, and none of the project's own: a name a
    shipped law, regulation or card answers to is refused, so an upload titled like a law or named
    like a card can never take the shipped one down with it.
    """
    if name in docs:
        doc = docs[name]
        if is_shipped(doc):
            raise YuqiError(_shipped_message(name, [doc], []))
        return doc
    key = _key(name)
    found = [d for d in docs.values() if key in _names(d, origins or {})]
    shipped = [d for d in found if is_shipped(d)]
    uploads = sorted(d["doc_id"] for d in found if not is_shipped(d))
    if shipped:
        raise YuqiError(_shipped_message(name, shipped, uploads))
    if len(found) == 1:
        return found[0]
    if not found:
        raise YuqiError(f"没有找到文档 {name}（用 `python -m ingest list` 查看已导入的文档）")
    raise AmbiguousDocument(f"“{name}”对应多个文档，未删除任何内容；请用文档编号指定其一：{'、'.join(uploads)}", uploads)


def _shipped_message(name: str, shipped: list[dict], uploads: list[str]) -> str:
    d = shipped[0]
    what = SHIPPED_KINDS.get(str(d.get("origin")), "自带文档")
    msg = (f"“{name}”指向项目自带的{what}（{d['doc_id']}），`ingest remove` 只删除用户上传的文档，未做任何改动"
           "（不想收录某部法律，可编辑 corpus/statutes.txt 后运行 `python -m ingest build`）")
    if uploads:
        msg += f"；要删除同名的上传文档，请用文档编号：{'、'.join(uploads)}"
    return msg
