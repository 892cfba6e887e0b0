"""Rich consoles and presenters. Results go to stdout, diagnostics to stderr.

`NO_COLOR` (any non-empty value) and `LEAD_READINESS_PLAIN=1` (or --plain) drop every ANSI escape, bold
and dim included (rich alone keeps those under NO_COLOR); plain mode also drops box-drawing characters,
for screen readers and plain logs. The command line passes its settings in with `configure`; the
environment is read, never written.
"""
from __future__ import annotations

import errno
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Callable, Iterator

from readiness.errors import ReadinessError
from readiness.plain_layout import MIN_CELL  # narrower table columns are printed as a list

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

# rich is imported only when something is printed through it (a table, a styled message, an error):
# JSON, CSV and Markdown results are plain text written to standard output, and importing rich
# would cost `score --format json` about a sixth of its start-up (issue 15). The two rich subclasses
# below (`SafeConsole`, `ListingTable`) are made on first use and are reached as module attributes.

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}
GATE_STYLE = {"passed": ("Met", "green"), "failed": ("Not met", "bold red"),
              "unknown": ("Unknown - verify", "yellow"), "not_applicable": ("Not applicable", "dim")}


# Characters a terminal may act on instead of showing: C0 controls (but tab and newline), DEL, C1
# controls (0x9b is a CSI on some terminals), bidi embeddings, overrides and isolates (which reorder
# what is shown), and lone surrogates (which cannot be encoded at all).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value) -> str:
    """User-supplied text made safe to print: every character a terminal could act on (ESC, OSC, NUL,
    carriage return, C1 controls, bidi overrides, lone surrogates) is shown escaped, e.g. `\\x1b`
    or `\\u202e`; tab and newline stay. Rich markup is not this function's business: the consoles
    below never interpret markup in strings."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escaped, text)


def plain(value) -> Text:
    """User text as a rich Text: no markup, nothing a terminal could act on."""
    from rich.text import Text

    return Text(safe_text(value))


@cache
def _rich_classes() -> dict[str, type]:
    """`SafeConsole` and `ListingTable`, made (and rich imported) on first use."""
    from rich.console import Console
    from rich.measure import Measurement
    from rich.segment import Segment
    from rich.table import Table
    from rich.text import Text

    class SafeConsole(Console):
        """A console that prints strings as plain text. Markup in a string is never interpreted (it is
        off by default; pass `Text` objects for styles), and every piece of text that reaches the
        terminal, including text inside `Text` objects and tables, goes through `safe_text` first."""

        def render_str(self, text: str, **kwargs) -> Text:
            return super().render_str(safe_text(text), **kwargs)

        def _check_buffer(self) -> None:
            try:
                super()._check_buffer()
            except BrokenPipeError:
                raise
            except OSError as exc:
                self.quiet = True  # nothing more can be written here
                del self._buffer[:]
                raise OutputFailed(exc) from None

        def on_broken_pipe(self) -> None:
            """The reader went away (`score SITE | head -1`): let the CLI end quietly (rich would exit 1)."""
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def _render_buffer(self, buffer) -> str:
            segments = list(buffer)
            # Each segment's text made safe; looked for in all of them at once first, as a result
            # (a table: over a thousand segments) rarely holds anything to escape.
            if _UNSAFE.search("".join([text for text, _, control in segments if not control])):
                segments = [segment if segment.control or not segment.text
                            else Segment(safe_text(segment.text), segment.style) for segment in segments]
            return super()._render_buffer(segments)

    class ListingTable(Table):
        """A table that, when the terminal is too narrow for its columns to show every word whole,
        prints each row as a short list instead ("Header: value" lines), so no cell is cut to "…".
        Deciding measures every cell; the measures are kept while one table is printed, so the
        table printed after the decision does not measure its cells again."""

        _memo: dict | None = None

        def __rich_console__(self, console, options):
            self._memo = {}
            try:
                if self.columns and self.row_count and self._would_cut(console, options):
                    yield from self._as_list(console)
                    return
                yield from super().__rich_console__(console, options)
            finally:
                self._memo = None

        def _measure_column(self, console, options, column):
            if self._memo is None:
                return super()._measure_column(console, options, column)
            key = ("column", column._index, options.max_width)
            if key not in self._memo:
                self._memo[key] = self._measured(console, options, column)
            return self._memo[key]

        def _measured(self, console, options, column):
            """What rich's `Table._measure_column` returns, from each cell's text measured once.

            Deciding and laying out a table measures every column at up to four widths, and rich
            measures each cell anew every time (a str cell is even made into a Text again), though a
            Text measures the same at any width: its longest word `a` and its longest line `b`
            (0 <= a <= b). For such cells rich's steps (Measurement.get of each cell's Padding,
            which measures the text inside it) come to (min(a + pad, width), min(b + pad, width)),
            `pad` being the column's left and right padding; the column takes the largest of each.
            Anything else (a cell that is not a Text, a fixed-width column, collapsed padding) is
            measured by rich itself."""
            width = options.max_width
            longest = self._longest(console, options, column)
            if width < 1 or longest is None:
                return super()._measure_column(console, options, column)
            pad = self._get_padding_width(column._index)
            word, line = longest
            measurement = Measurement(1, width) if word is None else Measurement(min(word + pad, width),
                                                                                 min(line + pad, width))
            return measurement.with_maximum(width).clamp(
                None if column.min_width is None else column.min_width + pad,
                None if column.max_width is None else column.max_width + pad)

        def _longest(self, console, options, column):
            """The longest word and the longest line of a column's cells (header first), measured
            once per print ((None, None): no cells), or None when rich must measure the column."""
            assert self._memo is not None
            key = ("longest", column._index, options.markup)
            if key not in self._memo:
                self._memo[key] = None
                if column.width is None and any(self.padding) and not self.collapse_padding and not self.show_footer:
                    cells = ([column.header] if self.show_header else []) + list(column._cells)
                    texts = [console.render_str(c, markup=options.markup, highlight=False) if isinstance(c, str) else c
                             for c in cells]
                    if all(type(t) is Text for t in texts):
                        measures = [t.__rich_measure__(console, options) for t in texts]
                        if all(0 <= m.minimum <= m.maximum for m in measures):
                            self._memo[key] = ((max(m.minimum for m in measures), max(m.maximum for m in measures))
                                               if measures else (None, None))
            return self._memo[key]

        def _calculate_column_widths(self, console, options):
            if self._memo is None:
                return super()._calculate_column_widths(console, options)
            key = ("widths", options.max_width)
            if key not in self._memo:
                self._memo[key] = super()._calculate_column_widths(console, options)
            return list(self._memo[key])

        def _would_cut(self, console, options) -> bool:
            """Whether some column would be left too narrow to read: under its longest word and under
            MIN_CELL characters. (Words longer than a readable column are folded onto the next line,
            never cut to "…": see `table`.)"""
            if self.__rich_measure__(console, options).minimum > options.max_width:
                return True
            try:
                widths = self._calculate_column_widths(console, options.update_width(options.max_width - self._extra_width))
                return any(width < min(self._measure_column(console, options, column).minimum, MIN_CELL + 2)
                           for width, column in zip(widths, self.columns))
            except AttributeError:  # another rich: its measure alone decides
                return False

        def _as_list(self, console):
            if self.title:
                yield self.title if isinstance(self.title, Text) else Text(safe_text(self.title), style="bold")
            for row in range(self.row_count):
                for n, column in enumerate(self.columns):
                    cell = column._cells[row]
                    if isinstance(cell, str):
                        cell = Text(safe_text(cell))
                    elif not isinstance(cell, Text):
                        cell = Text(safe_text(cell))
                    header = safe_text(column.header) if isinstance(column.header, str) else ""
                    line = Text("- " if n == 0 else "  ")
                    if header:
                        line.append(f"{header}: ", style="bold")
                    yield line + cell

    return {"SafeConsole": SafeConsole, "ListingTable": ListingTable}


def __getattr__(name: str) -> Any:
    if name in ("SafeConsole", "ListingTable"):
        return _rich_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def safe_json(text: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with every character `safe_text` would
    escape written as a JSON `\\uXXXX` escape instead: the same data, nothing a terminal acts on."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(data: Any) -> str:
    """Data as the JSON every command prints: indented, UTF-8 as is, nothing a terminal acts on."""
    import json

    return safe_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def emit(fmt: str, *, table: Callable[[], None], json: Callable[[], Any] | None = None,
         markdown: Callable[[], str] | None = None, csv: Callable[[], str] | None = None) -> None:
    """Present a command's result in the `--format` asked for: `table` prints it on the console;
    `json` gives data printed as JSON, `markdown` and `csv` give text printed as it is. Only the
    maker of the format asked for is called."""
    if fmt == "table":
        table()
        return
    maker = {"json": json, "markdown": markdown, "csv": csv}.get(fmt)
    if maker is None:  # the command's format choices offer only what it can make
        raise ValueError(f"no {fmt} output for this command")
    write_out(json_text(maker()) if fmt == "json" else maker())


class StdoutClosed(ReadinessError):
    def __init__(self):
        super().__init__("standard output is closed, so the result cannot be printed",
                         hint="run the command without closing its output, or send it to a file: > result.txt")


class OutputFailed(ReadinessError):
    """Standard output refused our result: a full disk or device, an I/O error."""

    def __init__(self, exc: OSError):
        reason = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".").lower()
        super().__init__(f"cannot write the result to standard output: {reason}",
                         hint="send the output to another file or device")


def write_out(text: str) -> None:
    """Write a result (Markdown, CSV, JSON already made safe) to standard output as plain text."""
    if sys.stdout is None:
        raise StdoutClosed()
    try:
        sys.stdout.write(safe_text(text))
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputFailed(exc) from None


def flush_out() -> None:
    """Flush standard output, so a full or closed output fails where it can still be reported."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputFailed(exc) from None


