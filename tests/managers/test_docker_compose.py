from __future__ import annotations

import re
import textwrap

import pytest

from managers import docker_compose
from tests.managers.helpers import assert_spans_exact, rows

NGINX_OLD = "sha256:ee999b9227bfebad2683499c9827337c6ec0a77848b43a429bf400c0d1f95350"
ALPINE_OLD = "sha256:d4a28e59ebd25e224d35fb665a1305a4f700b6d8c954eae9bab9f5748d658efa"
REDIS_OLD = "sha256:7915c575f01d62b31b9bb62ce082ba9b12332c1bd570689765c2ed0f5feb2a4b"


def extract(text: str, path: str = "docker-compose.yml"):
    result = docker_compose.extract(textwrap.dedent(text), path)
    assert_spans_exact(textwrap.dedent(text), result)
    return result


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("docker-compose.yml", True),
        ("docker-compose.yaml", True),
        ("compose.yaml", True),
        ("compose.override.yml", True),
        ("docker-compose.prod.yml", True),
        ("deploy/docker-compose-dev.yaml", True),
        ("a/b/compose-ci.yml", True),
        ("docker-compose.yml.bak", False),
        ("mycompose.yml", False),
        ("compose/app.yml", False),
        ("docker-compose.json", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in docker_compose.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert docker_compose.NAME == "docker-compose"
    assert docker_compose.DATASOURCES == ("docker",)
    assert docker_compose.PREFILTER == ("image",)
    assert docker_compose.__doc__
    assert "Differences from Renovate" in docker_compose.__doc__


@pytest.mark.parametrize(
    "text",
    ["", "nothing here", "nothing here\n:::::::", "image", "- image: nginx:1\n", "42\n"],
)
def test_nothing_for_empty_or_non_mapping(text: str) -> None:
    assert docker_compose.extract(text, "docker-compose.yml").dependencies == ()


EXPECTED_STACK = [
    ("quay.io/acme/redis", "alpine", None, "service", None),
    ("node", "20.11.1", None, "service", None),
    ("postgres", "15.6", None, "service", None),
    ("acme/frontend", None, None, "service", None),
    ("acme/visualizer", "stable", None, "service", None),
    (
        "${IMAGE:-acme/plugins}:${TAG:-latest}",
        None,
        None,
        "service",
        "contains-variable",
    ),
]


def test_v1_top_level_services(fixture_text) -> None:
    text = fixture_text("docker-compose/stack-v1.yml")
    result = docker_compose.extract(text, "stack-v1.yml")
    assert rows(result) == EXPECTED_STACK
    assert [d.line for d in result.dependencies] == [3, 12, 15, 23, 28, 33]
    assert result.problems == ()
    assert_spans_exact(text, result)


@pytest.mark.parametrize("name", ["stack-v3.yml", "stack-no-version.yml"])
def test_v3_services(fixture_text, name: str) -> None:
    text = fixture_text(f"docker-compose/{name}")
    result = docker_compose.extract(text, name)
    assert rows(result) == [
        *EXPECTED_STACK,
        ("nginx", "1.25.4", NGINX_OLD, "service", None),
        ("alpine", None, ALPINE_OLD, "service", None),
    ]
    assert result.problems == ()  # the healthcheck's {{.State.Health.Status}} is data
    assert_spans_exact(text, result)
    assert all(
        d.manager == "docker-compose" and d.package_file == name for d in result.dependencies
    )


def test_quoted_spans_exclude_quotes(fixture_text) -> None:
    text = fixture_text("docker-compose/stack-v3.yml")
    deps = {d.dep_name: d for d in docker_compose.extract(text, "c.yml").dependencies}
    node = deps["node"]
    assert text[node.span.start - 1 : node.span.end + 1] == '"node:20.11.1"'
    pg = deps["postgres"]
    assert text[pg.span.start - 1 : pg.span.end + 1] == "'postgres:15.6'"
    assert deps["acme/frontend"].replace_string == "acme/frontend"  # trailing comment excluded


def test_variable_defaults(fixture_text) -> None:
    text = fixture_text("docker-compose/default-values.yml")
    result = docker_compose.extract(text, "default-values.yml")
    assert_spans_exact(text, result)
    assert rows(result) == [
        ("redis", "7.2.4", REDIS_OLD, "service", None),
        ("nginx", "1.25.4", None, "service", None),
        ("ghcr.io/acme/app", "2.0.1", None, "service", None),
        (
            "${REGISTRY:-docker.io}/library/postgres:15.6",
            None,
            None,
            "service",
            "contains-variable",
        ),
        ("${APP_IMAGE:?set APP_IMAGE}", None, None, "service", "contains-variable"),
        ("$IMAGE", None, None, "service", "contains-variable"),
    ]
    redis = result.dependencies[0]
    assert redis.replace_string == f"redis:7.2.4@{REDIS_OLD}"
    assert text[redis.span.start - len("${REDIS_IMAGE:-") : redis.span.start] == "${REDIS_IMAGE:-"
    assert text[redis.span.end] == "}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${IMG:-nginx:1.0}", ("nginx", "1.0", None, "service", None)),
        ("${IMG-nginx:1.0}", ("nginx", "1.0", None, "service", None)),
        ('${IMG:-"nginx:1.0"}', ("nginx", "1.0", None, "service", None)),
        ("${IMG:-}", ("${IMG:-}", None, None, "service", "contains-variable")),
        ("${IMG}", ("${IMG}", None, None, "service", "contains-variable")),
        ("${REG}/nginx:1.0", ("${REG}/nginx:1.0", None, None, "service", "contains-variable")),
        ("nginx:${TAG:-1.0}", ("nginx:${TAG:-1.0}", None, None, "service", "contains-variable")),
        ("${IMG:-$OTHER}", ("${IMG:-$OTHER}", None, None, "service", "contains-variable")),
        ("Not An Image", ("Not An Image", None, None, "service", "invalid-value")),
        ("nginx:1.0:extra", ("nginx:1.0:extra", None, None, "service", "invalid-value")),
    ],
)
def test_image_values(value: str, expected: tuple[object, ...]) -> None:
    result = extract(f"services:\n  app:\n    image: '{value}'\n")
    assert rows(result) == [expected]


