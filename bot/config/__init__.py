"""Configuration: discovery, parsing, validation, presets and layering.

A run's configuration is layered, later wins: option defaults, the global config
(``--config FILE`` / ``UPKEEP_CONFIG_FILE``, then command-line flags), then the
repository's own config file (the first of ``CONFIG_FILES`` that exists), with
presets from ``extends`` resolved in place. Global-only options in a repository's
file are refused (a warning, never applied); options upkeep does not act on yet give
one warning each.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import json5
import jsonschema

from bot.config import options as opts
from bot.config.presets import resolve_presets
from bot.config.schema import generate
from bot.errors import ConfigError

#: Renovate's repository config file names, in Renovate's order of preference.
CONFIG_FILES = (
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
)

#: Arrays that are concatenated, not replaced, when configs are layered.
CONCAT_ARRAYS = frozenset({"packageRules", "hostRules", "extends"})


@dataclass(slots=True)
class Loaded:
    """A validated configuration and what validation had to say about it."""

    config: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    file: str | None = None


def find_config_file(paths: Iterable[str]) -> str | None:
    present = set(paths)
    return next((name for name in CONFIG_FILES if name in present), None)


def parse_text(text: str, file: str) -> dict[str, Any]:
    """Parse a config file's text (JSON, or JSON5 for ``.json5`` files and ``.renovaterc``)."""
    try:
        if file.endswith((".json5", ".renovaterc")):
            data = json5.loads(text)
        else:
            data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=file) from None
    except ValueError as exc:
        raise ConfigError(f"invalid JSON5: {exc}", file=file) from None
    if not isinstance(data, dict):
        raise ConfigError("the config must be a JSON object", file=file)
    return data


def merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Renovate's mergeChildConfig: objects merge, listed arrays concatenate, rest replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in child.items():
        if key in CONCAT_ARRAYS and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *copy.deepcopy(value)]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _path(parts: Iterable[object]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate(raw: Mapping[str, Any], file: str, *, repository: bool) -> Loaded:
    """Check a config's keys and types; migrate legacy names; resolve presets."""
    loaded = Loaded(config={}, file=file)
    config = dict(raw)
    for old, new in opts.MIGRATED.items():
        _migrate(config, old, new, loaded, file)
    for key in list(config):
        option = opts.OPTIONS_BY_NAME.get(key)
        if key in opts.MANAGER_OPTIONS:
            continue
        if option is None or not option.top:
            if key in opts.NOT_YET_SUPPORTED:
                loaded.warnings.append(f"{file}: {key}: not supported by upkeep yet; ignored")
            else:
                loaded.warnings.append(f"{file}: {key}: unknown option; ignored")
            del config[key]
        elif repository and option.global_only:
            loaded.warnings.append(f"{file}: {key}: global-only option; refused in a repository config")
            del config[key]
    for index, rule in enumerate(config.get("packageRules") or []):
        if isinstance(rule, dict):
            for old, new in opts.MIGRATED.items():
                _migrate(rule, old, new, loaded, f"{file}: packageRules[{index}]")
            for key in list(rule):
                option = opts.OPTIONS_BY_NAME.get(key)
                if option is None or "packageRules" not in option.parents:
                    kind = "not supported by upkeep yet" if key in opts.NOT_YET_SUPPORTED else "unknown option"
                    loaded.warnings.append(f"{file}: packageRules[{index}].{key}: {kind}; ignored")
                    del rule[key]
    for manager in opts.MANAGER_OPTIONS:
        block = config.get(manager)
        if isinstance(block, dict):
            _migrate(block, "fileMatch", "managerFilePatterns", loaded, f"{file}: {manager}")
    validator = jsonschema.Draft7Validator(generate())
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        loaded.errors.append(f"{file}: {_path(error.absolute_path)}: {error.message}")
    if not loaded.errors:
        try:
            config = resolve_presets(config, file=file, warnings=loaded.warnings)
        except ConfigError as exc:
            loaded.errors.append(str(exc))
    loaded.config = config
    return loaded


def _migrate(config: dict[str, Any], old: str, new: str, loaded: Loaded, where: str) -> None:
    if old not in config:
        return
    value = config.pop(old)
    loaded.warnings.append(f"{where}: {old} is deprecated; write {new} instead")
    if old == "fileMatch":
        value = [f"/{v}/" for v in value] if isinstance(value, list) else value
        config[new] = [*config.get(new, []), *value]
    elif new not in config:
        if old == "stabilityDays" and isinstance(value, int):
            value = f"{value} days"
        config[new] = value


def load_file(path: str, *, repository: bool) -> Loaded:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=path) from None
    return validate(parse_text(text, path), path, repository=repository)


def effective(global_config: Mapping[str, Any], repo_config: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults, then the global config, then the repository's."""
    return merge(merge(opts.defaults(), global_config), repo_config)
