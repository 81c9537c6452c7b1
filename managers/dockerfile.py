"""dockerfile: images of Dockerfiles and Containerfiles.

Files: Renovate's default patterns, ``(^|/|\\.)([Dd]ocker|[Cc]ontainer)file$`` and
``(^|/)([Dd]ocker|[Cc]ontainer)file[^/]*$`` (``Dockerfile``, ``app.dockerfile``,
``Containerfile``, ``docker/Dockerfile.prod``). Files without ``FROM``, ``from`` or
``From`` are not read.

Finds (instructions are case-insensitive, may be indented and continued over lines with
the escape character; comment lines and empty lines inside a continuation are skipped,
as Docker does):

* ``FROM [--platform=…] image[:tag][@digest] [AS name]``; dep type ``stage``, and
  ``final`` for the last dependency of the file (Renovate's rule: that is usually the
  last ``FROM``, but a ``COPY --from`` / ``RUN --mount`` image after it takes the mark);
* ``COPY [--flags] --from=image …`` (not stage names, not stage numbers);
* ``RUN --mount=…,from=image,…`` (every ``--mount`` flag; not stage names or numbers);
* the ``# syntax=image`` parser directive, dep type ``syntax``;
* the ``# escape=``\\` `` parser directive (Windows Dockerfiles) changes the
  continuation character. Parser directives count only at the top of the file, before
  any comment, empty line or instruction, as in Docker.

``FROM scratch`` and ``FROM <earlier stage name>`` (case-insensitive) yield nothing.

Variables in ``FROM`` are resolved with the ``ARG`` defaults declared before the first
``FROM`` (Docker's rule: only those are visible to ``FROM``): ``$NAME``, ``${NAME}``,
``${NAME:-default}`` and ``${NAME-default}`` (a default in double quotes loses them), and
an ``ARG`` default may use earlier ``ARG``\\ s. When the resolved reference stands
verbatim in one place of the file, that place is the dependency's span:

* ``ARG BASE=node:20`` + ``FROM ${BASE}``: the span is ``node:20`` in the ``ARG`` line
  (inside quotes if the default is quoted), so an update edits the ``ARG`` default;
* ``ARG IMAGE=${IMAGE:-node:20}``: the span is the default inside the braces;
* ``ARG SUFFIX=""`` + ``FROM nginx:1.27${SUFFIX}``: variables that resolve to empty
  text drop out; the span is ``nginx:1.27`` in the ``FROM`` line.

``ARG TAG=15.4`` + ``FROM team/db:${TAG}`` (the tag alone is the variable) gives a
dependency on the ``ARG`` default that holds only the tag (``span_kind="tag"``): updates
edit the default and never add a digest there.

Any other ``FROM`` reference assembled from several places (``node:${V}-alpine``,
``${REGISTRY}/app:1.0``), or using a variable without a default, is reported with
``skip_reason="contains-variable"`` and the ``FROM`` text as its span (so
``registryAliases`` can still resolve ``$REGISTRY/app:1.0``). Several ``FROM``\\ s using
one ``ARG`` default give one dependency (``final`` if the last one is among them).
``COPY --from`` and ``RUN --mount`` values are not resolved with ``ARG``\\ s (only
``${NAME:-default}`` defaults), as in Renovate. References that do not parse:
``"invalid-value"``. Heredoc bodies (``RUN <<EOF`` … ``EOF``) are not read as
instructions.

Warnings (``Problem``, level ``warning``, with file and line): a ``FROM`` without an
image, and a reference split over lines by a continuation (reported, never updated).

Differences from Renovate:

* upkeep edits one exact span per dependency: a whole reference in one ``ARG`` default
  (``FROM $BASE``) and a tag alone in one (``FROM node:${NODE_VERSION}``) are updated,
  as in Renovate; references assembled otherwise (``node:${V}-alpine``,
  ``${REGISTRY}/app``) are skipped (``contains-variable``).
* ``FROM`` sees only ``ARG``\\ s declared before the first ``FROM`` (Docker's rule);
  Renovate uses the last ``ARG`` of that name anywhere above the ``FROM``. ``ARG a b``
  declares two arguments (Docker), not ``a`` with default ``b`` (Renovate).
* Stage names compare case-insensitively (Docker lowercases them); ``FROM x AS x``
  still extracts ``x``; every ``--mount`` of a ``RUN`` is read, not only the first;
  ``RUN --mount=…,from=0`` is a stage number and skipped.
* A ``# syntax=`` directive is a directive wherever it is among the leading directive
  lines, and it keeps dep type ``syntax`` even when it is the only dependency.
* Renovate's special cases for depName prettifying (``amd64/``/``library/`` prefixes,
  quay.io ports) and ubuntu/debian versioning are not applied: upkeep reports the name
  as written and uses docker versioning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.image import InvalidReference
from bot.image import parse as parse_image
from bot.model import Dependency, ExtractResult, Problem, Span
from managers import _yaml
from managers._text import Line, Logical, Piece, merge_pieces, physical_lines, unquote

NAME = "dockerfile"
FILE_PATTERNS: tuple[str, ...] = (
    r"(^|/|\.)([Dd]ocker|[Cc]ontainer)file$",
    r"(^|/)([Dd]ocker|[Cc]ontainer)file[^/]*$",
)
DATASOURCES: tuple[str, ...] = ("docker",)
PREFILTER: tuple[str, ...] = ("FROM", "from", "From")

_DIRECTIVE = re.compile(r"[ \t]*#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(\S+)[ \t]*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_KEYWORD = re.compile(r"[ \t]*([A-Za-z]+)")
_HEREDOC = re.compile(r"<<(-?)[ \t]*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VARIABLE = re.compile(
    r"\$(?:(?P<simple>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^{}$]*))?\})"
)

# An ARG: the pieces of its resolved default, or None when it has no usable default.
_Args = Mapping[str, "list[Piece] | None"]


@dataclass(slots=True)
class _State:
    text: str
    path: str
    deps: list[tuple[Dependency, bool]] = field(default_factory=list)  # (dep, is_syntax)
    problems: list[Problem] = field(default_factory=list)
    stages: set[str] = field(default_factory=set)
    global_args: dict[str, list[Piece] | None] = field(default_factory=dict)
    seen_from: bool = False


def extract(text: str, path: str) -> ExtractResult:
    """Images of a Dockerfile; never raises for bad input."""
    state = _State(text=text, path=path)
    lines = physical_lines(text, 1 if text.startswith(_yaml.BOM) else 0)
    escape, first = _directives(state, lines)
    for ins in _instructions(text, lines, first, escape):
        keyword_match = _KEYWORD.match(ins.text, 0, ins.first_len)
        if keyword_match is None:
            continue
        keyword = keyword_match[1].upper()
        args_start = keyword_match.end()
        if keyword == "FROM":
            _from(state, ins, args_start)
        elif keyword == "ARG" and not state.seen_from:
            _arg(state, ins, args_start)
        elif keyword == "COPY":
            _copy_from(state, ins, args_start)
        elif keyword == "RUN":
            _run_mounts(state, ins, args_start)
    return ExtractResult(dependencies=_finish(state.deps), problems=tuple(state.problems))


def _finish(found: list[tuple[Dependency, bool]]) -> tuple[Dependency, ...]:
    """One dependency per span (first use wins); Renovate's ``final`` mark; file order."""
    by_span: dict[tuple[int, int], Dependency] = {}
    last: tuple[int, int] | None = None
    for dep, is_syntax in found:
        key = (dep.span.start, dep.span.end)
        by_span.setdefault(key, dep)
        if not is_syntax:
            last = key
    if last is not None:
        by_span[last] = replace(by_span[last], dep_type="final")
    return tuple(sorted(by_span.values(), key=lambda dep: dep.span.start))


