"""Where added files live: copied into corpus/user under a safe name, restorable on failure.

A file already inside one of the corpus folders the loader scans is used in
place; anything else is copied, so `ingest build` reproduces every addition.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.load import CORPUS_SUBDIRS, iter_files, load_file
from ingest.statutes import read_selection
from yuqi.documents import Source
from yuqi.errors import UnreadableDocument
from yuqi.settings import Settings

USER_DIR = "user"


def in_corpus(path: Path, settings: Settings) -> bool:
    """Inside a folder the corpus loader reads (a file at the corpus root is not)."""
    return any(_inside(path, settings.corpus_dir / d) for d in CORPUS_SUBDIRS)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def safe_name(name: str) -> str:
    """A file name that cannot climb out of the corpus: basename only, no dotfiles."""
    base = Path(name.replace("\\", "/")).name.strip().lstrip(".")
    return "".join(ch for ch in base if ch not in '<>:"|?*\x00') or "upload.txt"


def stage_target(path: Path, settings: Settings) -> Path:
    """Where an added file lives in the corpus: itself, or its copy in corpus/user."""
    if in_corpus(path, settings):
        return path
    return settings.corpus_dir / USER_DIR / safe_name(path.name)


def stage(path: Path, src: Source, settings: Settings, max_bytes: int) -> tuple[Path, bytes | None] | None:
    """Copy an accepted file into corpus/user; None when it already lives in the corpus.

    Returns the copy and the bytes of the file it replaced (None if new), so a failed
    ingest can put the corpus back exactly as the live index saw it.
    """
    if in_corpus(path, settings):
        return None
    if path.stat().st_size > max_bytes:
        raise UnreadableDocument(f"文件超过 {settings.max_upload_mb} MB 上限")
    dest_dir = settings.corpus_dir / USER_DIR
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / safe_name(path.name)
    if not _inside(dest, dest_dir):  # belt and braces against path tricks
        raise UnreadableDocument("文件名不合法")
    before = dest.read_bytes() if dest.is_file() else None
    shutil.copyfile(path, dest)
    return dest, before


def restore(copied: list[tuple[Path, bytes | None]]) -> None:
    for f, before in reversed(copied):
        if before is None:
            f.unlink(missing_ok=True)
        else:
            f.write_bytes(before)


def same_file(a: str, b: Path) -> bool:
    """Whether a registry path names the file `b` (registry paths may predate a moved corpus)."""
    if a.startswith("laws.db:"):
        return False
    return Path(a).resolve() == b.resolve() or (Path(a).name == b.name and Path(a).parent.name == b.parent.name)


def files_of(doc_id: str, hint: Path, settings: Settings) -> list[Path]:
    """The corpus file(s) a document was read from. The registry's path is tried first; if
    the corpus was moved since, the corpus is searched for the file that yields `doc_id`."""
    if _inside(hint, settings.corpus_dir) and hint.is_file():
        return [hint]
    dirs = [settings.corpus_dir / d for d in CORPUS_SUBDIRS if (settings.corpus_dir / d).is_dir()]
    found = []
    for f in iter_files(dirs):
        try:
            if load_file(f).doc_id == doc_id:
                found.append(f)
        except UnreadableDocument:
            continue
    return found


def unselect(selection: Path, title: str) -> None:
    if title not in read_selection(selection):
        return
    lines = selection.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if ln.split("#", 1)[0].strip() != title]
    selection.write_text("\n".join(kept) + "\n", encoding="utf-8")
