"""The yuqi endpoints: /v1/ask (JSON or SSE), /v1/citations/check, /v1/sources/{id}, health."""

from __future__ import annotations

import os
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from yuqi.api import answering, streaming
from yuqi.api.errors import ApiError
from yuqi.api.models import AskRequest, AskResponse, CheckRequest, CheckResponse, ErrorBody, Health, Ready, SourceDetail
from yuqi.api.serialize import citation_row, jsonable, sources
from yuqi.errors import YuqiError

router = APIRouter()
ERRORS = {code: {"model": ErrorBody} for code in (400, 413, 422, 429, 503, 504)}
SSE_DOC = {"200": {"content": {"text/event-stream": {}},
                   "description": "JSON（AskResponse），或 stream=true 时的事件流：analysis → passages → delta* → (withdrawn) → final"}}


def runtime(request: Request):
    return request.app.state.runtime


@router.post("/v1/ask", response_model=AskResponse, responses={**ERRORS, **SSE_DOC}, tags=["yuqi"],
             summary="核实一条催收短信或回答一个问题")
async def ask(req: AskRequest, request: Request):
    rt = runtime(request)
    answering.check_text(req.text)
    rt.ready_service()
    if not req.stream:
        return await rt.run(answering.final_payload, rt, req.text, req.previous)
    return StreamingResponse(_sse(rt, req), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _sse(rt, req: AskRequest):
    try:
        async for name, payload in streaming.events(rt, lambda: answering.events(rt, req.text, req.previous)):
            yield streaming.sse(name, payload)
    except ApiError as err:
        yield streaming.sse_error(err)


@lru_cache(maxsize=1)
def _statutes():
    """What `python -m yuqi.citations` checks against: laws.db plus the shipped statute files."""
    from yuqi.citations.__main__ import _source

    return _source()


def _check(text: str) -> dict:
    from yuqi.citations import check_text

    return {"citations": [citation_row(r) for r in check_text(text, _statutes())]}


@router.post("/v1/citations/check", response_model=CheckResponse, responses=ERRORS, tags=["yuqi"],
             summary="核验文本中的法条引用（与 python -m yuqi.citations 相同）")
async def citations_check(req: CheckRequest, request: Request):
    return await runtime(request).run(_check, req.text)


def _source_detail(rt, source_id: str) -> dict:
    retriever = rt.ready_service().retriever()
    chunk = next((c for c in retriever.chunks if c.chunk_id == source_id), None) or next(iter(retriever.fetch([source_id])), None)
    if chunk is None:
        raise ApiError("not_found", detail=f"找不到段落 {source_id[:80]}（索引构建 {retriever.index.build_id}）。")
    from yuqi.answer import Passage

    card = sources([Passage(0, chunk)], retriever)[0]
    doc = dict(retriever.index.docs.get(chunk.doc_id) or {})
    return {**card, **{k: v for k, v in jsonable(chunk).items() if k not in card}, "document": jsonable(doc),
            "build": retriever.index.build_id}


@router.get("/v1/sources/{source_id:path}", response_model=SourceDetail, responses=ERRORS, tags=["yuqi"],
            summary="一段来源原文及其出处（id 为回答中 sources[].id，或引用串 <法规名>#<第X条>）")
async def source(source_id: str, request: Request):
    rt = runtime(request)
    return await rt.run(_source_detail, rt, source_id)


@router.get("/healthz", response_model=Health, tags=["health"], summary="进程存活")
async def healthz():
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, responses={503: {"model": Ready}}, tags=["health"],
            summary="索引已加载：当前构建（来自 manifest）")
async def readyz(request: Request):
    rt = runtime(request)
    if not rt.ready.is_set():
        return JSONResponse({"ready": False, "error": rt.load_error or "加载中"}, status_code=503)
    try:
        stats = await run_in_threadpool(rt.service.stats)  # not an answer slot: a probe must not queue
    except (YuqiError, ApiError) as err:
        return JSONResponse({"ready": False, "error": str(err)}, status_code=503)
    return {"ready": True, "build": stats.pop("build"), "built_at": stats.pop("built_at"),
            "model": stats.pop("model"), "pid": os.getpid(), **stats}  # pid: which worker answered
