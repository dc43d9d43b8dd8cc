"""Endpoint classification against what the HTTP client will really connect to (issue 25)."""

from __future__ import annotations

import pytest

from yuqi import llm
from yuqi.endpoint import classify_endpoint, display_url, proxied
from yuqi.settings import load_settings

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
              "NO_PROXY", "no_proxy")


@pytest.fixture
def clean_env(monkeypatch):
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


@pytest.mark.parametrize("var", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_makes_a_loopback_endpoint_remote_and_masked(clean_env, var):
    url = "http://127.0.0.1:8080/v1"
    assert classify_endpoint(url).kind == "loopback"
    clean_env.setenv(var, "http://127.0.0.1:3128")
    assert proxied(url)
    assert classify_endpoint(url).kind == "remote"
    settings = load_settings().with_(llm_base_url=url, privacy_mask="auto")
    assert settings.mask_personal_data


def test_no_proxy_exempting_the_host_keeps_it_local(clean_env):
    clean_env.setenv("HTTP_PROXY", "http://proxy.example:3128")
    clean_env.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert classify_endpoint("http://127.0.0.1:8080/v1").kind == "loopback"


def test_an_https_proxy_does_not_touch_plain_http(clean_env):
    clean_env.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert classify_endpoint("http://127.0.0.1:8080/v1").kind == "loopback"
    assert classify_endpoint("https://127.0.0.1:8080/v1").kind == "remote"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1%2eevil.example:8080/v1",
    "http://127.0.0.1%2e:8080/v1",
    "http://127.0.0.1%00.evil.example/v1",
    "http://localhost%2eevil.example/v1",
])
def test_percent_encoded_hosts_are_names_and_remote(clean_env, url):
    assert classify_endpoint(url).kind == "remote"


@pytest.mark.parametrize("url,shown", [
    ("http://user:s3cret-pw@127.0.0.1:8000/v1", "127.0.0.1:8000"),
    ("https://apikey:sk-abc@api.example.com/v1?key=sk-xyz", "api.example.com"),
    ("http://[::1]:9000/v1", "[::1]:9000"),
])
def test_credentials_never_shown(url, shown):
    assert display_url(url) == shown
    settings = load_settings().with_(llm_base_url=url, llm_model="m")
    line = llm.describe(settings)
    assert "s3cret" not in line and "sk-" not in line and shown in line
    assert "s3cret" not in llm.host_of(settings)
