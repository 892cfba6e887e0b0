"""The `score` result laid out as plain text without rich, where rich would write it without escapes.

`score` is the command people run most, often in scripts and logs, and importing and running rich
for its four tables is about an eighth of its start-up (issue 15). Where rich would write no escape
sequence at all (NO_COLOR, plain mode, or output that is not a terminal), this module lays the same
lines and tables out itself, character for character as `readiness.console` lays them out with
rich: a test compares the two at every width from 20 to 160, in both box styles, on every example
and on awkward text. Where it cannot be sure of that (a character whose width on screen is not one
column, a tab, colors, Windows, an output that is not UTF-8), `layout` returns None and rich prints.

Blocks come from `readiness.console`: a `Line` is a list of (text, style) spans; a `Grid` is a titled
table of cells, each cell a list of spans. Styles matter only to rich: nothing here writes them.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import Union

Spans = list[tuple[str, str]]

MIN_CELL = 8  # as readiness.console: narrower columns are printed as a list instead


@dataclass
class Line:
    """A line of text, wrapped at the console's width (never padded)."""

    spans: Spans


@dataclass
class Grid:
    """A table: a title, column headers, and rows of cells."""

    title: str
    headers: list[str]
    rows: list[list[Spans]]


Block = Union[Line, Grid]

# Box characters rich uses for these tables with no outer edge: (column divider, header rule, where
# the rule crosses a divider). SIMPLE_HEAVY normally, ASCII in plain mode.
_BOXES = {False: (" ", "\u2501", "\u2501"), True: ("|", "-", "+")}


@cache
def _one_column_characters() -> frozenset[str]:
    """Characters every terminal shows one column wide, as rich measures them (checked against rich
    by the tests): printable ASCII, Latin-1 and Latin Extended letters but the soft hyphen, Greek and
    Cyrillic, box drawing and block elements (the score bars), common punctuation (dashes, curly
    quotes, bullet, ellipsis). A newline is a line break."""
    ranges = [(0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x2FF), (0x370, 0x482), (0x2010, 0x2027), (0x2500, 0x25FC)]
    return frozenset({"\n"} | {chr(c) for start, end in ranges for c in range(start, end + 1)})


