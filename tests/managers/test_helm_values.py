"""helm-values manager: extraction tables (ported from Renovate's helm-values
extract.spec.ts and fixtures), skips and warnings, edit round trips through
``bot.edit.apply_updates`` and golden cases under ``golden/helm-values``
(tag-only spans) run in test_golden."""

from __future__ import annotations

import re
import textwrap

import pytest

from bot.edit import apply_updates
from bot.errors import EditError
from bot.model import Update, UpdateType
from managers import helm_values
from tests.managers.helpers import assert_spans_exact, rows

DIGEST = "sha256:4762726f1471ef048dd807afdc0e19265e95ffdcc7cb4a34891f680290022809"
NEW_DIGEST = "sha256:" + "e" * 64


def extract(text: str, path: str = "values.yaml"):
    text = textwrap.dedent(text)
    result = helm_values.extract(text, path)
    assert_spans_exact(text, result)
    assert result == helm_values.extract(text, path)  # deterministic
    return result


def update(dep, new_value=None, new_digest=None, kind=UpdateType.MINOR) -> Update:
    return Update(dependency=dep, update_type=kind, new_value=new_value, new_digest=new_digest)


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("values.yaml", True),
        ("values.yml", True),
        ("charts/app/values.yaml", True),
        ("values-prod.yaml", False),
        ("myvalues.yaml", False),
        ("values.yaml.bak", False),
        ("values.json", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in helm_values.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert helm_values.NAME == "helm-values"
    assert helm_values.DATASOURCES == ("docker",)
    assert helm_values.PREFILTER
    assert helm_values.__doc__
    assert "Differences from Renovate" in helm_values.__doc__


@pytest.mark.parametrize(
    "text", ["", "\n", "replicaCount: 1\n", "nothing here: [", "image\n", "- 1\n", "42\n"]
)
def test_nothing_for_empty_or_other_files(text: str) -> None:
    # Renovate: null for empty and for invalid YAML without images ("nothing here: [").
    result = helm_values.extract(text, "values.yaml")
    assert result.dependencies == ()
    assert result.problems == ()


TABLE = [
    # Renovate's readme shapes
    (
        "image:\n  repository: 'some-docker/dependency'\n  tag: v1.0.0\n  registry: registry.example.com\n",
        [("registry.example.com/some-docker/dependency", "v1.0.0", None, None, None)],
    ),
    (
        "image:\n  repository: 'some-docker/dependency'\n  version: v1.0.0\n",
        [("some-docker/dependency", "v1.0.0", None, None, None)],
    ),
    (
        "coreImage:\n  registry: docker.io\n  repository: bitnami/harbor-core\n  tag: 2.1.3-debian-10-r38\n",
        [("docker.io/bitnami/harbor-core", "2.1.3-debian-10-r38", None, None, None)],
    ),
    # any key ending in "image", any case; lists and nesting
    ("SIDECAR_IMAGE: {repository: envoy, tag: v1.30.1}\n", [("envoy", "v1.30.1", None, None, None)]),
    (
        "jobs:\n  - initImage: {repository: busybox, tag: '1.36'}\n",
        [("busybox", "1.36", None, None, None)],
    ),
    # tag wins over version; a null tag falls back to version (Renovate's `tag ?? version`)
    ("image: {repository: a, tag: '1', version: '2'}\n", [("a", "1", None, None, None)]),
    ("image: {repository: a, tag: null, version: '2'}\n", [("a", "2", None, None, None)]),
    # the tag as written: numbers keep their text
    ("image: {repository: a, tag: 1.20}\n", [("a", "1.20", None, None, None)]),
    ("image: {repository: a, tag: 11}\n", [("a", "11", None, None, None)]),
    # an empty registry adds nothing; a digest key is left alone
    (
        "image:\n  registry: ''\n  repository: a\n  tag: '1.0'\n  digest: " + DIGEST + "\n",
        [("a", "1.0", None, None, None)],
    ),
    # inline images: the whole reference
    (
        "inline_image: docker.io/library/nginx:1.18-alpine\n",
        [("docker.io/library/nginx", "1.18-alpine", None, None, None)],
    ),
    (f"image: nginx:1.25@{DIGEST}\n", [("nginx", "1.25", DIGEST, None, None)]),
    # nothing: empty tags (the chart's appVersion), missing or non-string repository,
    # keys that do not end in "image", non-string inline values, tag collections
    ("image: {repository: a, tag: ''}\n", []),
    ("image: {repository: a, tag: ~}\n", []),
    ("image: {repository: '', tag: '1'}\n", []),
    ("image: {repository: 12, tag: '1'}\n", []),
    ("image: {tag: '1'}\n", []),
    ("images: {repository: a, tag: '1'}\n", []),
    ("imagePullPolicy: Always\nimage: ''\nenableImage: true\n", []),
    ("image: {repository: a, tag: [1]}\n", []),
    # skips
    ("image: {repository: a, tag: '{{ .Chart.AppVersion }}'}\n", [("a", "{{ .Chart.AppVersion }}", None, None, "contains-variable")]),
    ("image: {repository: $REPO, tag: '1'}\n", [("$REPO", "1", None, None, "contains-variable")]),
    ("image: {repository: 'nginx:1.2', tag: '1.3'}\n", [("nginx:1.2", "1.3", None, None, "invalid-value")]),
    (
        f"image: {{repository: a, tag: '1.2@{DIGEST}'}}\n",
        [("a", "1.2", DIGEST, None, None)]  # tag@digest: updated together (span_kind tag-digest),
    ),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_extract_table(text: str, expected: list) -> None:
    result = extract(text)
    assert rows(result) == expected
    assert result.problems == ()


def test_tag_dependency_fields() -> None:
    text = "image:\n  registry: docker.io\n  repository: bitnami/redis\n  tag: \"7.2.4\" # c\n"
    (dep,) = extract(text).dependencies
    assert (dep.span_kind, dep.replace_string, dep.current_digest, dep.line) == ("tag", "7.2.4", None, 4)
    assert (dep.dep_name, dep.package_name, dep.manager, dep.datasource) == (
        "docker.io/bitnami/redis",
        "docker.io/bitnami/redis",
        "helm-values",
        "docker",
    )
    (inline,) = extract("image: nginx:1.25\n").dependencies
    assert (inline.span_kind, inline.replace_string) == ("reference", "nginx:1.25")


def test_renovate_helm_create_fixture(fixture_text) -> None:
    result = helm_values.extract(fixture_text("helm-values/default_chart_init_values.yaml"), "values.yaml")
    assert rows(result) == [("nginx", "1.16.1", None, None, None)]
    assert [d.replace_string for d in result.dependencies] == ["1.16.1"]


def test_renovate_multi_and_nested_fixture(fixture_text) -> None:
    text = fixture_text("helm-values/multi_and_nested_image_values.yaml")
    result = helm_values.extract(text, "values.yaml")
    assert_spans_exact(text, result)
    assert rows(result) == [
        ("docker.io/library/nginx", "1.18-alpine", None, None, None),
        ("bitnami/postgresql", "11.6.0-debian-9-r0", None, None, None),
        ("docker.io/bitnami/postgres-exporter", "0.7.0-debian-9-r12", None, None, None),
        # tag@digest in one field: tag and digest are updated together, as Renovate
        ("docker.io/bitnami/postgresql", "11.5.0-debian-9-r0", DIGEST, None, None),
        ("docker.io/bitnami/harbor-core", "2.1.3-debian-10-r38", None, None, None),
    ]
    assert [d.span_kind for d in result.dependencies] == ["reference", "tag", "tag", "tag-digest", "tag"]


def test_renovate_multiple_documents_fixture(fixture_text) -> None:
    result = helm_values.extract(fixture_text("helm-values/single_file_with_multiple_documents.yaml"), "values.yaml")
    assert rows(result) == [
        ("quay.io/metallb/controller", "v0.13.10", None, None, None),
        ("quay.io/metallb/speaker", "v0.13.10", None, None, None),
    ]


def test_bitnami_style_fixture(fixture_text) -> None:
    text = fixture_text("helm-values/bitnami-style.values.yaml")
    result = helm_values.extract(text, "charts/redis/values.yaml")
    assert_spans_exact(text, result)
    assert [(d.dep_name, d.current_value, d.span_kind) for d in result.dependencies] == [
        ("docker.io/bitnami/redis", "7.2.4-debian-12-r9", "tag"),
        ("docker.io/bitnami/redis-sentinel", "7.2.4-debian-12-r7", "tag"),
        ("docker.io/bitnami/redis-exporter", "1.58.0-debian-12-r4", "tag"),
        ("docker.io/bitnami/os-shell", "12-debian-12-r16", "tag"),
        ("docker.io/bitnami/os-shell", "12-debian-12-r16", "tag"),
        ("docker.io/bitnami/kubectl", "1.29.2", "tag"),
        ("busybox", "1.36.1", "reference"),
    ]
    assert result.problems == ()


def test_anchored_image_is_extracted_once() -> None:
    text = "d: &img {repository: redis, tag: '7.2'}\na:\n  image: *img\nb:\n  image: {<<: *img, pullPolicy: Always}\n"
    assert rows(extract(text)) == [("redis", "7.2", None, None, None)]


def test_broken_yaml_warns_and_other_documents_are_read() -> None:
    text = "image: {repository: a, tag: '1'}\n---\nimage: [\n---\nimage: {repository: b, tag: '2'}\n"
    result = helm_values.extract(text, "values.yaml")
    assert [d.dep_name for d in result.dependencies] == ["a", "b"]
    (problem,) = result.problems
    assert (problem.level, problem.file, problem.line) == ("warning", "values.yaml", 4)
    assert problem.message.startswith("invalid YAML")


def test_template_syntax_warns() -> None:
    text = "image:\n  repository: nginx\n  tag: {{ .Values.tag }}\n"
    result = helm_values.extract(text, "values.yaml")
    assert result.dependencies == ()
    assert [(p.line, p.level) for p in result.problems] == [(3, "warning")]


def test_multiline_tag_warns() -> None:
    text = 'image:\n  repository: nginx\n  tag: "1.25\\\n    .3"\n'
    result = helm_values.extract(text, "values.yaml")
    assert [(d.dep_name, d.skip_reason) for d in result.dependencies] == [("nginx", "invalid-value")]
    assert [(p.line, p.level) for p in result.problems] == [(3, "warning")]
    assert_spans_exact(text, result)


# ----------------------------------------------------------------------------- edits


@pytest.mark.parametrize(
    ("line", "new_line"),
    [
        ("  tag: 1.25.3\n", "  tag: 1.26.0\n"),
        ("  tag: '1.25.3'  # c\n", "  tag: '1.26.0'  # c\n"),
        ('  tag: "1.25.3"\n', '  tag: "1.26.0"\n'),
        ("  tag: !!str 1.25.3\n", "  tag: !!str 1.26.0\n"),
    ],
)
def test_tag_edit_keeps_quotes_and_comments(line: str, new_line: str) -> None:
    text = f"image:\n  repository: nginx\n{line}  digest: ''\n"
    (dep,) = extract(text).dependencies
    new_text = apply_updates(text, "values.yaml", helm_values, [update(dep, "1.26.0")])
    assert new_text == f"image:\n  repository: nginx\n{new_line}  digest: ''\n"


def test_numeric_tag_edit_keeps_plain_style() -> None:
    text = "image:\r\n  repository: app\r\n  tag: 1.20\r\n"
    (dep,) = extract(text).dependencies
    assert dep.current_value == "1.20"
    new_text = apply_updates(text, "values.yaml", helm_values, [update(dep, "1.21")])
    assert new_text == "image:\r\n  repository: app\r\n  tag: 1.21\r\n"


def test_tag_and_inline_edits_in_one_file() -> None:
    text = "image: {repository: a, tag: v1}\nextra:\n  sidecarImage: 'b:v1' # s\n"
    deps = extract(text).dependencies
    new_text = apply_updates(text, "values.yaml", helm_values, [update(d, "v2") for d in deps])
    assert new_text == "image: {repository: a, tag: v2}\nextra:\n  sidecarImage: 'b:v2' # s\n"


def test_a_digest_is_never_written_into_a_tag() -> None:
    text = "image: {repository: a, tag: v1}\n"
    (dep,) = extract(text).dependencies
    with pytest.raises(EditError):
        apply_updates(text, "values.yaml", helm_values, [update(dep, "v2", NEW_DIGEST)])


def test_an_edit_that_changes_the_yaml_type_is_refused() -> None:
    text = "image: {repository: a, tag: v1}\n"
    (dep,) = extract(text).dependencies
    with pytest.raises(EditError):
        apply_updates(text, "values.yaml", helm_values, [update(dep, "null")])


def test_skipped_dependencies_are_not_edited() -> None:
    text = f"image: {{repository: a, tag: '1.2@{DIGEST}'}}\n"
    (dep,) = extract(text).dependencies
    with pytest.raises(EditError):
        apply_updates(text, "values.yaml", helm_values, [update(dep, "1.3")])



def test_an_untagged_inline_image_takes_its_sibling_tag() -> None:
    # Renovate's getHelmValuesSiblingVersion: {image: repo, tag: x} updates the tag field
    text = "cli:\n  image: ghcr.io/org/cli\n  tag: \"1.26.0\"\nother:\n  image: nginx\n  version: 1.25.3\nplain:\n  image: redis\n"
    deps = extract(text).dependencies
    assert [(d.dep_name, d.current_value, d.span_kind, d.replace_string) for d in deps] == [
        ("ghcr.io/org/cli", "1.26.0", "tag", "1.26.0"),
        ("nginx", "1.25.3", "tag", "1.25.3"),
        ("redis", None, "reference", "redis"),
    ]
    new = apply_updates(text, "values.yaml", helm_values, [update(deps[0], "1.27.0")])
    assert new == text.replace('"1.26.0"', '"1.27.0"')
