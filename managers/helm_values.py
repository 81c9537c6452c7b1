"""helm-values: images of Helm chart values files.

Files: Renovate's default pattern, ``(^|/)values\\.ya?ml$`` (``values.yaml``,
``charts/app/values.yml``; not ``values-prod.yaml``: add such files to
``helm-values.managerFilePatterns``). Files without one of the tokens ``image``,
``Image`` or ``IMAGE`` are not parsed.

Finds, at any depth of every document (lists included), under every key that ends
with ``image`` in any letter case (``image``, ``initImage``, ``sidecar_image``,
``coreImage``), Renovate's heuristic:

* an image object ``{repository: …, tag: …}`` (or ``version:`` instead of ``tag:``,
  used when ``tag`` is missing or null), with an optional ``registry:``. The image
  is ``registry/repository`` (``repository`` alone without a registry), exactly as
  Renovate's ``depName``: ``{registry: docker.io, repository: bitnami/redis}`` is
  ``docker.io/bitnami/redis``. The dependency's span is the **tag** scalar only
  (``span_kind="tag"``, ``replace_string`` and ``current_value`` = the tag as
  written): an update writes only the new tag, keeping its quotes and comments.
  Digests in values files are not updated: a ``digest:`` key next to the tag is
  left alone and ``current_digest`` is always ``None`` (upkeep never adds a digest
  to such a dependency, even with ``pinDigests``). Charts that use a non-empty
  ``digest:`` instead of the tag (Bitnami's) therefore get tag updates that only
  take effect once the digest is emptied;
* an inline image string (``image: nginx:1.25``, ``inline_image: …``): the whole
  reference is the dependency (``span_kind="reference"``), as in the other managers.

The tag is the scalar's text as written, whatever YAML type it resolves to:
``tag: 1.20`` is the tag ``1.20``, not the float ``1.2``, and an update keeps the
quoting as it is (Renovate does the same), so a plain ``1.25`` edited to ``1.26``
stays a YAML number. Helm itself renders numbers through Go's float formatting
(``1.20`` becomes ``1.2``, ``20260122`` becomes ``2.0260122e+07``): quote numeric
tags in values files.

Images reached through anchors, aliases and merge keys are extracted once, at the
anchored scalar. An image object is not searched further (as in Renovate).

Skips (reported, never updated):

* a tag or repository with a variable or template (``$TAG``, ``"{{ .Chart.AppVersion }}"``):
  ``skip_reason="contains-variable"``;
* a repository and tag that do not make an image reference (``repository: nginx:1.2``
  plus ``tag: 1.3``): ``"invalid-value"``; a tag that uses YAML escapes or spans
  several lines: ``"invalid-value"`` plus a warning.

Nothing at all for image objects whose repository is missing, empty or not a string,
or whose tag (and version) is null, empty or a collection: a chart's empty tag means
"the chart's appVersion", which is not written in the file.

Warnings (``Problem``, level ``warning``, with file and line): a document that is not
valid YAML or whose YAML structure contains template syntax (``{{ … }}``); such a
document yields nothing, the other documents of the file are still read.

Differences from Renovate:

* Renovate converts a numeric tag to JavaScript's string form (``1.20`` → ``1.2``,
  and then looks for ``1.2`` in the file); upkeep uses the text as written.
* Image objects with a null, empty or non-string repository or tag yield nothing;
  Renovate makes a dependency of ``String(value)`` (``"null"``, ``"undefined"``).
* Renovate gives up on the whole file at the first YAML error; upkeep warns and
  still reads the other documents.
* Dependencies come in file order.
* Renovate's manager defaults (``pinDigests: false``, ``commitMessageTopic:
  "helm values {{depName}}"``) belong to the config layer, not to this module.
"""

from __future__ import annotations

import re

import yaml

from bot.image import InvalidReference
from bot.image import parse as parse_image
from bot.model import Dependency, ExtractResult, Problem, Span
from managers import _yaml

NAME = "helm-values"
FILE_PATTERNS: tuple[str, ...] = (r"(^|/)values\.ya?ml$",)
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("image", "Image", "IMAGE")

_IMAGE_KEY = re.compile(r"image$", re.IGNORECASE)
_VARIABLE = ("$", "{{", "{%")