@pytest.mark.parametrize(
    "value",
    ["", "''", "~", "null", "42", "true", "[nginx:1]", "{name: nginx}"],
)
def test_empty_and_non_string_images_are_ignored(value: str) -> None:
    result = extract(f"services:\n  app:\n    image: {value}\n")
    assert result.dependencies == ()
    assert result.problems == ()


def test_build_services_are_skipped() -> None:
    result = extract(
        """\
        services:
          app:
            image: acme/app:dev
            build: .
          app2:
            image: acme/app2:dev
            build:
              context: ./app2
          nulled:
            image: acme/nulled:1.0
            build:
          db:
            image: postgres:16.2
        """
    )
    assert rows(result) == [
        ("acme/nulled", "1.0", None, "service", None),  # build: null is no build
        ("postgres", "16.2", None, "service", None),
    ]


def test_fragments_anchors_and_merge_keys(fixture_text) -> None:
    text = fixture_text("docker-compose/fragments.yml")
    result = docker_compose.extract(text, "fragments.yml")
    assert_spans_exact(text, result)
    # Each image once, at its anchored scalar; the service use wins the dep type.
    assert rows(result) == [
        ("debian", "12.5", None, "service", None),
        ("ghcr.io/acme/worker", "3.1.0", None, "service", None),
        ("debian", "12.5-slim", None, "service", None),
    ]
    assert [d.line for d in result.dependencies] == [3, 9, 32]


def test_anchor_used_only_by_build_service_is_still_an_extension() -> None:
    result = extract(
        """\
        x-base: &base
          image: acme/base:1.0
        services:
          app:
            <<: *base
            build: .
        """
    )
    assert rows(result) == [("acme/base", "1.0", None, "extension", None)]


def test_extension_fields_nested() -> None:
    result = extract(
        """\
        x-images:
          web:
            image: nginx:1.25.4
          jobs:
            - image: busybox:1.36
        x-not-an-image: 42
        x-list: [1, 2]
        services:
          web:
            image: nginx:1.25.4
        """
    )
    assert rows(result) == [
        ("nginx", "1.25.4", None, "extension", None),
        ("busybox", "1.36", None, "extension", None),
        ("nginx", "1.25.4", None, "service", None),
    ]


def test_flow_style() -> None:
    result = extract('services: {web: {image: nginx:1.25}, db: {image: "postgres:16"}}\n')
    assert rows(result) == [
        ("nginx", "1.25", None, "service", None),
        ("postgres", "16", None, "service", None),
    ]


def test_yaml_tags_do_not_break_extraction() -> None:
    result = extract(
        """\
        web:
          image: node:20.0.0
          ports:
            - "80:8000"
        worker:
          extends:
            service: web
          ports: !reset null
        """
    )
    assert rows(result) == [("node", "20.0.0", None, "service", None)]


