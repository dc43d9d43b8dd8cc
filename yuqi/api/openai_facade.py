"""The OpenAI chat API over yuqi: any OpenAI client or chat front-end pointed at yuqi's base URL.

The last user message is answered by the front door; earlier user messages give the
context a follow-up needs (the message under discussion, as the page keeps it), and the
last turns go to the LLM as history. The content sent is the final, checked answer
(an LLM's raw stream is not: the checks may still change or withdraw it), streamed in
pieces after it is ready; the numbered sources follow it, so [n] means something in a chat.
"""

from __future__ import annotations

import time
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from yuqi.api import answering, streaming
from yuqi.api.errors import ApiError
from yuqi.api.models import ChatCompletion, ChatRequest, ErrorBody, ModelList
from yuqi.answer.prepare import analyse

router = APIRouter(tags=["openai"])
MODEL = "yuqi"
PIECE = 48  # characters per streamed chunk
CONTEXT_TURNS = 3  # earlier user messages read for the message under discussion


def _text(content) -> str:
    if isinstance(content, list):  # [{"type": "text", "text": …}, …]
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return content or ""


def _turns(req: ChatRequest) -> tuple[str, list[dict], list[str]]:
    """(the question, the history for the LLM, earlier user messages)."""
    msgs = [(m.role, _text(m.content)) for m in req.messages if m.role in ("user", "assistant")]
    last = max((i for i, (role, _) in enumerate(msgs) if role == "user"), default=None)
    if last is None:
        raise ApiError("invalid_request", detail="messages 中没有 user 消息")
    history = [{"role": r, "content": t} for r, t in msgs[:last][-4:]]
    earlier = [t for r, t in msgs[:last] if r == "user"][-CONTEXT_TURNS:]
    return msgs[last][1], history, earlier


def _context(runtime, earlier: list[str]):
    """The analysis a follow-up refers to: the latest earlier user message that was a message or named a threat."""
    if not earlier:
        return None
    encoder = runtime.ready_service().embedder
    keep = None
    for text in earlier:
        if not text.strip():
            continue
        a = analyse(text, keep, encoder)
        if a.is_message or a.threats:
            keep = a
    return keep


def _answer(runtime, question: str, history: list[dict], earlier: list[str]) -> dict:
    previous = _context(runtime, earlier)
    return answering.final_payload(runtime, question, answering.Known(previous) if previous else None, history)


def content_of(payload: dict) -> str:
    lines = [payload["answer"]]
    if payload["sources"]:
        lines += ["", "**来源**"] + [f"[{s['n']}] {s['label']}" for s in payload["sources"]]
    if payload.get("notice"):
        lines += ["", f"_{payload['notice']}_"]
    return "\n".join(lines)


def _summary(payload: dict) -> dict:
    keep = ("id", "build", "verdict", "verdict_label", "threats", "headline", "actions", "citations", "sources")
    return {k: payload[k] for k in keep if k in payload}


def _completion(payload: dict, question: str, created: int) -> dict:
    content = content_of(payload)
    usage = {"prompt_tokens": len(question), "completion_tokens": len(content)}  # characters: no tokenizer here
    return {"id": f"chatcmpl-{payload['id']}", "created": created, "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {**usage, "total_tokens": sum(usage.values())}, "yuqi": _summary(payload)}


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses={c: {"model": ErrorBody} for c in (400, 413, 422, 429, 503, 504)},
             summary="OpenAI 兼容的对话接口（stream 与非 stream）")
async def chat_completions(req: ChatRequest, request: Request):
    rt = request.app.state.runtime
    question, history, earlier = _turns(req)
    answering.check_text(question)
    rt.ready_service()
    created = int(time.time())
    if not req.stream:
        payload = await rt.run(_answer, rt, question, history, earlier)
        return _completion(payload, question, created)
    return StreamingResponse(_chunks(rt, question, history, earlier, created), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _chunk(cid: str, created: int, delta: dict, finish: str | None = None) -> str:
    import json

    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _chunks(rt, question: str, history: list[dict], earlier: list[str], created: int):
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(cid, created, {"role": "assistant", "content": ""})
    try:
        async for payload in streaming.events(rt, lambda: iter([_answer(rt, question, history, earlier)])):
            content = content_of(payload)
            for i in range(0, len(content), PIECE):
                yield _chunk(cid, created, {"content": content[i:i + PIECE]})
    except ApiError as err:
        yield streaming.sse_error(err).replace("event: error\n", "")  # the OpenAI client raises on {"error": …}
        return
    yield _chunk(cid, created, {}, "stop")
    yield "data: [DONE]\n\n"


@router.get("/v1/models", response_model=ModelList, summary="可用模型（OpenAI 兼容）")
async def models():
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "yuqi"}]}