def extract(text: str, path: str) -> ExtractResult:
    """Images of a Helm values file; never raises for bad input."""
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
    visited: set[int] = set()  # collections already searched
    found: set[int] = set()  # image / tag scalars already extracted
    stack: list[yaml.Node] = [doc.root]
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and _IMAGE_KEY.search(str(key.value)):
                if _is_image_object(value):
                    dep, problem = _object_dependency(text, path, doc, value, found)
                    _add(dep, problem, deps, problems)
                    continue
                if _yaml.scalar_text(value):
                    if id(value) not in found:
                        found.add(id(value))
                        dep, problem = _yaml.image_dependency(
                            text, value, doc, manager=NAME, path=path, dep_type=None
                        )
                        sibling = _sibling_tag(node)
                        if (dep is not None and dep.skip_reason is None and dep.current_value is None
                                and dep.current_digest is None and sibling is not None):
                            dep, problem = _tag_dependency(text, path, doc, dep.dep_name, sibling, found)
                        _add(dep, problem, deps, problems)
                    continue
            stack.append(value)


def _add(
    dep: Dependency | None,
    problem: Problem | None,
    deps: list[Dependency],
    problems: list[Problem],
) -> None:
    if dep is not None:
        deps.append(dep)
    if problem is not None:
        problems.append(problem)


def _is_image_object(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.MappingNode)
        and _yaml.mapping_get(node, "repository") is not None
        and (
            _yaml.mapping_get(node, "tag") is not None
            or _yaml.mapping_get(node, "version") is not None
        )
    )


def _object_dependency(
    text: str, path: str, doc: _yaml.Document, image: yaml.Node, found: set[int]
) -> tuple[Dependency | None, Problem | None]:
    """The tag dependency of ``{registry?, repository, tag | version}``."""
    tag_node = _yaml.mapping_get(image, "tag")
    if _yaml.is_null(tag_node):
        tag_node = _yaml.mapping_get(image, "version")
    repository_node = _yaml.mapping_get(image, "repository")
    repository = _yaml.scalar_text(repository_node) if repository_node is not None else None
    if not repository or not repository.strip():
        return None, None
    registry_node = _yaml.mapping_get(image, "registry")
    registry = _yaml.scalar_text(registry_node) if registry_node is not None else None
    name = f"{registry}/{repository}" if registry else repository
    return _tag_dependency(text, path, doc, name, tag_node, found)


def _sibling_tag(mapping: yaml.MappingNode) -> yaml.Node | None:
    """Renovate's getHelmValuesSiblingVersion: a ``tag`` (else ``version``) string key
    beside an untagged inline image (``{image: nginx, tag: 1.25.3}``)."""
    for key in ("tag", "version"):
        node = _yaml.mapping_get(mapping, key)
        if isinstance(node, yaml.ScalarNode) and not _yaml.is_null(node) and _yaml.scalar_text(node):
            return node
    return None


def _tag_dependency(
    text: str, path: str, doc: _yaml.Document, name: str, tag_node: yaml.Node | None, found: set[int]
) -> tuple[Dependency | None, Problem | None]:
    """A ``span_kind="tag"`` dependency on ``tag_node`` for the image ``name``."""
    if not isinstance(tag_node, yaml.ScalarNode) or _yaml.is_null(tag_node) or id(tag_node) in found:
        return None, None
    found.add(id(tag_node))
    tag = _yaml.scalar_span(text, tag_node, doc)
    if not tag.value.strip():
        return None, None
    if tag.span is None:
        problem = Problem(
            level="warning",
            message="image tag uses YAML escapes or spans several lines; not updated",
            file=path,
            line=tag.line,
            dep_name=name,
        )
        return _skipped(text, path, name, tag, "invalid-value"), problem
    if any(marker in name or marker in tag.value for marker in _VARIABLE):
        return _skipped(text, path, name, tag, "contains-variable"), None
    try:
        ref = parse_image(f"{name}:{tag.value}")
    except InvalidReference:
        return _skipped(text, path, name, tag, "invalid-value"), None
    if ref.digest is not None:  # tag: 1.2@sha256:…: tag and digest are updated together
        return Dependency(
            manager=NAME, package_file=path, dep_name=ref.name, package_name=ref.name,
            current_value=ref.tag, current_digest=ref.digest, replace_string=tag.value,
            span=tag.span, line=tag.line, span_kind="tag-digest",
        ), None
    dep = Dependency(
        manager=NAME,
        package_file=path,
        dep_name=ref.name,
        package_name=ref.name,
        current_value=tag.value,
        current_digest=None,
        replace_string=tag.value,
        span=tag.span,
        line=tag.line,
        span_kind="tag",
    )
    return dep, None


def _skipped(text: str, path: str, name: str, tag: _yaml.ScalarSpan, reason: str) -> Dependency:
    span: Span = tag.span or tag.extent
    return Dependency(
        manager=NAME,
        package_file=path,
        dep_name=name,
        package_name=name,
        current_value=tag.value,
        current_digest=None,
        replace_string=text[span.start : span.end],
        span=span,
        line=tag.line,
        skip_reason=reason,
        span_kind="tag",
    )