@dataclass(frozen=True)
class Settings:
    """How results and messages look. `plain`: no color, no escapes, no box drawing; `no_color`: no
    escape sequences (NO_COLOR); `width`: the columns to print in (None: the terminal's, or 80)."""

    plain: bool = False
    no_color: bool = False
    width: int | None = None

    @classmethod
    def from_environment(cls, **given) -> Settings:
        """The settings the environment asks for (LEAD_READINESS_PLAIN, NO_COLOR), with `given`
        (the command line's) on top; None in `given` means "not given"."""
        found = cls(plain=os.environ.get("LEAD_READINESS_PLAIN", "") not in ("", "0"),
                    no_color=bool(os.environ.get("NO_COLOR", "")))
        return replace(found, **{k: v for k, v in given.items() if v is not None})


_settings = Settings.from_environment()


def configure(settings: Settings) -> None:
    """Use these settings from now on: the consoles are made anew with them."""
    global _settings
    _settings = settings
    out.cache_clear()
    err.cache_clear()


def settings() -> Settings:
    return _settings


def plain_mode() -> bool:
    return _settings.plain


def escapes_allowed() -> bool:
    """Whether anything may write escape sequences (color, cursor movement): not in plain mode or
    under NO_COLOR."""
    return not (_settings.plain or _settings.no_color)


