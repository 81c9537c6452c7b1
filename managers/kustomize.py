"""kustomize: images of Kustomize ``images:`` transformers.

Files: Renovate's default pattern, ``(^|/)kustomization\\.ya?ml$``, plus
``(^|/)Kustomization$`` (the third file name ``kustomize build`` reads). Files without
the token ``images`` are not parsed. A document counts when its root mapping's
``kind`` is ``Kustomization`` or ``Component``, or when it has no ``kind`` (as in
Renovate); its dep type is that kind.

Finds, for each entry of the top-level ``images:`` list (keys in any order), the
image ``newName`` if given, else ``name`` (Renovate's ``depName``: ``name:
this-lives/on-docker-hub`` plus ``newName: registry.local/app`` is
``registry.local/app``), and:

* ``newTag: v1.2`` → a dependency whose span is the ``newTag`` scalar only
  (``span_kind="tag"``, ``current_value`` and ``replace_string`` = the tag as
  written; updates write only the new tag, and upkeep never adds a digest to it);
* ``digest: sha256:…`` (without ``newTag``) → a dependency whose span is the digest
  scalar only (``span_kind="digest"``, ``current_digest`` = the digest, only digest
  updates apply). ``current_value`` is the tag written in ``newName``/``name``
  (``name: postgres:11``), else ``None``: the digest then follows ``latest``, as
  Renovate's readme says;
* only ``newName`` (``newName: awesome/postgres:11@sha256:…``) → the whole ``newName``
  value is an image reference (``span_kind="reference"``), as in the other managers.

An entry with only ``name`` changes nothing and yields nothing.

Skips (reported, never updated), with Renovate's reasons where it has one:

* ``newTag`` together with ``digest``: ``"invalid-dependency-specification"``, since
  Kustomize ignores ``newTag`` when ``digest`` is set (write ``newTag: tag@digest``
  or drop one of them);
* a ``newTag`` that is not a string (``newTag: 2.5``, a YAML number, which
  ``kustomize build`` refuses) or that starts with ``sha256:``; a ``digest`` that is
  not a string or does not start with ``sha256:``; a name that is not an image
  reference: ``"invalid-value"``; values with YAML escapes or over several lines:
  ``"invalid-value"`` plus a warning;
* variables (Flux ``postBuild`` substitution ``${TAG}``) and templates:
  ``"contains-variable"``.

Warnings (``Problem``, level ``warning``, with file and line): a document that is not
valid YAML or whose YAML structure contains template syntax; such a document yields
nothing.

Differences from Renovate:

* Only images: remote ``resources``/``bases``/``components`` (Renovate's git-tags and
  github-tags datasources) and ``helmCharts`` (helm datasource, or docker for OCI
  charts) are not extracted, since upkeep only updates container images.
* ``Kustomization`` (no extension) files are read by default.
* Every document of a multi-document file is read (Renovate refuses such files).
* Renovate's manager default ``pinDigests: false`` belongs to the config layer.
"""

from __future__ import annotations

from dataclasses import replace

import yaml

from bot.image import ImageRef, InvalidReference
from bot.image import parse as parse_image
from bot.model import Dependency, ExtractResult, Problem, Span
from managers import _yaml

NAME = "kustomize"
FILE_PATTERNS: tuple[str, ...] = (r"(^|/)kustomization\.ya?ml$", r"(^|/)Kustomization$")
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("images",)

_KINDS = ("Kustomization", "Component")
_VARIABLE = ("$", "{{", "{%")


def extract(text: str, path: str) -> ExtractResult:
    """Images of a kustomization file; never raises for bad input."""
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
    kind_node = _yaml.mapping_get(root, "kind")
    kind: str | None = "Kustomization"  # Renovate's default when there is no kind
    if kind_node is not None and not _yaml.is_null(kind_node):
        kind = _yaml.scalar_text(kind_node)
    if kind is None or kind not in _KINDS:
        return
    images = _yaml.mapping_get(root, "images")
    if not isinstance(images, yaml.SequenceNode):
        return
    seen: set[int] = set()
    for entry in images.value:
        if isinstance(entry, yaml.MappingNode) and id(entry) not in seen:
            seen.add(id(entry))
            dep, problem = _image(text, path, doc, entry, kind)
            if dep is not None:
                deps.append(dep)
            if problem is not None:
                problems.append(problem)


