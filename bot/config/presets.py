"""Renovate's presets, as far as they concern container images.

``extends`` entries resolve as in Renovate (``lib/config/presets``): left to right, each
preset's own ``extends`` first, the config itself on top, merged with
``bot.config.merge`` (Renovate's mergeChildConfig); ``extends`` inside nested objects
(a package rule's) resolve the same way. Names parse as Renovate's ``parsePreset``:
``:x`` is ``default:x``; ``config:``, ``docker:``, ``group:``, ``schedule:``,
``workarounds:``, ``helpers:``… name built-in presets; ``name(a, b)`` passes parameters
that replace ``{{arg0}}``, ``{{arg1}}`` (and ``{{args}}``, the raw text) in the preset.

``PRESETS`` holds the built-in presets upkeep honours, written as upkeep options: parts
that cannot concern images (lock files, npm range strategies, other managers' blocks) are
left out. Names Renovate has that upkeep cannot honour are skipped:

* ``NOT_HONOURED``: nothing in them concerns images (``helpers:pinGitHubActionDigests``,
  ``group:monorepos``…), and whole namespaces of generated presets (``monorepo:``,
  ``replacements:``, ``abandonments:``, ``security:``…, names not checked);
  ``NOT_YET``: presets for images that need what upkeep lacks (``node``, ``ubuntu`` and
  ``redhat`` versioning). Reached through another preset (``config:recommended`` lists
  several) they are skipped silently; named by the user, they give one warning.
* ``RENAMED``: Renovate's removed presets and their replacements (a warning).

``local>owner/repo`` presets are read from the repository being processed through
``read_preset(path)`` exactly where Renovate looks: ``default.json`` (then, deprecated,
``renovate.json``); ``:name`` → ``name.json``; ``:file/key`` → a key of ``file.json``;
``//dir/name`` → ``dir/name.json``. Relative references (``./x``, ``../x``, ``/x``) inside
such a file resolve against its directory. When ``repository_name`` is given, a
``local>`` preset of another repository is refused; without it, ``local>`` presets are
taken to be in this repository. Their content is validated like a config file.
Presets from other repositories (``github>``, ``gitlab>``, ``gitea>``, ``forgejo>``),
npm packages and URLs are not supported yet.

Differences from Renovate: a preset that (indirectly) extends itself is an error where
Renovate skips it silently; ``ignorePresets`` entries match the name as written or its
canonical form (``:x`` = ``default:x``), where Renovate compares the text only.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import json5

from bot.config.preset_table import (
    NAMESPACES,
    NOT_HONOURED,
    NOT_YET,
    PRESETS,
    RENAMED,
    UNCHECKED_NAMESPACES,
)
from bot.errors import ConfigError

_GIT_PRESET = re.compile(r"^(?P<repo>~?[\w\-. /%]+)(?::(?P<name>[\w\-.+/]+))?(?:#(?P<tag>[\w\-./]+?))?$")
_SUBDIR_PRESET = re.compile(
    r"^(?P<repo>~?[\w\-. /%]+?)//(?:(?P<path>[\w\-./]+)/)?(?P<name>[\w\-.]+)(?:#(?P<tag>[\w\-./]+?))?$"
)
_RELATIVE_PRESET = re.compile(r"^(?:/|(?:\.\.?/)+)[\w\-.]+(?:/[\w\-.]+)*$")
_SOURCES = ("github", "gitlab", "gitea", "forgejo", "local")


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedPreset:
    """A parsed ``extends`` entry, as Renovate's ``parsePreset`` returns it."""

    source: str  # internal | local | relative | github | gitlab | gitea | forgejo | npm | http
    repo: str  # the namespace for internal presets ("default" for ":x")
    name: str
    path: str | None = None
    tag: str | None = None
    params: tuple[str, ...] | None = None
    raw_params: str | None = None

    @property
    def canonical(self) -> str:
        """The name without parameters; ``:x`` for the default namespace."""
        return f":{self.name}" if self.repo == "default" else f"{self.repo}:{self.name}"


def _is_relative(text: str) -> bool:
    return text.startswith(("./", "../", "/"))


def _split_params(text: str) -> tuple[str, tuple[str, ...] | None, str | None]:
    if "(" not in text:
        return text, None, None
    raw = text[text.index("(") + 1 : -1]
    return text[: text.index("(")], tuple(p.strip() for p in raw.split(",")), raw