# --------------------------------------------------------------------------- lexing


def _directives(state: _State, lines: list[Line]) -> tuple[str, int]:
    """Read the parser directives; the escape character and the first other line."""
    escape, seen = "\\", set()
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(state.text, line.start, line.end)
        name = match[1].lower() if match else ""
        if match is None or name not in _KNOWN_DIRECTIVES or name in seen:
            return escape, index
        seen.add(name)
        if name == "escape" and match[2] in ("\\", "`"):
            escape = match[2]
        elif name == "syntax":
            _add(state, Piece(value=match[2], start=match.start(2)), "syntax", is_syntax=True)
    return escape, len(lines)


def _instructions(text: str, lines: list[Line], first: int, escape: str) -> list[Logical]:
    """The logical instructions from line ``first``: continuations joined, comment and
    empty lines dropped, heredoc bodies skipped."""
    out: list[Logical] = []
    i = first
    while i < len(lines):
        line = lines[i]
        content = text[line.start : line.end]
        stripped = content.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        ins = Logical(line=line.number)
        i = _join(text, lines, i, escape, ins)
        out.append(ins)
        i = _skip_heredocs(text, lines, i, ins)
    return out


def _join(text: str, lines: list[Line], i: int, escape: str, ins: Logical) -> int:
    """Append line ``i`` and its continuation lines to ``ins``; the next line's index."""
    first = True
    while i < len(lines):
        line = lines[i]
        content = text[line.start : line.end]
        stripped = content.lstrip(" \t")
        i += 1
        if not first and (not stripped or stripped.startswith("#")):
            continue  # comment and empty lines inside a continuation
        body = content.rstrip(" \t")
        continued = body.endswith(escape)
        ins.append(text, line.start, line.start + len(body) - 1 if continued else line.end)
        if first:
            ins.first_len = len(ins.text)
        first = False
        if not continued:
            return i
    return i


