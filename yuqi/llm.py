"""Chat with any OpenAI-compatible server; every failure becomes a typed LLMError.

Retries happen here (not in the SDK) because only we know whether tokens were
already shown: a request may be repeated before the first token, never after.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator

import openai

from .endpoint import display_url
from .errors import LLMError
# DeadlineExceeded and StreamBroken are re-exported: both subclass LLMError, which callers already catch.
from .llm_stream import CUT_NOTICE, Deadline, DeadlineExceeded, StreamBroken, guarded, sse_deltas  # noqa: F401
from .privacy import Unmasker, Vault, mask_messages
from .settings import Settings
from .textnorm import cjk_count

KEYLESS = "not-needed"  # local servers ignore the key, but the SDK insists on one
BACKOFF_SECONDS = (0.5, 1.0)  # one entry per retry
MAX_RETRY_AFTER = 5.0  # a longer Retry-After means: give up, the offline answer is faster
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
_URL = re.compile(r"https?://\S+|www\.\S+")


def make_client(settings: Settings) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=settings.llm_api_key or KEYLESS,
        base_url=settings.llm_base_url or None,
        timeout=settings.llm_timeout,
        max_retries=0,  # stream_chat retries itself, and only before the first token
    )


def stream_chat(
    messages: list[dict],
    settings: Settings,
    *,
    client: openai.OpenAI | None = None,
    temperature: float = 0.2,
    max_tokens: int = 1200,
    vault: Vault | None = None,
) -> Iterator[str]:
    """Yield answer text deltas. Raises LLMError (StreamBroken, DeadlineExceeded are
    subclasses); after a mid-stream error the deltas already yielded are incomplete
    and should be discarded. The whole answer must arrive within
    settings.llm_deadline seconds; past settings.llm_max_chars characters it is cut
    and ends with CUT_NOTICE.

    When settings.mask_personal_data is on, personal data is replaced by
    placeholders before sending and restored in the yielded text (never inside a
    link or image target); pass one `vault` per conversation to keep placeholders
    stable across turns.
    """
    if not settings.llm_enabled:
        raise LLMError("connect", "未配置大模型")
    client = client or make_client(settings)
    deadline = Deadline(settings.llm_deadline)
    if not settings.mask_personal_data:
        yield from _capped(_retrying(client, messages, settings, temperature, max_tokens, deadline),
                           settings.llm_max_chars)
        return
    vault = vault if vault is not None else Vault()
    sent = mask_messages(messages, vault)
    yield from _capped(_unmasked(_retrying(client, sent, settings, temperature, max_tokens, deadline), vault),
                       settings.llm_max_chars)


def _unmasked(deltas: Iterator[str], vault: Vault) -> Iterator[str]:
    unmasker = Unmasker(vault)
    try:
        for delta in deltas:
            if text := unmasker.feed(delta):
                yield text
    finally:
        deltas.close()  # a cut answer closes the connection now, not at garbage collection
    if tail := unmasker.flush():
        yield tail


def _capped(deltas: Iterator[str], limit: int) -> Iterator[str]:
    """Pass deltas through until `limit` characters, then close the stream and add a notice."""
    total = 0
    try:
        for delta in deltas:
            if total + len(delta) > limit:
                yield delta[: max(0, limit - total)]
                yield CUT_NOTICE.format(limit=limit)
                return
            total += len(delta)
            yield delta
    finally:
        deltas.close()


def complete_chat(messages: list[dict], settings: Settings, **kw) -> str:
    return "".join(stream_chat(messages, settings, **kw))


def _retrying(client: openai.OpenAI, messages: list[dict], settings: Settings,
              temperature: float, max_tokens: int, deadline: Deadline) -> Iterator[str]:
    for attempt in range(len(BACKOFF_SECONDS) + 1):
        started = False
        try:
            for delta in _attempt(client, messages, settings, temperature, max_tokens, deadline):
                started = True
                yield delta
            return
        except openai.OpenAIError as err:
            if started:
                raise StreamBroken(f"回答中途中断（{_cause(err)}）") from err
            wait = _retry_wait(err, attempt)
            if wait is None:
                raise to_llm_error(err, settings) from err
            if wait >= deadline.left():
                raise deadline.exceeded() from err
            time.sleep(wait)


def _attempt(client: openai.OpenAI, messages: list[dict], settings: Settings,
             temperature: float, max_tokens: int, deadline: Deadline) -> Iterator[str]:
    finished: list[str] = []
    timeout = max(0.05, min(settings.llm_timeout, deadline.left()))
    request = dict(model=settings.llm_model, messages=messages, stream=True,
                   temperature=temperature, max_tokens=max_tokens, timeout=timeout)
    shown = False
    for text in _drop_think(guarded(lambda: sse_deltas(client, request, finished), deadline)):
        shown = shown or bool(text.strip())
        yield text
    if not shown:
        raise LLMError("empty", "模型返回了空回答")
    # Some proxies end a cut stream cleanly; only a finish_reason proves it is complete.
    if not finished:
        raise StreamBroken("回答中途中断（未收到结束标记）")


def _drop_think(deltas: Iterable[str]) -> Iterator[str]:
    """Reasoning models served via Ollama/vLLM prefix the answer with <think>…</think>."""
    it = iter(deltas)
    head, body, done = "", "", False
    for delta in it:
        head += delta
        body = head.lstrip()
        if not done and body.startswith(THINK_OPEN):
            if THINK_CLOSE not in body:
                continue
            head, done = body.split(THINK_CLOSE, 1)[1], True
            body = head.lstrip()
        if body and (done or not THINK_OPEN.startswith(body)):
            yield body
            break
    else:
        if body and (done or not body.startswith(THINK_OPEN)):
            yield body
        return
    yield from it


def _retry_wait(err: openai.OpenAIError, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when retrying cannot help."""
    if attempt >= len(BACKOFF_SECONDS) or isinstance(err, openai.APITimeoutError):
        return None  # a second full timeout is worse than the offline answer
    if isinstance(err, openai.APIConnectionError):
        return BACKOFF_SECONDS[attempt]
    if not isinstance(err, openai.APIStatusError):
        return None
    if err.status_code != 429 and err.status_code < 500:
        return None
    if _error_code(err) == "insufficient_quota":
        return None
    after = _retry_after(err)
    if after is None:
        return BACKOFF_SECONDS[attempt]
    return after if after <= MAX_RETRY_AFTER else None


