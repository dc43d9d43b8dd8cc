"""Document administration: list, add (upload) and remove, only with the admin token.

With no YUQI_ADMIN_TOKEN set, every one of these refuses. Adding and removing run the
same ingest the page and `python -m ingest` run: a new build is written aside and goes
live atomically, so answers in flight finish on the build they started with.
"""

from __future__ import annotations

import hmac
import tempfile
from pathlib import Path

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from yuqi.api.errors import ApiError
from yuqi.api.models import DocumentList, ErrorBody, IngestResult
from yuqi.api.serialize import jsonable

router = APIRouter(tags=["documents (admin)"])
ERRORS = {c: {"model": ErrorBody} for c in (401, 403, 409, 413, 422)}


def require_admin(request: Request):
    rt = request.app.state.runtime
    token = rt.config.admin_token
    if not token:
        raise ApiError("admin_disabled")
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise ApiError("unauthorized", headers={"WWW-Authenticate": "Bearer"})
    return rt


def _listing(rt) -> dict:
    from ingest.pipeline import list_docs
    from yuqi import index as ix

    return {"documents": jsonable(list_docs(rt.settings)), "build": ix.current_build_id(rt.settings.index_dir)}


def _report(report) -> dict:
    out = jsonable(report)
    out.pop("docs", None)  # the whole registry: GET /v1/documents has it
    named = {*report.added, *report.updated, *report.unchanged, *report.removed, *(d for _, d in report.duplicates)}
    out["titles"] = {k: v for k, v in out.get("titles", {}).items() if k in named}
    return out


def _add(rt, name: str, data: bytes) -> dict:
    from ingest.pipeline import add
    from ingest.staging import write_uploads

    with tempfile.TemporaryDirectory(prefix="yuqi-upload-") as tmp:
        paths = write_uploads([(name, data)], Path(tmp))
        return _report(add(paths, rt.settings, rt.ready_service().embedder))


def _remove(rt, doc_id: str) -> dict:
    from ingest.pipeline import remove

    return _report(remove(doc_id, rt.settings, rt.ready_service().embedder))


@router.get("/v1/documents", response_model=DocumentList, responses=ERRORS, summary="已导入的文档")
async def documents(request: Request):
    rt = require_admin(request)
    return await run_in_threadpool(_listing, rt)


@router.post("/v1/documents", response_model=IngestResult, responses=ERRORS,
             summary="导入一个文件（请求体为文件内容，name 为文件名：.txt .md .html .htm .pdf）")
async def add_document(request: Request, name: str = Query(min_length=1, max_length=200)):
    rt = require_admin(request)
    data = await request.body()  # bounded by the guard (YUQI_MAX_UPLOAD_MB)
    if not data:
        raise ApiError("invalid_request", detail="请求体为空")
    return await run_in_threadpool(_add, rt, name, data)


@router.delete("/v1/documents/{doc_id:path}", response_model=IngestResult, responses=ERRORS,
               summary="移除一个文档及其全部段落")
async def remove_document(doc_id: str, request: Request):
    rt = require_admin(request)
    return await run_in_threadpool(_remove, rt, doc_id)
