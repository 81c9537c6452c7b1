"""The registry token flow as an ``httpx.Auth`` (like httpx's ``DigestAuth``).

A registry answers 401 with ``WWW-Authenticate: Bearer realm=…,service=…,scope=…``;
``RegistryAuth`` fetches a token from the realm (with the host rule's credentials when
the realm is the registry's own site), caches it per (realm, service, scope) until it
expires, and retries the request with it. Basic challenges get the host rule's
credentials. Credentials never go to another site's realm.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import httpx

from bot.errors import RegistryAuthError
from bot.http import USER_AGENT, Http, redact

log = logging.getLogger(__name__)
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
