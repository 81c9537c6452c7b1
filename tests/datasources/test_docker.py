"""The docker datasource against the real distribution registry (MockTransport only for
what a real registry cannot show: pagination in 2.8, Docker Hub, truncated bodies)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest

from bot.errors import ImageNotFound, RegistryAuthError, RegistryUnavailable
from bot.hostrules import HostRule, HostRules
from bot.http import Http, RetryPolicy
from datasources.docker import DockerDatasource
from tests.registry import TOKEN_SERVICE, Registry, free_port

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=3, backoff=0.001, jitter=0.0)


async def _no_sleep(_: float) -> None:
    return None


@asynccontextmanager
async def datasource(
    rules: list[HostRule] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    on_request: Callable[[httpx.Request], None] | None = None,
    **kwargs: int,
) -> AsyncIterator[DockerDatasource]:
    async def hook(request: httpx.Request) -> None:
        if on_request is not None:
            on_request(request)

    async with (
        httpx.AsyncClient(transport=transport, event_hooks={"request": [hook]}) as client,
        Http(HostRules(tuple(rules or ())), client=client, retry=FAST, sleep=_no_sleep) as http,
    ):
        yield DockerDatasource(http, **kwargs)


def creds(registry: Registry, password: str | None = None) -> list[HostRule]:
    return [
        HostRule(
            match_host=registry.host.split(":")[0],
            username=registry.username,
            password=password or registry.password,
        )
    ]


# -- tags


async def test_tags_list(registry: Registry) -> None:
    repo = registry.repository("tags")
    for tag in ("1.0.0", "1.1.0", "2.0.0-alpine", "latest"):
        registry.push_image(repo, tag)
    async with datasource() as ds:
        info = await ds.get_releases(registry.url, repo)
    assert sorted(r.version for r in info.releases) == ["1.0.0", "1.1.0", "2.0.0-alpine", "latest"]
    assert info.registry_url == registry.url
    assert info.lookup_name == repo
    assert all(r.timestamp is None for r in info.releases)


async def test_registry_url_with_path_prefix(registry: Registry) -> None:
    prefix = registry.repository("mirror")
    registry.push_image(f"{prefix}/app", "1.0")
    async with datasource() as ds:
        info = await ds.get_releases(f"{registry.url}/v2/{prefix}", "app")
    assert [r.version for r in info.releases] == ["1.0"]
    assert info.lookup_name == f"{prefix}/app"


def _paged_registry(tags: list[str], seen: list[str]) -> httpx.MockTransport:
    """A registry that pages its tags (distribution 3 does; 2.8 ignores ``n``)."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        n = int(request.url.params["n"])
        last = request.url.params.get("last")
        start = tags.index(last) + 1 if last else 0
        page = tags[start : start + n]
        headers = {}
        if start + n < len(tags):
            headers["Link"] = f'</v2/app/tags/list?last={page[-1]}&n={n}>; rel="next"'
        return httpx.Response(200, json={"name": "app", "tags": page}, headers=headers)

    return httpx.MockTransport(handler)


async def test_tags_pagination_follows_link() -> None:
    tags = [f"1.{i}" for i in range(7)]
    seen: list[str] = []
    async with datasource(transport=_paged_registry(tags, seen), page_size=3) as ds:
        info = await ds.get_releases("https://registry.example", "app")
    assert [r.version for r in info.releases] == tags
    assert len(seen) == 3
    assert seen[0] == "https://registry.example/v2/app/tags/list?n=3"


async def test_tags_pagination_is_bounded() -> None:
    tags = [f"1.{i}" for i in range(50)]
    seen: list[str] = []
    transport = _paged_registry(tags, seen)
    async with datasource(transport=transport, page_size=2, max_pages=4) as ds:
        info = await ds.get_releases("https://registry.example", "app")
    assert len(info.releases) == 8
    async with datasource(transport=transport, page_size=4, max_tags=10) as ds:
        info = await ds.get_releases("https://registry.example", "app")
    assert [r.version for r in info.releases] == tags[:10]


