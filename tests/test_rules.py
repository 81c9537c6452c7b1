"""packageRules matchers and actions: Renovate's semantics, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.model import Dependency, Span, Update, UpdateType
from bot.rules import Context, apply_rules, rule_applies


def dep(name: str = "nginx", value: str | None = "1.25.3", *, file: str = "k8s/web.yaml", manager: str = "kubernetes",
        dep_type: str = "container", package: str | None = None) -> Dependency:
    return Dependency(
        manager=manager, package_file=file, dep_name=name, package_name=package or name, current_value=value,
        current_digest=None, replace_string=name, span=Span(start=0, end=1), line=1, dep_type=dep_type,
    )


def upd(d: Dependency, kind: UpdateType = UpdateType.MINOR, new: str = "1.26.0") -> Update:
    return Update(dependency=d, update_type=kind, new_value=new, new_digest=None, new_version=new)


NOW = datetime(2026, 12, 1, tzinfo=UTC)

CASES: list[tuple[str, dict[str, Any], Context, bool]] = [
    ("no matchers never applies", {"enabled": False}, Context(dep=dep()), False),
    ("datasource", {"matchDatasources": ["docker"]}, Context(dep=dep()), True),
    ("manager", {"matchManagers": ["docker-compose"]}, Context(dep=dep()), False),
    ("package glob", {"matchPackageNames": ["ngin*"]}, Context(dep=dep()), True),
    ("package regex i", {"matchPackageNames": ["/^NGINX$/i"]}, Context(dep=dep()), True),
    ("package negation only", {"matchPackageNames": ["!redis"]}, Context(dep=dep()), True),
    ("package positive and negation", {"matchPackageNames": ["*", "!nginx"]}, Context(dep=dep()), False),
    ("depName vs packageName", {"matchDepNames": ["$REG/app"]}, Context(dep=dep("$REG/app", package="ghcr.io/x/app")), True),
    ("depType", {"matchDepTypes": ["initContainer"]}, Context(dep=dep()), False),
    ("file glob", {"matchFileNames": ["k8s/**"]}, Context(dep=dep()), True),
    ("file glob no cross", {"matchFileNames": ["*.yaml"]}, Context(dep=dep()), False),
    ("all matchers AND", {"matchDatasources": ["docker"], "matchPackageNames": ["redis"]}, Context(dep=dep()), False),
    ("updateTypes without update", {"matchUpdateTypes": ["minor"]}, Context(dep=dep()), False),
    ("updateTypes with update", {"matchUpdateTypes": ["minor", "patch"]}, Context(dep=dep(), update=upd(dep())), True),
    ("updateTypes major", {"matchUpdateTypes": ["major"]}, Context(dep=dep(), update=upd(dep())), False),
    ("currentValue regex", {"matchCurrentValue": "/-alpine$/"}, Context(dep=dep(value="1.2-alpine")), True),
    ("currentValue glob", {"matchCurrentValue": "1.*"}, Context(dep=dep()), True),
    ("currentValue negated", {"matchCurrentValue": "!/^1\\./"}, Context(dep=dep()), False),
    ("newValue needs update", {"matchNewValue": "/^1\\./"}, Context(dep=dep()), False),
    ("newValue", {"matchNewValue": "/^1\\.26/"}, Context(dep=dep(), update=upd(dep())), True),
    ("currentVersion range", {"matchCurrentVersion": "<2.0.0"}, Context(dep=dep()), True),
    ("currentVersion range no", {"matchCurrentVersion": ">=2"}, Context(dep=dep()), False),
    ("currentVersion regex", {"matchCurrentVersion": "/^1\\.25/"}, Context(dep=dep()), True),
    ("currentVersion negated regex", {"matchCurrentVersion": "!/^\\d{8}$/"}, Context(dep=dep()), True),
    ("currentVersion of non-version", {"matchCurrentVersion": "<2"}, Context(dep=dep(value="alpine")), False),
    ("currentAge", {"matchCurrentAge": "> 1 year"}, Context(dep=dep(), current_timestamp=NOW - timedelta(days=400), now=NOW), True),
    ("currentAge young", {"matchCurrentAge": "> 1 year"}, Context(dep=dep(), current_timestamp=NOW - timedelta(days=40), now=NOW), False),
    ("currentAge unknown", {"matchCurrentAge": "< 1 year"}, Context(dep=dep()), False),
    ("registryUrls", {"matchRegistryUrls": ["https://ghcr.io"]}, Context(dep=dep(), registry_url="https://ghcr.io"), True),
    ("baseBranches", {"matchBaseBranches": ["release/*"]}, Context(dep=dep(), base_branch="release/1.x"), True),
    ("baseBranches no", {"matchBaseBranches": ["main"]}, Context(dep=dep(), base_branch="release/1.x"), False),
]


@pytest.mark.parametrize(("name", "rule", "ctx", "expected"), CASES, ids=[c[0] for c in CASES])
def test_matchers(name: str, rule: dict[str, Any], ctx: Context, expected: bool) -> None:
    assert rule_applies(rule, ctx) is expected


def test_rules_merge_in_order_and_later_wins() -> None:
    rules = [
        {"matchPackageNames": ["*"], "labels": ["deps"], "automerge": True, "addLabels": ["a"]},
        {"matchPackageNames": ["nginx"], "automerge": False, "addLabels": ["b"]},
        {"matchPackageNames": ["redis"], "labels": ["never"]},
    ]
    result = apply_rules({"labels": []}, rules, Context(dep=dep()))
    assert result["labels"] == ["deps"]
    assert result["automerge"] is False
    assert result["addLabels"] == ["a", "b"]  # addLabels concatenate
    assert "matchPackageNames" not in result


def test_match_current_version_uses_the_versioning_in_effect() -> None:
    rules = [
        {"matchPackageNames": ["app"], "versioning": "regex:^v(?<major>\\d+)\\.(?<minor>\\d+)$"},
        {"matchPackageNames": ["app"], "matchCurrentVersion": "/^v1\\./", "enabled": False},
    ]
    result = apply_rules({"versioning": "docker"}, rules, Context(dep=dep("app", value="v1.2")))
    assert result["enabled"] is False
