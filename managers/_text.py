"""Line-oriented text helpers for managers that do not read YAML (the Dockerfile).

Everything keeps a map back to character offsets of the decoded file text, so a manager
can give the exact ``Span`` of a value even when the instruction it belongs to is
continued over several lines:

* ``physical_lines`` splits a text at ``\\n`` (a ``\\r`` before it is not content),
  keeping each line's offsets and 1-based number.
* ``Logical`` is one instruction joined across line continuations: ``text`` is what
  the instruction says, ``offsets[i]`` is the file offset of ``text[i]``.
* ``Logical.tokens`` splits it at whitespace outside quotes; ``Logical.pieces``
  turns a range of it into ``Piece``\\ s, each a run of characters that is contiguous
  in the file (a range broken by a continuation gives more than one piece).

Nothing here raises for any input text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Line:
    """A physical line: ``text[start:end]`` is its content without the line break."""

    start: int
    end: int
    number: int  # 1-based


@dataclass(frozen=True, slots=True)
class Piece:
    """Characters that stand verbatim at ``text[start:start + len(value)]`` of the file."""

    value: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.value)


@dataclass(slots=True)
class Logical:
    """One logical line (an instruction joined across continuations)."""

    text: str = ""
    offsets: list[int] = field(default_factory=list)
    line: int = 0  # 1-based number of its first physical line
    first_len: int = 0  # how many characters of ``text`` come from that line

    def append(self, source: str, start: int, end: int) -> None:
        self.text += source[start:end]
        self.offsets.extend(range(start, end))

    def tokens(self, start: int = 0) -> list[tuple[int, int]]:
        """``(start, end)`` index ranges of the whitespace-separated words from ``start``.

        Whitespace inside single or double quotes does not split a word.
        """
        text = self.text
        out: list[tuple[int, int]] = []
        i, n = start, len(text)
        while i < n:
            while i < n and text[i] in " \t":
                i += 1
            if i >= n:
                break
            begin, quote = i, ""
            while i < n and (quote or text[i] not in " \t"):
                if quote and text[i] == quote:
                    quote = ""
                elif not quote and text[i] in "'\"":
                    quote = text[i]
                i += 1
            out.append((begin, i))
        return out

    def pieces(self, start: int, end: int) -> list[Piece]:
        """``text[start:end]`` as runs of characters that are contiguous in the file."""
        out: list[Piece] = []
        i = start
        while i < end:
            j = i + 1
            while j < end and self.offsets[j] == self.offsets[j - 1] + 1:
                j += 1
            out.append(Piece(value=self.text[i:j], start=self.offsets[i]))
            i = j
        return out


def physical_lines(text: str, start: int = 0) -> list[Line]:
    """The lines of ``text`` from offset ``start``; a final line without ``\\n`` counts."""
    lines: list[Line] = []
    number = text.count("\n", 0, start) + 1
    pos = start
    size = len(text)
    while pos < size:
        nl = text.find("\n", pos)
        stop = size if nl < 0 else nl
        content_end = stop - 1 if stop > pos and text[stop - 1] == "\r" else stop
        lines.append(Line(start=pos, end=content_end, number=number))
        number += 1
        pos = stop + 1
    return lines


def merge_pieces(pieces: list[Piece]) -> list[Piece]:
    """Drop empty pieces and join neighbours that touch in the file."""
    out: list[Piece] = []
    for piece in pieces:
        if not piece.value:
            continue
        if out and out[-1].end == piece.start:
            out[-1] = Piece(value=out[-1].value + piece.value, start=out[-1].start)
        else:
            out.append(piece)
    return out


def unquote(text: str, start: int, end: int) -> tuple[int, int]:
    """The inside of ``text[start:end]`` when it is one quoted word, else the range."""
    word = text[start:end]
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"" and word[0] not in word[1:-1]:
        return start + 1, end - 1
    return start, end
