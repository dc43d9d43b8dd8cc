"""The OpenAI-compatible facade, driven by the official `openai` client over a real server."""

from __future__ import annotations

import pytest

from api_server import LiveServer, post
from conftest import small_index

MESSAGE = "【某某法院】您因网贷逾期已被立案，请联系张三 13812345678 处理，否则明天冻结您的银行卡。"


def _server(settings, service):
    from yuqi.api.app import create_app
    from yuqi.api.config import ApiConfig

    return LiveServer(create_app(settings, ApiConfig(rate_per_minute=0), service))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from fake_embed import FakeEmbedder
    from yuqi.service import Service

    embedder = FakeEmbedder()
    settings = small_index(tmp_path_factory.mktemp("openai"), embedder)
    with _server(settings, Service(settings, embedder)) as live:
        yield live


def client(server):
    from openai import OpenAI

    return OpenAI(base_url=server.base + "/v1", api_key="not-needed", max_retries=0, timeout=60)


def test_the_openai_client_lists_the_model_and_gets_the_answer(server):
    c = client(server)
    assert [m.id for m in c.models.list().data] == ["yuqi"]
    done = c.chat.completions.create(model="yuqi", messages=[{"role": "user", "content": MESSAGE}])
    text = done.choices[0].message.content
    _, direct = post(server.base + "/v1/ask", {"text": MESSAGE})
    assert text.startswith(direct["answer"]) and "**来源**" in text
    assert direct["verdict_label"] in text or "结论" in text
    assert done.choices[0].finish_reason == "stop" and done.usage.completion_tokens > 0


def test_the_openai_client_streams_the_same_answer(server):
    c = client(server)
    stream = c.chat.completions.create(model="yuqi", stream=True, messages=[
        {"role": "system", "content": "你是助手"}, {"role": "user", "content": MESSAGE}])
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    full = c.chat.completions.create(model="yuqi", messages=[{"role": "user", "content": MESSAGE}])
    assert len([p for p in pieces if p]) > 3 and "".join(pieces) == full.choices[0].message.content


def test_the_conversation_is_the_context_of_a_follow_up(server):
    c = client(server)
    done = c.chat.completions.create(model="yuqi", messages=[
        {"role": "user", "content": MESSAGE}, {"role": "assistant", "content": "（上一条回答）"},
        {"role": "user", "content": "那我该怎么核实？"}])
    assert "前面发来的那条信息" in done.choices[0].message.content
    assert done.yuqi["verdict"]  # extra fields ride along for clients that read them


def test_errors_reach_the_openai_client_as_its_own_exceptions(server):
    import openai

    c = client(server)
    with pytest.raises(openai.UnprocessableEntityError) as err:
        c.chat.completions.create(model="yuqi", messages=[{"role": "system", "content": "只有系统消息"}])
    assert "user" in str(err.value)
    with pytest.raises(openai.APIError) as err:
        list(c.chat.completions.create(model="yuqi", stream=True, messages=[{"role": "user", "content": "   "}]))
    assert "请输入" in str(err.value)


def test_a_pasted_message_streams_with_its_verdict_through_the_real_model(built):
    settings, service = built  # the real embedder and the default corpus
    scam = "【XX金融】您的网贷已逾期，今天不还款将上报征信并冻结微信，请立即点击 http://pay-xx.cn 还款，或转账到个人账户。"
    with _server(settings, service) as live:
        stream = client(live).chat.completions.create(model="yuqi", stream=True,
                                                      messages=[{"role": "user", "content": scam}])
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text.startswith("**结论：") and ("诈骗" in text or "违法" in text)
    assert "http://pay-xx.cn" not in text  # the scam link is inert in the Markdown