def _retry_after(err: openai.APIStatusError) -> float | None:
    try:
        return max(0.0, float(err.response.headers.get("retry-after", "")))
    except ValueError:
        return None  # absent, or an HTTP date: use our own backoff


def _error_code(err: openai.APIStatusError) -> str:
    body = err.body if isinstance(err.body, dict) else {}
    error = body.get("error", body)
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def to_llm_error(err: openai.OpenAIError, settings: Settings) -> LLMError:
    """One-line Chinese message for a failed request (before any token)."""
    if isinstance(err, openai.APITimeoutError):
        return LLMError("timeout", f"模型服务超时（{settings.llm_timeout:g} 秒无响应）")
    if isinstance(err, openai.APIConnectionError):
        return LLMError("connect", f"无法连接模型服务：{host_of(settings)}")
    if not isinstance(err, openai.APIStatusError):
        return LLMError("server", "模型服务返回了无法识别的响应")
    status = err.status_code
    if status in (401, 403):
        return LLMError("auth", f"API Key 无效或未授权（{status}）")
    if status == 404:
        return LLMError("model", f"模型不存在（404）：{settings.llm_model}（请检查模型名和 OPENAI_BASE_URL）")
    if status == 429:
        if _error_code(err) == "insufficient_quota":
            return LLMError("rate", "账户额度不足（429）")
        return LLMError("rate", "请求过于频繁（429）")
    if status >= 500:
        return LLMError("server", f"模型服务出错（{status}）")
    return LLMError("server", f"模型服务拒绝了请求（{status}）")


def _cause(err: openai.OpenAIError) -> str:
    if isinstance(err, openai.APITimeoutError):
        return "超时"
    if isinstance(err, openai.APIConnectionError):
        return "连接断开"
    return "服务出错"


def host_of(settings: Settings) -> str:
    """Host and port only: a base URL may carry a user name and password."""
    return display_url(settings.llm_base_url) if settings.llm_base_url else "api.openai.com"


def describe(settings: Settings) -> str:
    """Short sidebar line."""
    if not settings.llm_enabled:
        return "离线模式（未配置大模型）"
    return f"大模型：{settings.llm_model} @ {host_of(settings)}"


def looks_chinese(text: str, min_share: float = 0.5) -> bool:
    """True when CJK characters make up at least `min_share` of the letters (URLs ignored)."""
    text = _URL.sub("", text)
    cjk = cjk_count(text)
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return cjk > 0 and cjk / (cjk + latin) >= min_share
