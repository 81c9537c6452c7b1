"""packageRules: three-state matchers and the effective settings of one dependency.

Each matcher looks at one field of a rule and returns ``None`` when the rule does not
constrain that field, else whether the context matches. A rule applies when no matcher
says ``False`` and at least one says ``True`` (Renovate ignores a rule with no
matchers). Matching rules merge in order; later wins. A new matcher is one (key, function)
pair appended to ``MATCHERS``.

Rules are applied at two moments, as in Renovate: for a dependency (no update yet:
update matchers such as ``matchUpdateTypes`` and ``matchNewValue`` say ``False``), and
again for each update.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.config import merge
from bot.durations import age_matches
from bot.model import Dependency, Update
from bot.patterns import compile_pattern, match_list


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What rules can match on."""

    dep: Dependency
    update: Update | None = None
    base_branch: str | None = None
    registry_url: str | None = None
    current_timestamp: datetime | None = None
    now: datetime | None = None
    versioning: str = "docker"  # the versioning in effect when the rule is evaluated


Matcher = Callable[[Mapping[str, Any], Context], bool | None]


def _list(rule: Mapping[str, Any], key: str) -> list[str] | None:
    """The rule's patterns for ``key``; None when the rule does not set it (an empty
    list is set, and matches nothing, as in Renovate)."""
    value = rule.get(key)
    return [str(v) for v in value] if isinstance(value, list) else None


def _list_matcher(key: str, field: Callable[[Context], str | None], *, nocase: bool = True) -> Matcher:
    def matcher(rule: Mapping[str, Any], ctx: Context) -> bool | None:
        wanted = _list(rule, key)
        if wanted is None:
            return None
        value = field(ctx)
        return value is not None and match_list(value, wanted, nocase=nocase)

    matcher.__name__ = key
    return matcher


def _exact_matcher(key: str, field: Callable[[Context], str | None]) -> Matcher:
    def matcher(rule: Mapping[str, Any], ctx: Context) -> bool | None:
        wanted = _list(rule, key)
        if wanted is None:
            return None
        value = field(ctx)
        return value is not None and value in wanted

    matcher.__name__ = key
    return matcher


def _single_pattern(key: str, field: Callable[[Context], str | None]) -> Matcher:
    """``matchCurrentValue`` / ``matchNewValue``: one /regex/ or glob, ``!`` negates."""

    def matcher(rule: Mapping[str, Any], ctx: Context) -> bool | None:
        pattern = rule.get(key)
        if pattern is None:
            return None
        value = field(ctx)
        if value is None:
            return False
        return match_list(value, [str(pattern)], nocase=False)

    matcher.__name__ = key
    return matcher


def match_update_types(rule: Mapping[str, Any], ctx: Context) -> bool | None:
    wanted = _list(rule, "matchUpdateTypes")
    if wanted is None:
        return None
    return ctx.update is not None and str(ctx.update.update_type) in wanted


def match_current_version(rule: Mapping[str, Any], ctx: Context) -> bool | None:
    """A /regex/ (``!`` negates) on the current tag, or a range of the dependency's versioning."""
    pattern = rule.get("matchCurrentVersion")
    if pattern is None:
        return None
    current = ctx.dep.current_value
    if current is None:
        return False
    text = str(pattern)
    negated = text.startswith("!") and len(text) > 1 and text[1] == "/"
    body = text[1:] if negated else text
    if body.startswith("/"):
        return compile_pattern(body, nocase=False)(current) is not negated
    from bot.versioning import get_versioning

    versioning = get_versioning(ctx.versioning)
    if not versioning.is_version(current):
        return False
    try:
        return versioning.matches(current, text)
    except ValueError:
        return False


def match_current_age(rule: Mapping[str, Any], ctx: Context) -> bool | None:
    wanted = rule.get("matchCurrentAge")
    if wanted is None:
        return None
    if ctx.current_timestamp is None or ctx.now is None:
        return False
    return age_matches(ctx.now - ctx.current_timestamp, str(wanted))


#: Each matcher with the rule key it reads; a rule only runs the matchers of its keys.
MATCHERS: tuple[tuple[str, Matcher], ...] = (
    ("matchDatasources", _exact_matcher("matchDatasources", lambda c: c.dep.datasource)),
    ("matchManagers", _exact_matcher("matchManagers", lambda c: c.dep.manager)),
    ("matchPackageNames", _list_matcher("matchPackageNames", lambda c: c.dep.package_name)),
    ("matchDepNames", _list_matcher("matchDepNames", lambda c: c.dep.dep_name)),
    ("matchDepTypes", _exact_matcher("matchDepTypes", lambda c: c.dep.dep_type)),
    ("matchFileNames", _list_matcher("matchFileNames", lambda c: c.dep.package_file, nocase=False)),
    ("matchUpdateTypes", match_update_types),
    ("matchCurrentValue", _single_pattern("matchCurrentValue", lambda c: c.dep.current_value)),
    ("matchNewValue", _single_pattern("matchNewValue", lambda c: c.update.new_value if c.update else None)),
    ("matchCurrentVersion", match_current_version),
    ("matchCurrentAge", match_current_age),
    ("matchRegistryUrls", _list_matcher("matchRegistryUrls", lambda c: c.registry_url, nocase=False)),
    ("matchBaseBranches", _list_matcher("matchBaseBranches", lambda c: c.base_branch, nocase=False)),
)

MATCH_KEYS = frozenset(key for key, _ in MATCHERS) | {"description"}


def rule_applies(rule: Mapping[str, Any], ctx: Context) -> bool:
    """No matcher of the rule says no, and at least one says yes."""
    matched = False
    for key, matcher in MATCHERS:
        if key not in rule:
            continue
        verdict = matcher(rule, ctx)
        if verdict is False:
            return False
        matched = matched or verdict is True
    return matched


_ACTIONS: dict[int, tuple[Mapping[str, Any], dict[str, Any]]] = {}


def _actions(rule: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's settings (its non-matcher keys), computed once per rule object."""
    cached = _ACTIONS.get(id(rule))
    if cached is not None and cached[0] is rule:
        return cached[1]
    if len(_ACTIONS) > 4096:
        _ACTIONS.clear()
    actions = {k: v for k, v in rule.items() if k not in MATCH_KEYS}
    _ACTIONS[id(rule)] = (rule, actions)  # the rule is kept alive, so its id stays its own
    return actions


#: Options whose values concatenate across matching rules instead of replacing.
CONCAT = frozenset({"addLabels"})


def apply_rules(config: Mapping[str, Any], rules: Sequence[Mapping[str, Any]], ctx: Context) -> dict[str, Any]:
    """``config`` with every rule that matches ``ctx`` merged in, in order."""
    result = dict(config)
    for rule in rules:
        if "matchCurrentVersion" in rule:
            ctx = replace(ctx, versioning=str(result.get("versioning") or "docker"))
        if rule_applies(rule, ctx):
            actions = _actions(rule)
            concat = CONCAT & actions.keys()
            if concat:
                actions = {**actions, **{key: [*(result.get(key) or []), *actions[key]] for key in concat}}
            result = merge(result, actions)
    return result


def settings_for(config: Mapping[str, Any], dep: Dependency, **context: Any) -> dict[str, Any]:
    """The effective settings of ``dep``: the config (``packageRules`` kept, for later
    stages to apply again), with every matching rule merged in."""
    rules: Sequence[Mapping[str, Any]] = config.get("packageRules") or []
    return apply_rules(config, rules, Context(dep=dep, **context))
