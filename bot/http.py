"""The one shared HTTP client: host rules, registry auth, retries, limits per host.

``Http`` wraps an ``httpx.AsyncClient`` (keep-alive, HTTP/1.1). Every request:

- gets its URL rewritten to ``http://`` when the host's rule says ``insecureRegistry``;
- waits for a slot of its host (``per_host_limit`` concurrent requests per host);
- carries credentials only to the host whose rule names them: with ``auth=None`` the
  rule's credentials are sent pre-emptively (Renovate's ``applyAuthorization``); with
  an ``httpx.Auth`` (``RegistryAuth``) that auth answers the challenges. Redirects are
  followed here, not by httpx: a hop to another origin (a registry sending a blob GET to
  object storage) goes without ``Authorization`` and without auth;
- is retried on connection errors, 429 and 5xx with exponential backoff, honoring
  ``Retry-After`` (seconds or an HTTP date) up to ``RetryPolicy.max_wait``; then
  ``RegistryUnavailable`` / ``RegistryRateLimited`` is raised. Other statuses are
  returned for the caller to judge.

Logs name URLs without query strings or user info; headers are never logged.

``RegistryAuth`` is the registry token dance (``WWW-Authenticate: Bearer realm=…``) as an
``httpx.Auth`` flow; tokens are cached per (realm, service, scope) and fetched once even
when many requests need the same one at the same time.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from bot import __version__
from bot.errors import RegistryAuthError, RegistryRateLimited, RegistryUnavailable
from bot.hostrules import HostRule, HostRules

log = logging.getLogger(__name__)

USER_AGENT = f"upkeep/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently to retry (``attempts`` counts the first try)."""

    attempts: int = 4
    backoff: float = 0.5  # first wait; doubles each attempt
    max_wait: float = 60.0  # cap for backoff and Retry-After
    jitter: float = 0.1  # up to +10 % on backoff waits


def redact(url: str | httpx.URL) -> str:
    """A URL fit for logs and messages: no user info, no query, no fragment."""
    u = httpx.URL(url)
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{u.host}{port}{u.path}"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


