"""Renovate presets that matter for image updates (a documented subset).

``extends`` entries are resolved in order, each preset's own ``extends`` first, then the
config itself on top. An unknown preset is a config error; a preset Renovate has that
upkeep does not implement yet is a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import ConfigError

_IGNORE_MODULES_AND_TESTS = [
    "**/node_modules/**",
    "**/bower_components/**",
    "**/vendor/**",
    "**/examples/**",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
    "**/__fixtures__/**",
]

PRESETS: dict[str, dict[str, Any]] = {
    ":ignoreModulesAndTests": {"ignorePaths": _IGNORE_MODULES_AND_TESTS},
    "config:recommended": {"extends": [":ignoreModulesAndTests"]},
    "config:best-practices": {"extends": ["config:recommended", "docker:pinDigests"]},
    "docker:pinDigests": {"packageRules": [{"matchDatasources": ["docker"], "pinDigests": True}]},
    "docker:disable": {"packageRules": [{"matchDatasources": ["docker"], "enabled": False}]},
    "default:pinDigestsDisabled": {"pinDigests": False},
    ":pinDigestsDisabled": {"pinDigests": False},
}

#: Legacy names Renovate migrates.
RENAMED = {"config:base": "config:recommended", "default:base": "config:recommended"}

#: Renovate presets upkeep knows of but does not implement yet.
NOT_YET = frozenset(
    {
        ":dependencyDashboard", ":dependencyDashboardApproval", ":semanticCommits",
        ":separateMultipleMajor", ":prHourlyLimitNone", ":prConcurrentLimitNone",
        ":automergePatch", ":automergeMinor", ":automergeDigest", "default:automergeDigest",
        ":disableDigestUpdates", "docker:enableMajor", "docker:disableMajor",
        "group:allNonMajor", "schedule:weekly", "schedule:weekends", "schedule:daily",
        "schedule:monthly", "schedule:nonOfficeHours", "schedule:earlyMondays",
    }
)


def _normalise(name: str) -> str:
    if name.startswith(":"):
        return name
    return name if ":" in name else f"{name}"


def resolve_presets(config: Mapping[str, Any], *, file: str, warnings: list[str]) -> dict[str, Any]:
    """Return ``config`` with its ``extends`` expanded (and removed)."""
    from bot.config import merge  # the config package imports this module

    def expand(cfg: Mapping[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for raw_name in cfg.get("extends") or []:
            name = _normalise(str(raw_name))
            if name in RENAMED:
                warnings.append(f"{file}: extends: {name} is deprecated; write {RENAMED[name]} instead")
                name = RENAMED[name]
            if name in seen:
                raise ConfigError(f"preset {name} extends itself", file=file, key="extends")
            if name in PRESETS:
                result = merge(result, expand(PRESETS[name], (*seen, name)))
            elif name in NOT_YET or name.startswith("schedule:"):
                warnings.append(f"{file}: extends: preset {name} is not supported by upkeep yet; ignored")
            else:
                raise ConfigError(f"unknown preset {name!r}", file=file, key="extends")
        own = {k: v for k, v in cfg.items() if k != "extends"}
        return merge(result, own)

    return expand(config, ())
