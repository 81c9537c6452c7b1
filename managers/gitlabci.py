"""gitlabci: images of GitLab CI/CD pipeline files.

Files: Renovate's default pattern, ``\\.gitlab-ci\\.ya?ml$`` (``.gitlab-ci.yml``,
``ci/.gitlab-ci.yaml``, ``templates/build.gitlab-ci.yml``). Files without the token
``image`` or ``services`` are not parsed.

Finds, in every document of the file (a ``spec:`` header document included):

* ``image: x`` (dep type ``image``) and ``image: {name: x}`` (dep type ``image-name``),
  at the top level and in every top-level mapping: jobs, hidden jobs (``.template:``),
  the ``default:`` block;
* ``services: [x, {name: x, alias: …}]`` there (dep type ``service-image``);
* images reached through anchors, aliases and merge keys (``<<: *defaults``): the image
  is extracted once, at the anchored scalar;
* GitLab's Dependency Proxy prefix: ``${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/node:20``
  (also ``$CI_…``, and ``…_DIRECT_GROUP_IMAGE_PREFIX``) is the image ``node:20`` on
  Docker Hub; the span covers only the part after the prefix, which an update keeps.

Skips:

* values built by GitLab, not written: ``!reference [.base, image]`` and other custom
  tags are composed (never constructed, so unknown tags are fine) and yield nothing;
  ``include:`` is not followed;
* other CI variables (``$CI_REGISTRY/group/app:1.2``, ``${CI_REGISTRY_IMAGE}:latest``):
  ``skip_reason="contains-variable"``, with the value as written as ``replace_string``,
  so ``registryAliases`` (``{"$CI_REGISTRY": "registry.example.com"}``) can resolve
  them; ``${VAR:-image:tag}`` resolves to its default; references that do not parse:
  ``"invalid-value"``; values with YAML escapes or over several lines:
  ``"invalid-value"`` plus a warning.

Warnings (``Problem``, level ``warning``, with file and line): a document that is not
valid YAML or whose YAML structure contains template syntax (``{{ … }}``); such a
document yields nothing, the other documents of the file are still read.

Differences from Renovate:

* Local ``include:`` files are not followed (Renovate extracts them as GitLab CI files
  too, whatever their name); add their paths to ``gitlabci.managerFilePatterns``.
* CI/CD component references (``include: [{component: host/group/project/c@1.0}]``,
  Renovate's ``gitlab-tags`` datasource) are not extracted: upkeep only updates images.
* Renovate gives up on the whole file at the first YAML error; upkeep warns and still
  reads the other documents.
* Dependencies come in file order; Renovate lists the top level first, then each job.
"""

from __future__ import annotations

import re

import yaml

from bot.model import Dependency, ExtractResult, Problem, Span
from managers import _yaml

NAME = "gitlabci"
FILE_PATTERNS: tuple[str, ...] = (r"\.gitlab-ci\.ya?ml$",)
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("image", "services")

_SEQ_TAG = "tag:yaml.org,2002:seq"
_DEPENDENCY_PROXY = re.compile(
    r"^\$(?:\{CI_DEPENDENCY_PROXY_(?:DIRECT_)?GROUP_IMAGE_PREFIX\}"
    r"|CI_DEPENDENCY_PROXY_(?:DIRECT_)?GROUP_IMAGE_PREFIX)/(?=.)"
)


def extract(text: str, path: str) -> ExtractResult:
    """Images of a GitLab CI file; never raises for bad input."""
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
    # image scalar node id -> (node, dep type); the first use wins
    images: dict[int, tuple[yaml.Node, str]] = {}
    for job in [root, *(value for _, value in root.value)]:
        if isinstance(job, yaml.MappingNode):
            _add_job(job, images)
    for node, dep_type in images.values():
        dep, problem = _image_dependency(text, node, doc, path, dep_type)
        if dep is not None:
            deps.append(dep)
        if problem is not None:
            problems.append(problem)


def _add_job(job: yaml.MappingNode, images: dict[int, tuple[yaml.Node, str]]) -> None:
    image = _yaml.mapping_get(job, "image")
    if isinstance(image, yaml.ScalarNode):
        images.setdefault(id(image), (image, "image"))
    elif isinstance(image, yaml.MappingNode):
        name = _yaml.mapping_get(image, "name")
        if isinstance(name, yaml.ScalarNode):
            images.setdefault(id(name), (name, "image-name"))
    services = _yaml.mapping_get(job, "services")
    if isinstance(services, yaml.SequenceNode) and services.tag == _SEQ_TAG:  # not !reference
        for service in services.value:
            node = (
                _yaml.mapping_get(service, "name")
                if isinstance(service, yaml.MappingNode)
                else service
            )
            if isinstance(node, yaml.ScalarNode):
                images.setdefault(id(node), (node, "service-image"))


def _image_dependency(
    text: str, node: yaml.Node, doc: _yaml.Document, path: str, dep_type: str
) -> tuple[Dependency | None, Problem | None]:
    """``_yaml.image_dependency``, reading through the Dependency Proxy prefix."""
    if _yaml.scalar_text(node) is not None:
        assert isinstance(node, yaml.ScalarNode)
        found = _yaml.scalar_span(text, node, doc)
        proxy = _DEPENDENCY_PROXY.match(found.value)
        if found.span is not None and proxy is not None:
            dep = _yaml.make_dependency(
                manager=NAME,
                path=path,
                value=found.value[proxy.end() :],
                span=Span(start=found.span.start + proxy.end(), end=found.span.end),
                line=found.line,
                dep_type=dep_type,
            )
            return dep, None
    return _yaml.image_dependency(text, node, doc, manager=NAME, path=path, dep_type=dep_type)