class Http:
    """The shared HTTP client. Use as ``async with Http(rules) as http: ...``.

    An injected ``client`` stays the caller's to close; one made here is closed by
    ``aclose``. ``sleep`` and ``clock`` are injectable so tests never wait.
    """

    def __init__(
        self,
        host_rules: HostRules | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        per_host_limit: int = 8,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        max_redirects: int = 10,
    ) -> None:
        self.host_rules = host_rules or HostRules()
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            http1=True,
            http2=False,
            timeout=DEFAULT_TIMEOUT,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={"User-Agent": USER_AGENT},
        )
        self._per_host_limit = per_host_limit
        self._slots: dict[str, asyncio.Semaphore] = {}
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._max_redirects = max_redirects

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # -- host rules

    def rule_for(self, url: str | httpx.URL, host_type: str | None = None) -> HostRule:
        return self.host_rules.find(str(url), host_type)

    def rewrite_url(self, url: str | httpx.URL, host_type: str | None = None) -> httpx.URL:
        """``https://`` becomes ``http://`` for hosts whose rule sets ``insecureRegistry``."""
        u = httpx.URL(url)
        if u.scheme == "https" and self.rule_for(u, host_type).insecure_registry:
            return u.copy_with(scheme="http")
        return u

    def authorization_for(self, url: str | httpx.URL, host_type: str | None = None) -> str | None:
        """The ``Authorization`` value the host rule for ``url`` gives, if any.

        As Renovate: ``username`` + ``password`` make Basic; a ``token`` is sent as
        ``<authType or Bearer> <token>`` (``Token-Only``: the bare token).
        """
        rule = self.rule_for(url, host_type)
        if rule.username and rule.password is not None:
            raw = f"{rule.username}:{rule.password}".encode()
            return "Basic " + base64.b64encode(raw).decode()
        if rule.token:
            if rule.auth_type == "Token-Only":
                return rule.token
            return f"{rule.auth_type or 'Bearer'} {rule.token}"
        return None

    # -- requests

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def head(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("HEAD", url, **kwargs)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        host_type: str | None = None,
    ) -> httpx.Response:
        """Send with retries; the returned response's body has been read.

        Raises ``RegistryUnavailable`` (connection errors, 5xx) or ``RegistryRateLimited``
        (429) once the retries are spent; any other status is returned.
        """
        policy = self.retry
        host = httpx.URL(url).netloc.decode()
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                response = await self._follow(method, url, headers or {}, auth, host_type)
            except httpx.TransportError as exc:
                retryable = method in _IDEMPOTENT or isinstance(exc, httpx.ConnectError)
                if last or not retryable:
                    raise RegistryUnavailable(
                        f"{host}: {type(exc).__name__} after {attempt} attempt(s)"
                        f" ({method} {redact(url)})",
                        host=host,
                    ) from exc
                wait, reason = self._backoff(attempt), type(exc).__name__
            else:
                status = response.status_code
                if status != 429 and status < 500:
                    return response
                if last:
                    error = RegistryRateLimited if status == 429 else RegistryUnavailable
                    raise error(
                        f"{host}: HTTP {status} after {attempt} attempt(s)"
                        f" ({method} {redact(url)})",
                        host=host,
                    )
                retry_after = self._retry_after(response)
                wait = self._backoff(attempt) if retry_after is None else retry_after
                reason = f"HTTP {status}"
            log.info(
                "request failed, retrying",
                extra={"url": redact(url), "reason": reason, "attempt": attempt, "wait": wait},
            )
            await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        policy = self.retry
        wait = min(policy.backoff * 2.0 ** (attempt - 1), policy.max_wait)
        return wait * (1 + policy.jitter * random.random())

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - self._clock()
            except (TypeError, ValueError):
                return None
        return min(max(seconds, 0.0), self.retry.max_wait)

    async def _follow(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        auth: httpx.Auth | None,
        host_type: str | None,
    ) -> httpx.Response:
        """One attempt: send and follow redirects; credentials stay with their origin."""
        first = self.rewrite_url(url, host_type)
        target = first
        for _ in range(self._max_redirects + 1):
            hop_headers = {"User-Agent": USER_AGENT, **headers}
            hop_auth: httpx.Auth | None = None
            if _origin(target) == _origin(first):
                hop_auth = auth
                has_auth = any(k.lower() == "authorization" for k in hop_headers)
                if auth is None and not has_auth:
                    credentials = self.authorization_for(target, host_type)
                    if credentials:
                        hop_headers["Authorization"] = credentials
            else:
                hop_headers = {k: v for k, v in hop_headers.items() if k.lower() != "authorization"}
            request = self._client.build_request(method, target, headers=hop_headers)
            async with self._slot(target):
                response = await self._client.send(request, auth=hop_auth, follow_redirects=False)
            log.debug("%s %s -> %d", method, redact(target), response.status_code)
            location = response.headers.get("Location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            await response.aclose()
            if response.status_code == 303 and method != "HEAD":
                method = "GET"
            target = self.rewrite_url(target.join(location), host_type)
        raise RegistryUnavailable(
            f"{first.netloc.decode()}: more than {self._max_redirects} redirects",
            host=first.netloc.decode(),
        )

    def _slot(self, url: httpx.URL) -> asyncio.Semaphore:
        key = url.netloc.decode()
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = asyncio.Semaphore(self._per_host_limit)
        return slot


# --------------------------------------------------------------------------- registry auth


@dataclass(frozen=True, slots=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: scheme (lower case) and its parameters."""

    scheme: str
    params: dict[str, str]


_AUTH_PARAM = re.compile(r'\s*([\w.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?')
_AUTH_SCHEME = re.compile(r"\s*,?\s*([\w.-]+)")


def parse_challenges(header: str) -> list[Challenge]:
    """``Bearer realm="…",service="…", Basic realm="…"`` -> challenges in order."""
    challenges: list[Challenge] = []
    pos = 0
    while pos < len(header):
        param = _AUTH_PARAM.match(header, pos)
        if param and challenges:
            value = param[2]
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            challenges[-1].params[param[1].lower()] = value
            pos = param.end()
            continue
        scheme = _AUTH_SCHEME.match(header, pos)
        if not scheme or scheme.end() == pos:
            break
        challenges.append(Challenge(scheme[1].lower(), {}))
        pos = scheme.end()
    return challenges


_REPO_PATH = re.compile(r"^/v2/(?P<name>.+)/(?:tags/list|manifests/[^/]+|blobs/[^/]+)$")


def _pull_scope(url: httpx.URL) -> str | None:
    match = _REPO_PATH.match(url.path)
    return f"repository:{match['name']}:pull" if match else None


def _same_site(registry_host: str, realm_host: str) -> bool:
    """Whether a realm belongs to the registry: same host, its parent, or a sibling.

    ``registry-1.docker.io`` -> ``auth.docker.io``; ``registry.gitlab.com`` ->
    ``gitlab.com``. A parent needs a dot, so ``ghcr.io`` has none to share.
    """
    if registry_host == realm_host:
        return True
    parent = registry_host.partition(".")[2]
    return "." in parent and (realm_host == parent or realm_host.endswith("." + parent))


_TokenKey = tuple[str, str, str]  # realm, service, scope


@dataclass(frozen=True, slots=True)
class _Bearer:
    key: _TokenKey


@dataclass(frozen=True, slots=True)
class _Direct:
    authorization: str


class RegistryAuth(httpx.Auth):
    """Registry auth as an ``httpx.Auth`` flow (the shape of httpx's ``DigestAuth``).

    A request goes out with what is already known for its host (a cached token for
    its repository's pull scope, or the direct credentials a Basic challenge asked
    for). On 401 the challenge decides: ``Bearer realm=…`` fetches a token from the
    realm (with the credentials ``Http.authorization_for`` gives for the realm, or for
    the registry when the realm is on the registry's own site) and retries once; any
    other scheme gets the host rule's credentials directly (Renovate's
    ``getAuthHeaders``). A token endpoint that refuses raises ``RegistryAuthError``; one
    that fails with 429/5xx ends the flow with that response so ``Http`` retries.
    """

    requires_response_body = True  # for the token response in the sync flow

    def __init__(
        self,
        http: Http,
        *,
        host_type: str | None = "docker",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._host_type = host_type
        self._clock = clock
        self._tokens: dict[_TokenKey, tuple[str, float]] = {}
        self._realms: dict[str, tuple[str, str]] = {}  # registry netloc -> realm, service
        self._direct: dict[str, str] = {}  # registry netloc -> Authorization value
        self._locks: dict[_TokenKey, asyncio.Lock] = {}
        self.token_requests = 0

    # -- the flows

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._attach_known(request)
        response = yield request
        plan = self._plan(request, response)
        if plan is None:
            return
        if isinstance(plan, _Direct):
            request.headers["Authorization"] = plan.authorization
            yield request
            return
        token = self._cached(plan.key, rejected=request.headers.get("Authorization"))
        if token is None:
            token_response = yield self._token_request(plan.key, request)
            token = self._store(plan.key, token_response, request)
            if token is None:
                return
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self._attach_known(request)
        response = yield request
        plan = self._plan(request, response)
        if plan is None:
            return
        if isinstance(plan, _Direct):
            request.headers["Authorization"] = plan.authorization
            yield request
            return
        lock = self._locks.setdefault(plan.key, asyncio.Lock())
        async with lock:  # one token request per key, however many requests wait
            token = self._cached(plan.key, rejected=request.headers.get("Authorization"))
            if token is None:
                token_response = yield self._token_request(plan.key, request)
                await token_response.aread()
                token = self._store(plan.key, token_response, request)
                if token is None:
                    return
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    # -- steps shared by both flows

    def _attach_known(self, request: httpx.Request) -> None:
        if "Authorization" in request.headers:
            return
        host = request.url.netloc.decode()
        if host in self._direct:
            request.headers["Authorization"] = self._direct[host]
            return
        realm = self._realms.get(host)
        scope = _pull_scope(request.url)
        if realm and scope:
            token = self._cached((*realm, scope))
            if token:
                request.headers["Authorization"] = f"Bearer {token}"

    def _plan(self, request: httpx.Request, response: httpx.Response) -> _Bearer | _Direct | None:
        if response.status_code != 401:
            return None
        challenges = parse_challenges(response.headers.get("WWW-Authenticate", ""))
        host = request.url.netloc.decode()
        for challenge in challenges:
            realm = challenge.params.get("realm", "")
            if challenge.scheme == "bearer" and realm.startswith(("https://", "http://")):
                service = challenge.params.get("service", "")
                scope = challenge.params.get("scope") or _pull_scope(request.url) or ""
                self._realms[host] = (realm, service)
                return _Bearer((realm, service, scope))
        credentials = self._http.authorization_for(request.url, self._host_type)
        if credentials is None or request.headers.get("Authorization") == credentials:
            return None  # nothing (more) to offer: the 401 stands
        self._direct[host] = credentials
        return _Direct(credentials)

    def _cached(self, key: _TokenKey, rejected: str | None = None) -> str | None:
        entry = self._tokens.get(key)
        if entry is None:
            return None
        token, expires = entry
        if self._clock() >= expires or rejected == f"Bearer {token}":
            del self._tokens[key]
            return None
        return token

    def _token_request(self, key: _TokenKey, request: httpx.Request) -> httpx.Request:
        realm, service, scope = key
        url = self._http.rewrite_url(realm, self._host_type)
        params = {k: v for k, v in (("scope", scope), ("service", service)) if v}
        url = url.copy_merge_params(params)
        credentials = self._http.authorization_for(url, self._host_type)
        if credentials is None and _same_site(request.url.host, url.host):
            credentials = self._http.authorization_for(request.url, self._host_type)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if credentials:
            headers["Authorization"] = credentials
        self.token_requests += 1
        log.debug("fetching registry token", extra={"realm": redact(url), "scope": scope})
        return httpx.Request("GET", url, headers=headers)

    def _store(
        self, key: _TokenKey, response: httpx.Response, request: httpx.Request
    ) -> str | None:
        """The token from a token response, cached; ``None`` to hand back a 429/5xx."""
        status = response.status_code
        if status == 429 or status >= 500:
            return None
        host = request.url.netloc.decode()
        if status != 200:
            raise RegistryAuthError(
                f"{host}: token endpoint {redact(key[0])} refused {key[2] or 'access'}"
                f" (HTTP {status})",
                host=host,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = None
        if isinstance(body, dict):
            token = body.get("token") or body.get("access_token")
        if not isinstance(token, str) or not token:
            raise RegistryAuthError(f"{host}: token endpoint gave no token", host=host)
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 60.0
        self._tokens[key] = (token, self._clock() + max(lifetime - 10.0, 1.0))
        return token
