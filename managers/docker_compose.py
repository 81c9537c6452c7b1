"""docker-compose: images of Docker Compose files.

Files: Renovate's default pattern, ``(^|/)(?:docker-)?compose[^/]*\\.ya?ml$``
(``docker-compose.yml``, ``compose.yaml``, ``docker-compose.prod.yml``, ``x/compose.override.yaml``).
Files without the token ``image`` are not parsed.

Finds:

* ``services.<name>.image`` (dep type ``service``);
* Compose v1 files, whose services sit at the top level (no ``services:`` key): every
  top-level mapping with an ``image`` is a service;
* ``image`` keys in top-level extension fields (``x-…``), dep type ``extension``;
* images reached through anchors, aliases and merge keys (``<<: *defaults``): the image
  is extracted once, at the anchored scalar, however many services use it;
* ``${VAR:-image:tag}`` and ``${VAR-image:tag}`` (optionally with the default in double
  quotes): the default is the dependency and its span covers only the default's text,
  so an update keeps the variable.

Skips:

* services with a ``build:`` key (the image is the name of a locally built image); an
  anchored image that some service uses without ``build`` is still extracted;
* images that are empty, null or not strings: no dependency at all;
* any other variable (``$IMAGE``, ``${REGISTRY}/app:1``, ``${A:-x}:${B:-y}``):
  ``skip_reason="contains-variable"``; references that do not parse:
  ``"invalid-value"``; values that use YAML escapes or span several lines:
  ``"invalid-value"`` plus a warning, since no exact span can be given.

Warnings (``Problem``, level ``warning``, with file and line): a file that is not valid
YAML, or whose YAML structure contains template syntax (``{{ … }}``, ``{% … %}``); such
a document yields no dependencies. Template markers inside string values (a
healthcheck's ``--format '{{.State.Health}}'``) are data and do not count.

Differences from Renovate:

* Renovate strips template syntax and extracts what is left; upkeep warns and extracts
  nothing from a templated document, because a template's rendered output is what
  runs, and editing the template text line-by-line is guesswork.
* Extension fields: Renovate looks only at ``image`` directly under a top-level ``x-``
  key; upkeep also finds ``image`` keys in mappings nested deeper under it
  (``x-defaults: {app: {image: …}}``), which are the same kind of shared fragment.
* ``${VAR-default}`` (without the colon) resolves to its default too; Renovate only
  handles ``${VAR:-default}``.
* Every document of a multi-document file is read as a Compose file (Renovate refuses
  multi-document files).
* Dependencies come in file order; Renovate lists services before extensions.
"""

from __future__ import annotations

import yaml

from bot.model import Dependency, ExtractResult, Problem
from managers import _yaml

NAME = "docker-compose"
FILE_PATTERNS: tuple[str, ...] = (r"(^|/)(?:docker-)?compose[^/]*\.ya?ml$",)
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("image",)


def extract(text: str, path: str) -> ExtractResult:
    """Images of a Compose file; never raises for bad input."""
    if not any(token in text for token in PREFILTER):
        return ExtractResult(dependencies=())
    return _yaml.extract_documents(text, path, _extract_document)


def _extract_document(
    text: str,
    path: str,
    doc: _yaml.Document,
    deps: list[Dependency],
    problems: list[Problem],
) -> None:
    root = doc.root
    if not isinstance(root, yaml.MappingNode):
        return
    # image scalar node id -> (node, dep type), first non-build use wins
    images: dict[int, tuple[yaml.Node, str]] = {}

    services = _yaml.mapping_get(root, "services")
    if services is None:
        # Compose v1: services at the top level (extension fields are handled below).
        entries = [
            v
            for k, v in root.value
            if isinstance(k, yaml.ScalarNode) and not str(k.value).startswith("x-")
        ]
    elif isinstance(services, yaml.MappingNode):
        entries = [v for _, v in services.value]
    else:
        entries = []
    for service in entries:
        _add_image(service, "service", images)

    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and str(key.value).startswith("x-"):
            for node in _yaml.walk(value):
                if isinstance(node, yaml.MappingNode):
                    _add_image(node, "extension", images)

    for node, dep_type in images.values():
        dep, problem = _yaml.image_dependency(
            text, node, doc, manager=NAME, path=path, dep_type=dep_type
        )
        if dep is not None:
            deps.append(dep)
        if problem is not None:
            problems.append(problem)


def _add_image(service: yaml.Node, dep_type: str, images: dict[int, tuple[yaml.Node, str]]) -> None:
    if not isinstance(service, yaml.MappingNode):
        return
    image = _yaml.mapping_get(service, "image")
    if image is None or not _yaml.is_null(_yaml.mapping_get(service, "build")):
        return
    images.setdefault(id(image), (image, dep_type))
