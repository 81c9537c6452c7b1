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

The registry token dance (``WWW-Authenticate: Bearer realm=…``) is
``bot.registry_auth.RegistryAuth``, an ``httpx.Auth`` flow used with this client.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from bot import __version__
from bot.errors import RegistryRateLimited, RegistryUnavailable
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

    @classmethod
    def from_environment(cls) -> RetryPolicy:
        """``UPKEEP_HTTP_ATTEMPTS`` (default 4) sets how often a failing request is tried."""
        raw = os.environ.get("UPKEEP_HTTP_ATTEMPTS", "")
        return cls(attempts=max(1, int(raw))) if raw.isdigit() else cls()


def _describe(exc: Exception) -> str:
    """The exception's kind and its cause's words (``ConnectError: [SSL] wrong version…``)."""
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _hint(exc: Exception, url: str | httpx.URL) -> str:
    """What a user can do about a failure that usually means plain HTTP spoken as HTTPS."""
    text = str(exc).lower()
    if str(url).startswith("https://") and ("ssl" in text or "tls" in text or "wrong version" in text):
        return "; if this registry speaks plain HTTP, add a hostRule with insecureRegistry: true"
    return ""


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
                        f"{host}: {_describe(exc)} after {attempt} attempt(s)"
                        f" ({method} {redact(url)}){_hint(exc, url)}",
                        host=host,
                    ) from exc
                wait, reason = self._backoff(attempt), _describe(exc)
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
                "request failed (%s %s: %s), retrying in %.1f s",
                method, redact(url), reason, wait,
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
