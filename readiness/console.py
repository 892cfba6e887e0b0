"""Rich consoles and presenters. Results go to stdout, diagnostics to stderr.

`NO_COLOR` (any non-empty value) and `LEAD_READINESS_PLAIN=1` (or --plain) drop every ANSI escape, bold
and dim included (rich alone keeps those under NO_COLOR); plain mode also drops box-drawing characters,
for screen readers and plain logs.
"""
from __future__ import annotations

import os
from functools import lru_cache

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}
GATE_STYLE = {"passed": ("Met", "green"), "failed": ("Not met", "bold red"),
              "unknown": ("Unknown - verify", "yellow"), "not_applicable": ("Not applicable", "dim")}


def plain_mode() -> bool:
    return os.environ.get("LEAD_READINESS_PLAIN", "") not in ("", "0")


def _escapes() -> dict:
    """color_system=None: rich writes no escape sequence at all."""
    return {"color_system": None} if plain_mode() or os.environ.get("NO_COLOR", "") else {}


@lru_cache(maxsize=None)
def out() -> Console:
    return Console(highlight=False, no_color=plain_mode() or None, **_escapes())


@lru_cache(maxsize=None)
def err() -> Console:
    return Console(stderr=True, highlight=False, no_color=plain_mode() or None, **_escapes())


def table(*columns: str, title: str | None = None) -> Table:
    t = Table(title=title, box=box.ASCII if plain_mode() else box.SIMPLE_HEAVY, title_justify="left",
              show_edge=False)
    for col in columns:
        t.add_column(col)
    return t


def bar(score: float | None, width: int = 20) -> Text:
    if score is None:
        return Text("n/a", style="dim")
    filled = round(score / 100 * width)
    full, empty = ("#", "-") if plain_mode() else ("█", "░")
    style = "green" if score >= 70 else "yellow" if score >= 50 else "red"
    return Text(full * filled, style=style) + Text(empty * (width - filled), style="dim") + Text(f" {score:5.1f}")


def show_assessment(a, max_gaps: int = 12) -> None:
    c = out()
    verdict = ("[bold green]launch-ready[/]" if a.launch_ready else "[bold red]not launch-ready[/]")
    score = "n/a" if a.score is None else f"{a.score:.1f}/100"
    c.print(f"[bold]{a.site}[/] ({a.state})  score [bold]{score}[/]  stage [bold]{a.stage_label}[/]  {verdict}")
    c.print(f"Completeness {a.completeness:.0%} of applicable questions answered (confidence {a.confidence})")
    if a.provisional:
        answered_only = "n/a" if a.score_answered_only is None else f"{a.score_answered_only:.1f}/100"
        c.print(f"Provisional: on the questions answered so far the score is {answered_only}; "
                "unanswered questions count as zero in the overall score")
    blocking = [g for g in a.gates if g.status in ("failed", "unknown")]
    if blocking:
        t = table("Launch requirement not met", "Status", "Answer", title=f"Launch blockers ({len(blocking)})")
        for g in blocking:
            word, style = GATE_STYLE[g.status]
            t.add_row(g.title, Text(word, style=style), g.answer or "-")
        c.print(t)
    t = table("Domain", "Score", "Stage", "Answered", title="Domains")
    for d in a.domains:
        t.add_row(d.title, bar(d.score), d.stage, f"{d.answered}/{d.applicable}")
    c.print(t)
    if a.gaps:
        t = table("#", "Severity", "Gap", "Action", "Owner", title=f"Gaps ({len(a.gaps)}, most urgent first)")
        for n, g in enumerate(a.gaps[:max_gaps], 1):
            sev = Text(g.severity + (" *" if g.blocks_launch else ""), style=SEVERITY_STYLE[g.severity])
            t.add_row(str(n), sev, g.title, g.action, g.owner)
        c.print(t)
        if len(a.gaps) > max_gaps:
            c.print(f"... and {len(a.gaps) - max_gaps} more (see --format markdown or json). * blocks launch")
        else:
            c.print("* blocks launch")
    if a.disagreements:
        t = table("Question", "Who said what", title="Interviewees disagree")
        for d in a.disagreements:
            t.add_row(d.text, "\n".join(f"{x.respondent}: {x.display}" for x in d.answers))
        c.print(t)
