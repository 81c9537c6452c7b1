"""gitlabci manager: extraction tables (ported from Renovate's extract.spec.ts and
fixtures), warnings; golden round trips under ``golden/gitlabci`` run in test_golden."""

from __future__ import annotations

import re
import textwrap

import pytest

from managers import gitlabci
from tests.managers.helpers import assert_spans_exact, rows

PG_DIGEST = "sha256:a5a65569456f221ee1f8a0b3b4e2d440eb5830772d9440c9b30b1dbfd454c778"


def extract(text: str, path: str = ".gitlab-ci.yml"):
    text = textwrap.dedent(text)
    result = gitlabci.extract(text, path)
    assert_spans_exact(text, result)
    return result


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        (".gitlab-ci.yml", True),
        (".gitlab-ci.yaml", True),
        ("ci/.gitlab-ci.yml", True),
        ("templates/build.gitlab-ci.yml", True),
        (".gitlab-ci.yml.bak", False),
        ("gitlab-ci.yml", False),
        (".gitlab/ci/build.yml", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in gitlabci.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert gitlabci.NAME == "gitlabci"
    assert gitlabci.DATASOURCES == ("docker",)
    assert gitlabci.PREFILTER
    assert gitlabci.__doc__
    assert "Differences from Renovate" in gitlabci.__doc__


@pytest.mark.parametrize("text", ["", "\n", "stages: [build]\n", "image\n", "- image: x\n", "42\n"])
def test_nothing_for_empty_or_other_files(text: str) -> None:
    result = gitlabci.extract(text, ".gitlab-ci.yml")
    assert result.dependencies == ()
    assert result.problems == ()


TABLE = [
    ("image: 'ruby:2.5.0'\n", [("ruby", "2.5.0", None, "image", None)]),
    ('image: "ruby:2.5.0" # pinned\n', [("ruby", "2.5.0", None, "image", None)]),
    (
        "image:\n  # comment\n  name: renovate/renovate:19.70.8-slim\n  entrypoint: ['']\n",
        [("renovate/renovate", "19.70.8-slim", None, "image-name", None)],
    ),
    (
        "job:\n  image: {entrypoint: [''], name: 'node:20'}\n",
        [("node", "20", None, "image-name", None)],
    ),
    (
        'services:\n  - mariadb:10.4.11\n  - name: other/image:1.0.0\n    alias: db\n  - alias: x\n    name: "y/z:2"\n',
        [
            ("mariadb", "10.4.11", None, "service-image", None),
            ("other/image", "1.0.0", None, "service-image", None),
            ("y/z", "2", None, "service-image", None),
        ],
    ),
    (
        "default:\n  image: ruby:3.3\n  services: [redis:7.2]\n",
        [("ruby", "3.3", None, "image", None), ("redis", "7.2", None, "service-image", None)],
    ),
    (".hidden:\n  image: alpine:3.20\n", [("alpine", "3.20", None, "image", None)]),
    ("job:\n  image: !reference [.base, image]\n  services: !reference [.base, services]\n", []),
    ("job:\n  image: null\n  services: [~, 3]\n", []),
    ("job:\n  image: ''\n", []),
    ("job:\n  image: {name: {x: 1}}\n", []),
    ("job:\n  script:\n    - image: alpine:3\n", []),
    (
        "job:\n  image: $CI_REGISTRY/group/app:1.2\n",
        [("$CI_REGISTRY/group/app:1.2", None, None, "image", "contains-variable")],
    ),
    (
        "job:\n  image: ${IMAGE:-node:20.11.1}\n",
        [("node", "20.11.1", None, "image", None)],
    ),
    (
        "job:\n  image: ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/node:20\n",
        [("node", "20", None, "image", None)],
    ),
    (
        "job:\n  image: $CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX/library/node:20\n",
        [("library/node", "20", None, "image", None)],
    ),
    (
        "job:\n  image: $CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/\n",
        [("$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/", None, None, "image", "contains-variable")],
    ),
    ("job:\n  image: Node:20\n", [("Node:20", None, None, "image", "invalid-value")]),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[repr(t[:40]) for t, _ in TABLE])
def test_extract_table(text: str, expected: list[tuple[str, ...]]) -> None:
    result = extract(text)
    assert rows(result) == expected
    assert result.problems == ()


def test_renovate_fixture_multiple_image_lines(fixture_text) -> None:
    text = fixture_text("gitlabci/gitlab-ci.yaml")
    result = extract(text)
    assert rows(result) == [
        ("ruby", "2.5.0", None, "image", None),
        ("hadolint/hadolint", "latest", None, "image", None),
        ("docker", "latest", None, "image", None),
        ("docker", "dind", None, "service-image", None),
        ("docker", "latest", None, "image", None),
        ("docker", "dind", None, "service-image", None),
        ("image-name-test", "1.15", None, "image-name", None),
        ("image-name-test", "1.15", None, "image-name", None),
    ]
    assert [d.line for d in result.dependencies] == [1, 39, 56, 58, 78, 80, 105, 117]


def test_renovate_fixture_named_services(fixture_text) -> None:
    result = extract(fixture_text("gitlabci/gitlab-ci.6.yaml"))
    assert len(result.dependencies) == 10
    assert rows(result)[3] == ("mooseagency/postgresql", "12.3-1", PG_DIGEST, "service-image", None)
    # Renovate keeps the short digest; it is not a digest under the OCI grammar.
    assert rows(result)[8] == (
        "myimage@sha256:0ecb2ad60",
        None,
        None,
        "service-image",
        "invalid-value",
    )
    assert rows(result)[9] == ("tomcat", "7-jre8", None, "service-image", None)


def test_renovate_fixture_variables(fixture_text) -> None:
    result = extract(fixture_text("gitlabci/gitlab-ci.7.yaml"))
    assert [(d.replace_string, d.dep_type, d.skip_reason) for d in result.dependencies] == [
        ("$VARIABLE/renovate/renovate:31.65.1-slim", "image-name", "contains-variable"),
        ("$VARIABLE/other/image1:1.0.0", "service-image", "contains-variable"),
        ("${VARIABLE}/other/image1:2.0.0", "service-image", "contains-variable"),
        ("docker.io/$VARIABLE/image1:3.0.0", "service-image", "contains-variable"),
        ("docker.io/${VARIABLE}/image1:4.0.0", "service-image", "contains-variable"),
    ]


def test_renovate_fixture_multi_document(fixture_text) -> None:
    result = extract(fixture_text("gitlabci/gitlab-ci.multi-doc.yaml"))
    assert [d.dep_name for d in result.dependencies] == [
        "renovate/renovate",
        "mariadb",
        "other/image",
        "renovate/renovate",
        "mariadb",
        "other/image",
    ]
    assert [d.line for d in result.dependencies] == [3, 7, 9, 25, 29, 31]


def test_renovate_fixture_references_compose_without_error(fixture_text) -> None:
    # !reference is an unknown tag to PyYAML; composing (never constructing) accepts it.
    text = fixture_text("gitlabci/gitlab-ci.reference.yaml") + "image: alpine:3.20\n"
    result = extract(text)
    assert rows(result) == [("alpine", "3.20", None, "image", None)]
    assert result.problems == ()


def test_dependency_proxy_fixture(fixture_text) -> None:
    text = fixture_text("gitlabci/dependency-proxy.gitlab-ci.yml")
    result = extract(text)
    assert rows(result) == [
        ("renovate/renovate", "31.65.1-slim", None, "image-name", None),
        ("mariadb", "10.4.11", None, "service-image", None),
        ("other/image1", "1.0.0", None, "service-image", None),
        ("$IMAGE:1.0", None, None, "service-image", "contains-variable"),
    ]


def test_default_anchors_and_references(fixture_text) -> None:
    text = fixture_text("gitlabci/default-and-references.gitlab-ci.yml")
    result = extract(text)
    assert rows(result) == [
        ("ruby", "3.3.4", None, "image", None),
        ("postgres", "16.3", None, "service-image", None),
        ("node", "20.11.1", None, "image-name", None),  # once, at the anchor
        ("$CI_REGISTRY/group/builder:1.4.0", None, None, "image", "contains-variable"),
        ("${CI_REGISTRY_IMAGE}:latest", None, None, "image", "contains-variable"),
        ("docker", "27.1.1-dind", None, "service-image", None),
    ]
    assert result.problems == ()


def test_broken_document_warns_and_other_documents_are_read(fixture_text) -> None:
    text = fixture_text("gitlabci/broken.gitlab-ci.yml")
    result = gitlabci.extract(text, "ci/broken.gitlab-ci.yml")
    assert rows(result) == [("bitnami/kubectl", "1.30", None, "image", None)]
    (problem,) = result.problems
    assert (problem.level, problem.file, problem.line) == ("warning", "ci/broken.gitlab-ci.yml", 7)
    assert problem.message.startswith("invalid YAML")


def test_template_syntax_warns() -> None:
    text = "build:\n  image: {{ .image }}\n"
    result = gitlabci.extract(text, ".gitlab-ci.yml")
    assert result.dependencies == ()
    assert [(p.line, p.level) for p in result.problems] == [(2, "warning")]


def test_multiline_value_warns() -> None:
    text = 'job:\n  image: "node:\\\n    20"\n'
    result = gitlabci.extract(text, ".gitlab-ci.yml")
    assert [(d.dep_name, d.skip_reason) for d in result.dependencies] == [
        ("node:20", "invalid-value")
    ]
    assert [p.line for p in result.problems] == [2]

