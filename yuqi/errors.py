"""Typed errors. The CLI and the page turn each into a one-line message."""


class YuqiError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence."""


class IndexMissing(YuqiError):
    pass


class IndexMismatch(YuqiError):
    pass


class IngestBusy(YuqiError):
    pass


class UnreadableDocument(YuqiError):
    """A file that cannot be turned into text; the reason is user-facing."""


class ModelUnavailable(YuqiError):
    pass


class LLMError(YuqiError):
    """An LLM call failed; `kind` says how (timeout, auth, model, rate, server, connect, stream, empty)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
