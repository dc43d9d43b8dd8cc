"""Where added files live: copied into corpus/user under a name of their own, in a transaction.

A file already inside one of the corpus folders the loader scans is used in
place; anything else is copied, so `ingest build` reproduces every addition.

Names: a file re-added from the same place updates its copy; any other file
whose name (or stem: `notice.txt` beside `notice.md`) is taken gets `name-2`,
`name-3`…, so two files never become one document. corpus/.user-origins.json
remembers where each copy came from.

Transaction: every corpus file an ingest touches is first recorded in a journal
(corpus/.ingest-pending/) with its previous bytes. The journal is dropped once
the new build is live; if the process dies first, the next ingest finds it and
puts the corpus back, so a killed add is never finished by an unrelated one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ingest.load import CORPUS_SUBDIRS
from yuqi.errors import UnreadableDocument
from yuqi.settings import Settings

USER_DIR = "user"
ORIGINS = ".user-origins.json"  # at the corpus root, which the loader never reads
PENDING = ".ingest-pending"


def in_corpus(path: Path, settings: Settings) -> bool:
    """Inside a folder the corpus loader reads (a file at the corpus root is not)."""
    return any(_inside(path, settings.corpus_dir / d) for d in CORPUS_SUBDIRS)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


MAX_NAME_BYTES = 200  # file systems allow 255 bytes; room for "-999" and a temp suffix


def safe_name(name: str) -> str:
    """A file name that cannot climb out of the corpus: basename only, no dotfiles, and short
    enough for the file system (97 Chinese characters are 291 bytes: cut, suffix kept)."""
    base = Path(name.replace("\\", "/")).name.strip().lstrip(".")
    base = "".join(ch for ch in base if ch not in '<>:"|?*\x00' and ch.isprintable()) or "upload.txt"
    stem, suffix = Path(base).stem, Path(base).suffix
    if len(suffix.encode("utf-8")) > 16:
        stem, suffix = base, ""
    while stem and len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip() or "upload") + suffix


def write_uploads(files: list[tuple[str, bytes]], folder: Path) -> list[Path]:
    """Uploaded (name, bytes) pairs as files under `folder`, one subfolder each: two uploads
    sent under one name stay two files (staging then names them apart). Names are made safe."""
    paths = []
    for i, (name, data) in enumerate(files):
        path = folder / str(i) / safe_name(name)  # never the name as sent: no path tricks
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def stage_target(path: Path, settings: Settings, taken: set[str] = frozenset()) -> Path:
    """Where an added file lives in the corpus: itself, or its own copy in corpus/user.

    `taken`: doc ids the index or this batch already gives to other files."""
    if in_corpus(path, settings):
        return path
    user = settings.corpus_dir / USER_DIR
    origins = read_origins(settings.corpus_dir)
    base = Path(safe_name(path.name))
    for n in range(1, 1000):
        name = base.name if n == 1 else f"{base.stem}-{n}{base.suffix}"
        dest = user / name
        if dest.is_file() and (origins.get(name) == _origin(path) or _same_bytes(dest, path)):
            return dest  # this file's own copy: an update, or the same file again
        if not dest.exists() and Path(name).stem not in taken and not _stem_used(user, Path(name).stem):
            return dest
    raise UnreadableDocument("同名文件过多")


def _stem_used(user: Path, stem: str) -> bool:
    return user.is_dir() and any(f.stem == stem for f in user.iterdir() if not f.name.startswith("."))


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _origin(path: Path) -> str:
    return str(path.resolve())


def read_origins(corpus_dir: Path) -> dict[str, str]:
    """Staged name in corpus/user -> the file it was copied from."""
    try:
        data = json.loads((corpus_dir / ORIGINS).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def stage(path: Path, dest: Path, settings: Settings, journal: "Journal", max_bytes: int) -> bool:
    """Copy an accepted file to `dest` in corpus/user (False when it already lives in the corpus)."""
    if in_corpus(path, settings):
        return False
    if path.stat().st_size > max_bytes:
        raise UnreadableDocument(f"文件超过 {settings.max_upload_mb} MB 上限")
    user = settings.corpus_dir / USER_DIR
    if not _inside(dest, user):  # belt and braces against path tricks
        raise UnreadableDocument("文件名不合法")
    user.mkdir(parents=True, exist_ok=True)
    journal.save(dest)
    shutil.copyfile(path, dest)
    ledger = settings.corpus_dir / ORIGINS
    origins = read_origins(settings.corpus_dir)
    origins[dest.name] = _origin(path)
    journal.save(ledger)
    ledger.write_text(json.dumps(origins, ensure_ascii=False, indent=1), encoding="utf-8")
    return True


class Journal:
    """Previous bytes of every corpus file an ingest changes, kept until the build is live."""

    def __init__(self, corpus_dir: Path):
        self.dir = corpus_dir / PENDING
        self.entries: list[dict] = []

    def begin(self, base_build: str | None) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write({"base": base_build, "entries": []})

    def save(self, path: Path) -> None:
        """Record `path` as it is now (once per ingest), before it is changed."""
        if any(e["path"] == str(path) for e in self.entries):
            return
        backup = None
        if path.is_file():
            backup = f"{len(self.entries)}.bak"
            shutil.copyfile(path, self.dir / backup)
        self.entries.append({"path": str(path), "backup": backup})
        self._write({**self._read(), "entries": self.entries})

    def commit(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def rollback(self) -> list[str]:
        """Put every recorded file back as it was; returns their paths."""
        data = self._read()
        for e in reversed(data.get("entries", [])):
            f = Path(e["path"])
            if e["backup"]:
                shutil.copyfile(self.dir / e["backup"], f)
            else:
                f.unlink(missing_ok=True)
        shutil.rmtree(self.dir, ignore_errors=True)
        return [e["path"] for e in data.get("entries", [])]

    def _read(self) -> dict:
        try:
            return json.loads((self.dir / "journal.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"base": None, "entries": []}

    def _write(self, data: dict) -> None:
        tmp = self.dir / "journal.json.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.dir / "journal.json")


def recover(corpus_dir: Path, live_build: str | None) -> list[str]:
    """Finish what a killed ingest left: if its build never went live, undo its corpus changes.

    Returns the files put back (empty when there was nothing to do)."""
    journal = Journal(corpus_dir)
    if not journal.dir.exists():
        return []
    if journal._read().get("base") != live_build:
        journal.commit()  # its build went live before it died: its files belong to the corpus
        return []
    return journal.rollback()


def same_file(a: str, b: Path) -> bool:
    """Whether a registry path names the file `b` (registry paths may predate a moved corpus)."""
    if a.startswith("laws.db:"):
        return False
    return Path(a).resolve() == b.resolve() or (Path(a).name == b.name and Path(a).parent.name == b.parent.name)


def file_of(hint: Path, settings: Settings) -> Path | None:
    """The one corpus file a document was read from: the registry's path, or (if the corpus
    was moved since) the file at the same place relative to the corpus. Never a guess by id."""
    if _inside(hint, settings.corpus_dir) and hint.is_file():
        return hint
    for sub in CORPUS_SUBDIRS:
        parts = hint.parts
        if sub in parts:
            cand = settings.corpus_dir.joinpath(*parts[len(parts) - parts[::-1].index(sub) - 1:])
            if cand.is_file():
                return cand
    return None
