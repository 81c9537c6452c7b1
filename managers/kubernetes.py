"""kubernetes: images of Kubernetes manifests, found by content.

Files: every ``*.yaml`` / ``*.yml`` file (``FILE_PATTERNS = (r"\\.ya?ml$",)``). A file
without the token ``apiVersion`` is not parsed, and neither is one without a top-level
``apiVersion:`` line, so non-Kubernetes YAML costs a substring search. Only documents
whose root mapping has both ``apiVersion`` and ``kind`` count; other documents of the
same file (and other YAML files) yield nothing and no warnings.

Finds, in every counting document (multi-document files included, and any kind: Pod,
Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ``List`` items, Argo
Rollouts and other custom resources with pod templates):

* ``image`` of every mapping in a ``containers`` / ``initContainers`` /
  ``ephemeralContainers`` list, at any depth (dep types ``container``,
  ``initContainer``, ``ephemeralContainer``);
* image volumes (Kubernetes 1.31+): ``volumes[].image.reference`` (dep type ``volume``);
* any other string ``image:`` value anywhere in the document that parses as an image
  reference (dep type ``image``), e.g. ``spec.image`` of operator resources, as
  Renovate's line-based ``image:`` search finds them. Values there that do not parse
  are not reported (they may not be images at all).

Images reached through aliases are extracted once, at the anchored scalar. Variables
and templates inside a value give ``skip_reason="contains-variable"``; container images
that do not parse give ``"invalid-value"``.

Warnings (``Problem``, level ``warning``, with file and line) only for documents that
look like manifests (top-level ``apiVersion:`` and ``kind:`` lines) but do not parse as
YAML or contain template syntax in their structure (Helm ``templates/``): those
documents yield nothing; the other documents of the file are still extracted.

Differences from Renovate:

* Renovate's kubernetes manager matches no files until configured; upkeep reads every
  YAML file and decides by content (the config's ``kubernetes.managerFilePatterns``,
  when set, replace this default, see DESIGN.md).
* Renovate matches ``image:`` lines with a regular expression anywhere in a file that
  mentions ``apiVersion`` and ``kind``; upkeep reads the YAML, so it does not pick up
  ``image:`` lines inside block scalars (a ConfigMap embedding YAML text), in documents
  without ``apiVersion``/``kind``, or in Helm templates, and it handles flow style,
  quoting and anchors exactly.
* Kubernetes API versions (Renovate's ``kubernetes-api`` datasource) are not extracted:
  upkeep only updates images.
"""

from __future__ import annotations

import re

import yaml

from bot.model import Dependency, ExtractResult, Problem
from managers import _yaml

NAME = "kubernetes"
FILE_PATTERNS: tuple[str, ...] = (r"\.ya?ml$",)
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("apiVersion",)

_CONTAINER_LISTS = {
    "containers": "container",
    "initContainers": "initContainer",
    "ephemeralContainers": "ephemeralContainer",
}
_TOP_API_VERSION = re.compile(
    r"""^\ufeff?(?:--- *)?[{ \t]*["']?apiVersion["']?[ \t]*:""", re.MULTILINE
)
_TOP_KIND = re.compile(r"""^\ufeff?(?:--- *)?[{ \t]*["']?kind["']?[ \t]*:""", re.MULTILINE)


def extract(text: str, path: str) -> ExtractResult:
    """Images of the Kubernetes manifests in a YAML file; never raises for bad input."""
    if "apiVersion" not in text or _TOP_API_VERSION.search(text) is None:
        return ExtractResult(dependencies=())
    return _yaml.extract_documents(
        text, path, _extract_document,
        wanted=_is_manifest,
        report_error=lambda doc: _looks_like_manifest(text, doc.start, doc.end),
    )


def _looks_like_manifest(text: str, start: int, end: int) -> bool:
    chunk = text[start:end]  # `^` only matches at a line start, not at `start`
    return _TOP_API_VERSION.search(chunk) is not None and _TOP_KIND.search(chunk) is not None


def _is_manifest(root: yaml.Node) -> bool:
    if not isinstance(root, yaml.MappingNode):
        return False
    keys = {k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)}
    return "apiVersion" in keys and "kind" in keys


def _extract_document(
    text: str,
    path: str,
    doc: _yaml.Document,
    deps: list[Dependency],
    problems: list[Problem],
) -> None:
    # image scalar node id -> (node, dep type); the most specific use wins.
    found: dict[int, tuple[yaml.Node, str]] = {}
    generic: dict[int, yaml.Node] = {}
    for node in _yaml.walk(doc.root):
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            name = str(key.value)
            if name in _CONTAINER_LISTS and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    image = _yaml.mapping_get(item, "image")
                    if image is not None:
                        found.setdefault(id(image), (image, _CONTAINER_LISTS[name]))
            elif name == "volumes" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    source = _yaml.mapping_get(item, "image")
                    reference = None if source is None else _yaml.mapping_get(source, "reference")
                    if reference is not None:
                        found.setdefault(id(reference), (reference, "volume"))
            elif name == "image" and isinstance(value, yaml.ScalarNode):
                generic.setdefault(id(value), value)

    for node, dep_type in found.values():
        dep, problem = _yaml.image_dependency(
            text, node, doc, manager=NAME, path=path, dep_type=dep_type
        )
        if dep is not None:
            deps.append(dep)
        if problem is not None:
            problems.append(problem)
    for key, node in generic.items():
        if key in found:
            continue
        dep, _ = _yaml.image_dependency(text, node, doc, manager=NAME, path=path, dep_type="image")
        if dep is not None and dep.skip_reason is None:
            deps.append(dep)
