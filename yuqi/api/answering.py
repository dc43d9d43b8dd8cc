"""From a request to the front door `yuqi.answer.ask` and back, in a worker thread.

Every answer is computed by `ask` (so the verdict, the citation and support checks, the
defused output and the masking before an LLM all hold), over one pinned build: the
sources sent with the answer come from the same build the answer was made from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from yuqi.answer import AnalysisReady, Final, PassagesReady, TextDelta, Withdrawn, ask, input_problem
from yuqi.answer.prepare import analyse
from yuqi.api.errors import ApiError
from yuqi.api.serialize import analysis_view, answer_payload, inert_markdown, sources

log = logging.getLogger("yuqi.api")


@dataclass
class Pinned:
    """The Service as `ask` sees it, held to one build for the whole answer."""

    settings: object
    retriever_: object

    def retriever(self):
        return self.retriever_


@dataclass(frozen=True)
class Known:
    """An Analysis already in hand (the facade reads it from the conversation), passed as `previous`."""

    analysis: object


def check_text(text: str) -> None:
    problem = input_problem(text)
    if problem:
        raise ApiError("empty_input", detail=problem)


def resolve_previous(runtime, previous, encoder):
    """`previous` as an Analysis: an id from an earlier answer, or an earlier analysis object (re-read)."""
    if previous is None:
        return None
    if isinstance(previous, Known):
        return previous.analysis
    if isinstance(previous, str):
        found = runtime.recent.get(previous)
        if found is None:
            raise ApiError("previous_not_found", detail=previous[:40])
        return found[0]
    return analyse(previous.text, None, encoder) if previous.text.strip() else None


def _remember(runtime, answer, previous) -> str:
    """Like the page: a new message (or threat) becomes what a follow-up refers to; else the old one stays."""
    a = answer.prepared.analysis
    keep = a if not answer.prepared.declined and (a.is_message or a.threats) else previous
    return runtime.recent.put((keep,))


def events(runtime, text: str, previous_in, history=None) -> Iterator[tuple[str, dict]]:
    """(event name, payload) for each event of `ask`, ending with ("final", the answer payload)."""
    service = runtime.ready_service()
    retriever = service.retriever()
    previous = resolve_previous(runtime, previous_in, retriever.embedder)
    if runtime.config.log_text:
        log.info("text (%d chars): %s", len(text), text)
    shown = ""
    for event in ask(Pinned(service.settings, retriever), text, previous, history=history):
        if isinstance(event, AnalysisReady):
            yield "analysis", {**analysis_view(event.analysis), "notices": list(event.notices)}
        elif isinstance(event, PassagesReady):
            p = event.prepared
            yield "passages", {"sources": sources(p.passages, retriever), "declined": p.declined, "notices": p.notices}
        elif isinstance(event, TextDelta):
            shown += event.text
            yield "delta", {"text": event.text, "shown": inert_markdown(shown)}
        elif isinstance(event, Withdrawn):
            shown = ""
            yield "withdrawn", {"reason": event.reason}
        elif isinstance(event, Final):
            yield "final", answer_payload(event.answer, retriever, _remember(runtime, event.answer, previous))


def final_payload(runtime, text: str, previous_in, history=None) -> dict:
    out = None
    for name, payload in events(runtime, text, previous_in, history):
        if name == "final":
            out = payload
    assert out is not None  # ask always ends with Final
    return out


def pump(make: Callable[[], Iterator], put: Callable[[object], None], stop) -> None:
    """Run a blocking event generator in this (worker) thread, handing each item to `put`; `stop` ends it early."""
    gen = None
    try:
        gen = make()
        for item in gen:
            if stop.is_set():
                break
            put(("item", item))
    except BaseException as err:  # noqa: BLE001 - handed to the async side, which answers with JSON
        put(("error", err))
    finally:
        close = getattr(gen, "close", None)
        if close:
            close()
        put(("end", None))
