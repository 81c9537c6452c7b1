"""The image reference grammar: ``[registry[:port]/]path[:tag][@algo:hex]``.

Follows the distribution project's reference grammar, with Docker Hub's defaults:
a first path component is a registry host when it contains ``.`` or ``:`` or is
``localhost``; otherwise the image is on Docker Hub, and a one-component path gets
the ``library/`` namespace (``nginx`` -> ``docker.io/library/nginx``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
#: Where Docker Hub's registry API answers.
DOCKER_HUB_API = "https://registry-1.docker.io"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

_REFERENCE = re.compile(
    rf"^(?P<name>(?:(?P<domain>{_DOMAIN})/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)


class InvalidReference(ValueError):
    """The text is not an image reference."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference split into its parts.

    ``name`` is the reference as written without tag and digest (Renovate's
    ``depName``); ``registry`` is the host as written (``None`` for Docker Hub by
    default); ``repository`` is the path on that registry, with ``library/`` added
    for Docker Hub's official images.
    """

    name: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def is_docker_hub(self) -> bool:
        return self.registry is None or self.registry in DOCKER_HUB_ALIASES

    @property
    def canonical_registry(self) -> str:
        return DOCKER_HUB if self.is_docker_hub else str(self.registry)

    @property
    def canonical_name(self) -> str:
        """``docker.io/library/nginx`` for ``nginx``."""
        return f"{self.canonical_registry}/{self.repository}"

    def render(self, tag: str | None, digest: str | None) -> str:
        text = self.name
        if tag:
            text += f":{tag}"
        if digest:
            text += f"@{digest}"
        return text


def _is_domain(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def parse(text: str) -> ImageRef:
    """Parse an image reference; raises ``InvalidReference``."""
    match = _REFERENCE.match(text)
    if match is None:
        raise InvalidReference(f"not an image reference: {text!r}")
    name = match["name"]
    first, _, rest = name.partition("/")
    registry: str | None
    if rest and _is_domain(first):
        registry, path = first, rest
    else:
        registry, path = None, name
    if registry is not None and registry.lower() in DOCKER_HUB_ALIASES:
        registry = registry.lower()
    if (registry is None or registry in DOCKER_HUB_ALIASES) and "/" not in path:
        path = f"library/{path}"
    return ImageRef(
        name=name,
        registry=registry,
        repository=path,
        tag=match["tag"],
        digest=match["digest"],
    )


def short_digest(digest: str | None) -> str | None:
    """Renovate's ``newDigestShort``: the first seven hex digits (``sha256:1a2b3c4…`` ->
    ``1a2b3c4``)."""
    return digest.replace("sha256:", "")[:7] if digest else None


def registry_url_for(host: str) -> str:
    """The base URL of a registry host as written in a reference (https by default)."""
    if host in DOCKER_HUB_ALIASES:
        return DOCKER_HUB_API
    return f"https://{host}"


def split_registry_url(url: str) -> tuple[str, str]:
    """``https://mirror.example/v2/prefix`` -> (``https://mirror.example``, ``prefix``).

    A registry URL may carry a path prefix under which repositories live (as Renovate's
    ``registryUrls`` may); the ``/v2`` part of it is dropped.
    """
    url = url.rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    path = path.strip("/")
    if path == "v2":
        path = ""
    elif path.startswith("v2/"):
        path = path[3:]
    if host in DOCKER_HUB_ALIASES:
        return DOCKER_HUB_API, path
    return f"{scheme}://{host}", path
