"""YAML helpers shared by the YAML managers (docker-compose, kubernetes).

Parsing uses PyYAML's composer with libyaml (``CSafeLoader``; ``SafeLoader`` when
libyaml is missing): it yields a node graph whose marks are character (code point)
offsets into the text, so every image reference gets an exact ``Span`` without
constructing Python objects. Nothing here raises for bad input:

* ``compose_documents`` parses all documents of a text. When the stream does not
  parse as a whole, it is split at ``---`` lines and every document is parsed on its
  own, so one broken (or templated) document does not hide the others. Failures come
  back as ``DocumentError`` with the 1-based line and a message.
* ``template_lines`` finds ``{{ … }}`` / ``{% … %}`` template syntax that is part of
  the YAML structure (outside every scalar and comment). Template markers inside
  scalars (a healthcheck's ``--format '{{.State}}'``) are data and are ignored.
* ``scalar_span`` turns a ``ScalarNode`` into its value, the span of exactly the
  value's characters (inside the quotes of a quoted scalar) and its line; it refuses
  (returns ``None`` as the span) when the text between the marks does not hold the
  value verbatim (escapes, folded or multi-line scalars, block scalars).
* ``make_dependency`` turns one image value into a ``Dependency``: Compose-style
  ``${VAR:-image:tag}`` / ``${VAR-image:tag}`` defaults resolve to the default (the
  span covers only the default's text), any other ``$`` or ``{{`` gives
  ``skip_reason="contains-variable"``, an unparseable reference gives
  ``"invalid-value"``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import yaml

from bot.image import InvalidReference
from bot.image import parse as parse_image
from bot.model import Dependency, ExtractResult, Problem, Span

Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)

Node = yaml.Node
MappingNode = yaml.MappingNode
ScalarNode = yaml.ScalarNode
SequenceNode = yaml.SequenceNode

STR_TAG = "tag:yaml.org,2002:str"
MERGE_KEY = "<<"
BOM = "\ufeff"

_TEMPLATE = re.compile(r"\{\{|\{%")
_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")
_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
_VARIABLE_DEFAULT = re.compile(
    r'^\$\{[A-Za-z_][A-Za-z0-9_]*:?-(?P<quote>"?)(?P<value>[^"${}]+)(?P=quote)\}$'
)


@dataclass(frozen=True, slots=True)
class Document:
    """One composed YAML document.

    ``offset`` and ``line_offset`` turn the node marks (relative to the text that was
    parsed) into character offsets and 0-based lines of the whole file text.
    """

    root: yaml.Node
    offset: int
    line_offset: int
    start: int  # offset of the document's text in the file text
    end: int


@dataclass(frozen=True, slots=True)
class DocumentError:
    """A document that did not parse; ``line`` is 1-based in the whole file."""

    line: int | None
    message: str
    start: int
    end: int


# --------------------------------------------------------------------------- parsing


def compose_documents(text: str) -> list[Document | DocumentError]:
    """Compose every document of ``text``; never raises ``yaml.YAMLError``."""
    base = 1 if text.startswith(BOM) else 0  # libyaml's marks do not count a BOM
    body = text[base:] if base else text
    try:
        roots = [root for root in yaml.compose_all(body, Loader=Loader) if root is not None]
    except (yaml.YAMLError, RecursionError):
        return list(_compose_each(body, base))
    # Document extents are only needed for template checks and warnings.
    return [
        Document(
            root=root,
            offset=base,
            line_offset=0,
            start=base + root.start_mark.index,
            end=base + root.end_mark.index,
        )
        for root in roots
    ]


def _compose_each(body: str, base: int) -> Iterator[Document | DocumentError]:
    """Parse each ``---``-separated chunk of ``body`` on its own."""
    cuts = [0, *(m.start() for m in _DOC_START.finditer(body) if m.start() > 0), len(body)]
    line = 0
    for start, end in itertools.pairwise(cuts):
        chunk = body[start:end]
        try:
            roots = [r for r in yaml.compose_all(chunk, Loader=Loader) if r is not None]
        except (yaml.YAMLError, RecursionError) as err:
            yield DocumentError(
                line=_error_line(err, chunk, line),
                message=_error_message(err),
                start=base + start,
                end=base + end,
            )
        else:
            for root in roots:
                yield Document(
                    root=root,
                    offset=base + start,
                    line_offset=line,
                    start=base + start,
                    end=base + end,
                )
        line += _count_lines(chunk)


def _count_lines(chunk: str) -> int:
    # YAML line breaks: \r\n, \r, \n (PyYAML also counts \x85, \u2028, \u2029).
    return len(re.findall(r"\r\n|[\r\n\x85\u2028\u2029]", chunk))


def _error_line(err: BaseException, chunk: str, line_offset: int) -> int | None:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if mark is not None:
        return int(mark.line) + line_offset + 1
    position = getattr(err, "position", None)  # ReaderError: a character index
    if isinstance(position, int):
        return line_of(chunk, position) + line_offset
    return None


def _error_message(err: BaseException) -> str:
    if isinstance(err, RecursionError):
        return "YAML nested too deeply"
    problem = getattr(err, "problem", None)
    if problem:
        return f"invalid YAML: {problem}"
    reason = getattr(err, "reason", None)
    if reason:
        return f"invalid YAML: {reason}"
    return "invalid YAML"


def line_of(text: str, index: int) -> int:
    """1-based line of a character offset (``\\n``, ``\\r\\n`` and lone ``\\r`` end lines)."""
    prefix = text[:index]
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


# ------------------------------------------------------------------------- templates


def has_template_marker(text: str, start: int = 0, end: int | None = None) -> bool:
    return _TEMPLATE.search(text, start, len(text) if end is None else end) is not None


def first_template_line(text: str, start: int = 0, end: int | None = None) -> int | None:
    """The 1-based line of the first template marker outside a comment line, if any."""
    stop = len(text) if end is None else end
    for match in _TEMPLATE.finditer(text, start, stop):
        line_start = max(text.rfind("\n", 0, match.start()), text.rfind("\r", 0, match.start())) + 1
        if not text[line_start : match.start()].lstrip().startswith("#"):
            return line_of(text, match.start())
    return None


def template_lines(text: str, doc: Document) -> list[int]:
    """1-based lines where template syntax shapes the YAML of ``doc``.

    A marker counts when it lies outside every scalar of the document and outside
    comments: there it was read as flow-collection syntax (``image: {{ .Values.x }}``).
    Markers inside scalars are data. Cheap when the document holds no marker.
    """
    if not has_template_marker(text, doc.start, doc.end):
        return []
    starts: list[int] = []
    ends: list[int] = []
    for node in walk(doc.root):
        if isinstance(node, ScalarNode):
            starts.append(node.start_mark.index + doc.offset)
            ends.append(node.end_mark.index + doc.offset)
    order = sorted(range(len(starts)), key=starts.__getitem__)
    starts = [starts[i] for i in order]
    ends = [ends[i] for i in order]

    def in_scalar(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < ends[i]

    lines: list[int] = []
    for match in _TEMPLATE.finditer(text, doc.start, doc.end):
        pos = match.start()
        if in_scalar(pos):
            continue
        line_start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
        in_comment = any(
            text[q] == "#" and (q == line_start or text[q - 1] in " \t") and not in_scalar(q)
            for q in range(line_start, pos)
        )
        if not in_comment:
            lines.append(line_of(text, pos))
    return lines


# ----------------------------------------------------------------------------- nodes


def walk(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every node reachable from ``root`` once (aliases and cycles visited once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.append(value)
                stack.append(key)
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))


def scalar_text(node: yaml.Node) -> str | None:
    """The value of a string scalar, else ``None``."""
    if isinstance(node, ScalarNode) and node.tag == STR_TAG:
        return str(node.value)
    return None


def mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    """``node[key]`` for a mapping, following merge keys (``<<: *x``) as YAML does.

    Explicit keys win over merged ones; among merged mappings the first wins.
    """
    seen: set[int] = set()
    return _mapping_get(node, key, seen)


def _mapping_get(node: yaml.Node, key: str, seen: set[int]) -> yaml.Node | None:
    if not isinstance(node, MappingNode) or id(node) in seen:
        return None
    seen.add(id(node))
    merged: list[yaml.Node] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode):
            if k.value == key:
                found: yaml.Node = v
                return found
            if k.value == MERGE_KEY:
                merged.extend(v.value if isinstance(v, SequenceNode) else [v])
    for source in merged:
        merged_value = _mapping_get(source, key, seen)
        if merged_value is not None:
            return merged_value
    return None


def is_null(node: yaml.Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null")


@dataclass(frozen=True, slots=True)
class ScalarSpan:
    value: str
    span: Span | None  # None when the text does not hold the value verbatim
    extent: Span  # the whole node (quotes, indicators) in the text
    line: int  # 1-based


def scalar_span(text: str, node: yaml.ScalarNode, doc: Document) -> ScalarSpan:
    """The value of ``node`` and the span of exactly its characters in ``text``."""
    start = node.start_mark.index + doc.offset
    end = node.end_mark.index + doc.offset
    line = node.start_mark.line + doc.line_offset + 1
    value = str(node.value)
    extent = Span(start=start, end=end)
    # The node's text may start with properties: an anchor (&x) and/or a tag (!t).
    quote = node.style if node.style in ("'", '"') else ""
    if not node.style or quote:
        value_end = end - len(quote)
        value_start = value_end - len(value)
        props = text[start : value_start - len(quote)]
        span = (
            Span(start=value_start, end=value_end)
            if value_start - len(quote) >= start
            and text[value_start:value_end] == value
            and text[value_start - len(quote) : value_start] == quote
            and text[value_end:end] == quote
            and _PROPERTIES.fullmatch(props) is not None
            else None
        )
    else:
        span = None  # block scalars: | and >
    return ScalarSpan(value=value, span=span, extent=extent, line=line)


# ------------------------------------------------------------------------ dependency


def make_dependency(
    *,
    manager: str,
    path: str,
    value: str,
    span: Span,
    line: int,
    dep_type: str | None,
) -> Dependency | None:
    """A ``Dependency`` for an image value found at ``span`` (``None`` when empty).

    ``span`` must cover exactly ``value`` in the file text.
    """
    if not value.strip():
        return None
    reference, ref_span = value, span
    if "$" in value:
        match = _VARIABLE_DEFAULT.match(value)
        if match is None:
            return skipped(manager, path, value, span, line, dep_type, "contains-variable")
        reference = match["value"]
        ref_span = Span(
            start=span.start + match.start("value"), end=span.start + match.end("value")
        )
    if "{{" in reference or "{%" in reference:
        return skipped(manager, path, value, span, line, dep_type, "contains-variable")
    try:
        ref = parse_image(reference)
    except InvalidReference:
        return skipped(manager, path, value, span, line, dep_type, "invalid-value")
    return Dependency(
        manager=manager,
        package_file=path,
        dep_name=ref.name,
        package_name=ref.name,
        current_value=ref.tag,
        current_digest=ref.digest,
        replace_string=reference,
        span=ref_span,
        line=line,
        dep_type=dep_type,
    )


def skipped(
    manager: str,
    path: str,
    value: str,
    span: Span,
    line: int,
    dep_type: str | None,
    reason: str,
) -> Dependency:
    """A dependency that is reported but never updated."""
    return Dependency(
        manager=manager,
        package_file=path,
        dep_name=value,
        package_name=value,
        current_value=None,
        current_digest=None,
        replace_string=value,
        span=span,
        line=line,
        dep_type=dep_type,
        skip_reason=reason,
    )


def image_dependency(
    text: str,
    node: yaml.Node,
    doc: Document,
    *,
    manager: str,
    path: str,
    dep_type: str | None,
) -> tuple[Dependency | None, Problem | None]:
    """The dependency for an image scalar node, and a warning when it cannot be edited.

    Non-string scalars, nulls and collections yield nothing (as Renovate's string check).
    """
    if scalar_text(node) is None:
        return None, None
    assert isinstance(node, ScalarNode)
    found = scalar_span(text, node, doc)
    if found.span is None:
        if not found.value.strip():
            return None, None
        raw = text[found.extent.start : found.extent.end]
        bad = skipped(manager, path, raw, found.extent, found.line, dep_type, "invalid-value")
        shown = found.value.strip()  # report the image, not the YAML text around it
        bad = replace(bad, dep_name=shown, package_name=shown)
        problem = Problem(
            level="warning",
            message="image value uses YAML escapes or spans several lines; not updated",
            file=path,
            line=found.line,
            dep_name=found.value,
        )
        return bad, problem
    dep = make_dependency(
        manager=manager,
        path=path,
        value=found.value,
        span=found.span,
        line=found.line,
        dep_type=dep_type,
    )
    return dep, None


def document_problem(path: str, text: str, error: DocumentError) -> Problem:
    """A warning for a document that did not parse.

    When template syntax appears at or before the YAML error, the warning names the
    template's line (the likely cause); otherwise the YAML error and its line.
    """
    template_line = first_template_line(text, error.start, error.end)
    if template_line is not None and (error.line is None or template_line <= error.line):
        return template_problem(path, template_line)
    return Problem(level="warning", message=error.message, file=path, line=error.line)


def template_problem(path: str, line: int) -> Problem:
    return Problem(
        level="warning",
        message="template syntax ({{ }} or {% %}); document not parsed as YAML",
        file=path,
        line=line,
    )


DocumentHandler = Callable[[str, str, Document, list[Dependency], list[Problem]], None]


def extract_documents(
    text: str,
    path: str,
    handle: DocumentHandler,
    *,
    wanted: Callable[[yaml.Node], bool] | None = None,
    report_error: Callable[[DocumentError], bool] | None = None,
) -> ExtractResult:
    """The loop every YAML manager shares: compose each document, report a document
    that does not parse (``report_error`` may keep quiet about documents that are not
    the manager's business) or holds template syntax, skip documents ``wanted`` refuses,
    and let ``handle`` add the dependencies of the others. Dependencies come back in
    file order."""
    deps: list[Dependency] = []
    problems: list[Problem] = []
    for doc in compose_documents(text):
        if isinstance(doc, DocumentError):
            if report_error is None or report_error(doc):
                problems.append(document_problem(path, text, doc))
            continue
        if wanted is not None and not wanted(doc.root):
            continue
        lines = template_lines(text, doc)
        if lines:
            problems.append(template_problem(path, lines[0]))
            continue
        handle(text, path, doc, deps, problems)
    deps.sort(key=lambda dep: dep.span.start)
    return ExtractResult(dependencies=tuple(deps), problems=tuple(problems))
