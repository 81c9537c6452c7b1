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
import difflib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import json5
import jsonschema

from bot.config import options as opts
from bot.config.presets import resolve_presets
from bot.config.schema import generate
from bot.errors import ConfigError

log = logging.getLogger(__name__)

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
    """Renovate's mergeChildConfig: objects merge, listed arrays concatenate, rest replaces.

    Configs are treated as immutable values: nothing is copied that is not changed, so
    callers must never mutate a merged config in place.
    """
    out = dict(base)
    for key, value in child.items():
        current = out.get(key)
        if key in CONCAT_ARRAYS and isinstance(value, list) and isinstance(current, list):
            out[key] = [*current, *value]
        elif isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = merge(current, value)
        else:
            out[key] = value
    return out


def _path(parts: Iterable[object]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in cast("list[object]", error.validator_value))
        return f"{json.dumps(error.instance)} is not one of {allowed}"
    if error.validator == "type":
        return f"{json.dumps(error.instance)} is not of type {error.validator_value}"
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key(s)")
    return error.message


def _check_keys(block: dict[str, Any], where: str, allowed: Callable[[opts.Option], bool], loaded: Loaded, *, repository: bool) -> None:
    for key in list(block):
        if key in opts.MANAGERS and isinstance(block[key], dict):
            continue  # a manager block, checked on its own
        option = opts.OPTIONS_BY_NAME.get(key)
        if option is not None and allowed(option):
            if repository and option.global_only:
                loaded.warnings.append(f"{where}{key}: global-only option; refused in a repository config")
                del block[key]
            continue
        if key in opts.NOT_SUPPORTED:
            loaded.warnings.append(f"{where}{key}: not supported by upkeep; ignored")
        elif option is not None:
            loaded.warnings.append(f"{where}{key}: not allowed here; ignored")
        else:
            close = difflib.get_close_matches(key, list(opts.OPTIONS_BY_NAME), n=1, cutoff=0.85)
            hint = f" (did you mean {close[0]}?)" if close else ""
            loaded.warnings.append(f"{where}{key}: unknown option{hint}; ignored")
        del block[key]


def validate(
    raw: Mapping[str, Any],
    file: str,
    *,
    repository: bool,
    read_preset: Callable[[str], str | None] | None = None,
    repository_name: str | None = None,
) -> Loaded:
    """Check a config's keys and types; migrate legacy names; resolve presets.

    Errors name the file and the key path; unknown or unsupported options are warnings
    and are dropped; global-only options in a repository config are refused.
    """
    loaded = Loaded(config={}, file=file)
    config = copy.deepcopy(dict(raw))
    migrate(config, f"{file}: ", loaded.warnings, loaded.errors)
    rule_ok = lambda o: o.rule or o.matcher  # noqa: E731
    for key in list(config):
        if key in opts.MANAGERS and isinstance(config[key], dict):
            _check_keys(config[key], f"{file}: {key}.", opts.in_manager_block, loaded, repository=repository)
    _check_keys(config, f"{file}: ", lambda o: o.top, loaded, repository=repository)
    for index, rule in enumerate(config.get("packageRules") or []):
        if isinstance(rule, dict):
            _check_keys(rule, f"{file}: packageRules[{index}].", rule_ok, loaded, repository=repository)
            for kind in (*opts.UPDATE_TYPES, "group"):
                if isinstance(rule.get(kind), dict):
                    _check_keys(rule[kind], f"{file}: packageRules[{index}].{kind}.", lambda o: o.rule, loaded, repository=repository)
    for kind in (*opts.UPDATE_TYPES, "group"):
        if isinstance(config.get(kind), dict):
            _check_keys(config[kind], f"{file}: {kind}.", lambda o: o.rule, loaded, repository=repository)
    validator = jsonschema.Draft7Validator(generate())
    for error in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]):
        loaded.errors.append(f"{file}: {_path(error.absolute_path)}: {_schema_message(error)}")
    if not loaded.errors:
        loaded.errors.extend(semantic_errors(config, file))
    if not loaded.errors:
        try:
            config = resolve_presets(config, file=file, warnings=loaded.warnings, read_preset=read_preset,
                                     repository_name=repository_name)
        except ConfigError as exc:
            loaded.errors.append(str(exc))
    loaded.config = config
    return loaded


def semantic_errors(config: Mapping[str, Any], file: str) -> list[str]:
    """What a JSON schema cannot say: schedules, time zones, patterns, durations, templates."""
    from bot.config.checks import check_config

    return [f"{file}: {message}" for message in check_config(config)]


#: Legacy option names Renovate migrates: old -> (new, how to convert each value).
def _regex(values: list[str]) -> list[str]:
    return [f"/{v}/" for v in values]


def _negate(values: list[str]) -> list[str]:
    return [f"!{v}" for v in values]


MIGRATIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "fileMatch": ("managerFilePatterns", _regex),
    "matchPackagePatterns": ("matchPackageNames", _regex),
    "matchPackagePrefixes": ("matchPackageNames", lambda vs: [f"{v}**" for v in vs]),
    "excludePackageNames": ("matchPackageNames", _negate),
    "excludePackagePatterns": ("matchPackageNames", lambda vs: _negate(_regex(vs))),
    "excludePackagePrefixes": ("matchPackageNames", lambda vs: [f"!{v}**" for v in vs]),
    "matchDepPatterns": ("matchDepNames", _regex),
    "matchDepPrefixes": ("matchDepNames", lambda vs: [f"{v}**" for v in vs]),
    "excludeDepNames": ("matchDepNames", _negate),
    "excludeDepPatterns": ("matchDepNames", lambda vs: _negate(_regex(vs))),
    "packageNames": ("matchPackageNames", list),
    "packagePatterns": ("matchPackageNames", _regex),
    "depTypeList": ("matchDepTypes", list),
    "paths": ("matchFileNames", list),
    "matchPaths": ("matchFileNames", list),
    "updateTypes": ("matchUpdateTypes", list),
    "datasources": ("matchDatasources", list),
    "managers": ("matchManagers", list),
    "stabilityDays": ("minimumReleaseAge", lambda d: "0 days" if d == 0 else f"{d} day" + ("s" if d != 1 else "")),
    "masterIssue": ("dependencyDashboard", bool),
    "masterIssueApproval": ("dependencyDashboardApproval", bool),
}


#: Options Renovate accepts as a lone string and migrates to a one-element list.
_STRING_TO_LIST = ("schedule", "automergeSchedule", "extends", "labels", "addLabels", "assignees",
                   "reviewers", "ignoreDeps", "ignorePaths", "includePaths", "enabledManagers")

#: What type each legacy option's value must have before it is converted.
_SCALAR_MIGRATIONS: dict[str, type] = {"stabilityDays": int, "masterIssue": bool, "masterIssueApproval": bool}


def migrate(config: dict[str, Any], where: str, warnings: list[str], errors: list[str] | None = None) -> None:
    """Rewrite legacy option names in place (also inside rules and manager blocks). A
    value of the wrong type is an error naming the key (a lone string stands for a
    one-element list, as Renovate reads it)."""
    errors = errors if errors is not None else []
    for key in _STRING_TO_LIST:
        if isinstance(config.get(key), str):  # Renovate's migration: "before 5am" -> ["before 5am"]
            config[key] = [config[key]]
            warnings.append(f"{where}{key} should be a list; read as [{json.dumps(config[key][0])}]")
    if isinstance(config.get("dryRun"), bool):  # Renovate's migration: true -> "full", false -> off
        value = config.pop("dryRun")
        if value:
            config["dryRun"] = "full"
        warnings.append(f"{where}dryRun: {json.dumps(value)} is deprecated; write " + ('"full"' if value else "nothing"))
    for old, (new, convert) in MIGRATIONS.items():
        if old not in config:
            continue
        value = config.pop(old)
        kind = _SCALAR_MIGRATIONS.get(old, list)
        if kind is list and isinstance(value, str):
            value = [value]
        if not isinstance(value, kind) or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
            wanted = "a list of strings" if kind is list else kind.__name__
            errors.append(f"{where}{old}: {json.dumps(value)} is not {wanted}")
            continue
        warnings.append(f"{where}{old} is deprecated; write {new} instead")
        converted = convert(value)
        if isinstance(converted, list) and isinstance(config.get(new), list):
            config[new] = [*config[new], *converted]
        else:
            config[new] = converted
    for index, rule in enumerate(config.get("packageRules") or []):
        if isinstance(rule, dict):
            migrate(rule, f"{where}packageRules[{index}].", warnings, errors)
    for manager in opts.MANAGERS:
        if isinstance(config.get(manager), dict):
            migrate(config[manager], f"{where}{manager}.", warnings, errors)


#: Variables that are not options though they look like them.
_ENV_RESERVED = frozenset({"UPKEEP_CONFIG_FILE", "UPKEEP_LOG_LEVEL", "UPKEEP_LOG_FORMAT", "UPKEEP_CACHE_DIR",
                           "UPKEEP_FORGE_THROTTLE"})


def env_name(option: str) -> str:
    """``prHourlyLimit`` -> ``UPKEEP_PR_HOURLY_LIMIT`` (Renovate's RENOVATE_* convention)."""
    return "UPKEEP_" + re.sub(r"(?<!^)(?=[A-Z])", "_", option).upper()


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Global config from ``UPKEEP_*`` variables: booleans, integers, and JSON for arrays
    and objects; a value that does not parse names the variable."""
    config: dict[str, Any] = {}
    known = {env_name(o.name) for o in opts.OPTIONS if o.top} | _ENV_RESERVED | {"UPKEEP_TOKEN", "UPKEEP_HTTP_ATTEMPTS"}
    for name in sorted(environ):
        if name.startswith("UPKEEP_") and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
            log.warning("%s is not an upkeep setting%s; ignored", name, f" (did you mean {close[0]}?)" if close else "")
    for option in opts.OPTIONS:
        name = env_name(option.name)
        if not option.top or name in _ENV_RESERVED or name not in environ:
            continue
        raw = environ[name]
        try:
            if option.type == "boolean":
                if raw.lower() not in ("true", "false"):
                    raise ValueError("expected true or false")
                value: Any = raw.lower() == "true"
            elif option.type == "integer":
                value = int(raw)
            elif option.type in ("array", "object"):
                value = json.loads(raw)
            else:
                value = raw
        except ValueError as exc:
            raise ConfigError(f"cannot read {raw!r}: {exc}", file=f"${name}") from None
        config[option.name] = value
    return config


def read_file(path: str) -> dict[str, Any]:
    """A config file's contents, parsed; every way of failing is a ``ConfigError``."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    return parse_text(text, path)


def load_file(path: str, *, repository: bool) -> Loaded:
    return validate(read_file(path), path, repository=repository)


def effective(global_config: Mapping[str, Any], repo_config: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults, then the global config, then the repository's."""
    return merge(merge(opts.defaults(), global_config), repo_config)
