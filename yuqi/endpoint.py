"""Is an LLM endpoint on this machine / this network, or somewhere else?

Decides whether personal data must be masked ("auto" mode), so it errs toward
"remote": a host is local only when the hostname the HTTP client will actually
connect to is `localhost` exactly, an IP literal in a loopback / link-local /
private range, or a local-only name (single label, `.local`, `.internal` …)
whose resolved addresses are all in those ranges. A dotted public-style name is
remote even if it resolves to 127.0.0.1 (`127.0.0.1.nip.io`, DNS rebinding):
the address may change between this check and the request. A proxy from the
environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, unless NO_PROXY exempts the
host, decided by the HTTP client's own rules) is a hop that sees the request in
clear, so a proxied endpoint is remote whatever its host.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

RESOLVE_TIMEOUT = 0.5  # seconds; an unresolvable or slow name counts as remote
LOCAL_SUFFIXES = (".local", ".lan", ".internal", ".home.arpa", ".localhost", ".localdomain")
_NETS = {  # kind → networks; order matters for the label (loopback before private)
    "loopback": ("127.0.0.0/8", "::1/128", "0.0.0.0/32", "::/128"),  # 0.0.0.0 connects to this host on Linux
    "link-local": ("169.254.0.0/16", "fe80::/10"),
    "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
}
_NETWORKS = {kind: tuple(ipaddress.ip_network(n) for n in nets) for kind, nets in _NETS.items()}
LABELS = {
    "none": "未配置大模型",
    "loopback": "本机模型",
    "link-local": "本地链路上的模型",
    "private": "局域网模型",
    "remote": "远程模型服务",
}
LOCAL_KINDS = ("loopback", "link-local", "private")


@dataclass(frozen=True)
class EndpointClass:
    kind: str  # none | loopback | link-local | private | remote
    label_zh: str
    host: str = ""

    @property
    def is_local(self) -> bool:
        return self.kind in LOCAL_KINDS


def classify_endpoint(url: str) -> EndpointClass:
    """Classify an OpenAI-compatible base URL (empty URL = the OpenAI API itself, remote)."""
    url = (url or "").strip()
    if not url:
        return _result("remote", "api.openai.com")
    host = _host(url)
    if host is None:
        return _result("remote", "")
    if proxied(url):
        return _result("remote", host)
    kind = _address_kind(host)
    if kind is None:
        kind = _name_kind(host)
    return _result(kind, host)


def _result(kind: str, host: str) -> EndpointClass:
    return EndpointClass(kind, LABELS[kind], host)


def _host(url: str) -> str | None:
    """The host the client connects to; None when the URL is odd enough that parsers could disagree."""
    if "\\" in url or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        return None
    if "%" in url.split("//", 1)[-1].split("/", 1)[0]:
        return None  # "127.0.0.1%2eevil.example": a percent in the host is a name to the client, never an address
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = parts.hostname
        parts.port  # raises on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    host = host.rstrip(".").lower()
    # The HTTP client re-parses the URL itself; a second opinion guards against parser differentials.
    httpx = _http_client()
    try:
        other = httpx.URL(url).host.rstrip(".").lower()
    except Exception:  # any parse failure means: do not trust this URL
        return None
    return host if other.strip("[]") == host.strip("[]") else None


def _http_client():
    try:
        from openai._base_client import httpx2 as httpx  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - stock openai uses httpx
        import httpx  # type: ignore[no-redef]
    return httpx


def proxied(url: str) -> bool:
    """Whether the HTTP client would send a request for `url` through a proxy from the environment."""
    httpx = _http_client()
    try:
        utils = __import__(f"{httpx.__name__}._utils", fromlist=["URLPattern"])
        target = httpx.URL(url)
        mounts = sorted((utils.URLPattern(k), v) for k, v in utils.get_environment_proxies().items())
    except Exception:  # unreadable proxy settings: assume the worst
        return True
    # The client picks the first matching pattern in this order (most specific first).
    return next((proxy is not None for pattern, proxy in mounts if pattern.matches(target)), False)


def display_url(url: str) -> str:
    """`url` without user name, password, query or fragment: what a sidebar or a notice may show."""
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "（无法解析的地址）"
    host = f"[{host}]" if ":" in host else host
    return f"{host}{port}"


def _address_kind(host: str) -> str | None:
    """Kind of an IP literal; None when `host` is not one."""
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None
    return _kind_of(address)


def _kind_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    for kind, networks in _NETWORKS.items():
        if any(address.version == n.version and address in n for n in networks):
            return kind
    return "remote"


def _name_kind(host: str) -> str:
    if host != "localhost" and "." in host and not host.endswith(LOCAL_SUFFIXES):
        return "remote"  # public-style name: never trusted by what it resolves to
    addresses = resolve(host)
    if not addresses:
        return "remote"
    kinds = {_kind_of(ipaddress.ip_address(a.split("%")[0])) for a in addresses}
    if "remote" in kinds:
        return "remote"
    return next(k for k in LOCAL_KINDS if k in kinds)


@lru_cache(maxsize=64)
def resolve(host: str, timeout: float = RESOLVE_TIMEOUT) -> tuple[str, ...]:
    """Addresses of `host`, or () when resolution fails or takes longer than `timeout`."""
    found: list[str] = []

    def lookup() -> None:
        try:
            found.extend(sorted({info[4][0] for info in socket.getaddrinfo(host, None)}))
        except (OSError, UnicodeError):
            pass

    worker = threading.Thread(target=lookup, daemon=True)  # getaddrinfo has no timeout of its own
    worker.start()
    worker.join(timeout)
    return tuple(found) if not worker.is_alive() else ()