def _skip_heredocs(text: str, lines: list[Line], i: int, ins: Logical) -> int:
    """Skip the bodies of ``<<WORD`` heredocs of RUN/COPY/ADD; unterminated ones are
    not heredocs."""
    keyword = _KEYWORD.match(ins.text, 0, ins.first_len)
    if keyword is None or keyword[1].upper() not in ("RUN", "COPY", "ADD"):
        return i
    for match in _HEREDOC.finditer(ins.text):
        strip_tabs, word = match[1] == "-", match[3]
        for j in range(i, len(lines)):
            body = text[lines[j].start : lines[j].end]
            if (body.lstrip("\t") if strip_tabs else body) == word:
                i = j + 1
                break
        else:
            return i
    return i


# ----------------------------------------------------------------------- instructions


def _from(state: _State, ins: Logical, args_start: int) -> None:
    state.seen_from = True
    words = ins.tokens(args_start)
    while words and ins.text.startswith("--", words[0][0]):
        words.pop(0)  # --platform=…
    if not words:
        state.problems.append(
            Problem(
                level="warning", message="FROM without an image", file=state.path, line=ins.line
            )
        )
        return
    start, end = unquote(ins.text, *words[0])
    alias = None
    if len(words) >= 3 and ins.text[words[1][0] : words[1][1]].lower() == "as":
        alias = ins.text[words[2][0] : words[2][1]].lower()
    pieces = _expand(ins, start, end, state.global_args)
    value = None if pieces is None else "".join(p.value for p in pieces)
    if (value is not None and (value.lower() == "scratch" or value.lower() in state.stages)) or (pieces is not None and _tag_from_arg(state, pieces, "stage")):
        pass
    elif pieces is None or len(pieces) > 1:
        _unresolved(
            state, ins, start, end, "stage", variable=pieces is None or "$" in ins.text[start:end]
        )
    elif pieces:
        _add(state, pieces[0], "stage")
    if alias:
        state.stages.add(alias)


def _tag_from_arg(state: _State, pieces: list[Piece], dep_type: str) -> bool:
    """``ARG TAG=15.4`` + ``FROM team/db:${TAG}``: the tag stands alone in the ``ARG``
    default, so that default is the dependency (``span_kind="tag"``) and an update edits
    it, as Renovate does. Any other split of a reference is not editable exactly."""
    if len(pieces) != 2:
        return False
    head, tail = pieces
    try:
        ref = parse_image(head.value + tail.value)
    except InvalidReference:
        return False
    if ref.digest is not None or ref.tag != tail.value or head.value != f"{ref.name}:":
        return False
    state.deps.append((
        Dependency(
            manager=NAME, package_file=state.path, dep_name=ref.name, package_name=ref.name,
            current_value=ref.tag, current_digest=None, replace_string=tail.value,
            span=Span(start=tail.start, end=tail.end), line=_line(state.text, tail.start),
            dep_type=dep_type, span_kind="tag",
        ),
        False,
    ))
    return True


def _arg(state: _State, ins: Logical, args_start: int) -> None:
    for start, end in ins.tokens(args_start):
        name, eq, _ = ins.text[start:end].partition("=")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            continue
        if not eq:
            state.global_args[name] = None
            continue
        state.global_args[name] = _expand(
            ins, *unquote(ins.text, start + len(name) + 1, end), state.global_args
        )


def _copy_from(state: _State, ins: Logical, args_start: int) -> None:
    for start, end in _flags(ins, args_start):
        if ins.text.startswith("--from=", start):
            _image_flag(state, ins, start + len("--from="), end)


