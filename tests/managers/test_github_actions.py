"""github-actions manager: container images of workflows and actions (tables ported
from Renovate's extract.spec.ts and fixtures), warnings; golden round trips
under ``golden/github-actions`` run in test_golden."""

from __future__ import annotations

import re
import textwrap

import pytest

from managers import github_actions
from tests.managers.helpers import assert_spans_exact, rows

NODE6_DIGEST = "sha256:7b65413af120ec5328077775022c78101f103258a1876ec2f83890bce416e896"
WORKFLOW = ".github/workflows/ci.yml"


def extract(text: str, path: str = WORKFLOW):
    text = textwrap.dedent(text)
    result = github_actions.extract(text, path)
    assert_spans_exact(text, result)
    return result


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        (".github/workflows/ci.yml", True),
        (".github/workflows/release.yaml", True),
        (".github/workflows/sub/dir/x.yml", True),
        (".gitea/workflows/ci.yml", True),
        (".forgejo/workflows/ci.yaml", True),
        (".github/actions/setup/action.yml", True),
        ("workflow-templates/build.yml", True),
        ("action.yml", True),
        ("tools/lint/action.yaml", True),
        (".github/workflows/README.md", False),
        (".github/dependabot.yml", False),
        ("workflows/ci.yml", False),
        ("myaction.yml", False),
    ],
)
def test_file_patterns(path: str, matches: bool) -> None:
    assert any(re.search(p, path) for p in github_actions.FILE_PATTERNS) is matches


def test_module_contract() -> None:
    assert github_actions.NAME == "github-actions"
    assert github_actions.DATASOURCES == ("docker",)
    assert github_actions.PREFILTER
    assert github_actions.__doc__
    assert "Differences from Renovate" in github_actions.__doc__


@pytest.mark.parametrize(
    "text",
    [
        "",
        "on: push\n",
        "jobs: 3\n",
        "jobs:\n  a: [container]\n",
        "- container: x\n",
        "container: node:20\n",
    ],
)
def test_nothing_for_empty_or_other_files(text: str) -> None:
    result = github_actions.extract(text, WORKFLOW)
    assert result.dependencies == ()
    assert result.problems == ()


TABLE = [
    (
        "jobs:\n  t:\n    container: node:16-bullseye\n",
        [("node", "16-bullseye", None, "container", None)],
    ),
    (
        "jobs:\n  t:\n    container:\n      image: 'node:16-bullseye'\n      options: --cpus 1\n",
        [("node", "16-bullseye", None, "container", None)],
    ),
    (
        "jobs:\n  t:\n    services:\n      redis:\n        image: redis:5\n        ports: ['6379:6379']\n      postgres: postgres:10\n",
        [("redis", "5", None, "service", None), ("postgres", "10", None, "service", None)],
    ),
    (
        "jobs:\n  t:\n    steps:\n      - uses: docker://replicated/dockerfilelint\n",
        [("replicated/dockerfilelint", None, None, "docker", None)],
    ),
    (
        f"jobs:\n  t:\n    steps:\n      - name: x\n        uses: docker://node:6@{NODE6_DIGEST}\n",
        [("node", "6", NODE6_DIGEST, "docker", None)],
    ),
    (
        'jobs:\n  t:\n    steps:\n      - uses: "docker://busybox:1.37.0-glibc"\n',
        [("busybox", "1.37.0-glibc", None, "docker", None)],
    ),
    (
        "jobs:\n  t:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./local\n",
        [],
    ),
    (
        "jobs:\n  t:\n    container: ${{ matrix.image }}\n",
        [("${{ matrix.image }}", None, None, "container", "contains-variable")],
    ),
    (
        "jobs:\n  t:\n    services:\n      db:\n        image: ${{ inputs.db == 'pg' && 'postgres:16' || '' }}\n",
        [
            (
                "${{ inputs.db == 'pg' && 'postgres:16' || '' }}",
                None,
                None,
                "service",
                "contains-variable",
            )
        ],
    ),
    ("jobs:\n  t:\n    services:\n      db:\n        image: ''\n", []),
    ("jobs:\n  t:\n    container: null\n    services: [redis:7]\n", []),
    ("jobs:\n  t:\n    steps:\n      - uses: docker://\n", []),
    (
        "jobs:\n  t:\n    container: ghcr.io/Acme/app:1\n",
        [("ghcr.io/Acme/app:1", None, None, "container", "invalid-value")],
    ),
    (
        "jobs:\n  t:\n    steps:\n      - parallel:\n          - uses: docker://alpine:3.20\n",
        [("alpine", "3.20", None, "docker", None)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[repr(t[:50]) for t, _ in TABLE])
def test_extract_table(text: str, expected: list[tuple[str, ...]]) -> None:
    result = extract(text)
    assert rows(result) == expected
    assert result.problems == ()


def test_renovate_fixture_workflow_1(fixture_text) -> None:
    text = fixture_text("github-actions/workflow_1.yml")
    result = extract(text)
    assert rows(result) == [
        ("replicated/dockerfilelint", None, None, "docker", None),
        ("node", "6", NODE6_DIGEST, "docker", None),
        ("node", "16-bullseye", None, "container", None),
        ("redis", "5", None, "service", None),
        ("postgres", "10", None, "service", None),
        ("node", "16-bullseye", None, "container", None),
    ]
    assert [d.line for d in result.dependencies] == [18, 32, 35, 38, 39, 43]


def test_composite_action_steps(fixture_text) -> None:
    text = fixture_text("github-actions/composite-and-docker-action.yml")
    result = extract(text, "action.yml")
    # the "uses: docker://" inside the run script is text, not a step
    assert rows(result) == [("hadolint/hadolint", "v2.12.0", None, "docker", None)]


def test_docker_action_image(fixture_text) -> None:
    text = fixture_text("github-actions/docker-action.yml")
    result = extract(text, ".github/actions/scan/action.yml")
    assert rows(result) == [("aquasec/trivy", "0.55.0", None, "docker", None)]
    assert result.dependencies[0].line == 4


def test_broken_workflow_warns(fixture_text) -> None:
    text = fixture_text("github-actions/broken.yml")
    result = github_actions.extract(text, WORKFLOW)
    assert result.dependencies == ()
    (problem,) = result.problems
    assert (problem.level, problem.file) == ("warning", WORKFLOW)
    assert problem.line is not None
    assert problem.message.startswith("invalid YAML")