def _console(**kwargs) -> Console:
    """color_system=None: rich writes no escape sequence at all. emoji=False: a `:name:` in a text
    (an answer reading "see :memo:") stays those characters, not a picture (and rich's table of
    emoji names is never loaded)."""
    extra: dict = {} if escapes_allowed() else {"color_system": None}
    if _settings.width is not None:
        extra["width"] = _settings.width
    safe_console = _rich_classes()["SafeConsole"]
    return _sized(safe_console(highlight=False, markup=False, emoji=False, no_color=_settings.plain or None, **extra,
                               **kwargs))


@cache
def out() -> Console:
    if sys.stdout is None:  # started with its standard output closed
        raise StdoutClosed()
    return _console()


@cache
def err() -> Console:
    """Messages. Where standard error is not a terminal (a log, a pipe) a message is one line however
    long, never folded at 80 columns."""
    console = _console(stderr=True)
    console.soft_wrap = not console.is_terminal
    return console


PROGRESS_AFTER = 0.5  # seconds: a task done sooner shows no progress at all (no flicker)


@contextmanager
def progress(title: str, *, after: float = PROGRESS_AFTER) -> Iterator[Callable[[str], None]]:
    """A one-line status on standard error while a long task runs (a spinner, the task and what it is
    doing now), erased when it ends. Shown only where standard output and standard error are both a
    terminal that may take escape sequences (not when the result goes to a pipe or a file, not into a
    log, not in plain mode or under NO_COLOR), and only once the task has run `after` seconds. Yields
    `step(what)`: say what the task is doing now (user text is shown as text)."""
    console = err()
    if not (_on_terminal() and console.is_terminal and not console.is_dumb_terminal and escapes_allowed()):
        yield lambda what: None
        return
    import threading

    from rich.status import Status
    from rich.text import Text

    now = {"text": Text(safe_text(title))}
    lock = threading.Lock()
    shown: dict[str, Status | None] = {"status": None}
    done = threading.Event()

    def start() -> None:
        with lock:
            if not done.is_set():
                status = shown["status"] = Status(now["text"], console=console)
                status.start()

    def step(what: str) -> None:
        with lock:
            now["text"] = Text(safe_text(f"{title}: {what}"))
            if shown["status"] is not None:
                shown["status"].update(now["text"])

    timer = threading.Timer(after, start)
    timer.daemon = True
    timer.start()
    try:
        yield step
    finally:
        timer.cancel()
        with lock:
            done.set()
            if shown["status"] is not None:
                shown["status"].stop()