def console_width(given: int | None) -> int | None:
    """The width rich's console would print standard output in, when it would write no escape
    sequence there; None when it might (then rich prints). `given`: a width the command line set."""
    env = os.environ
    if sys.platform == "win32" or any(env.get(k) is not None for k in ("FORCE_COLOR", "TTY_COMPATIBLE",
                                                                        "TTY_INTERACTIVE", "JUPYTER_COLUMNS")):
        return None
    if "IPython" in sys.modules or "idlelib" in sys.modules:
        return None
    stdout = sys.stdout
    encoding = (getattr(stdout, "encoding", None) or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None  # rich draws ASCII boxes then
    try:
        terminal = stdout.isatty()
    except (AttributeError, ValueError, OSError):
        return None
    columns, lines = env.get("COLUMNS"), env.get("LINES")
    width = given if given is not None else (int(columns) if columns is not None and columns.isdigit() else None)
    height = int(lines) if lines is not None and lines.isdigit() else None
    if width is None or height is None:
        if terminal and env.get("TERM", "").lower() in ("dumb", "unknown"):
            width = 80
        elif width is None:
            for fd in (0, 1, 2):
                try:
                    width = os.get_terminal_size(fd).columns
                except (AttributeError, ValueError, OSError):
                    continue
                break
            if width is None and columns is not None and columns.isdigit():
                width = int(columns)
            width = width or 80
    if width <= 0:
        return 80
    return max(width, 20)


def layout(blocks: list[Block], width: int, *, ascii_box: bool) -> str | None:
    """The blocks as the text rich would print at this width, or None when some text holds a
    character this module does not measure (then rich must print)."""
    allowed = _one_column_characters()
    for block in blocks:
        texts = ([t for t, _ in block.spans] if isinstance(block, Line)
                 else [block.title, *block.headers, *(t for row in block.rows for cell in row for t, _ in cell)])
        if not all(allowed.issuperset(t) for t in texts):
            return None
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            out.extend(_wrap("".join(t for t, _ in block.spans), width))
        else:
            grid = _grid(block, width, _BOXES[ascii_box])
            if grid is None:
                return None
            out.extend(grid)
    return "".join(line + "\n" for line in out)


_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")


def _breaks(text: str, width: int) -> list[int]:
    """Where rich breaks a line of text to fit `width` columns (rich._wrap.divide_line, folding
    words longer than the width), for text of one-column characters."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            pieces = [word[i:i + width] for i in range(0, len(word), width)]
            for n, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if n == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _wrap(text: str, width: int, *, pad: bool = False) -> list[str]:
    """Text wrapped as rich wraps it (overflow folded), each line cut to `width`, and padded with
    spaces to `width` when `pad` (left-justified)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        cuts = [0, *_breaks(paragraph, width), len(paragraph)]
        for start, end in zip(cuts, cuts[1:]):
            piece = paragraph[start:end]
            if len(piece) > width:
                space = _TRAILING_SPACE.search(piece)
                if space is not None:
                    piece = piece[:len(piece) - min(len(space.group()), len(piece) - width)]
            piece = piece[:width]
            lines.append(piece.ljust(width) if pad else piece)
    return lines


def _measure(texts: list[str], width: int) -> tuple[int, int]:
    """A column's (minimum, maximum) width at `width`, with one column of padding each side: the
    longest word (a cell with no word: its longest line) and the longest line of its cells, as
    rich's Measurement of the padded cells."""
    word = line = 0
    for text in texts:
        longest_line = max(len(x) for x in text.split("\n"))
        words = text.split()
        word = max(word, max(len(w) for w in words) if words else longest_line)
        line = max(line, longest_line)
    return min(word + 2, width), min(line + 2, width)


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """rich._ratio.ratio_reduce: take `total` off `values` in proportion to `ratios`, at most
    `maximums` each."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(most, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], max_width: int) -> list[int]:
    """rich's Table._collapse_widths with every column wrappable: narrow the widest columns first."""
    total = sum(widths)
    excess = total - max_width
    while total and excess > 0:
        widest = max(widths)
        second = max(w if w != widest else 0 for w in widths)
        difference = widest - second
        ratios = [1 if w == widest else 0 for w in widths]
        if not difference:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
        total = sum(widths)
        excess = total - max_width
    return widths


def _widths(columns: list[list[str]], max_width: int) -> list[int]:
    """rich's Table._calculate_column_widths for these tables (no fixed widths, no ratios, no
    expanding), padding included."""
    widths = [_measure(texts, max_width)[1] or 1 for texts in columns]
    if sum(widths) > max_width:
        widths = _collapse(widths, max_width)
        if sum(widths) > max_width:
            widths = _ratio_reduce(sum(widths) - max_width, [1] * len(widths), widths, widths)
        widths = [_measure(texts, w)[1] for texts, w in zip(columns, widths)]
    return widths


def _grid(grid: Grid, width: int, box: tuple[str, str, str]) -> list[str] | None:
    divider, rule, cross = box
    cells = [["".join(t for t, _ in cell) for cell in row] for row in grid.rows]
    columns = [[header, *(row[n] for row in cells)] for n, header in enumerate(grid.headers)]
    if not columns:
        return [""]
    if not cells:
        return None  # rich prints a table with no rows differently; not used by `score`
    extra = len(columns) - 1
    if width - extra < 3 * len(columns):
        return None
    widths = _widths(columns, width - extra)
    if _cut(columns, widths, width, extra):
        return _as_list(grid, cells, width)
    if min(widths) < 3:
        return None
    table_width = sum(widths) + extra
    lines = _wrap(grid.title, table_width, pad=True) if grid.title else []
    for n, row in enumerate([grid.headers, *cells]):
        wrapped = [_wrap(text, w - 2, pad=True) for text, w in zip(row, widths)]
        height = max(len(c) for c in wrapped)
        for c, w in zip(wrapped, widths):
            blank = [" " * (w - 2)] * (height - len(c))
            c[:] = blank + c if n == 0 else c + blank  # the header row sits at the bottom
        for i in range(height):
            lines.append(divider.join(f" {c[i]} " for c in wrapped))
        if n == 0:
            lines.append(cross.join(rule * w for w in widths))
    return lines


def _cut(columns: list[list[str]], widths: list[int], width: int, extra: int) -> bool:
    """readiness.console.ListingTable._would_cut: whether some column would be too narrow to read."""
    table_max = sum(widths)
    if sum(_measure(texts, table_max)[0] for texts in columns) + extra > width:
        return True
    return any(w < min(_measure(texts, width)[0], MIN_CELL + 2) for w, texts in zip(widths, columns))


def _as_list(grid: Grid, cells: list[list[str]], width: int) -> list[str]:
    lines = _wrap(grid.title, width) if grid.title else []
    for row in cells:
        for n, (header, text) in enumerate(zip(grid.headers, row)):
            lead = ("- " if n == 0 else "  ") + (f"{header}: " if header else "")
            lines.extend(_wrap(lead + text, width))
    return lines