def _run_mounts(state: _State, ins: Logical, args_start: int) -> None:
    for start, end in _flags(ins, args_start):
        if not ins.text.startswith("--mount=", start):
            continue
        pos = start + len("--mount=")
        while pos <= end:
            comma = ins.text.find(",", pos, end)
            stop = end if comma < 0 else comma
            if ins.text.startswith("from=", pos):
                _image_flag(state, ins, pos + len("from="), stop)
            pos = stop + 1


def _flags(ins: Logical, args_start: int) -> list[tuple[int, int]]:
    """The leading ``--flag…`` words of an instruction."""
    out = []
    for start, end in ins.tokens(args_start):
        if not ins.text.startswith("--", start):
            break
        out.append((start, end))
    return out


def _image_flag(state: _State, ins: Logical, start: int, end: int) -> None:
    value = ins.text[start:end]
    if not value or value.isdigit() or value.lower() in state.stages:
        return
    pieces = _expand(ins, start, end, {})
    if pieces is None or len(pieces) != 1:
        _unresolved(state, ins, start, end, "stage", variable=pieces is None or "$" in value)
    else:
        _add(state, pieces[0], "stage")


# -------------------------------------------------------------------------- variables


def _expand(ins: Logical, start: int, end: int, args: _Args) -> list[Piece] | None:
    """``ins.text[start:end]`` with variables resolved, as pieces of the file (empty
    ones dropped, touching ones joined); ``None`` when a variable cannot be resolved."""
    text = ins.text
    out: list[Piece] = []
    literal = start
    pos = text.find("$", start, end)
    while pos >= 0:
        match = _VARIABLE.match(text, pos, end)
        if match is None or (pos > start and text[pos - 1] in "\\`"):
            return None
        out.extend(ins.pieces(literal, pos))
        name = match["simple"] or match["name"]
        value = args.get(name)
        op = match["op"]
        if op is None:
            if value is None:
                return None
            out.extend(value)
        elif op in (":-", "-"):
            use_default = value is None or (op == ":-" and not any(p.value for p in value))
            if use_default:
                w_start, w_end = match.span("word")
                if text[w_start:w_end].startswith('"') and text[w_start:w_end].endswith('"'):
                    w_start, w_end = w_start + 1, max(w_start + 1, w_end - 1)
                if '"' in text[w_start:w_end]:
                    return None
                out.extend(ins.pieces(w_start, w_end))
            else:
                out.extend(value or [])
        else:
            return None  # ${NAME:+word}: the value depends on whether NAME is set
        literal = match.end()
        pos = text.find("$", literal, end)
    out.extend(ins.pieces(literal, end))
    return merge_pieces(out)


# ------------------------------------------------------------------------ dependencies


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _add(state: _State, piece: Piece, dep_type: str, *, is_syntax: bool = False) -> None:
    dep = _yaml.make_dependency(
        manager=NAME,
        path=state.path,
        value=piece.value,
        span=Span(start=piece.start, end=piece.end),
        line=_line(state.text, piece.start),
        dep_type=dep_type,
    )
    if dep is not None:
        state.deps.append((dep, is_syntax))


def _unresolved(
    state: _State, ins: Logical, start: int, end: int, dep_type: str, *, variable: bool
) -> None:
    """A reference that cannot be given one exact span: reported, never updated."""
    raw = ins.pieces(start, end)
    if not raw:
        return
    if variable and len(raw) == 1:
        piece = raw[0]
        state.deps.append(
            (
                _yaml.skipped(
                    NAME,
                    state.path,
                    piece.value,
                    Span(start=piece.start, end=piece.end),
                    _line(state.text, piece.start),
                    dep_type,
                    "contains-variable",
                ),
                False,
            )
        )
        return
    shown = ins.text[start:end]
    first = raw[0]
    state.deps.append(
        (
            replace(
                _yaml.skipped(
                    NAME,
                    state.path,
                    first.value,
                    Span(start=first.start, end=first.end),
                    _line(state.text, first.start),
                    dep_type,
                    "contains-variable" if variable else "invalid-value",
                ),
                dep_name=shown,
                package_name=shown,
            ),
            False,
        )
    )
    state.problems.append(
        Problem(
            level="warning",
            message="image reference is split over lines by a continuation; not updated",
            file=state.path,
            line=_line(state.text, first.start),
            dep_name=shown,
        )
    )