def _on_terminal() -> bool:
    """Whether the results are shown on a terminal (not sent to a pipe or a file)."""
    try:
        return out().is_terminal
    except StdoutClosed:
        return False


MIN_WIDTH = 20


def _sized(console: Console) -> Console:
    """A width of 0 (COLUMNS=0, or a terminal that reports no size) would print nothing at all: take
    80 columns then; anything narrower than 20 columns is printed 20 wide."""
    if console.width <= 0:
        console.width = 80
    elif console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


def table(*columns: str, title: str | None = None) -> Table:
    from rich import box

    t = _rich_classes()["ListingTable"](title=title, box=box.ASCII if plain_mode() else box.SIMPLE_HEAVY, title_justify="left",
              show_edge=False)
    for col in columns:
        t.add_column(col, overflow="fold")  # a word wider than its column goes on, not "…"
    return t


def bar(score: float | None, width: int = 20) -> list[tuple[str, str]]:
    """A domain's score as a bar of `width` blocks and the figure, as (text, style) spans."""
    if score is None:
        return [("n/a", "dim")]
    filled = round(score / 100 * width)
    full, empty = ("#", "-") if plain_mode() else ("\u2588", "\u2591")
    style = "green" if score >= 70 else "yellow" if score >= 50 else "red"
    return [(full * filled, style), (empty * (width - filled), "dim"), (f" {score:5.1f}", "")]


def show_assessment(a, max_gaps: int = 12) -> None:
    """The `score` result: a headline, the launch blockers, the domains, the gaps and where
    interviewees disagree. Laid out without rich where rich would write no escape sequence
    (`readiness.plain_layout`, which prints the same characters), by rich otherwise."""
    from readiness import plain_layout

    blocks = assessment_blocks(a, max_gaps)
    width = None if escapes_allowed() and _may_color() else plain_layout.console_width(_settings.width)
    if sys.stdout is not None and width is not None:
        text = plain_layout.layout(blocks, width, ascii_box=plain_mode())
        if text is not None:
            write_out(text)
            return
    print_blocks(blocks)


