"""bot.http: retries, Retry-After, host rules, credentials, redirects, limits, registry auth.

MockTransport stands in for faults a real registry cannot be made to show; the
registry token dance against the real registry is in tests/datasources/test_docker.py.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from bot import __version__
from bot.errors import RegistryAuthError, RegistryRateLimited, RegistryUnavailable
from bot.hostrules import HostRule, HostRules
from bot.http import Http, RetryPolicy, redact
from bot.registry_auth import RegistryAuth, parse_challenges

pytestmark = pytest.mark.anyio

Handler = Callable[[httpx.Request], httpx.Response]
BASIC = "Basic " + base64.b64encode(b"user:pw-secret").decode()


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@asynccontextmanager
async def make_http(
    handler: Handler,
    rules: list[HostRule] | None = None,
    retry: RetryPolicy | None = None,
    recorder: Recorder | None = None,
    **kwargs: object,
) -> AsyncIterator[Http]:
    recorder = recorder or Recorder()
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client,
        Http(
            HostRules(tuple(rules or ())),
            client=client,
            retry=retry or RetryPolicy(attempts=4, backoff=1.0, jitter=0.0),
            sleep=recorder.sleep,
            **kwargs,  # type: ignore[arg-type]
        ) as http,
    ):
        yield http


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    items = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


# -- retries


async def test_429_with_retry_after_seconds_then_success() -> None:
    handler, seen = sequence(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, text="ok")
    )
    recorder = Recorder()
    async with make_http(handler, recorder=recorder) as http:
        response = await http.get("https://registry.example/v2/")
    assert response.text == "ok"
    assert len(seen) == 2
    assert recorder.sleeps == [2.0]


async def test_retry_after_http_date_and_cap() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    handler, _ = sequence(
        httpx.Response(503, headers={"Retry-After": later}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.Response(200),
    )
    recorder = Recorder()
    retry = RetryPolicy(attempts=3, backoff=1.0, max_wait=60.0, jitter=0.0)
    async with make_http(handler, retry=retry, recorder=recorder, clock=now.timestamp) as http:
        assert (await http.get("https://registry.example/v2/")).status_code == 200
    assert recorder.sleeps == [30.0, 60.0]


async def test_5xx_burst_then_failure() -> None:
    handler, seen = sequence(httpx.Response(502), httpx.Response(500), httpx.Response(503))
    recorder = Recorder()
    async with make_http(handler, recorder=recorder) as http:
        with pytest.raises(RegistryUnavailable, match=r"registry.example: HTTP 503") as info:
            await http.get("https://registry.example/v2/lib/app/tags/list?n=5&secret=x")
    assert len(seen) == 4
    assert recorder.sleeps == [1.0, 2.0, 4.0]  # exponential backoff
    assert info.value.host == "registry.example"
    assert "secret" not in str(info.value)


async def test_5xx_burst_then_success() -> None:
    handler, seen = sequence(httpx.Response(500), httpx.Response(502), httpx.Response(200))
    async with make_http(handler) as http:
        assert (await http.head("https://registry.example/v2/")).status_code == 200
    assert len(seen) == 3


async def test_429_forever_is_rate_limited() -> None:
    handler, _ = sequence(httpx.Response(429))
    async with make_http(handler) as http:
        with pytest.raises(RegistryRateLimited, match="HTTP 429 after 4 attempt"):
            await http.get("https://registry.example/v2/")


async def test_connection_error_is_unavailable() -> None:
    handler, seen = sequence(httpx.ConnectError("refused"))
    async with make_http(handler) as http:
        with pytest.raises(RegistryUnavailable, match="ConnectError"):
            await http.get("https://registry.example/v2/")
    assert len(seen) == 4


async def test_4xx_is_returned_not_retried() -> None:
    handler, seen = sequence(httpx.Response(404))
    async with make_http(handler) as http:
        assert (await http.get("https://registry.example/v2/x/tags/list")).status_code == 404
    assert len(seen) == 1


class _Truncated(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"tags": ["1.'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


@pytest.mark.parametrize("recovers", [True, False])
async def test_truncated_body_is_retried(recovers: bool) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if recovers and calls == 2:
            return httpx.Response(200, json={"tags": ["1.0"]})
        return httpx.Response(200, headers={"Content-Length": "40"}, stream=_Truncated())

    async with make_http(handler) as http:
        if recovers:
            response = await http.get("https://registry.example/v2/x/tags/list")
            assert response.json() == {"tags": ["1.0"]}
        else:
            with pytest.raises(RegistryUnavailable, match="RemoteProtocolError"):
                await http.get("https://registry.example/v2/x/tags/list")
    assert calls == (2 if recovers else 4)


# -- host rules, credentials, redirects


async def test_user_agent_and_insecure_rewrite() -> None:
    handler, seen = sequence(httpx.Response(200))
    rules = [HostRule(match_host="insecure.example", insecure_registry=True)]
    async with make_http(handler, rules) as http:
        await http.get("https://insecure.example:5000/v2/")
        await http.get("https://secure.example/v2/")
    assert [str(r.url) for r in seen] == [
        "http://insecure.example:5000/v2/",
        "https://secure.example/v2/",
    ]
    assert seen[0].headers["User-Agent"] == f"upkeep/{__version__}"


async def test_credentials_only_for_their_host() -> None:
    handler, seen = sequence(httpx.Response(200))
    rules = [
        HostRule(match_host="registry.example", username="user", password="pw-secret"),
        HostRule(username="everyone", password="nope"),  # no matchHost: never sent
        HostRule(match_host="ghcr.example", token="tok"),
        HostRule(match_host="raw.example", token="tok", auth_type="Token-Only"),
    ]
    async with make_http(handler, rules) as http:
        for host in ("registry.example", "other.example", "ghcr.example", "raw.example"):
            await http.get(f"https://{host}/v2/")
    assert [r.headers.get("Authorization") for r in seen] == [BASIC, None, "Bearer tok", "tok"]


async def test_cross_host_redirect_drops_credentials() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "registry.example" and request.url.path.startswith("/v2/a/blobs"):
            return httpx.Response(307, headers={"Location": "https://storage.example/blob?sig=1"})
        if request.url.host == "registry.example":
            return httpx.Response(302, headers={"Location": "/v2/a/blobs/sha256:1"})
        return httpx.Response(200, text="blob")

    rules = [HostRule(match_host="registry.example", username="user", password="pw-secret")]
    async with make_http(handler, rules) as http:
        response = await http.get("https://registry.example/v2/old/blobs/sha256:1")
    assert response.text == "blob"
    assert [(r.url.host, r.headers.get("Authorization")) for r in seen] == [
        ("registry.example", BASIC),
        ("registry.example", BASIC),  # same origin: still ours
        ("storage.example", None),
    ]


async def test_cross_host_redirect_drops_bearer_token() -> None:
    seen: list[tuple[str, str | None]] = []
    params: list[httpx.QueryParams] = []

    def handler(request: httpx.Request) -> httpx.Response:
        # the auth flow re-sends the same Request object: record what it was
        seen.append((request.url.host, request.headers.get("Authorization")))
        params.append(request.url.params)
        if request.url.host == "auth.example":
            return httpx.Response(200, json={"token": "T1"})
        if request.url.host == "storage.example":
            return httpx.Response(200, text="blob")
        if request.headers.get("Authorization") != "Bearer T1":
            challenge = 'Bearer realm="https://auth.example/token",service="reg"'
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        return httpx.Response(307, headers={"Location": "https://storage.example/b"})

    rules = [HostRule(match_host="example", username="user", password="pw-secret")]
    async with make_http(handler, rules) as http:
        response = await http.get(
            "https://reg.example/v2/a/blobs/sha256:1", auth=RegistryAuth(http)
        )
    assert response.text == "blob"
    assert seen == [
        ("reg.example", None),
        ("auth.example", BASIC),
        ("reg.example", "Bearer T1"),
        ("storage.example", None),
    ]
    assert params[1]["scope"] == "repository:a:pull"
    assert params[1]["service"] == "reg"


async def test_per_host_concurrency_limit() -> None:
    active: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        active[host] = active.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), active[host])
        await asyncio.sleep(0.002)
        active[host] -= 1
        return httpx.Response(200)

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client,
        Http(client=client, per_host_limit=3) as http,
    ):
        await asyncio.gather(
            *(http.get(f"https://{h}.example/v2/") for h in ["a"] * 20 + ["b"] * 5)
        )
    assert peak == {"a.example": 3, "b.example": 3}


async def test_secrets_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    handler, _ = sequence(httpx.Response(500), httpx.Response(200))
    rules = [HostRule(match_host="registry.example", username="user", password="pw-secret")]
    with caplog.at_level(logging.DEBUG, logger="bot.http"):
        async with make_http(handler, rules) as http:
            await http.get("https://user:pw-secret@registry.example/v2/?token=tok-secret")
    text = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert "registry.example/v2/" in text
    assert "secret" not in text


async def test_own_client_closed_injected_client_left_open() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as c:
        async with Http(client=c):
            pass
        assert not c.is_closed
    http = Http()
    await http.aclose()
    assert http._client.is_closed


# -- registry auth


def _token_registry(tokens: list[str], token_status: int = 200) -> tuple[Handler, list[str]]:
    """A registry at reg.example whose realm hands out ``tokens`` in turn."""
    log: list[str] = []
    issued = list(tokens)
    valid: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("Authorization", "-")
        log.append(f"{request.url.host}{request.url.path} {auth}")
        if request.url.host == "auth.example":
            if token_status != 200:
                return httpx.Response(token_status)
            token = issued.pop(0)
            valid.add(token)
            return httpx.Response(200, json={"access_token": token, "expires_in": 300})
        if auth.removeprefix("Bearer ") in valid:
            return httpx.Response(200, headers={"Docker-Content-Digest": "sha256:1"})
        challenge = 'Bearer realm="https://auth.example/token",service="reg",error="x"'
        return httpx.Response(401, headers={"WWW-Authenticate": challenge})

    return handler, log


async def test_bearer_token_is_cached_per_scope() -> None:
    handler, log = _token_registry(["T1", "T2"])
    async with make_http(handler) as http:
        auth = RegistryAuth(http)
        for path in ("a/manifests/1", "a/tags/list", "a/manifests/2", "b/manifests/1"):
            await http.head(f"https://reg.example/v2/{path}", auth=auth)
    assert auth.token_requests == 2
    assert log == [
        "reg.example/v2/a/manifests/1 -",
        "auth.example/token -",
        "reg.example/v2/a/manifests/1 Bearer T1",
        "reg.example/v2/a/tags/list Bearer T1",
        "reg.example/v2/a/manifests/2 Bearer T1",
        "reg.example/v2/b/manifests/1 -",
        "auth.example/token -",
        "reg.example/v2/b/manifests/1 Bearer T2",
    ]


async def test_bearer_token_expiry_refetches() -> None:
    handler, _ = _token_registry(["T1", "T2"])
    now = [0.0]
    async with make_http(handler) as http:
        auth = RegistryAuth(http, clock=lambda: now[0])
        await http.head("https://reg.example/v2/a/manifests/1", auth=auth)
        now[0] = 1000.0
        await http.head("https://reg.example/v2/a/manifests/1", auth=auth)
    assert auth.token_requests == 2


@pytest.mark.parametrize(
    ("status", "error"), [(401, RegistryAuthError), (503, RegistryUnavailable)]
)
async def test_token_endpoint_failure(status: int, error: type[Exception]) -> None:
    handler, _ = _token_registry([], token_status=status)
    rules = [HostRule(match_host="example", username="user", password="pw-secret")]
    async with make_http(handler, rules) as http:
        with pytest.raises(error) as info:
            await http.head("https://reg.example/v2/a/manifests/1", auth=RegistryAuth(http))
    assert "pw-secret" not in str(info.value)


async def test_basic_challenge_gets_rule_credentials_once_then_preemptively() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") == BASIC:
            return httpx.Response(200)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="r"'})

    rules = [HostRule(match_host="reg.example", username="user", password="pw-secret")]
    async with make_http(handler, rules) as http:
        auth = RegistryAuth(http)
        assert (await http.get("https://reg.example/v2/a/tags/list", auth=auth)).is_success
        assert (await http.get("https://reg.example/v2/b/tags/list", auth=auth)).is_success
        other = await http.get("https://other.example/v2/a/tags/list", auth=auth)
    assert other.status_code == 401
    assert seen == [None, BASIC, BASIC, None]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:library/nginx:pull,push"',
            [
                (
                    "bearer",
                    {
                        "realm": "https://auth.docker.io/token",
                        "service": "registry.docker.io",
                        "scope": "repository:library/nginx:pull,push",
                    },
                )
            ],
        ),
        ('Basic realm="Artifactory Realm"', [("basic", {"realm": "Artifactory Realm"})]),
        (
            'Bearer realm="https://codeberg.org/v2/token",service="container_registry",'
            'scope="*", Basic realm="https://codeberg.org/v2"',
            [
                (
                    "bearer",
                    {
                        "realm": "https://codeberg.org/v2/token",
                        "service": "container_registry",
                        "scope": "*",
                    },
                ),
                ("basic", {"realm": "https://codeberg.org/v2"}),
            ],
        ),
        ("", []),
    ],
)
def test_parse_challenges(header: str, expected: list[tuple[str, dict[str, str]]]) -> None:
    assert [(c.scheme, c.params) for c in parse_challenges(header)] == expected


def test_redact() -> None:
    assert redact("https://u:p@reg.example:5000/v2/x?token=t#f") == "https://reg.example:5000/v2/x"


def test_attempts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPKEEP_HTTP_ATTEMPTS", "7")
    assert RetryPolicy.from_environment().attempts == 7
    monkeypatch.setenv("UPKEEP_HTTP_ATTEMPTS", "lots")
    assert RetryPolicy.from_environment().attempts == 4
