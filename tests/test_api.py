"""The HTTP API over a real uvicorn server on 127.0.0.1: the /v1/ask JSON and SSE contracts,
follow-ups, citations, sources, health, and JSON errors with stable codes for bad requests."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest

from api_server import LiveServer, get, post, sse_events
from conftest import small_index

MESSAGE = "【某某法院】您因网贷逾期已被立案，请联系张三 13812345678 处理，否则明天冻结您的银行卡。"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from fake_embed import FakeEmbedder
    from yuqi.api.app import create_app
    from yuqi.api.config import ApiConfig
    from yuqi.service import Service

    embedder = FakeEmbedder()
    settings = small_index(tmp_path_factory.mktemp("api"), embedder)
    app = create_app(settings, ApiConfig(rate_per_minute=0, max_body_kb=16), Service(settings, embedder))
    with LiveServer(app) as live:
        yield live


def test_ask_returns_the_verdict_facts_answer_citations_and_sources(server):
    status, body = post(server.base + "/v1/ask", {"text": MESSAGE})
    assert status == 200, body
    assert body["verdict"] in ("scam", "illegal", "exaggerated", "plausible") and body["verdict_label"]
    assert {"lawsuit", "preservation"} <= {t["id"] for t in body["threats"]}
    assert body["headline"].startswith("**结论：") and body["headline"] in body["answer"]
    assert body["actions"] and body["verify"]
    for cue in body["cues"]:  # offsets into the text as sent
        assert MESSAGE[cue["start"]:cue["end"]] == cue["text"]
    assert body["analysis"]["text"] == MESSAGE and "facts" in body["analysis"]
    assert body["citations"] and all({"raw", "ref", "status", "current_ref", "label"} <= set(c) for c in body["citations"])
    assert body["sources"] and all(s["text"] and s["where"] and s["id"] for s in body["sources"])
    assert body["build"] and body["used_llm"] is False and body["declined"] is False
    assert body["answer_html"].startswith('<div class="yuqi-md">')
    assert {"support", "support_stats", "removed_markers"} <= set(body)  # Answer fields the contract does not name


def test_a_field_added_to_answer_later_flows_through_to_clients(server):
    """Another part of yuqi may add fields to Answer (or Analysis); the payload is built from the dataclass."""
    from dataclasses import field, make_dataclass

    from yuqi.answer import Answer, answer
    from yuqi.api.serialize import answer_payload

    service = server.app.state.runtime.service
    a = answer(service, MESSAGE)
    Later = make_dataclass("Later", [("first_screen", dict, field(default_factory=lambda: {"lead": "先别转账"}))],
                           bases=(Answer,))
    later = Later(**{f: getattr(a, f) for f in a.__dataclass_fields__})
    payload = answer_payload(later, service.retriever(), "x")
    assert payload["first_screen"] == {"lead": "先别转账"} and payload["verdict"] == a.verdict
    assert "vec" not in str(payload["sources"][0].keys()) and "encoder" not in payload


def test_the_stream_sends_the_page_events_and_ends_with_the_same_answer(server):
    status, text = post(server.base + "/v1/ask", {"text": MESSAGE, "stream": True})
    assert status == 200
    events = sse_events(text)
    names = [n for n, _ in events]
    assert names[0] == "analysis" and names[1] == "passages" and names[-1] == "final"
    final = events[-1][1]
    _, plain = post(server.base + "/v1/ask", {"text": MESSAGE})
    assert final["answer"] == plain["answer"] and final["verdict"] == events[0][1]["verdict"]
    assert [s["id"] for s in events[1][1]["sources"]] == [s["id"] for s in final["sources"]]


def test_a_follow_up_names_the_earlier_answer_by_id_or_by_its_analysis(server):
    _, first = post(server.base + "/v1/ask", {"text": MESSAGE})
    for previous in (first["id"], first["analysis"]):
        status, body = post(server.base + "/v1/ask", {"text": "那我该怎么核实？", "previous": previous})
        assert status == 200, body
        assert body["analysis"]["followup"] is True and body["analysis"]["text"] == MESSAGE
        assert body["verdict"] == first["verdict"]
    status, body = post(server.base + "/v1/ask", {"text": "那我该怎么核实？", "previous": "no-such-id"})
    assert status == 404 and body["error"]["code"] == "previous_not_found"


def test_links_in_the_markdown_answer_are_inert_except_official_hosts():
    from yuqi.api.serialize import inert_markdown

    md = inert_markdown("点[这里](http://pay.example.com/x)付款 ![](http://evil.example/a.png) <b>x</b> "
                        "查询 http://evil.example/q 或 https://wenshu.court.gov.cn")
    assert "](" not in md and "<b>" not in md and "http://evil.example" not in md and "pay.example.com" not in md
    assert "https://wenshu.court.gov.cn" in md and "〔图片未显示〕" in md


def test_citations_check_follows_the_cli_contract(server):
    status, body = post(server.base + "/v1/citations/check", {"text": "依据《民法典》第六百八十条和刑法第999条"})
    assert status == 200
    rows = body["citations"]
    assert [r["status"] for r in rows] == ["verified", "not_found"]
    assert rows[0]["ref"] == "中华人民共和国民法典#第六百八十条" and rows[0]["current_ref"] == rows[0]["ref"]


def test_a_source_by_id_gives_the_passage_and_its_provenance(server):
    _, answer = post(server.base + "/v1/ask", {"text": MESSAGE})
    first = answer["sources"][0]
    status, body = get(server.base + "/v1/sources/" + urllib.parse.quote(first["id"], safe=""))
    assert status == 200, body
    assert body["text"] == first["text"] and body["chunk_id"] == first["id"] and body["document"]["title"] == body["title"]
    assert body["end"] > body["start"] >= 0
    status, body = get(server.base + "/v1/sources/" + urllib.parse.quote("没有这部法#第一条", safe=""))
    assert status == 404 and body["error"]["code"] == "not_found" and "没有这部法" in body["error"]["message"]


def test_health_ready_and_the_generated_docs(server):
    assert get(server.base + "/healthz") == (200, {"status": "ok"})
    status, ready = get(server.base + "/readyz")
    assert status == 200 and ready["ready"] and ready["build"] and ready["model"] == "fake-hash-64"
    status, schema = get(server.base + "/openapi.json")
    assert status == 200 and {"/v1/ask", "/v1/chat/completions", "/v1/documents"} <= set(schema["paths"])
    assert "AskResponse" in schema["components"]["schemas"]
    assert get(server.base + "/docs")[0] == 200


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "malformed_json"),
    (b'{"txt": "x"}', 422, "invalid_request"),
    (b'{"text": 5}', 422, "invalid_request"),
    (json.dumps({"text": "   "}).encode(), 422, "empty_input"),
    (json.dumps({"text": "hello there"}).encode(), 422, "empty_input"),  # Chinese only: the page says so too
    (json.dumps({"text": "催" * 20_000}).encode(), 413, "too_large"),
])
def test_bad_requests_get_a_json_error_with_a_code_and_a_chinese_message(server, body, status, code):
    got, err = post(server.base + "/v1/ask", body)
    assert (got, err["error"]["code"]) == (status, code), err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["error"]["message"])
    assert "Traceback" not in json.dumps(err)


def test_an_oversize_chunked_body_is_refused_without_a_length_header(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    chunks = [b'{"text": "', *([("催" * 2000).encode()] * 10), b'"}']
    conn.request("POST", "/v1/ask", body=iter(chunks), headers={"Content-Type": "application/json"},
                 encode_chunked=True)
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["error"]["code"] == "too_large"
    conn.close()


def test_unknown_paths_and_methods_are_json_errors(server):
    status, body = get(server.base + "/v2/nothing")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = get(server.base + "/v1/ask")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_with_an_llm_the_stream_carries_its_deltas_and_the_message_is_masked_before_it(tmp_path):
    from fake_embed import FakeEmbedder
    from fake_openai import FakeOpenAI
    from yuqi.api.app import create_app
    from yuqi.api.config import ApiConfig
    from yuqi.service import Service

    embedder = FakeEmbedder()
    with FakeOpenAI(chunk_size=3) as fake:
        settings = small_index(tmp_path, embedder).with_(
            llm_base_url=fake.base_url, llm_model="fake-model", llm_timeout=5.0, privacy_mask="on")
        app = create_app(settings, ApiConfig(rate_per_minute=0), Service(settings, embedder))
        with LiveServer(app) as server:
            status, text = post(server.base + "/v1/ask", {"text": MESSAGE, "stream": True})
    events = sse_events(text)
    names = [n for n, _ in events]
    assert status == 200 and names[:2] == ["analysis", "passages"] and names[-1] == "final"
    deltas = [p for n, p in events if n == "delta"]
    assert deltas  # how finely the LLM's text is passed on is the answer path's choice
    from yuqi.api.serialize import inert_markdown

    assert deltas[-1]["shown"] == inert_markdown("".join(d["text"] for d in deltas))
    final = events[-1][1]
    assert final["used_llm"] or final["withdrawn"]  # the LLM's answer, or the page's fallback with its reason
    sent = json.dumps(fake.requests, ensure_ascii=False)
    assert fake.requests and "13812345678" not in sent  # names are masked by yuqi.privacy where it detects them
