"""The front door: one call from a user's text to a checked answer, as a stream of events.

    for event in ask(service, text, previous=last_analysis):
        AnalysisReady → PassagesReady → TextDelta* → (Withdrawn) → Final

The offline/LLM choice, the fallback and the final checks happen here and
nowhere else; the chat page, `python -m eval` and `python -m bench` all call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from yuqi.analysis import Analysis
from yuqi.answer.checks import finish, llm_guard, strip_auto
from yuqi.answer.compose import compose_offline, first_of
from yuqi.answer.prepare import analyse, prepare, truncate
from yuqi.answer.texts import copy_texts
from yuqi.answer.types import AnalysisReady, Answer, Event, Final, PassagesReady, Prepared, TextDelta, Withdrawn
from yuqi.answer.wording import wording
from yuqi.settings import Settings


def ask(service, question: str, previous: Analysis | None = None, *, history: list[dict] | None = None,
        vault=None, settings: Settings | None = None, client=None) -> Iterator[Event]:
    """Answer `question` (a pasted message, a question, or a follow-up to `previous`).

    `settings` overrides the service's (e.g. the eval runs offline by clearing the LLM);
    `history` is the last turns for the LLM; `vault` keeps masked personal data per session."""
    settings = settings or service.settings
    retriever = service.retriever()  # one complete build for this whole answer
    text, notice = truncate(question, settings.max_input_chars)
    analysis = analyse(text, previous, retriever.embedder)
    yield AnalysisReady(analysis, (notice,) if notice else ())
    prepared = prepare(text, retriever, settings, previous, analysis=analysis)
    prepared.notices[:0] = [notice] if notice else []
    yield PassagesReady(prepared)
    yield from answer_events(prepared, settings, client=client, history=history, vault=vault)


def answer_events(prepared: Prepared, settings: Settings, client=None, history=None, vault=None) -> Iterator[Event]:
    if prepared.declined:
        yield Final(declined_answer(prepared))
    elif not settings.llm_enabled:
        yield Final(offline_answer(prepared))
    else:
        yield from _llm_events(prepared, settings, client, history, vault)


def _llm_events(prepared: Prepared, settings: Settings, client, history, vault) -> Iterator[Event]:
    from yuqi.answer.llm import TooLong, stream_text
    from yuqi.errors import LLMError
    from yuqi.llm import looks_chinese

    w = wording()
    parts: list[str] = []
    try:
        for delta in stream_text(prepared, settings, client, history, vault):
            parts.append(delta)
            yield TextDelta(delta)
    except (LLMError, TooLong) as err:
        yield from _withdraw(prepared, str(err), bool(parts))
        return
    text = strip_auto("".join(parts)).strip()
    reason = None if looks_chinese(text) else w["llm_not_chinese"]
    reason = reason or llm_guard(text, prepared)
    if reason:
        yield from _withdraw(prepared, reason, True)
        return
    yield Final(complete(finish(text, prepared, True, w["llm_notice"].format(model=settings.llm_model))))


def _withdraw(prepared: Prepared, reason: str, streamed: bool) -> Iterator[Event]:
    if streamed:
        yield Withdrawn(reason)
    answer = offline_answer(prepared, notice=wording()["llm_fallback"].format(reason=reason))
    answer.withdrawn = reason
    yield Final(answer)


def offline_answer(prepared: Prepared, settings: Settings | None = None, notice: str = "") -> Answer:
    """The embedded default (`settings` is accepted for old callers and not needed)."""
    return complete(finish(compose_offline(prepared), prepared, False, notice or wording()["offline_notice"]))


def complete(answer: Answer) -> Answer:
    """The first screen and the copyable texts, the same whichever path wrote the prose."""
    prepared = answer.prepared
    first = first_of(prepared)
    if first is not None:  # passage numbers change in `finish`: the record carries none
        answer.first = replace(first, actions=tuple(re.sub(r"\[\d+\]", "", x) for x in first.actions))
    answer.texts = [] if prepared.declined else copy_texts(prepared.analysis)
    return answer


def declined_answer(prepared: Prepared, settings: Settings | None = None) -> Answer:
    w = wording()
    return complete(Answer(w["declined"], prepared, False, w["declined_notice"]))


def answer(service, question: str, previous: Analysis | None = None, **kw) -> Answer:
    """The final answer of `ask`, for callers that do not stream."""
    final = None
    for event in ask(service, question, previous, **kw):
        if isinstance(event, Final):
            final = event.answer
    assert final is not None  # ask always ends with Final
    return final


def stream_answer(prepared: Prepared, settings: Settings, client=None, history=None, vault=None):
    """Old tuple events for callers not yet on `ask`: ("delta", str), ("reset", reason), ("final", Answer)."""
    for event in answer_events(prepared, settings, client, history, vault):
        if isinstance(event, TextDelta):
            yield "delta", event.text
        elif isinstance(event, Withdrawn):
            yield "reset", event.reason
        elif isinstance(event, Final):
            yield "final", event.answer