async def test_tags_pagination_ignores_cross_origin_link() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "registry.example"
        link = '<https://evil.example/v2/app/tags/list?last=a>; rel="next"'
        return httpx.Response(200, json={"tags": ["a"]}, headers={"Link": link})

    async with datasource(transport=httpx.MockTransport(handler)) as ds:
        info = await ds.get_releases("https://registry.example", "app")
    assert [r.version for r in info.releases] == ["a"]


async def test_missing_repository(registry: Registry) -> None:
    repo = registry.repository("absent")
    async with datasource() as ds:
        with pytest.raises(ImageNotFound, match=f"{registry.host}/{repo}"):
            await ds.get_releases(registry.url, repo)
        with pytest.raises(ImageNotFound, match=repo):
            await ds.get_digest(registry.url, repo, "1.0")


# -- digests


async def test_digest_single_arch(registry: Registry) -> None:
    repo = registry.repository("single")
    oci = registry.push_image(repo, "oci")
    docker = registry.push_image(repo, "docker", docker_format=True)
    async with datasource() as ds:
        assert await ds.get_digest(registry.url, repo, "oci") == oci
        assert await ds.get_digest(registry.url, repo, "docker") == docker
        assert await ds.get_digest(registry.url, repo, "nope") is None


async def test_digest_multi_arch_is_the_index_digest(registry: Registry) -> None:
    repo = registry.repository("multi")
    index = registry.push_image(repo, "1.0", platforms=["linux/amd64", "linux/arm64"])
    manifest_list = registry.push_image(
        repo, "1.1", platforms=["linux/arm/v7", "linux/amd64"], docker_format=True
    )
    async with datasource() as ds:
        assert await ds.get_digest(registry.url, repo, "1.0") == index
        assert await ds.get_digest(registry.url, repo, "1.1") == manifest_list


async def test_digest_follows_a_moved_tag(registry: Registry) -> None:
    repo = registry.repository("moving")
    first = registry.push_image(repo, "latest")
    second = registry.push_image(repo, "latest")
    assert first != second
    async with datasource() as ds:
        assert await ds.get_digest(registry.url, repo, "latest") == second
    registry.tag(repo, first, "latest")
    async with datasource() as ds:
        assert await ds.get_digest(registry.url, repo, "latest") == first


