"""Renovate's string patterns: exact names, globs, ``/regex/flags`` and ``!`` negation.

Globs follow minimatch with ``dot: true``: ``*`` and ``?`` do not cross ``/``, ``**`` does,
``{a,b}`` alternates, ``[...]`` is a class. Package-name matching is case-insensitive
(Renovate's ``nocase``); file matching is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache


def is_regex_pattern(pattern: str) -> bool:
    return len(pattern) >= 2 and pattern.startswith("/") and re.search(r"/[dgimsuy]*$", pattern[1:]) is not None


_JS_GROUP = re.compile(r"\(\?<(?![=!])")
_JS_BACKREF = re.compile(r"\\k<(\w+)>")


def js_to_python(pattern: str) -> str:
    """A JavaScript regex body in Python's syntax: ``(?<name>…)`` -> ``(?P<name>…)``,
    ``\\k<name>`` -> ``(?P=name)``."""
    return _JS_BACKREF.sub(r"(?P=\1)", _JS_GROUP.sub("(?P<", pattern))


@lru_cache(maxsize=1024)
def compile_js(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a JavaScript-style regex (as written in renovate.json); ``re.error`` if bad."""
    return re.compile(js_to_python(pattern), flags)


def _regex(pattern: str) -> re.Pattern[str]:
    body, _, flags = pattern[1:].rpartition("/")
    return compile_js(body, re.IGNORECASE if "i" in flags else 0)


@lru_cache(maxsize=4096)
def glob_to_regex(glob: str) -> str:
    out: list[str] = []
    i = 0
    depth = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif ch == "{":
            depth += 1
            out.append("(?:")
        elif ch == "}" and depth:
            depth -= 1
            out.append(")")
        elif ch == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str, *, nocase: bool) -> Callable[[str], bool]:
    """A predicate for one (non-negated) pattern: /regex/ or glob (which includes exact)."""
    if is_regex_pattern(pattern):
        rx = _regex(pattern)
        return lambda text: rx.search(text) is not None
    flags = re.IGNORECASE if nocase else 0
    grx = re.compile(f"^{glob_to_regex(pattern)}$", flags)
    return lambda text: grx.match(text) is not None


def match_list(value: str, patterns: Sequence[str], *, nocase: bool = True) -> bool:
    """Renovate's matchRegexOrGlobList: one positive pattern must match (if there are
    any), and no negated (``!``) pattern may match; a lone ``*`` matches anything, even
    across ``/``; an empty list matches nothing."""
    if not patterns:
        return False
    positives = [p for p in patterns if not p.startswith("!")]
    negatives = [p[1:] for p in patterns if p.startswith("!")]
    if any(compile_pattern(p, nocase=nocase)(value) for p in negatives):
        return False
    if not positives:
        return True
    return any(p == "*" or compile_pattern(p, nocase=nocase)(value) for p in positives)


def file_matches(path: str, patterns: Sequence[str]) -> bool:
    """Manager file patterns: ``/regex/`` searched in the path, or a glob on the path."""
    return any(compile_pattern(p, nocase=False)(path) for p in patterns)


def is_ignored(path: str, ignore_paths: Sequence[str]) -> bool:
    """Renovate's ignorePaths: a glob match, or the pattern is a substring of the path."""
    return any(p in path or compile_pattern(p, nocase=False)(path) for p in ignore_paths)