def _may_color() -> bool:
    """Whether rich might write colors to standard output because it is a terminal. (Where the
    environment asks rich for colors, FORCE_COLOR and the like, `plain_layout.console_width` leaves
    the printing to rich.)"""
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (AttributeError, ValueError, OSError):
        return True


def assessment_blocks(a, max_gaps: int = 12) -> list:
    """What `score` prints, as lines and tables of (text, style) spans, all user text made safe."""
    from readiness.plain_layout import Grid, Line

    s = safe_text
    blocks: list = []
    verdict = ("launch-ready", "bold green") if a.launch_ready else ("not launch-ready", "bold red")
    score = "n/a" if a.score is None else f"{a.score:.1f}/100"
    blocks.append(Line([(s(a.site), "bold"), (f" ({s(a.state)})  score ", ""), (score, "bold"),
                        ("  stage ", ""), (s(a.stage_label), "bold"), ("  ", ""), verdict]))
    blocks.append(Line([(s(f"Completeness {a.completeness:.0%} of applicable questions answered: {a.counts.tally()} "
                           f"(confidence {a.confidence})"), "")]))
    if a.provisional:
        answered_only = "n/a" if a.score_answered_only is None else f"{a.score_answered_only:.1f}/100"
        blocks.append(Line([(f"Provisional: on the questions answered so far the score is {answered_only}; "
                             "unanswered questions count as zero in the overall score", "")]))
    blocking = [g for g in a.gates if g.status in ("failed", "unknown")]
    if blocking:
        rows = []
        for g in blocking:
            word, style = GATE_STYLE[g.status]
            rows.append([[(s(g.title), "")], [(word, style)], [(s(g.answer or "-"), "")]])
        blocks.append(Grid(f"Launch blockers ({len(blocking)})", ["Launch requirement not met", "Status", "Answer"], rows))
    blocks.append(Grid("Domains", ["Domain", "Score", "Stage", "Answered"],
                       [[[(s(d.title), "")], bar(d.score), [(s(d.stage), "")], [(f"{d.answered}/{d.applicable}", "")]]
                        for d in a.domains]))
    if a.gaps:
        rows = [[[(str(n), "")], [(g.severity + (" *" if g.blocks_launch else ""), SEVERITY_STYLE[g.severity])],
                 [(s(g.title), "")], [(s(g.action), "")], [(s(g.owner), "")]]
                for n, g in enumerate(a.gaps[:max_gaps], 1)]
        blocks.append(Grid(f"Gaps ({len(a.gaps)}, most urgent first)", ["#", "Severity", "Gap", "Action", "Owner"], rows))
        if len(a.gaps) > max_gaps:
            blocks.append(Line([(f"... and {len(a.gaps) - max_gaps} more (see --format markdown or json). "
                                 "* blocks launch", "")]))
        else:
            blocks.append(Line([("* blocks launch", "")]))
    if a.disagreements:
        blocks.append(Grid("Interviewees disagree", ["Question", "Who said what"],
                           [[[(s(d.text), "")], [(s("\n".join(f"{x.respondent}: {x.display}" for x in d.answers)), "")]]
                            for d in a.disagreements]))
    return blocks


def print_blocks(blocks: list) -> None:
    """Lines and tables (`assessment_blocks`) printed by rich, in color where the terminal takes it."""
    from rich.text import Text

    from readiness.plain_layout import Line

    c = out()
    for block in blocks:
        if isinstance(block, Line):
            c.print(Text.assemble(*block.spans))
            continue
        t = table(*block.headers, title=block.title)
        for row in block.rows:
            t.add_row(*(Text.assemble(*cell) for cell in row))
        c.print(t)
