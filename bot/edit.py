"""The one generic editor: splice new references into exact spans, then verify.

Every manager records the span (character offsets into the decoded file text) of each
reference it finds, so one editor serves every format and leaves comments, quoting,
line endings and layout byte for byte as they were.

``apply_updates`` splices each update's ``new_reference()`` into its dependency's span,
from the end of the text backwards (identical edits are applied once, overlapping ones
are refused), then re-runs the manager's ``extract`` on the result, as Renovate's
``confirmIfDepUpdated`` does: every edited dependency must re-extract at its shifted
span with the new value and digest, and every other dependency must come back
unchanged. Otherwise ``EditError`` names the file and line and nothing is returned.
The original text's extraction is a pure function of (manager, path, text) and the same
file is edited by many branches, so it is kept in a bounded cache (``_extract_original``)
instead of being recomputed for every (file, branch) pair.

Files are handled as bytes at the edges: ``decode_text`` is ``bytes.decode("utf-8")``
(no newline translation, so CRLF survives; a BOM stays in the text as ``\\ufeff``),
and ``encode_like`` encodes the new text keeping the original's BOM.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Hashable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import EditError
from bot.model import Dependency, ExtractResult, Span, Update

if TYPE_CHECKING:
    from managers import Manager

UTF8_BOM = b"\xef\xbb\xbf"


@dataclasses.dataclass(frozen=True, slots=True)
class _Edit:
    span: Span
    old: str
    new: str
    dependency: Dependency
    update: Update


def apply_updates(text: str, path: str, manager: Manager, updates: Sequence[Update]) -> str:
    """``text`` with every update spliced in, verified by re-extraction.

    Raises ``EditError`` (naming ``path`` and a line) when a span no longer holds the
    dependency's text, two edits overlap, or the result does not re-extract as intended.
    """
    edits = _plan(text, path, updates)
    if not edits:
        return text
    parts: list[str] = []
    cursor = len(text)
    for edit in reversed(edits):
        parts.append(text[edit.span.end : cursor])
        parts.append(edit.new)
        cursor = edit.span.start
    parts.append(text[:cursor])
    new_text = "".join(reversed(parts))
    _verify(text, new_text, path, manager, edits)
    return new_text


def _plan(text: str, path: str, updates: Sequence[Update]) -> list[_Edit]:
    edits: dict[tuple[int, int, str], _Edit] = {}
    for update in updates:
        dep = update.dependency
        where = f"{path}:{dep.line}"
        if dep.package_file != path:
            raise EditError(f"{where}: update is for {dep.package_file!r}, not this file")
        if dep.skip_reason is not None:
            raise EditError(f"{where}: {dep.dep_name} is skipped ({dep.skip_reason})")
        old = text[dep.span.start : dep.span.end]
        if dep.span.end > len(text) or old != dep.replace_string:
            raise EditError(
                f"{where}: expected {dep.replace_string!r} at {dep.span.start}..{dep.span.end}, "
                f"found {old!r}; the file changed since extraction"
            )
        new = update.new_reference()
        edits.setdefault(
            (dep.span.start, dep.span.end, new),
            _Edit(span=dep.span, old=old, new=new, dependency=dep, update=update),
        )
    ordered = sorted(edits.values(), key=lambda e: (e.span.start, e.span.end))
    for before, after in itertools.pairwise(ordered):
        if after.span.start < before.span.end:
            raise EditError(
                f"{path}:{after.dependency.line}: overlapping edits "
                f"({before.old!r} -> {before.new!r} and {after.old!r} -> {after.new!r})"
            )
    return ordered


@lru_cache(maxsize=2048)
def _extract_cached(manager: Manager, text: str, path: str) -> ExtractResult:
    return manager.extract(text, path)


def _extract_original(manager: Manager, text: str, path: str) -> ExtractResult:
    """``manager.extract(text, path)``, remembered for the texts edited most recently
    (a 1,000-file repository fits; results are frozen, so sharing them is safe)."""
    if isinstance(manager, Hashable):  # modules are; a Manager object need not be
        return _extract_cached(manager, text, path)
    return manager.extract(text, path)


def _verify(text: str, new_text: str, path: str, manager: Manager, edits: list[_Edit]) -> None:
    """Re-extract and compare with what the edits should have produced."""
    before = _extract_original(manager, text, path)
    after = manager.extract(new_text, path)
    edited = {(e.span.start, e.span.end): e for e in edits}
    starts = [e.span.start for e in edits]
    ends = [e.span.end for e in edits]
    deltas = [len(e.new) - (e.span.end - e.span.start) for e in edits]

    def shift(pos: int) -> int:
        return pos + sum(d for end, d in zip(ends, deltas, strict=True) if end <= pos)

    expected: dict[tuple[int, int], Dependency] = {}
    for dep in before.dependencies:
        edit = edited.pop((dep.span.start, dep.span.end), None)
        if edit is None:
            new_span = Span(start=shift(dep.span.start), end=shift(dep.span.end))
            if any(
                s < dep.span.end and dep.span.start < e for s, e in zip(starts, ends, strict=True)
            ):
                raise EditError(f"{path}:{dep.line}: an edit overlaps {dep.replace_string!r}")
            want = dataclasses.replace(dep, span=new_span)
        else:
            start = shift(dep.span.start)
            upd = edit.update
            want = dataclasses.replace(
                dep,
                current_value=upd.new_value if upd.new_value is not None else dep.current_value,
                current_digest=upd.new_digest,
                replace_string=edit.new,
                span=Span(start=start, end=start + len(edit.new)),
            )
        expected[(want.span.start, want.span.end)] = want
    for edit in edited.values():
        raise EditError(
            f"{path}:{edit.dependency.line}: {edit.dependency.dep_name} is not extracted "
            "from the current file text"
        )

    old_problems = {(p.level, p.line, p.message) for p in before.problems}
    for problem in after.problems:
        if (problem.level, problem.line, problem.message) not in old_problems:
            raise EditError(f"{path}:{problem.line}: the edit caused: {problem.message}")

    got = {(d.span.start, d.span.end): d for d in after.dependencies}
    for key, want in expected.items():
        have = got.pop(key, None)
        if have != want:
            found = "nothing" if have is None else f"{have.replace_string!r}"
            raise EditError(
                f"{path}:{want.line}: after the edit {want.dep_name} does not re-extract as "
                f"{want.replace_string!r} (found {found})"
            )
    for extra in got.values():
        raise EditError(f"{path}:{extra.line}: the edit produced a new dependency {extra.dep_name}")


# ------------------------------------------------------------------------ bytes <-> text


def decode_text(data: bytes) -> str:
    """The file text: UTF-8, newlines untouched, a BOM kept as ``\\ufeff``."""
    return data.decode("utf-8")


def encode_like(original: bytes, new_text: str) -> bytes:
    """Encode ``new_text`` as UTF-8, keeping ``original``'s BOM if it had one."""
    data = new_text.encode("utf-8")
    if original.startswith(UTF8_BOM) and not data.startswith(UTF8_BOM):
        data = UTF8_BOM + data
    return data


def read_text(path: Path) -> tuple[bytes, str]:
    """The bytes of a file and its decoded text."""
    data = path.read_bytes()
    return data, decode_text(data)


def write_text_like(path: Path, original: bytes, new_text: str) -> None:
    """Write ``new_text`` with the encoding conventions of ``original``."""
    path.write_bytes(encode_like(original, new_text))