class _DropDigestHeader(httpx.AsyncBaseTransport):
    """The real registry, minus ``Docker-Content-Digest`` (some proxies drop it)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.methods: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.method)
        response = await self.inner.handle_async_request(request)
        headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"docker-content-digest"]
        return httpx.Response(
            response.status_code,
            headers=headers,
            stream=response.stream,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_digest_without_header_hashes_the_manifest(registry: Registry) -> None:
    repo = registry.repository("noheader")
    single = registry.push_image(repo, "a")
    index = registry.push_image(repo, "b", platforms=["linux/amd64", "linux/s390x"])
    transport = _DropDigestHeader()
    async with datasource(transport=transport) as ds:
        assert await ds.get_digest(registry.url, repo, "a") == single
        assert await ds.get_digest(registry.url, repo, "b") == index
    assert transport.methods == ["HEAD", "GET", "HEAD", "GET"]


async def test_truncated_manifest_is_an_error() -> None:
    body = json.dumps({"schemaVersion": 2, "mediaType": "application/x"}).encode()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Docker-Content-Digest": digest, "Content-Type": "application/x"}
        if request.method == "HEAD":
            return httpx.Response(200, headers={"Content-Type": "application/x"})
        return httpx.Response(200, content=body[:-5], headers=headers)

    async with datasource(transport=httpx.MockTransport(handler)) as ds:
        with pytest.raises(RegistryUnavailable, match=r"registry\.example/app"):
            await ds.get_digest("https://registry.example", "app", "1.0")


async def test_concurrent_lookups_make_one_request_each(registry: Registry) -> None:
    repo = registry.repository("dedup")
    digest = registry.push_image(repo, "1.0")
    registry.push_image(repo, "1.1")
    seen: list[tuple[str, str]] = []
    async with datasource(on_request=lambda r: seen.append((r.method, r.url.path))) as ds:
        results = await asyncio.gather(
            *(ds.get_digest(registry.url, repo, "1.0") for _ in range(40)),
            *(ds.get_releases(registry.url, repo) for _ in range(10)),
        )
        assert await ds.get_digest(registry.url, repo, "1.0") == digest
    assert set(results[:40]) == {digest}
    assert seen.count(("HEAD", f"/v2/{repo}/manifests/1.0")) == 1
    assert seen.count(("GET", f"/v2/{repo}/tags/list")) == 1


# -- labels and creation time


async def test_source_url_and_created(registry: Registry) -> None:
    repo = registry.repository("labels")
    created = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    registry.push_image(
        repo, "oci", labels={"org.opencontainers.image.source": "https://git.example/a"}
    )
    registry.push_image(
        repo,
        "schema",
        labels={"org.label-schema.vcs-url": "https://git.example/b"},
        created=created,
        docker_format=True,
    )
    registry.push_image(repo, "bare")
    async with datasource() as ds:
        assert await ds.get_source_url(registry.url, repo, "oci") == "https://git.example/a"
        assert await ds.get_source_url(registry.url, repo, "schema") == "https://git.example/b"
        assert await ds.get_source_url(registry.url, repo, "bare") is None
        assert await ds.get_source_url(registry.url, repo, "missing") is None
        assert await ds.get_created(registry.url, repo, "schema") == created
        assert await ds.get_created(registry.url, repo, "bare") is None


async def test_labels_of_an_index_come_from_linux_amd64(registry: Registry) -> None:
    repo = registry.repository("indexlabels")
    arm = registry.push_image(
        repo,
        None,
        platform="linux/arm64",
        labels={"org.opencontainers.image.source": "https://git.example/arm"},
    )
    amd = registry.push_image(
        repo,
        None,
        platform="linux/amd64",
        labels={"org.opencontainers.image.source": "https://git.example/amd"},
        created=datetime(2024, 1, 1, tzinfo=UTC),
    )
    registry.push_index(repo, "both", {"linux/arm64": arm, "linux/amd64": amd})
    registry.push_index(repo, "armonly", {"linux/arm64": arm}, docker_format=True)
    async with datasource() as ds:
        assert await ds.get_source_url(registry.url, repo, "both") == "https://git.example/amd"
        assert await ds.get_created(registry.url, repo, "both") == datetime(2024, 1, 1, tzinfo=UTC)
        assert await ds.get_source_url(registry.url, repo, "armonly") == "https://git.example/arm"


# -- auth


async def test_basic_auth(basic_auth_registry: Registry) -> None:
    reg = basic_auth_registry
    repo = reg.repository("basic")
    digest = reg.push_image(repo, "1.0")
    async with datasource(creds(reg)) as ds:
        info = await ds.get_releases(reg.url, repo)
        assert [r.version for r in info.releases] == ["1.0"]
        assert await ds.get_digest(reg.url, repo, "1.0") == digest


@pytest.mark.parametrize("password", ["wrong-password", None])
async def test_basic_auth_refused(basic_auth_registry: Registry, password: str | None) -> None:
    reg = basic_auth_registry
    repo = reg.repository("basicbad")
    reg.push_image(repo, "1.0")
    rules = creds(reg, password) if password else []
    async with datasource(rules) as ds:
        with pytest.raises(RegistryAuthError) as info:
            await ds.get_releases(reg.url, repo)
    assert f"{reg.host}/{repo}" in str(info.value)
    assert "wrong-password" not in str(info.value)


async def test_token_auth_fetches_one_token_per_scope(token_registry: Registry) -> None:
    reg = token_registry
    assert reg.token_server is not None
    repo = reg.repository("token")
    digest = reg.push_image(repo, "1.0", labels={"org.opencontainers.image.source": "https://s"})
    for tag in ("1.1", "1.2", "1.3"):
        reg.push_image(repo, tag)
    reg.token_server.reset()
    async with datasource(creds(reg)) as ds:
        assert await ds.get_digest(reg.url, repo, "1.0") == digest
        info = await ds.get_releases(reg.url, repo)
        digests = await asyncio.gather(
            *(ds.get_digest(reg.url, repo, t) for t in ("1.1", "1.2", "1.3"))
        )
        assert await ds.get_source_url(reg.url, repo, "1.0") == "https://s"
    assert len(info.releases) == 4
    assert all(d and d.startswith("sha256:") for d in digests)
    requests = reg.token_server.requests
    assert len(requests) == 1
    assert requests[0].scopes == [f"repository:{repo}:pull"]
    assert requests[0].service == TOKEN_SERVICE
    assert requests[0].user == reg.username
    assert requests[0].status == 200


async def test_token_auth_concurrent_first_requests_share_a_token(token_registry: Registry) -> None:
    reg = token_registry
    assert reg.token_server is not None
    repo = reg.repository("tokenrace")
    for tag in ("a", "b", "c", "d"):
        reg.push_image(repo, tag)
    reg.token_server.reset()
    async with datasource(creds(reg)) as ds:
        await asyncio.gather(*(ds.get_digest(reg.url, repo, t) for t in "abcd"))
    assert len(reg.token_server.requests) == 1


async def test_token_auth_wrong_credentials(token_registry: Registry) -> None:
    reg = token_registry
    repo = reg.repository("tokenbad")
    reg.push_image(repo, "1.0")
    async with datasource(creds(reg, "wrong-password")) as ds:
        with pytest.raises(RegistryAuthError) as info:
            await ds.get_digest(reg.url, repo, "1.0")
    assert f"{reg.host}/{repo}" in str(info.value)
    assert "wrong-password" not in str(info.value)


# -- transport


async def test_registry_down() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with datasource() as ds:
        with pytest.raises(RegistryUnavailable, match="repo/app") as info:
            await ds.get_releases(url, "repo/app")
    assert "ConnectError" in str(info.value)


async def test_insecure_registry_rewrites_https(registry: Registry) -> None:
    repo = registry.repository("insecure")
    digest = registry.push_image(repo, "1.0")
    rules = [HostRule(match_host=registry.host, insecure_registry=True)]
    async with datasource(rules) as ds:
        assert await ds.get_digest(f"https://{registry.host}", repo, "1.0") == digest


# -- Docker Hub (MockTransport: no internet here)


def _docker_hub(hub_status: int, seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host}{request.url.path}")
        if request.url.host == "hub.docker.com":
            if hub_status != 200:
                return httpx.Response(hub_status)
            base = "https://hub.docker.com/v2/namespaces/library/repositories/nginx/tags"
            if request.url.params.get("page") == "2":
                last = [{"name": "1.25", "tag_last_pushed": "2024-01-02T03:04:05.123456Z"}]
                return httpx.Response(200, json={"next": None, "results": last})
            results: list[dict[str, str | None]] = [
                {"name": "latest", "tag_last_pushed": "2025-06-01T00:00:00Z"},
                {"name": "1.27", "tag_last_pushed": None, "last_updated": "2025-05-01T00:00:00Z"},
            ]
            return httpx.Response(200, json={"next": f"{base}?page=2", "results": results})
        if request.url.host == "auth.docker.io":
            assert "Authorization" not in request.headers  # anonymous
            return httpx.Response(200, json={"token": "anon-token", "expires_in": 300})
        assert request.url.host == "registry-1.docker.io"
        if request.headers.get("Authorization") != "Bearer anon-token":
            challenge = (
                'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
                'scope="repository:library/nginx:pull"'
            )
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        return httpx.Response(200, json={"name": "library/nginx", "tags": ["1.25", "latest"]})

    return httpx.MockTransport(handler)


async def test_docker_hub_tag_api_gives_timestamps() -> None:
    seen: list[str] = []
    async with datasource(transport=_docker_hub(200, seen)) as ds:
        info = await ds.get_releases("https://registry-1.docker.io", "library/nginx")
    assert {r.version: r.timestamp for r in info.releases} == {
        "latest": datetime(2025, 6, 1, tzinfo=UTC),
        "1.27": datetime(2025, 5, 1, tzinfo=UTC),
        "1.25": datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
    }
    assert all(s.startswith("hub.docker.com/v2/namespaces/library/") for s in seen)


async def test_docker_hub_falls_back_to_the_registry_api() -> None:
    seen: list[str] = []
    async with datasource(transport=_docker_hub(503, seen)) as ds:
        info = await ds.get_releases("https://registry-1.docker.io", "library/nginx")
    assert [r.version for r in info.releases] == ["1.25", "latest"]
    assert seen.count("auth.docker.io/token") == 1
    assert seen[-1] == "registry-1.docker.io/v2/library/nginx/tags/list"