def parse_preset(text: str) -> ParsedPreset:
    """Parse an ``extends`` entry; ``ValueError`` for one Renovate calls invalid."""
    source: str | None = None
    for prefix in _SOURCES:
        if text.startswith(f"{prefix}>"):
            source, text = prefix, text[len(prefix) + 1 :]
            break
    else:
        if text.startswith("npm>@"):
            source, text = "npm", text[4:]
        elif _is_relative(text):
            source = "relative"
        elif text.startswith(("http://", "https://")):
            source = "http"
        elif not text.startswith(("@", ":")) and "/" in text:
            source = "local"
    text = text.removeprefix("npm>")
    if source not in (None, "relative") and _is_relative(text):
        raise ValueError("a relative preset cannot name a source")
    if source == "relative":
        path, params, raw = _split_params(text)
        if not _RELATIVE_PRESET.match(path) or path.rsplit("/", 1)[-1] in (".", ".."):
            raise ValueError("not a valid relative preset")
        return ParsedPreset(source="relative", repo="", name=path, params=params, raw_params=raw)
    text, params, raw = _split_params(text)
    if source == "http":
        return ParsedPreset(source="http", repo=text, name="", params=params, raw_params=raw)
    namespace, colon, rest = text.partition(":")
    if colon and (namespace in NAMESPACES or namespace == ""):
        name = rest.split(":")[0]
        return ParsedPreset(source="internal", repo=namespace or "default", name=name, params=params, raw_params=raw)
    source = source or "npm"
    if text.startswith("@"):
        scope = re.match(r"(@.*?)(:|$)", text)
        assert scope is not None
        repo = scope.group(1) if "/" in scope.group(1) else f"{scope.group(1)}/renovate-config"
        name = text[len(scope.group(1)) + 1 :] or "default"
        return ParsedPreset(source=source, repo=repo, name=name, params=params, raw_params=raw)
    if "//" in text:
        if ":" in text:
            raise ValueError("a preset with a path cannot name a sub-preset")
        if not (sub := _SUBDIR_PRESET.match(text)):
            raise ValueError("not a valid preset name")
        return ParsedPreset(
            source=source, repo=sub["repo"], name=sub["name"], path=sub["path"], tag=sub["tag"], params=params, raw_params=raw
        )
    if not (git := _GIT_PRESET.match(text)):
        raise ValueError("not a valid preset name")
    repo = git["repo"]
    if source == "npm" and not repo.startswith("renovate-config-"):
        repo = f"renovate-config-{repo}"
    return ParsedPreset(source=source, repo=repo, name=git["name"] or "default", tag=git["tag"], params=params, raw_params=raw)


def _canonical(entry: str) -> str:
    """``default:x(a)`` -> ``:x(a)``; other names as they are."""
    try:
        parsed = parse_preset(entry)
    except ValueError:
        return entry
    if parsed.source != "internal":
        return entry
    return parsed.canonical + (f"({parsed.raw_params})" if parsed.params is not None else "")


