"""The API's contract: every request and response body, in one place.

Responses built from yuqi's dataclasses allow extra keys (`extra="allow"`): a field
added later to an Answer, an Analysis or a passage flows through to clients without
a change here, while the fields named below are the stable part of the contract.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT = 20_000  # characters; the answer path analyses the first YUQI_MAX_INPUT_CHARS of them


class Open(BaseModel):
    """A response record whose later fields pass through unchanged."""

    model_config = ConfigDict(extra="allow")


# -- errors -------------------------------------------------------------------------------------

class ErrorDetail(BaseModel):
    code: str = Field(description="稳定的错误代码（英文），供程序判断，例如 too_large、rate_limited")
    message: str = Field(description="给人看的中文说明")
    type: str = Field(description="同 code：OpenAI 客户端读取 error.type")
    status: int


class ErrorBody(BaseModel):
    error: ErrorDetail


# -- /v1/ask ------------------------------------------------------------------------------------

class PreviousMessage(BaseModel):
    """An earlier analysis as returned in `analysis` (only its `text`, the message, is read)."""

    model_config = ConfigDict(extra="ignore")
    text: str = Field(max_length=MAX_TEXT)


class AskRequest(BaseModel):
    text: str = Field(max_length=MAX_TEXT, description="粘贴的催收短信，或一个问题")
    previous: str | PreviousMessage | None = Field(
        default=None, description="追问时：上一次回答的 id（同一进程内一小时有效），或上一次的 analysis 对象")
    stream: bool = Field(default=False, description="true：以 Server-Sent Events 发送与网页相同的事件")


class Threat(BaseModel):
    id: str
    label: str


class CueOut(Open):
    kind: str
    text: str
    start: int = Field(description="在原文中的起始位置（字符）")
    end: int
    label: str


class Citation(Open):
    """One statute citation: the `python -m yuqi.citations` contract (raw, ref, status, current_ref …)."""

    raw: str
    ref: str | None = None
    status: str
    current_ref: str | None = None
    label: str = ""


class SourceOut(Open):
    id: str = Field(description="段落 id：GET /v1/sources/{id}")
    n: int = Field(description="回答中的 [n]")
    ref: str
    label: str
    title: str
    kind: str
    text: str
    where: str = Field(description="出处：法规名与条号，或文章与原文位置")
    url: str | None = None


class AskResponse(Open):
    id: str = Field(description="本次回答的 id；追问时作为 previous 传回")
    build: str = Field(description="回答所用的索引构建")
    verdict: str | None = Field(description="scam / illegal / exaggerated / plausible，无威胁时为 null")
    verdict_label: str
    threats: list[Threat]
    headline: str = Field(description="直接回答（结论）")
    actions: list[str] = Field(description="现在该做什么")
    verify: list[str] = Field(description="怎么核实")
    answer: str = Field(description="完整回答（Markdown，链接与图片已失效化，只有官方网站保留为链接）")
    answer_html: str = Field(description="与网页相同的安全 HTML")
    notice: str
    notices: list[str]
    used_llm: bool
    declined: bool
    withdrawn: str
    cues: list[CueOut] = Field(description="原文中识别出的线索，带位置")
    facts: dict[str, Any] = Field(description="从原文读出的事实（说话人、声称、要求、渠道…），带位置")
    citations: list[Citation]
    sources: list[SourceOut]
    analysis: dict[str, Any] = Field(description="完整的分析记录；追问时可作为 previous 传回")


# -- citations and sources ----------------------------------------------------------------------

class CheckRequest(BaseModel):
    text: str = Field(max_length=MAX_TEXT * 5, description="任意文本：其中的法条引用逐条核验")


class CheckResponse(BaseModel):
    citations: list[Citation]


class SourceDetail(SourceOut):
    chunk_id: str
    doc_id: str
    start: int = Field(description="在原文件文本中的起始位置")
    end: int
    document: dict[str, Any] = Field(description="文档登记信息：标题、类型、来源、导入时间、引用核验摘要")
    build: str


# -- OpenAI-compatible facade -------------------------------------------------------------------

class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The OpenAI chat request; sampling options are accepted and ignored (answers are checked, not sampled)."""

    model_config = ConfigDict(extra="allow")
    model: str = "yuqi"
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatChoiceMessage
    finish_reason: str = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    yuqi: dict[str, Any] = Field(default_factory=dict, description="yuqi 的结构化结果：verdict、threats、sources …")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "yuqi"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


# -- documents (admin) --------------------------------------------------------------------------

class DocumentList(BaseModel):
    documents: list[dict[str, Any]]
    build: str | None


class IngestResult(Open):
    build_id: str
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    chunks: int = 0


# -- health -------------------------------------------------------------------------------------

class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(Open):
    ready: bool
    build: str | None = None
    built_at: str | None = None
    model: str | None = None
