from __future__ import annotations

import pytest

from bot.patterns import file_matches, is_ignored, match_list

# (value, patterns, expected) — Renovate's matchRegexOrGlobList semantics
NAME_CASES = [
    ("nginx", ["nginx"], True),
    ("NGINX", ["nginx"], True),  # case-insensitive
    ("nginx", ["redis"], False),
    ("bitnami/redis", ["bitnami/*"], True),
    ("bitnami/sub/redis", ["bitnami/*"], False),  # * does not cross /
    ("bitnami/sub/redis", ["bitnami/**"], True),
    ("ghcr.io/org/app", ["/^ghcr\\.io//"], True),
    ("ghcr.io/org/app", ["/^GHCR/"], False),
    ("ghcr.io/org/app", ["/^GHCR/i"], True),
    ("nginx", ["!redis"], True),  # only negations: everything else matches
    ("redis", ["!redis"], False),
    ("redis", ["*", "!redis"], False),  # any matching negation fails
    ("nginx", ["red*", "ngi*"], True),  # one positive suffices
    ("postgres", ["{postgres,mysql}"], True),
    ("ghcr.io/org/app", ["*"], True),  # a lone * matches across /
    ("nginx", [], False),  # an empty list matches nothing
]


@pytest.mark.parametrize(("value", "patterns", "expected"), NAME_CASES)
def test_match_list(value: str, patterns: list[str], expected: bool) -> None:
    assert match_list(value, patterns) is expected


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("k8s/app/deploy.yaml", ["/(^|/)k8s/.+\\.yaml$/"], True),
        ("deploy.yaml", ["/(^|/)k8s/.+\\.yaml$/"], False),
        ("k8s/app/deploy.yaml", ["k8s/**/*.yaml"], True),
        ("k8s/deploy.yaml", ["k8s/**/*.yaml"], True),
        ("k8s/deploy.yml", ["k8s/**/*.yaml"], False),
        ("a/.hidden/x.yaml", ["**/*.yaml"], True),  # dot: true
    ],
)
def test_file_matches(path: str, patterns: list[str], expected: bool) -> None:
    assert file_matches(path, patterns) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("node_modules/x/compose.yaml", True),
        ("app/node_modules/compose.yaml", True),
        ("charts/legacy/values.yaml", True),  # substring, as in Renovate
        ("app/compose.yaml", False),
    ],
)
def test_ignore_paths(path: str, expected: bool) -> None:
    assert is_ignored(path, ["**/node_modules/**", "charts/legacy"]) is expected
