"""dockerfile manager: extraction tables (ported from Renovate's extract.spec.ts and
fixtures), warnings; golden round trips under ``golden/dockerfile`` run in test_golden."""

from __future__ import annotations

import re

import pytest

from bot.edit import apply_updates
from bot.model import Update, UpdateType
from managers import dockerfile
from tests.managers.helpers import assert_spans_exact, rows

D1 = "sha256:d743b4141b02fcfb8beb68f92b4cd164f60ee457bf2d053f36785bf86de16b0d"
D2 = "sha256:ab37242e81cbc031b2600eef4440fe87055a05c14b40686df85078cc5086c98f"


def extract(text: str, path: str = "Dockerfile"):
    result = dockerfile.extract(text, path)
    assert_spans_exact(text, result)
    return result

@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("Dockerfile", True),
        ("dockerfile", True),
        ("Containerfile", True),
        ("app/Dockerfile", True),
        ("Dockerfile.prod", True),
        ("Dockerfile-dev", True),
        ("docker/Containerfile.j2", True),
        ("app.dockerfile", True),
        ("build.Containerfile", True),
        ("mydockerfile", False),
        ("Dockerfile/README.md", False),
        ("docker-compose.yml", False),
        ("Dockerfiles/app", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in dockerfile.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert dockerfile.NAME == "dockerfile"
    assert dockerfile.DATASOURCES == ("docker",)
    assert dockerfile.PREFILTER
    assert dockerfile.__doc__
    assert "Differences from Renovate" in dockerfile.__doc__


# (Dockerfile text, [(depName, currentValue, currentDigest, depType, skipReason)])
TABLE = [
    ("no from!", []),
    ("FROM node\n", [("node", None, None, "final", None)]),
    ("From node\n", [("node", None, None, "final", None)]),
    ("  from node:8.9.0-alpine\n", [("node", "8.9.0-alpine", None, "final", None)]),
    (f"FROM node@{D1}\n", [("node", None, D1, "final", None)]),
    (f"FROM node:8.9.0@{D1}\n", [("node", "8.9.0", D1, "final", None)]),
    ("FROM node:8.9.0-alpine as base\n", [("node", "8.9.0-alpine", None, "final", None)]),
    ("# some comment\n# another\n\nFROM node\n", [("node", None, None, "final", None)]),
    (
        "FROM registry2.something.info:5005/node:8\n",
        [("registry2.something.info:5005/node", "8", None, "final", None)],
    ),
    ("FROM quay.io:1234/node\n", [("quay.io:1234/node", None, None, "final", None)]),
    (
        "FROM    registry.allmine.info:5005/node:8.7.0\n\n",
        [("registry.allmine.info:5005/node", "8.7.0", None, "final", None)],
    ),
    (
        "FROM node:6.12.3 as frontend\n\n# comment\nENV foo=bar\nFROM python:3.6-slim\n",
        [("node", "6.12.3", None, "stage", None), ("python", "3.6-slim", None, "final", None)],
    ),
    ("\ufeffFROM node:6.12.3 as frontend\n\n", [("node", "6.12.3", None, "final", None)]),
    ("FROM scratch\nADD foo\n", []),
    ("FROM node:6.12.3 as frontend\nFROM frontend\n", [("node", "6.12.3", None, "final", None)]),
    ("FROM node:6.12.3 AS Frontend\nFROM frontend\n", [("node", "6.12.3", None, "final", None)]),
    ("FROM node AS node\n", [("node", None, None, "final", None)]),
    (
        "FROM --platform=linux/amd64 node:20.9.0 AS installer\n",
        [("node", "20.9.0", None, "final", None)],
    ),
    (
        "FROM scratch\nCOPY --from=gcr.io/k8s-skaffold/skaffold:v0.11.0 /usr/bin/skaffold /usr/bin/skaffold\n",
        [("gcr.io/k8s-skaffold/skaffold", "v0.11.0", None, "final", None)],
    ),
    (
        f"FROM scratch\nCOPY --from=gcr.io/k8s-skaffold/skaffold:v0.11.0@{D1} \\\n  /usr/bin/skaffold /usr/bin/skaffold\n",
        [("gcr.io/k8s-skaffold/skaffold", "v0.11.0", D1, "final", None)],
    ),
    (
        "FROM scratch\nCOPY --link --chown=1:1 --from=busybox:1.36 /bin/sh /sh\n",
        [("busybox", "1.36", None, "final", None)],
    ),
    (
        "FROM node:6.12.3 as frontend\nCOPY --from=frontend /a /b\n",
        [("node", "6.12.3", None, "final", None)],
    ),
    (
        "FROM node:6.12.3 as frontend\nCOPY --from=0 /a /b\n",
        [("node", "6.12.3", None, "final", None)],
    ),
    ("FROM node:20\nCOPY /src --from=busybox /dst\n", [("node", "20", None, "final", None)]),
    (
        "FROM scratch as build\n"
        "FROM scratch as final\n"
        "RUN --mount=from=ghcr.io/astral-sh/uv,source=/uv,target=/bin/uv uv pip install numpy\n"
        "RUN --mount=type=cache,from=example.com/cache/image,target=/root/.cache pip install numpy\n"
        "RUN --mount=type=bind,from=build,source=/project/dist/lib.whl,target=/dist/lib.whl pip install /dist/lib.whl\n",
        [
            ("ghcr.io/astral-sh/uv", None, None, "stage", None),
            ("example.com/cache/image", None, None, "final", None),
        ],
    ),
    (
        "FROM python:3.12\nRUN --mount=type=cache,target=/c --mount=from=ghcr.io/astral-sh/uv:0.5,source=/uv,target=/bin/uv uv venv\n",
        [
            ("python", "3.12", None, "stage", None),
            ("ghcr.io/astral-sh/uv", "0.5", None, "final", None),
        ],
    ),
    (
        "FROM node:8.15.1-alpine as skippedfrom\nFROM golang:1.23.3 as builder\n\n# comment\n"
        "WORKDIR /go/src/github.com/alexellis/href-counter/\nRUN go get -d -v golang.org/x/net/html  \n"
        "COPY app.go    .\nRUN CGO_ENABLED=0 GOOS=linux go build -a -installsuffix cgo -o app .\n\n"
        "FROM alpine:latest  \nRUN apk --no-cache add ca-certificates\nWORKDIR /root/\n"
        'COPY --from=builder /go/src/github.com/alexellis/href-counter/app .\nCMD ["./app"]\n',
        [
            ("node", "8.15.1-alpine", None, "stage", None),
            ("golang", "1.23.3", None, "stage", None),
            ("alpine", "latest", None, "final", None),
        ],
    ),
    ("FROM alpine:3.5\n\nRUN something \\", [("alpine", "3.5", None, "final", None)]),
    ("FROM \\ \nnginx:1.20\n", [("nginx", "1.20", None, "final", None)]),
    ("# dummy\n# escape = `\n\nFROM\\\nnginx:1.20", [("nginx", "1.20", None, "final", None)]),
    # ARG resolution
    ("ARG img_base\nFROM $img_base\n", [("$img_base", None, None, "final", "contains-variable")]),
    ("FROM $img_base\n", [("$img_base", None, None, "final", "contains-variable")]),
    (
        'ARG patch1=""\nARG patch2=\nFROM nginx:1.20${patch1}$patch2\n',
        [("nginx", "1.20", None, "final", None)],
    ),
    ("ARG BASE=node:20\nFROM ${BASE}\n", [("node", "20", None, "final", None)]),
    ('ARG BASE="node:20"\nFROM $BASE AS build\n', [("node", "20", None, "final", None)]),
    ("ARG BASE='node:20'\nFROM \"$BASE\"\n", [("node", "20", None, "final", None)]),
    (
        "ARG IMAGE_VERSION=${IMAGE_VERSION:-ubuntu:xenial}\nfrom ${IMAGE_VERSION} as base\n",
        [("ubuntu", "xenial", None, "final", None)],
    ),
    (
        f'ARG REF_NAME=${{REF_NAME:-"gcr.io/distroless/static-debian11:nonroot@{D2}"}}\nfrom ${{REF_NAME}}',
        [("gcr.io/distroless/static-debian11", "nonroot", D2, "final", None)],
    ),
    ("FROM ${IMAGE:-redis:7.2}\n", [("redis", "7.2", None, "final", None)]),
    ("ARG IMAGE=\nFROM ${IMAGE:-redis:7.2}\n", [("redis", "7.2", None, "final", None)]),
    ("ARG IMAGE=\nFROM ${IMAGE-redis:7.2}\n", []),
    ("ARG IMAGE=valkey:8\nFROM ${IMAGE:-redis:7.2}\n", [("valkey", "8", None, "final", None)]),
    (
        "FROM ${IMAGE:+redis:7.2}\n",
        [("${IMAGE:+redis:7.2}", None, None, "final", "contains-variable")],
    ),
    ("ARG A=node\nARG B=${A}:20\nFROM $B\n", [("$B", None, None, "final", "contains-variable")]),
    ("ARG A=node:20\nARG B=$A\nFROM $B\n", [("node", "20", None, "final", None)]),
    (
        # Docker: an ARG after the first FROM is not visible to later FROMs
        "ARG base=nginx:1.19\nFROM $base as stage1\nARG base=nginx:1.20\nFROM --platform=amd64 $base as stage2\n",
        [("nginx", "1.19", None, "final", None)],
    ),
    (
        "ARG BASE=node:20\nFROM $BASE AS build\nFROM ${BASE}\nFROM busybox AS tools\n",
        [("node", "20", None, "stage", None), ("busybox", None, None, "final", None)],
    ),
    (
        "ARG BASE=node:20\nFROM busybox AS tools\nFROM ${BASE}\n",
        [("node", "20", None, "final", None), ("busybox", None, None, "stage", None)],
    ),
    (
        "ARG CUDA=9.2\nARG LINUX_VERSION ubuntu16.04\nFROM nvidia/cuda:${CUDA}-devel-${LINUX_VERSION}\n",
        [("nvidia/cuda:${CUDA}-devel-${LINUX_VERSION}", None, None, "final", "contains-variable")],
    ),
    (
        'ARG\tVARIANT="1.60.0-bullseye" \nFROM\trust:${VARIANT}\n',
        [("rust", "1.60.0-bullseye", None, "final", None)],  # the tag alone is the ARG: edited there
    ),
    (
        "ARG REGISTRY=ghcr.io/acme\nFROM ${REGISTRY}/app:1.0\n",
        [("${REGISTRY}/app:1.0", None, None, "final", "contains-variable")],
    ),
    (
        "FROM $CI_REGISTRY/alpine:3.15\n",
        [("$CI_REGISTRY/alpine:3.15", None, None, "final", "contains-variable")],
    ),
    (
        "FROM mcr.microsoft.com/dotnet/sdk:5.0${IMAGESUFFIX}\n",
        [
            (
                "mcr.microsoft.com/dotnet/sdk:5.0${IMAGESUFFIX}",
                None,
                None,
                "final",
                "contains-variable",
            )
        ],
    ),
    ('ARG img="scratch"\nFROM $img as base\n', []),
    ("FROM {{ base_image }}\n", [("{{", None, None, "final", "contains-variable")]),
    ("FROM Node:20\n", [("Node:20", None, None, "final", "invalid-value")]),
    # syntax directive
    (
        "# syntax=docker/dockerfile:1.1.7\nFROM alpine:3.13.5\n",
        [
            ("docker/dockerfile", "1.1.7", None, "syntax", None),
            ("alpine", "3.13.5", None, "final", None),
        ],
    ),
    ("#syntax=docker/dockerfile:1\n", [("docker/dockerfile", "1", None, "syntax", None)]),
    (
        "# escape=`\n# syntax = docker/dockerfile:1\nFROM alpine:3\n",
        [("docker/dockerfile", "1", None, "syntax", None), ("alpine", "3", None, "final", None)],
    ),
    (
        "FROM alpine:3.13.5\n# syntax=docker/dockerfile:1.1.7\n",
        [("alpine", "3.13.5", None, "final", None)],
    ),
    (
        "# hello\n# syntax=docker/dockerfile:1.1.7\nFROM alpine:3\n",
        [("alpine", "3", None, "final", None)],
    ),
    # heredocs are not instructions
    (
        "FROM alpine:3\nRUN <<EOF\nFROM evil:1\nEOF\nCOPY <<-'X' /etc/x\n\tFROM evil:2\n\tX\nFROM busybox:1\n",
        [("alpine", "3", None, "stage", None), ("busybox", "1", None, "final", None)],
    ),
    (
        "FROM alpine:3\nRUN echo $((1<<x))\nFROM busybox:1\n",
        [("alpine", "3", None, "stage", None), ("busybox", "1", None, "final", None)],
    ),
    # CRLF
    (
        "ARG IMAGE_TAG=14.04\r\nFROM ubuntu:20.04 \\\r\n  AS base\r\nFROM \\\r\n  node:20\r\n",
        [("ubuntu", "20.04", None, "stage", None), ("node", "20", None, "final", None)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[repr(t[:40]) for t, _ in TABLE])
def test_extract_table(text: str, expected: list[tuple[str, ...]]) -> None:
    result = extract(text)
    assert rows(result) == expected
    assert result.problems == ()
    assert all(d.manager == "dockerfile" and d.datasource == "docker" for d in result.dependencies)


def test_arg_default_span_is_in_the_arg_line() -> None:
    text = 'ARG NODE="node:20.11.1-alpine"\n\nFROM ${NODE} AS build\n'
    (dep,) = extract(text).dependencies
    assert dep.line == 1
    assert text[dep.span.start : dep.span.end] == "node:20.11.1-alpine"


def test_fixture_adjacent_lines_and_stage_aliases(fixture_text) -> None:
    result = extract(fixture_text("dockerfile/1.Dockerfile"))
    assert rows(result) == [
        ("node", "8.11.3-alpine", D1, "stage", None),
        ("buildkite/puppeteer", "1.1.1", None, "final", None),
    ]
    assert [d.line for d in result.dependencies] == [3, 4]


def test_fixture_all_sorts_of_multiline_from_and_copy(fixture_text) -> None:
    result = extract(fixture_text("dockerfile/2.Dockerfile"))
    names = [d.dep_name for d in result.dependencies]
    assert names == [
        "image1",
        "image2",
        "image4",
        "image5",
        "image6",
        "image7",
        "image11",
        "image12",
        "image13",
    ]
    assert [d.line for d in result.dependencies] == [2, 4, 12, 16, 21, 25, 31, 35, 39]
    assert result.dependencies[1].current_digest == D1
    assert [d.dep_type for d in result.dependencies] == ["stage"] * 8 + ["final"]
    assert result.problems == ()


def test_fixture_multiline_args(fixture_text) -> None:
    # The second ARG is declared inside stage1, so (as in Docker) FROM cannot see it.
    result = extract(fixture_text("dockerfile/3.Dockerfile"))
    assert rows(result) == [
        ("alpine", "3.15.4", None, "stage", None),
        ("$nginx_version", None, None, "final", "contains-variable"),
    ]
    assert result.dependencies[0].line == 3


def test_fixture_backtick_escape(fixture_text) -> None:
    result = extract(fixture_text("dockerfile/4.Dockerfile"))
    assert rows(result) == [
        ("docker/dockerfile", "1", None, "syntax", None),
        ("alpine", "3.15.4", None, "stage", None),
        ("$nginx_version", None, None, "stage", "contains-variable"),
        ("image5", None, None, "stage", None),
        ("image12", None, None, "final", None),
    ]


def test_backslash_is_literal_with_backtick_escape() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 `\n  AS base\nRUN dir C:\\\nFROM base\n"
    assert rows(extract(text)) == [
        ("mcr.microsoft.com/windows/servercore", "ltsc2022", None, "final", None)
    ]


def test_from_without_image_warns() -> None:
    result = extract("FROM alpine:3\n\nFROM --platform=$BUILDPLATFORM\n")
    assert rows(result) == [("alpine", "3", None, "final", None)]
    assert [(p.level, p.line, p.message) for p in result.problems] == [
        ("warning", 3, "FROM without an image")
    ]


def test_reference_split_by_a_continuation_is_reported_not_updated() -> None:
    text = "FROM nginx:1.\\\n27\n"
    result = extract(text)
    (dep,) = result.dependencies
    assert (dep.dep_name, dep.skip_reason, dep.line) == ("nginx:1.27", "invalid-value", 1)
    (problem,) = result.problems
    assert (problem.file, problem.line) == ("Dockerfile", 1)
    assert "split over lines" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\ufeff",
        "FROM",
        "FROM \\",
        "ARG",
        "ARG =x\nFROM $",
        "FROM ${\n",
        "FROM ${A:-${B}}\n",
        "COPY --from=\n",
        "RUN --mount=from=,\n",
        "RUN --mount=from\n",
        "RUN <<\n",
        "FROM a AS\n",
        "\\\n\\\n",
        "# syntax=\n",
        "# escape=x\nFROM a\n",
        'FROM "\n',
        "FROM '\n",
        "\r\r\rFROM a\r",
        "FROM a:b:c@d\n",
        "\x00FROM\x00a\n",
    ],
)
def test_never_raises(text: str) -> None:
    result = dockerfile.extract(text, "Dockerfile")
    assert_spans_exact(text, result)




def test_a_tag_alone_in_an_arg_default_is_updated_there() -> None:
    text = "ARG DB_TAG=15.4\nARG V=1.2\nFROM team/db:${DB_TAG} AS db\nFROM node:${V}-alpine\n"
    deps = extract(text).dependencies
    db = next(d for d in deps if d.dep_name == "team/db")
    assert (db.current_value, db.span_kind, db.replace_string, db.line, db.skip_reason) == ("15.4", "tag", "15.4", 1, None)
    node = next(d for d in deps if "node" in d.dep_name)
    assert node.skip_reason == "contains-variable"  # the tag is assembled from two places
    update = Update(dependency=db, update_type=UpdateType.MINOR, new_value="15.6", new_digest=None)
    assert apply_updates(text, "Dockerfile", dockerfile, [update]) == text.replace("DB_TAG=15.4", "DB_TAG=15.6")
