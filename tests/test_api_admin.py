"""Document administration over a real server: refused without the admin token; with it, an upload
goes live as a new build while answers keep coming, none lost."""

from __future__ import annotations

import threading
import urllib.parse

import pytest

from api_server import LiveServer, get, post, request
from conftest import small_index

TOKEN = "s3cret-admin-token"
RULE = "# 测试催收管理办法\n\n第一条 催收人员不得在晚上十点以后拨打借款人电话。\n".encode("utf-8")
QUESTIONS = ["催收骚扰我的家人违法吗", "泄露我的通讯录合法吗", "网贷逾期第二天就发短信，合法吗？", "收到律师函怎么办"]


@pytest.fixture()
def small(tmp_path):
    from fake_embed import FakeEmbedder
    from yuqi.service import Service

    embedder = FakeEmbedder()
    settings = small_index(tmp_path, embedder)
    return settings, Service(settings, embedder)


def live(small, token: str = ""):
    from yuqi.api.app import create_app
    from yuqi.api.config import ApiConfig

    settings, service = small
    return LiveServer(create_app(settings, ApiConfig(admin_token=token, rate_per_minute=0), service))


def upload(server, data: bytes = RULE, name: str = "rule.md", token: str = TOKEN):
    url = f"{server.base}/v1/documents?name={urllib.parse.quote(name)}"
    return request("POST", url, data, headers={"Authorization": f"Bearer {token}", "Content-Type": "text/markdown"},
                   timeout=120)


def test_without_a_token_configured_every_document_endpoint_refuses(small):
    with live(small) as server:
        for status, body in (get(server.base + "/v1/documents"), upload(server),
                             request("DELETE", server.base + "/v1/documents/x", headers={"Authorization": f"Bearer {TOKEN}"})):
            assert status == 403 and body["error"]["code"] == "admin_disabled" and "YUQI_ADMIN_TOKEN" in body["error"]["message"]
        assert not (small[0].corpus_dir / "user").exists()  # nothing was written


def test_a_wrong_or_missing_token_is_401(small):
    with live(small, TOKEN) as server:
        assert get(server.base + "/v1/documents")[0] == 401
        status, body = upload(server, token="wrong")
        assert status == 401 and body["error"]["code"] == "unauthorized"


def test_an_upload_goes_live_during_answers_and_none_is_lost(small):
    with live(small, TOKEN) as server:
        _, before = get(server.base + "/readyz")
        results: list[tuple[int, str]] = []
        stop = threading.Event()

        def asker(q: str) -> None:
            while not stop.is_set():
                status, body = post(server.base + "/v1/ask", {"text": q})
                results.append((status, body.get("build", "") if isinstance(body, dict) else ""))

        threads = [threading.Thread(target=asker, args=(q,)) for q in QUESTIONS]
        for t in threads:
            t.start()
        status, report = upload(server)
        for status_after in [post(server.base + "/v1/ask", {"text": QUESTIONS[0]}) for _ in range(3)]:
            results.append((status_after[0], status_after[1]["build"]))
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert status == 200 and report["added"] == ["测试催收管理办法"], report
        assert all(code == 200 for code, _ in results), [r for r in results if r[0] != 200][:3]
        builds = {b for _, b in results}
        assert builds <= {before["build"], report["build_id"]} and report["build_id"] in builds
        assert get(server.base + "/readyz")[1]["build"] == report["build_id"]
        ref = urllib.parse.quote("测试催收管理办法#第一条", safe="")
        assert get(server.base + f"/v1/sources/{ref}")[0] == 200
        _, docs = get(server.base + "/v1/documents", headers={"Authorization": f"Bearer {TOKEN}"})
        assert "测试催收管理办法" in {d["doc_id"] for d in docs["documents"]}


def test_remove_takes_a_document_out_and_an_unknown_one_is_a_json_error(small):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with live(small, TOKEN) as server:
        assert upload(server)[0] == 200
        doc = urllib.parse.quote("测试催收管理办法", safe="")
        status, report = request("DELETE", f"{server.base}/v1/documents/{doc}", headers=auth, timeout=120)
        assert status == 200 and report["removed"] == ["测试催收管理办法"]
        status, body = request("DELETE", f"{server.base}/v1/documents/no-such-doc", headers=auth, timeout=120)
        assert status == 422 and body["error"]["code"] == "ingest_failed" and body["error"]["message"]


def test_an_upload_over_the_size_limit_is_refused_unread(small):
    import json
    import socket

    settings, service = small
    with live((settings.with_(max_upload_mb=1), service), TOKEN) as server:
        # Only the headers and a few bytes are sent: the refusal comes from the declared length alone.
        head = (f"POST /v1/documents?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                f"Content-Length: {1024 * 1024 + 1}\r\nContent-Type: text/plain\r\n\r\n").encode() + b"x" * 100
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(head)
            reply = b""
            while b"}}" not in reply:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        status_line, _, rest = reply.decode("utf-8").partition("\r\n")
        body = json.loads(rest.split("\r\n\r\n", 1)[1])
        assert " 413 " in status_line and body["error"]["code"] == "too_large" and "1 MB" in body["error"]["message"]
        assert not (settings.corpus_dir / "user").exists()
