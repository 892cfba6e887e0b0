"""Terminal tables for `plan` and `compare`, built with the shared console helpers."""
from __future__ import annotations

from rich.text import Text

from readiness.console import out, safe_text, table


def _day(d) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def show_plan(plan, max_tasks: int | None = None) -> None:
    c = out()
    c.print(Text.assemble((safe_text(plan.site), "bold"), f"  start {_day(plan.start)}  launch ",
                          (_day(plan.launch), "bold"), f" ({plan.weeks_to_launch} weeks)"))
    if plan.target_launch:
        short = plan.target_shortfall_weeks
        c.print(Text(f"Site's target launch {_day(plan.target_launch)}: "
                     + (f"{short} weeks earlier than the plan allows" if short else "the plan meets it"),
                     style="yellow" if short else "green"))
    path = table("#", "Task", "Owner", "Start", "End", title="Path to launch")
    for n, tid in enumerate(plan.launch_path, 1):
        t = plan.task(tid)
        path.add_row(str(n), t.title, t.owner, _day(t.start), _day(t.end))
    c.print(path)
    titles = {p.id: p.title for p in plan.phases}
    tasks = table("Task", "Phase", "Owner", "Start", "End", "Wks", "Launch waits", title=f"Tasks ({len(plan.tasks)})")
    shown = plan.tasks if max_tasks is None else plan.tasks[:max_tasks]
    for t in shown:
        wait = Text("path", style="bold red") if t.on_launch_path else Text("yes", style="yellow") \
            if t.blocks_launch else Text("no", style="dim")
        tasks.add_row(t.title + (" *" if t.gate else ""), titles.get(t.phase, t.phase), t.owner,
                      t.start.isoformat(), t.end.isoformat(), str(t.weeks), wait)
    c.print(tasks)
    c.print("* closes a launch requirement. Full list: --format csv or json.")


def show_comparison(rows) -> None:
    c = out()
    t = table("Site", "Stage", "Score", "Ready", "Unmet", "Top gap",
              title=f"{len(rows)} site{'s' if len(rows) != 1 else ''}, highest score first "
                    "(Unmet: launch requirements not met)")
    for col in (2, 4):
        t.columns[col].justify = "right"
    for r in rows:
        ready = Text("yes", style="green") if r.launch_ready else Text("no", style="red")
        score = Text("n/a", style="dim") if r.score is None else Text(f"{r.score:.1f}", style=_score_style(r.score))
        t.add_row(r.site, r.stage, score, ready, str(r.failed_gates), r.top_gap or "-")
    c.print(t)


def _score_style(score: float) -> str:
    return "green" if score >= 70 else "yellow" if score >= 50 else "red"
