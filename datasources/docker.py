"""The docker datasource: the OCI distribution API of any registry, plus Docker Hub's tags.

- tags: ``GET /v2/<repo>/tags/list?n=…`` following ``Link: <…>; rel="next"`` on the same
  origin, at most ``max_pages`` pages / ``max_tags`` tags. For Docker Hub
  (``https://registry-1.docker.io``) the Hub tag API is asked first, as it gives
  ``tag_last_pushed`` timestamps; the registry API is the fallback.
- digest: ``HEAD /v2/<repo>/manifests/<tag>`` accepting OCI index, Docker manifest list,
  OCI manifest and Docker v2 manifest; the ``Docker-Content-Digest`` header, else the
  sha256 of a GET's body. A multi-arch image gives its index digest.
- source URL and creation time: the image config blob (for an index: its linux/amd64
  manifest, else its first).

Every (registry, repository) tag list, (registry, repository, tag) digest and config is
fetched once per instance: concurrent askers share the in-flight task.

Errors: 404 -> ``ImageNotFound``; 401/403 -> ``RegistryAuthError``; connection errors
and 5xx -> ``RegistryUnavailable`` and 429 -> ``RegistryRateLimited`` (after ``Http``'s
retries). Messages name the registry host and the repository, never credentials.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any, TypeVar

import httpx

from bot.errors import (
    ImageNotFound,
    RegistryAuthError,
    RegistryError,
    RegistryUnavailable,
)
from bot.http import Http, redact
from bot.image import DOCKER_HUB_API, split_registry_url
from bot.model import Release, ReleaseInfo
from bot.registry_auth import RegistryAuth

log = logging.getLogger(__name__)

NAME = "docker"
HOST_TYPE = "docker"
DOCKER_HUB_TAGS_API = "https://hub.docker.com"

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))
SOURCE_LABELS = ("org.opencontainers.image.source", "org.label-schema.vcs-url")

_LINK_NEXT = re.compile(r'<([^>]*)>\s*;[^,]*\brel="?next"?')
_T = TypeVar("_T")


def _next_link(response: httpx.Response) -> httpx.URL | None:
    """The same-origin ``rel="next"`` link of a response, if any."""
    match = _LINK_NEXT.search(response.headers.get("Link", ""))
    if not match:
        return None
    current = response.request.url
    target = current.join(match[1])
    if (target.scheme, target.host, target.port) != (current.scheme, current.host, current.port):
        log.warning("ignoring cross-origin pagination link", extra={"url": redact(target)})
        return None
    return target


def _json(response: httpx.Response, where: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise RegistryUnavailable(f"{where}: invalid JSON in the response") from exc


def _loads(body: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise RegistryUnavailable(f"{where}: invalid JSON in a manifest") from exc
    if not isinstance(value, dict):
        raise RegistryUnavailable(f"{where}: a manifest is not a JSON object")
    return value


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        # Go writes up to nanoseconds; Python takes microseconds.
        trimmed = re.sub(r"(\.\d{6})\d+", r"\1", value)
        try:
            return datetime.fromisoformat(trimmed)
        except ValueError:
            return None


class DockerDatasource:
    """Tags, digests and labels of images on any OCI registry (Renovate's ``docker``)."""

    def __init__(
        self,
        http: Http,
        *,
        page_size: int = 1000,
        max_pages: int = 100,
        max_tags: int = 10_000,
    ) -> None:
        self._http = http
        self.auth = RegistryAuth(http, host_type=HOST_TYPE)
        self.page_size = page_size
        self.max_pages = max_pages
        self.max_tags = max_tags
        self._tasks: dict[tuple[str, ...], asyncio.Task[Any]] = {}

    # -- public API

    async def get_releases(self, registry_url: str, repository: str) -> ReleaseInfo:
        base, path = self._locate(registry_url, repository)
        releases = await self._tags_once(base, path)
        return ReleaseInfo(
            package_name=repository,
            registry_url=registry_url,
            lookup_name=path,
            releases=releases,
        )

    async def get_digest(self, registry_url: str, repository: str, tag: str) -> str | None:
        """The digest ``tag`` points at (the index digest for multi-arch images).

        ``None`` when the repository exists but the tag does not.
        """
        base, path = self._locate(registry_url, repository)
        digest: str | None = await self._once(
            ("digest", base, path, tag), lambda: self._digest(base, path, tag)
        )
        return digest

    async def get_source_url(self, registry_url: str, repository: str, tag: str) -> str | None:
        config = await self._config(registry_url, repository, tag)
        labels = (config.get("config") or {}).get("Labels") or {}
        for label in SOURCE_LABELS:
            value = labels.get(label)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    async def get_created(self, registry_url: str, repository: str, tag: str) -> datetime | None:
        config = await self._config(registry_url, repository, tag)
        return _parse_time(config.get("created"))

    # -- plumbing

    @staticmethod
    def _locate(registry_url: str, repository: str) -> tuple[str, str]:
        base, prefix = split_registry_url(registry_url)
        path = f"{prefix}/{repository}" if prefix else repository
        return base, path

    async def _once(self, key: tuple[str, ...], make: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``make`` once per key; concurrent and later callers share its result."""
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(make())
        result: _T = await asyncio.shield(task)
        return result

    async def _tags_once(self, base: str, path: str) -> tuple[Release, ...]:
        releases: tuple[Release, ...] = await self._once(
            ("tags", base, path), lambda: self._releases(base, path)
        )
        return releases

    @contextmanager
    def _about(self, base: str, path: str) -> Iterator[str]:
        """Name the registry and repository in the ``RegistryError``s raised inside."""
        where = f"{httpx.URL(base).netloc.decode()}/{path}"
        try:
            yield where
        except RegistryError as exc:
            if where in str(exc):
                raise
            raise type(exc)(f"{where}: {exc}", host=exc.host) from exc

    async def _get(
        self, method: str, url: str, where: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        response = await self._http.request(
            method, url, headers=headers, auth=self.auth, host_type=HOST_TYPE
        )
        status = response.status_code
        if status < 300 or status == 404:
            return response
        host = httpx.URL(url).netloc.decode()
        if status in (401, 403):
            raise RegistryAuthError(f"{where}: access denied (HTTP {status})", host=host)
        raise RegistryUnavailable(f"{where}: unexpected HTTP {status} for {redact(url)}", host=host)

    # -- tags

    async def _releases(self, base: str, path: str) -> tuple[Release, ...]:
        if base == DOCKER_HUB_API:
            try:
                return await self._hub_releases(path)
            except (RegistryError, ImageNotFound, ValueError, KeyError, TypeError) as exc:
                log.info(
                    "Docker Hub tag API failed, using the registry API",
                    extra={"repository": path, "error": str(exc)},
                )
        tags = await self._registry_tags(base, path)
        return tuple(Release(version=tag) for tag in tags)

    async def _registry_tags(self, base: str, path: str) -> list[str]:
        with self._about(base, path) as where:
            url: httpx.URL | None = httpx.URL(f"{base}/v2/{path}/tags/list").copy_merge_params(
                {"n": self.page_size}
            )
            tags: dict[str, None] = {}
            pages = 0
            while url is not None and pages < self.max_pages and len(tags) < self.max_tags:
                response = await self._get("GET", str(url), where)
                if response.status_code == 404:
                    raise ImageNotFound(f"{where}: no such repository")
                body = _json(response, where)
                for tag in (body.get("tags") if isinstance(body, dict) else None) or []:
                    if isinstance(tag, str):
                        tags[tag] = None
                pages += 1
                url = _next_link(response)
            if url is not None:
                log.warning(
                    "tag list truncated",
                    extra={"repository": where, "pages": pages, "tags": len(tags)},
                )
            return list(tags)[: self.max_tags]

    async def _hub_releases(self, path: str) -> tuple[Release, ...]:
        namespace, _, name = path.partition("/")
        url: httpx.URL | None = httpx.URL(
            f"{DOCKER_HUB_TAGS_API}/v2/namespaces/{namespace}/repositories/{name}/tags"
        ).copy_merge_params({"page_size": 1000, "ordering": "last_updated"})
        releases: dict[str, Release] = {}
        pages = 0
        while url is not None and pages < self.max_pages and len(releases) < self.max_tags:
            response = await self._http.request("GET", str(url), host_type=HOST_TYPE)
            if response.status_code == 404:
                raise ImageNotFound(f"docker.io/{path}: no such repository")
            if response.status_code != 200:
                raise RegistryUnavailable(f"hub.docker.com: HTTP {response.status_code}")
            body = response.json()
            for item in body["results"]:
                tag = item["name"]
                pushed = _parse_time(item.get("tag_last_pushed") or item.get("last_updated"))
                releases.setdefault(tag, Release(version=tag, timestamp=pushed))
            pages += 1
            next_url = body.get("next")
            url = None
            if isinstance(next_url, str) and next_url:
                candidate = response.request.url.join(next_url)
                if candidate.host == response.request.url.host:
                    url = candidate
        return tuple(releases.values())[: self.max_tags]

    # -- digests and configs

    async def _digest(self, base: str, path: str, tag: str) -> str | None:
        with self._about(base, path) as where:
            url = f"{base}/v2/{path}/manifests/{tag}"
            headers = {"Accept": MANIFEST_ACCEPT}
            response = await self._get("HEAD", url, where, headers)
            if response.status_code == 200:
                digest = response.headers.get("Docker-Content-Digest", "")
                if digest:
                    return str(digest)
            body, _ = await self._manifest(base, path, tag, where)
            if body is None:
                return None
            return "sha256:" + hashlib.sha256(body).hexdigest()

    async def _manifest(
        self, base: str, path: str, reference: str, where: str
    ) -> tuple[bytes | None, str]:
        """GET a manifest: its bytes and media type; ``None`` for an unknown tag.

        404 for a repository that does not exist raises ``ImageNotFound``; a body whose
        sha256 differs from ``Docker-Content-Digest`` (truncated) raises
        ``RegistryUnavailable``.
        """
        url = f"{base}/v2/{path}/manifests/{reference}"
        response = await self._get("GET", url, where, {"Accept": MANIFEST_ACCEPT})
        if response.status_code == 404:
            codes: set[object] = set()
            with suppress(ValueError, AttributeError, TypeError):
                codes = {e.get("code") for e in response.json().get("errors", [])}
            if "NAME_UNKNOWN" in codes:
                raise ImageNotFound(f"{where}: no such repository")
            # distribution 2.8 says MANIFEST_UNKNOWN for a missing repository too; the
            # tag list (shared with get_releases) tells which one it is.
            await self._tags_once(base, path)
            return None, ""
        body = response.content
        expected = response.headers.get("Docker-Content-Digest", "")
        if expected.startswith("sha256:") and expected[7:] != hashlib.sha256(body).hexdigest():
            raise RegistryUnavailable(
                f"{where}: manifest {reference} does not match its digest (truncated?)"
            )
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return body, media_type

    async def _config(self, registry_url: str, repository: str, tag: str) -> dict[str, Any]:
        base, path = self._locate(registry_url, repository)
        config: dict[str, Any] = await self._once(
            ("config", base, path, tag), lambda: self._fetch_config(base, path, tag)
        )
        return config

    async def _fetch_config(self, base: str, path: str, tag: str) -> dict[str, Any]:
        """The image config of ``tag`` ({} when the tag does not exist or has none)."""
        with self._about(base, path) as where:
            body, media_type = await self._manifest(base, path, tag, where)
            if body is None:
                return {}
            manifest = _loads(body, where)
            if media_type in (OCI_INDEX, DOCKER_LIST) or "manifests" in manifest:
                chosen = _pick_platform(manifest.get("manifests") or [])
                if chosen is None:
                    return {}
                body, _ = await self._manifest(base, path, chosen, where)
                if body is None:
                    return {}
                manifest = _loads(body, where)
            digest = (manifest.get("config") or {}).get("digest")
            if not isinstance(digest, str):
                return {}
            response = await self._get("GET", f"{base}/v2/{path}/blobs/{digest}", where)
            if response.status_code == 404:
                return {}
            config = _json(response, where)
            return config if isinstance(config, dict) else {}


def _pick_platform(manifests: list[dict[str, Any]]) -> str | None:
    """The linux/amd64 entry of an index, else its first; ``None`` for an empty one."""
    for entry in manifests:
        platform = entry.get("platform") or {}
        if platform.get("os") == "linux" and platform.get("architecture") == "amd64":
            return str(entry["digest"])
    return str(manifests[0]["digest"]) if manifests else None