def _present(node: yaml.Node | None) -> bool:
    """Set to something: not missing, null or empty (Renovate tests JavaScript truthiness)."""
    return not _yaml.is_null(node) and not (isinstance(node, yaml.ScalarNode) and node.value == "")


def _image(
    text: str, path: str, doc: _yaml.Document, entry: yaml.MappingNode, kind: str
) -> tuple[Dependency | None, Problem | None]:
    name_node = _yaml.mapping_get(entry, "name")
    new_name_node = _yaml.mapping_get(entry, "newName")
    tag_node = _yaml.mapping_get(entry, "newTag")
    digest_node = _yaml.mapping_get(entry, "digest")
    if name_node is None or not _present(name_node):
        return None, None
    if not _present(tag_node) and not _present(digest_node):
        if new_name_node is None or not _present(new_name_node):
            return None, None
        return _yaml.image_dependency(
            text, new_name_node, doc, manager=NAME, path=path, dep_type=kind
        )

    source = new_name_node if new_name_node is not None and _present(new_name_node) else name_node
    name = _yaml.scalar_text(source)
    if name is None:
        return None, None  # Renovate: "Invalid image name"
    if tag_node is not None and _present(tag_node):
        where = _Where(text, path, doc, tag_node, kind, "tag")
        if digest_node is not None and _present(digest_node):
            return where.skip(name, "invalid-dependency-specification"), None
    else:
        assert digest_node is not None
        where = _Where(text, path, doc, digest_node, kind, "digest")
    if any(marker in name for marker in _VARIABLE):
        return where.skip(name, "contains-variable"), None
    try:
        ref = parse_image(name)
    except InvalidReference:
        return where.skip(name, "invalid-value"), None
    return where.dependency(ref)


class _Where:
    """The ``newTag`` or ``digest`` node of one ``images:`` entry: the dependency's span."""

    def __init__(
        self,
        text: str,
        path: str,
        doc: _yaml.Document,
        node: yaml.Node,
        dep_type: str,
        span_kind: str,
    ) -> None:
        self.text, self.path, self.dep_type, self.span_kind = text, path, dep_type, span_kind
        self.value = _yaml.scalar_text(node)  # None: not a string
        if isinstance(node, yaml.ScalarNode):
            found = _yaml.scalar_span(text, node, doc)
            self.exact = found.span
            self.span = found.span or found.extent
            self.line = found.line
        else:
            self.exact = None
            start = node.start_mark.index + doc.offset
            self.span = Span(start=start, end=node.end_mark.index + doc.offset)
            self.line = node.start_mark.line + doc.line_offset + 1

    def skip(self, name: str, reason: str) -> Dependency:
        return self._make(name, skip_reason=reason)

    def dependency(self, ref: ImageRef) -> tuple[Dependency | None, Problem | None]:
        value = self.value
        digest = self.span_kind == "digest"
        if value is None or value.startswith("sha256:") is not digest:
            return self.skip(ref.name, "invalid-value"), None
        if self.exact is None:
            problem = Problem(
                level="warning",
                message=f"image {self.span_kind} uses YAML escapes or spans several lines; not updated",
                file=self.path,
                line=self.line,
                dep_name=ref.name,
            )
            return self.skip(ref.name, "invalid-value"), problem
        if any(marker in value for marker in _VARIABLE):
            return self.skip(ref.name, "contains-variable"), None
        if digest:
            return self._make(ref.name, current_value=ref.tag, current_digest=value), None
        try:
            tagged = parse_image(f"{ref.name}:{value}")
        except InvalidReference:
            return self.skip(ref.name, "invalid-value"), None
        if tagged.digest is not None:  # newTag: 11@sha256:…: tag and digest are updated together
            return replace(self._make(ref.name, current_value=tagged.tag, current_digest=tagged.digest),
                           span_kind="tag-digest"), None
        return self._make(ref.name, current_value=value), None

    def _make(
        self,
        name: str,
        *,
        current_value: str | None = None,
        current_digest: str | None = None,
        skip_reason: str | None = None,
    ) -> Dependency:
        written = self.text[self.span.start : self.span.end]
        if skip_reason is not None:  # report what is written there
            current_value = written
        return Dependency(
            manager=NAME,
            package_file=self.path,
            dep_name=name,
            package_name=name,
            current_value=current_value,
            current_digest=current_digest,
            replace_string=written,
            span=self.span,
            line=self.line,
            dep_type=self.dep_type,
            skip_reason=skip_reason,
            span_kind=self.span_kind,
        )
