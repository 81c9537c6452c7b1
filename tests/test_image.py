from __future__ import annotations

import pytest

from bot import image

CASES = [
    # text, name, registry, repository, tag, digest
    ("nginx", "nginx", None, "library/nginx", None, None),
    ("nginx:1.25.3-alpine", "nginx", None, "library/nginx", "1.25.3-alpine", None),
    ("bitnami/redis:7.2", "bitnami/redis", None, "bitnami/redis", "7.2", None),
    ("docker.io/nginx:1", "docker.io/nginx", "docker.io", "library/nginx", "1", None),
    ("index.docker.io/library/nginx", "index.docker.io/library/nginx", "index.docker.io", "library/nginx", None, None),
    ("ghcr.io/org/app:v2.0.0", "ghcr.io/org/app", "ghcr.io", "org/app", "v2.0.0", None),
    ("localhost:5000/app:1.0", "localhost:5000/app", "localhost:5000", "app", "1.0", None),
    ("localhost/app", "localhost/app", "localhost", "app", None, None),
    ("127.0.0.1:5000/a/b/c:latest", "127.0.0.1:5000/a/b/c", "127.0.0.1:5000", "a/b/c", "latest", None),
    ("nginx@sha256:" + "a" * 64, "nginx", None, "library/nginx", None, "sha256:" + "a" * 64),
    ("nginx:alpine@sha256:" + "b" * 64, "nginx", None, "library/nginx", "alpine", "sha256:" + "b" * 64),
    ("quay.io/prometheus/node-exporter:v1.7.0", "quay.io/prometheus/node-exporter", "quay.io", "prometheus/node-exporter", "v1.7.0", None),
    ("my_org/my__app", "my_org/my__app", None, "my_org/my__app", None, None),
]


@pytest.mark.parametrize(("text", "name", "registry", "repository", "tag", "digest"), CASES)
def test_parse(text: str, name: str, registry: str | None, repository: str, tag: str | None, digest: str | None) -> None:
    ref = image.parse(text)
    assert (ref.name, ref.registry, ref.repository, ref.tag, ref.digest) == (name, registry, repository, tag, digest)
    assert ref.render(ref.tag, ref.digest) == text


@pytest.mark.parametrize("text", ["", "Nginx", "nginx:", "nginx:-bad", ":1.0", "a//b", "nginx@sha256:short", "nginx:${TAG}", "-x/y"])
def test_invalid_references_are_refused(text: str) -> None:
    with pytest.raises(image.InvalidReference):
        image.parse(text)


def test_docker_hub_defaults() -> None:
    assert image.parse("nginx").canonical_name == "docker.io/library/nginx"
    assert image.parse("registry-1.docker.io/library/nginx").is_docker_hub
    assert not image.parse("ghcr.io/nginx").is_docker_hub
    assert image.registry_url_for("docker.io") == image.DOCKER_HUB_API
    assert image.registry_url_for("ghcr.io") == "https://ghcr.io"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://mirror.example", ("https://mirror.example", "")),
        ("mirror.example/", ("https://mirror.example", "")),
        ("https://mirror.example/v2/hub", ("https://mirror.example", "hub")),
        ("http://127.0.0.1:5000/v2", ("http://127.0.0.1:5000", "")),
        ("https://index.docker.io", (image.DOCKER_HUB_API, "")),
    ],
)
def test_split_registry_url(url: str, expected: tuple[str, str]) -> None:
    assert image.split_registry_url(url) == expected