def test_registry_with_port_and_library_prefix() -> None:
    result = extract(
        """\
        services:
          a:
            image: localhost:5000/team/app:1.2.3
          b:
            image: library/nginx:1.25
          c:
            image: docker.io/library/redis:7
        """
    )
    assert rows(result) == [
        ("localhost:5000/team/app", "1.2.3", None, "service", None),
        ("library/nginx", "1.25", None, "service", None),
        ("docker.io/library/redis", "7", None, "service", None),
    ]


def test_non_ascii_before_image_and_crlf() -> None:
    text = '# Überblick ☃ 😀 — ünïcödé\r\nservices:\r\n  web:\r\n    image: "nginx:1.25"  \r\n'
    result = docker_compose.extract(text, "compose.yaml")
    assert rows(result) == [("nginx", "1.25", None, "service", None)]
    dep = result.dependencies[0]
    assert text[dep.span.start : dep.span.end] == "nginx:1.25"
    assert dep.line == 4


def test_bom_is_counted_in_spans() -> None:
    text = "\ufeffservices:\n  web:\n    image: nginx:1.25\n"
    dep = docker_compose.extract(text, "compose.yaml").dependencies[0]
    assert text[dep.span.start : dep.span.end] == "nginx:1.25"


def test_escaped_or_multiline_values_are_not_edited() -> None:
    text = textwrap.dedent(
        """\
        services:
          a:
            image: "nginx\\x3a1.25"
          b:
            image: >-
              nginx:1.25
          c:
            image: "nginx:1.25"
        """
    )
    result = docker_compose.extract(text, "compose.yaml")
    assert [(d.skip_reason, d.line) for d in result.dependencies] == [
        ("invalid-value", 3),
        ("invalid-value", 5),
        (None, 8),
    ]
    assert [(p.level, p.line, p.file) for p in result.problems] == [
        ("warning", 3, "compose.yaml"),
        ("warning", 5, "compose.yaml"),
    ]


def test_templated_file_warns_with_line(fixture_text) -> None:
    text = fixture_text("docker-compose/templated.yml")
    result = docker_compose.extract(text, "templated.yml")
    assert result.dependencies == ()
    [problem] = result.problems
    assert (problem.level, problem.file, problem.line) == ("warning", "templated.yml", 6)
    assert "template" in problem.message


def test_jinja_blocks_warn_with_line(fixture_text) -> None:
    text = fixture_text("docker-compose/jinja-blocks.yml")
    result = docker_compose.extract(text, "jinja-blocks.yml")
    assert result.dependencies == ()
    [problem] = result.problems
    assert (problem.level, problem.file, problem.line) == ("warning", "jinja-blocks.yml", 2)


def test_broken_yaml_warns_with_line(fixture_text) -> None:
    text = fixture_text("docker-compose/broken.yml")
    result = docker_compose.extract(text, "broken.yml")
    assert result.dependencies == ()
    [problem] = result.problems
    assert (problem.level, problem.file, problem.line) == ("warning", "broken.yml", 5)
    assert "invalid YAML" in problem.message


def test_template_markers_in_comments_are_ignored() -> None:
    result = extract(
        """\
        # rendered from {{ cookiecutter.name }}
        services:
          web:
            image: nginx:1.25  # {% raw %}
        """
    )
    assert rows(result) == [("nginx", "1.25", None, "service", None)]
    assert result.problems == ()


def test_template_inside_image_value_is_a_variable() -> None:
    result = extract('services:\n  web:\n    image: "{{ registry }}/nginx:1.25"\n')
    assert rows(result) == [
        ("{{ registry }}/nginx:1.25", None, None, "service", "contains-variable")
    ]
    assert result.problems == ()


def test_recursive_anchor_does_not_hang() -> None:
    result = extract("x-a: &a\n  self: *a\n  image: nginx:1\nservices:\n  s: *a\n")
    assert rows(result) == [("nginx", "1", None, "service", None)]


def test_merge_key_cycle_does_not_hang() -> None:
    result = extract("x-a: &a\n  <<: *a\n  build: .\nservices:\n  s:\n    <<: *a\n")
    assert result.dependencies == ()


def test_prefilter_skips_parsing() -> None:
    # Invalid YAML but without the token: not parsed, so no warning either.
    assert docker_compose.extract("services: [\n", "compose.yml").problems == ()


def test_yaml_error_before_a_quoted_template_is_reported_as_yaml_error() -> None:
    text = textwrap.dedent(
        """\
        services:
          web:
            image: nginx:1.25
           bad: indentation
          monitor:
            healthcheck:
              test: ["CMD", "docker", "inspect", "--format", "{{.State.Health.Status}}"]
        """
    )
    [problem] = docker_compose.extract(text, "compose.yaml").problems
    assert problem.line == 4
    assert "invalid YAML" in problem.message