def _placeholders(value: Any) -> set[int]:
    """The ``{{argN}}`` numbers a preset uses (``{{args}}`` counts as ``arg0``)."""
    if isinstance(value, str):
        found = {int(n) for n in re.findall(r"\{\{arg(\d+)\}\}", value)}
        return found | ({0} if "{{args}}" in value else set())
    if isinstance(value, list):
        return set().union(*(_placeholders(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_placeholders(v) for v in value.values())) if value else set()
    return set()


def replace_args(value: Any, args: Mapping[str, str]) -> Any:
    """Renovate's ``replaceArgs``: ``{{arg0}}``… replaced in every string value."""
    if isinstance(value, str):
        for key, arg in args.items():
            value = value.replace(f"{{{{{key}}}}}", arg)
        return value
    if isinstance(value, list):
        return [replace_args(v, args) for v in value]
    if isinstance(value, dict):
        return {k: replace_args(v, args) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------- resolving

ReadPreset = Callable[[str], str | None]
_OTHER_REPOSITORIES = "presets from other repositories are not supported yet"


@dataclass(slots=True, kw_only=True)
class _Resolver:
    file: str
    warnings: list[str]
    read_preset: ReadPreset | None
    repository_name: str | None
    ignore: frozenset[str] = frozenset()

    def error(self, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key="extends")

    def warn(self, message: str) -> None:
        text = f"{self.file}: extends: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def resolve(self, config: Mapping[str, Any], chain: tuple[str, ...], *, direct: bool, parent: ParsedPreset | None) -> dict[str, Any]:
        """Renovate's ``resolveConfigPresets``: presets left to right, then ``config`` on top."""
        from bot.config import merge  # the config package imports this module

        if not self.ignore and isinstance(config.get("ignorePresets"), list):
            self.ignore = frozenset(
                name for entry in config["ignorePresets"] for name in (str(entry), _canonical(str(entry)))
            )
        result: dict[str, Any] = {}
        for entry in config.get("extends") or []:
            preset = self.fetch(str(entry), chain, direct=direct, parent=parent)
            if preset is not None:
                result = merge(result, preset)
        own = {k: v for k, v in config.items() if k not in ("extends", "ignorePresets")}
        result = merge(result, own)
        for key, value in result.items():  # extends in nested objects (a package rule's)
            if isinstance(value, dict):
                result[key] = self.resolve(value, chain, direct=direct, parent=parent)
            elif isinstance(value, list):
                result[key] = [
                    self.resolve(v, chain, direct=direct, parent=parent) if isinstance(v, dict) else v for v in value
                ]
        return result

    def fetch(self, entry: str, chain: tuple[str, ...], *, direct: bool, parent: ParsedPreset | None) -> dict[str, Any] | None:
        """One ``extends`` entry, resolved; ``None`` when it is skipped."""
        try:
            parsed = parse_preset(entry)
        except ValueError as exc:
            raise self.error(f"invalid preset {entry!r}: {exc}") from None
        if parsed.source == "relative":
            if parent is None:
                raise self.error(f"relative preset {entry!r} can only be used inside a local> preset")
            entry = self.absolute(parsed, parent)
            parsed = parse_preset(entry)
        name = parsed.canonical if parsed.source == "internal" else entry
        full = f"{name}({parsed.raw_params})" if parsed.source == "internal" and parsed.params is not None else name
        if entry in self.ignore or full in self.ignore or name in self.ignore:
            return None
        if name in RENAMED:
            new = RENAMED[name]
            if new is None:
                self.warn(f"{entry} was removed from Renovate; ignored")
                return None
            self.warn(f"{entry} is deprecated; write {new} instead")
            return self.fetch(new + (f"({parsed.raw_params})" if parsed.params is not None else ""), chain, direct=direct, parent=parent)
        if full in chain:
            raise self.error(f"preset {full} extends itself ({' -> '.join((*chain[chain.index(full):], full))})")
        if parsed.source == "internal":
            return self.internal(parsed, name, full, chain, direct=direct)
        if parsed.source == "local":
            return self.local(parsed, entry, chain)
        if parsed.source == "npm":
            raise self.error(f"unknown preset {entry!r} (not built in; presets from npm packages are not supported yet)")
        if parsed.source == "http":
            raise self.error(f"preset {entry!r}: presets from URLs are not supported yet")
        raise self.error(f"preset {entry!r}: {_OTHER_REPOSITORIES}")

    def internal(self, parsed: ParsedPreset, name: str, full: str, chain: tuple[str, ...], *, direct: bool) -> dict[str, Any] | None:
        if name not in PRESETS:
            if name in NOT_YET:
                if direct:
                    self.warn(f"preset {name} needs {NOT_YET[name]}, which upkeep does not support yet; ignored")
                return None
            if name in NOT_HONOURED or parsed.repo in UNCHECKED_NAMESPACES:
                if direct:
                    self.warn(f"Renovate preset {name} has nothing upkeep acts on; ignored")
                return None
            close = difflib.get_close_matches(name, list(PRESETS), n=1, cutoff=0.8)
            raise self.error(f"unknown preset {name!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
        preset = PRESETS[name]
        wanted = _placeholders(preset)
        given = len(parsed.params or ())
        if wanted and given <= max(wanted):
            raise self.error(f"preset {name} needs {max(wanted) + 1} argument(s), e.g. {name}(value)")
        if parsed.params is not None:
            args = {f"arg{i}": p for i, p in enumerate(parsed.params)}
            if parsed.raw_params:
                args["args"] = parsed.raw_params
            preset = replace_args(preset, args)
        resolved = self.resolve(preset, (*chain, full), direct=False, parent=None)
        if parsed.params is not None:
            return self.checked(resolved, f"{self.file}: extends: {full}")
        return resolved

    def absolute(self, parsed: ParsedPreset, parent: ParsedPreset) -> str:
        """Renovate's ``resolveRelativePreset``: ``./x`` in a local> preset, made absolute."""
        base = parsed.name[1:] if parsed.name.startswith("/") else posixpath.join(parent.path or "", parsed.name)
        path = posixpath.normpath(base)
        if path == ".." or path.startswith("../"):
            raise self.error(f"relative preset {parsed.name!r} points outside the repository")
        tag = f"#{parent.tag}" if parent.tag else ""
        params = f"({parsed.raw_params})" if parsed.raw_params is not None else ""
        if path == "default":
            return f"local>{parent.repo}{tag}{params}"
        return f"local>{parent.repo}//{path}{tag}{params}"

    def local(self, parsed: ParsedPreset, entry: str, chain: tuple[str, ...]) -> dict[str, Any]:
        """A ``local>`` preset, read from this repository where Renovate would read it."""
        if self.repository_name is not None and parsed.repo.lower() != self.repository_name.lower():
            raise self.error(f"preset {entry!r}: {_OTHER_REPOSITORIES}")
        if parsed.tag:
            raise self.error(f"preset {entry!r}: presets at a tag or branch (#{parsed.tag}) are not supported yet")
        if self.read_preset is None:
            raise self.error(f"preset {entry!r}: local> presets cannot be read here")
        file_name, _, keys = parsed.name.partition("/")
        prefix = f"{parsed.path}/" if parsed.path else ""
        if file_name == "default":
            candidates = [f"{prefix}default.json", f"{prefix}renovate.json"]
        elif re.search(r"\.json[5c]?$", file_name):
            candidates = [f"{prefix}{file_name}"]
        else:
            candidates = [f"{prefix}{file_name}.json"]
        for path in candidates:
            text = self.read_preset(path)
            if text is not None:
                break
        else:
            raise self.error(f"preset {entry!r}: {candidates[0]} not found in the repository")
        if path.endswith("renovate.json") and file_name == "default":
            self.warn(f"{entry}: reading renovate.json as a preset is deprecated; name the file default.json")
        try:
            content: Any = json5.loads(text)
        except ValueError as exc:
            raise self.error(f"preset {entry!r}: {path} is not valid JSON: {exc}") from None
        for key in keys.split("/") if keys else ():
            content = content.get(key) if isinstance(content, dict) else None
            if not content:
                raise self.error(f"preset {entry!r}: {path} has no preset {keys!r}")
        if not isinstance(content, dict):
            raise self.error(f"preset {entry!r}: {path} is not a JSON object")
        if parsed.params is not None:
            args = {f"arg{i}": p for i, p in enumerate(parsed.params)}
            if parsed.raw_params:
                args["args"] = parsed.raw_params
            content = replace_args(content, args)
        own = self.checked({k: v for k, v in content.items() if k not in ("extends", "ignorePresets")}, path)
        own.update({k: content[k] for k in ("extends", "ignorePresets") if k in content})
        return self.resolve(own, (*chain, entry), direct=True, parent=parsed)

    def checked(self, fragment: dict[str, Any], where: str) -> dict[str, Any]:
        """``fragment`` validated like a config file: warnings kept, errors raised."""
        from bot.config import validate

        loaded = validate(fragment, where, repository=True)
        for warning in loaded.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
        if loaded.errors:
            raise ConfigError("; ".join(loaded.errors))
        return loaded.config


def resolve_presets(
    config: Mapping[str, Any],
    *,
    file: str,
    warnings: list[str],
    read_preset: ReadPreset | None = None,
    repository_name: str | None = None,
) -> dict[str, Any]:
    """Return ``config`` with its ``extends`` expanded (and ``extends``, ``ignorePresets`` removed).

    ``read_preset(path)`` returns the text of a file of the repository (``None`` if
    missing) for ``local>`` presets; ``repository_name`` (``owner/repo``), when known,
    tells this repository's ``local>`` presets from other repositories'.
    Raises ``ConfigError`` (key ``extends``) for unknown, invalid, missing or circular presets.
    """
    resolver = _Resolver(file=file, warnings=warnings, read_preset=read_preset, repository_name=repository_name)
    return resolver.resolve(config, (), direct=True, parent=None)
