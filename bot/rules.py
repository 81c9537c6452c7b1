"""packageRules: three-state matchers and the effective settings of one dependency.

Each matcher looks at one field of a rule and returns ``None`` when the rule does not
constrain that field, else whether the dependency matches. A rule applies when no
matcher says ``False`` and at least one says ``True`` (Renovate ignores a rule with no
matchers). Matching rules merge in order; later wins. A new matcher is one function
appended to ``MATCHERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.config import merge
from bot.model import Dependency
from bot.patterns import match_list

Matcher = Callable[[Mapping[str, Any], Dependency], bool | None]


def _list(rule: Mapping[str, Any], key: str) -> list[str] | None:
    value = rule.get(key)
    return [str(v) for v in value] if isinstance(value, list) and value else None


def match_datasources(rule: Mapping[str, Any], dep: Dependency) -> bool | None:
    wanted = _list(rule, "matchDatasources")
    return None if wanted is None else dep.datasource in wanted


def match_managers(rule: Mapping[str, Any], dep: Dependency) -> bool | None:
    wanted = _list(rule, "matchManagers")
    return None if wanted is None else dep.manager in wanted


def match_package_names(rule: Mapping[str, Any], dep: Dependency) -> bool | None:
    wanted = _list(rule, "matchPackageNames")
    return None if wanted is None else match_list(dep.package_name, wanted)


def match_dep_names(rule: Mapping[str, Any], dep: Dependency) -> bool | None:
    wanted = _list(rule, "matchDepNames")
    return None if wanted is None else match_list(dep.dep_name, wanted)


def match_file_names(rule: Mapping[str, Any], dep: Dependency) -> bool | None:
    wanted = _list(rule, "matchFileNames")
    return None if wanted is None else match_list(dep.package_file, wanted, nocase=False)


MATCHERS: tuple[Matcher, ...] = (
    match_datasources,
    match_managers,
    match_package_names,
    match_dep_names,
    match_file_names,
)

_MATCH_KEYS = frozenset(
    {"matchDatasources", "matchManagers", "matchPackageNames", "matchDepNames", "matchFileNames", "description"}
)


def rule_applies(rule: Mapping[str, Any], dep: Dependency) -> bool:
    verdicts = [m(rule, dep) for m in MATCHERS]
    if any(v is False for v in verdicts):
        return False
    return any(v is True for v in verdicts)


def settings_for(config: Mapping[str, Any], dep: Dependency) -> dict[str, Any]:
    """The effective settings of ``dep``: the config, with every matching rule merged in."""
    result = {k: v for k, v in config.items() if k != "packageRules"}
    rules: Sequence[Mapping[str, Any]] = config.get("packageRules") or []
    for rule in rules:
        if rule_applies(rule, dep):
            result = merge(result, {k: v for k, v in rule.items() if k not in _MATCH_KEYS})
    return result
