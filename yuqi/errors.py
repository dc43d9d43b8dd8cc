"""Typed errors. The CLI and the page turn each into a one-line message."""


class YuqiError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence."""


class IndexMissing(YuqiError):
    pass


class IndexMismatch(YuqiError):
    pass


class IndexCorrupt(YuqiError):
    """A build whose files cannot be read back (truncated, edited, unknown format)."""


class IngestBusy(YuqiError):
    pass


class StorageError(YuqiError):
    """The disk refused a write (full, read-only, no permission); nothing live was changed."""


class AmbiguousDocument(YuqiError):
    """A name that matches several documents; `candidates` lists their ids."""

    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


class UnreadableDocument(YuqiError):
    """A file that cannot be turned into text; the reason is user-facing."""


class ModelUnavailable(YuqiError):
    pass


class LLMError(YuqiError):
    """An LLM call failed; `kind` says how (timeout, auth, model, rate, server, connect, stream, empty)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


_OS_REASONS = {28: "磁盘空间不足", 30: "文件系统只读", 13: "没有写入权限", 1: "没有写入权限", 122: "超出磁盘配额"}


def describe_os_error(err: OSError, what: str = "写入") -> str:
    """One Chinese sentence for an OSError, naming the file when the error does."""
    reason = _OS_REASONS.get(err.errno or 0) or (err.strerror or str(err)).splitlines()[0]
    where = f"（{err.filename}）" if err.filename else ""
    return f"{what}失败：{reason}{where}。"


def storage_error(err: OSError, what: str = "写入索引") -> StorageError:
    return StorageError(describe_os_error(err, what) + "原有索引和语料保持不变。")
