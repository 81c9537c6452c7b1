"""github-actions: container images of GitHub Actions workflows and actions.

Files: Renovate's default patterns,
``(^|/)(workflow-templates|\\.(?:github|gitea|forgejo)/(?:workflows|actions))/.+\\.ya?ml$``
and ``(^|/)action\\.ya?ml$`` (``.github/workflows/ci.yml``, ``.gitea/workflows/x.yaml``,
``workflow-templates/build.yml``, ``action.yml`` of a composite or Docker action). Files
without ``container``, ``services`` or ``docker://`` are not parsed.

Finds:

* ``jobs.<id>.container``, as a string or as ``{image: x}`` (dep type ``container``);
* ``jobs.<id>.services.<name>.image`` (and ``services.<name>: x`` as a plain string, as
  Renovate accepts it), dep type ``service``;
* ``uses: docker://image:tag`` in any step (jobs, composite actions' ``runs.steps``),
  dep type ``docker``; the span covers the reference after ``docker://``;
* a Docker action's ``runs.image: docker://image:tag`` (``action.yml``), dep type
  ``docker``.

Skips: expressions (``container: ${{ matrix.image }}``) and other variables:
``skip_reason="contains-variable"``; an empty image (GitHub's way to leave a service
out) yields nothing; references that do not parse: ``"invalid-value"``; values with YAML
escapes or over several lines: ``"invalid-value"`` plus a warning.

Warnings (``Problem``, level ``warning``, with file and line): a document that is not
valid YAML (or whose YAML structure contains ``{{ … }}`` template syntax); it yields
nothing.

Differences from Renovate:

* Only container images: action versions (``uses: actions/checkout@v4``), runner
  labels (``runs-on: ubuntu-24.04``) and tool versions passed to setup actions
  (``node-version``) are not extracted: upkeep only updates images.
* Renovate finds ``uses: docker://`` lines with a regular expression, so it also picks
  them up inside block scalars (a ``run:`` script); upkeep reads the YAML and only takes
  ``uses`` keys of mappings (steps, ``parallel:`` groups, composite actions' steps).
* A Docker action's ``runs.image: docker://…`` is extracted (Renovate does not).
"""

from __future__ import annotations

import yaml

from bot.model import Dependency, ExtractResult, Problem, Span
from managers import _yaml

NAME = "github-actions"
FILE_PATTERNS: tuple[str, ...] = (
    r"(^|/)(workflow-templates|\.(?:github|gitea|forgejo)/(?:workflows|actions))/.+\.ya?ml$",
    r"(^|/)action\.ya?ml$",
)
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("container", "services", "docker://")

_DOCKER = "docker://"


def extract(text: str, path: str) -> ExtractResult:
    """Container images of a workflow or action file; never raises for bad input."""
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
    # scalar node id -> (node, dep type, whether the value carries docker://)
    images: dict[int, tuple[yaml.Node, str, bool]] = {}
    jobs = _yaml.mapping_get(root, "jobs")
    if isinstance(jobs, yaml.MappingNode):
        for _, job in jobs.value:
            _add_job(job, images)
    runs = _yaml.mapping_get(root, "runs")
    image = _yaml.mapping_get(runs, "image") if runs is not None else None
    if _is_docker_uses(image):
        assert image is not None
        images.setdefault(id(image), (image, "docker", True))
    for node in _yaml.walk(root):
        if isinstance(node, yaml.MappingNode):
            uses = _yaml.mapping_get(node, "uses")
            if _is_docker_uses(uses):
                assert uses is not None
                images.setdefault(id(uses), (uses, "docker", True))
    for node, dep_type, prefixed in images.values():
        dep, problem = _image_dependency(text, node, doc, path, dep_type, prefixed=prefixed)
        if dep is not None:
            deps.append(dep)
        if problem is not None:
            problems.append(problem)


def _add_job(job: yaml.Node, images: dict[int, tuple[yaml.Node, str, bool]]) -> None:
    if not isinstance(job, yaml.MappingNode):
        return
    container = _yaml.mapping_get(job, "container")
    if isinstance(container, yaml.MappingNode):
        container = _yaml.mapping_get(container, "image")
    if isinstance(container, yaml.ScalarNode):
        images.setdefault(id(container), (container, "container", False))
    services = _yaml.mapping_get(job, "services")
    if isinstance(services, yaml.MappingNode):
        for _, service in services.value:
            node = (
                _yaml.mapping_get(service, "image")
                if isinstance(service, yaml.MappingNode)
                else service
            )
            if isinstance(node, yaml.ScalarNode):
                images.setdefault(id(node), (node, "service", False))


def _is_docker_uses(node: yaml.Node | None) -> bool:
    value = None if node is None else _yaml.scalar_text(node)
    return value is not None and value.startswith(_DOCKER)


def _image_dependency(
    text: str,
    node: yaml.Node,
    doc: _yaml.Document,
    path: str,
    dep_type: str,
    *,
    prefixed: bool,
) -> tuple[Dependency | None, Problem | None]:
    """``_yaml.image_dependency``; for ``docker://`` values, of the part after it."""
    if prefixed:
        assert isinstance(node, yaml.ScalarNode)
        found = _yaml.scalar_span(text, node, doc)
        if found.span is not None:
            skip = len(_DOCKER)
            dep = _yaml.make_dependency(
                manager=NAME,
                path=path,
                value=found.value[skip:],
                span=Span(start=found.span.start + skip, end=found.span.end),
                line=found.line,
                dep_type=dep_type,
            )
            return dep, None
    return _yaml.image_dependency(text, node, doc, manager=NAME, path=path, dep_type=dep_type)
