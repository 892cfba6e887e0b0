"""What the interview prints around its prompts (rich only): progress, help, entries, the review."""
from __future__ import annotations

from typing import Optional

from rich.console import Console

from readiness.interview.engine import Progress, ReviewRow
from readiness.interview.helptext import entry_text, help_lines, show_value
from readiness.kernel.statuses import DONT_KNOW
from readiness.questionnaire.models import Question
from readiness.workspace.models import Answer

TEXT_HELP_LINE = "Type the answer, then Enter.   ? help   < go back   Enter on an empty line: more options"


def keys_line(question: Question) -> str:
    """The hint line of keys that work the same on every question type (bound in prompts.KEYS)."""
    words = ["Ctrl-K don't know"] if question.allow_unknown else []
    return "   ".join(words + ["Ctrl-N not applicable", "Ctrl-S skip", "Ctrl-O more (note, review, quit)"])
STATE_STYLES = {"unanswered": "yellow", "skipped": "yellow", "unknown": "magenta", "kept": "grey58",
                "not_applicable": "grey58"}


def _say(console: Console, text: str, style: str = "grey58") -> None:
    console.print(text, style=style, highlight=False, markup=False)


def current_text(question: Question, current: Answer) -> str:
    return show_value(question, current.value) if current.status == "answered" else DONT_KNOW


def short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def header(console: Console, question: Question, current: Optional[Answer], progress: Progress) -> None:
    """The progress line, then how to answer and the current answer, if any."""
    from readiness.console import plain_mode

    line = progress.line()
    if plain_mode():
        console.print(f"\n-- {line} --", highlight=False, markup=False)
    else:
        console.print()
        from rich.text import Text

        from readiness.console import safe_text

        console.rule(Text.assemble((safe_text(progress.domain), "bold"), safe_text(line[len(progress.domain):])),
                     align="left", style="grey50")
    typed = question.type in ("text", "number", "date")
    if typed:
        _say(console, TEXT_HELP_LINE)
    elif getattr(question, "hint", None):  # a typed answer shows it beside the prompt (helptext.type_hint)
        _say(console, question.hint or "", style="")
    _say(console, keys_line(question))
    if current is not None and current.status in ("answered", "unknown"):
        how = "press Enter twice" if typed else "press Enter"
        _say(console, f"Current answer: {current_text(question, current)}  ({how} to keep it)")
    if current is not None and (current.note or current.evidence):
        bits = [f"note: {current.note}" if current.note else "",
                f"evidence: {current.evidence}" if current.evidence else ""]
        _say(console, "  " + "; ".join(b for b in bits if b))


def show_help(console: Console, question: Question) -> None:
    from rich import box
    from rich.panel import Panel

    from readiness.console import plain_mode

    lines = help_lines(question) or ["There is no extra help for this question."]
    console.print(Panel("\n".join(lines), title="Help", title_align="left", border_style="cyan",
                        box=box.ASCII if plain_mode() else box.ROUNDED, expand=False), markup=False)


def entries(console: Console, question: Question, draft: list) -> None:
    if not draft:
        _say(console, "No entries yet.")
        return
    _say(console, f"Entries so far ({len(draft)}):", style="")
    for n, entry in enumerate(draft, 1):
        _say(console, f"  {n}. {entry_text(question, entry)}", style="")


def review(console: Console, rows: list[ReviewRow], remaining: int) -> None:
    """Answers by domain, numbered; runs of three or more unanswered questions fold into one line."""
    from rich.table import Table
    from rich.text import Text

    from readiness.console import safe_text

    console.print()
    title = "Review" + (f" - {remaining} still to answer" if remaining else " - every question answered")
    console.rule(Text(title, style="bold"), align="left", style="grey50")
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column(justify="right", style="grey58", no_wrap=True)
    table.add_column(ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column(ratio=2)
    for domain, run in review_runs(rows):
        if domain:
            table.add_row("", Text(safe_text(domain), style="bold"), "")
        first, items = run[0][0], [row for _, row in run]
        if len(items) >= 3 and all(row.state == "unanswered" for row in items):
            table.add_row(f"{first}-{first + len(items) - 1}.", Text(f"{len(items)} questions", style="grey58"),
                          Text("Not answered yet", style="yellow"))
            continue
        for n, row in run:
            table.add_row(f"{n}.", " ".join(row.text.split()),
                          Text(safe_text(row.shown), style=STATE_STYLES.get(row.state, "cyan")))
    console.print(table)


def review_runs(rows: list[ReviewRow]) -> list:
    """[(domain title where a domain starts, else None, [(number, row), ...])], unanswered neighbours together."""
    out: list = []
    for n, row in enumerate(rows, 1):
        new_domain = n == 1 or rows[n - 2].domain != row.domain
        unanswered = row.state == "unanswered"
        if out and not new_domain and unanswered and out[-1][1][-1][1].state == "unanswered":
            out[-1][1].append((n, row))
        else:
            out.append((row.domain if new_domain else None, [(n, row)]))
    return out
