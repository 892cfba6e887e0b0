"""Charts for the report and the plan: the only module that imports matplotlib.

matplotlib takes most of a second to import, so it is imported inside the functions that draw,
never at module level: `--help`, `score` and `interview` must not pay for it.  Figures are sized
for a Word page (the DOCX writer places images 15 cm wide) and use the Okabe-Ito palette, which
stays distinguishable with the common kinds of colour-blindness; bars are also marked by hatching
and outline, not colour alone.

Drawing is most of a build's time, so each chart is also kept in a private per-user cache keyed by
everything it shows (and this module's source): a rebuild whose scores and plan did not change
copies the PNG instead of drawing it.  An entry is used only when it verifies (readiness/cache.py:
ours, not a link, with a valid keyed hash); LEAD_READINESS_NO_CACHE=1 turns the cache off.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import textwrap
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Optional, Sequence

DPI = 150
# Okabe-Ito: orange, sky blue, bluish green, blue, vermillion, reddish purple.
PHASE_COLOURS = {
    "exploration": "#E69F00", "design": "#56B4E9", "agreements": "#009E73",
    "hiring_training": "#0072B2", "launch": "#D55E00", "stabilize": "#CC79A7",
}
SCORE_COLOUR = "#0072B2"
READY_COLOUR = "#D55E00"
INK = "#222222"
MAX_TIMELINE_ROWS = 30
CACHE_KEEP = 200  # charts kept in the cache (about 100 kB each)
CHART_MAX_BYTES = 20_000_000  # a drawn chart is about 100 kB
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _figure(width: float, height: float):
    """A figure drawn by the Agg backend, without pyplot's global state."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8, "axes.edgecolor": "#888888",
                                "axes.titleweight": "bold"})
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def prepare_drawing() -> None:
    """Import what drawing needs, most of a chart's time in a fresh process (for a child started
    before the charts' data exists: readiness/forked.py `warm`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates  # noqa: F401
    import matplotlib.font_manager  # noqa: F401
    import matplotlib.lines  # noqa: F401
    import matplotlib.patches  # noqa: F401
    from matplotlib.backends import backend_agg  # noqa: F401
    from matplotlib import figure  # noqa: F401


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Light compression: the PNG is a little larger but written several times faster.
    fig.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": "lead-readiness"},
                pil_kwargs={"compress_level": 2})
    return path


# ---------------------------------------------------------------- cache


@lru_cache(maxsize=1)
def _source_tag() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def _cache_dir() -> Optional[Path]:
    """The chart cache folder, or None when disabled or not safely ours."""
    from readiness.cache import user_cache_dir

    return user_cache_dir("charts")


def _kept(kind: str, spec: dict) -> Optional[Path]:
    folder = _cache_dir()
    if folder is None:
        return None
    text = json.dumps([kind, spec, DPI, _source_tag()], sort_keys=True, default=str)
    return folder / f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}.chart"


def _kept_bytes(kept: Optional[Path]) -> Optional[bytes]:
    """The PNG of a verified cache entry (readiness/cache.py: ours, not a link, valid keyed hash), or None."""
    if kept is None:
        return None
    from readiness.cache import read_entry

    png = read_entry(kept, CHART_MAX_BYTES)
    return png if png and png.startswith(_PNG_SIGNATURE) else None


def _is_cached(kind: str, spec: dict) -> bool:
    return _kept_bytes(_kept(kind, spec)) is not None


def _cached(kind: str, spec: dict, out_path: Path, draw: Callable[[Path], Path]) -> Path:
    """Write the chart from the cache when an identical one was drawn before; else draw and keep it.

    The entry's bytes are read once, verified, and those same bytes written to `out_path`, so an
    entry changed or swapped for a link after the check cannot reach the drafts; an entry that does
    not verify is drawn afresh and replaced."""
    from readiness.cache import write_entry

    out_path = Path(out_path)
    kept = _kept(kind, spec)
    if kept is None:
        return draw(out_path)
    png = _kept_bytes(kept)
    if png is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(png)
        return out_path
    draw(out_path)
    try:
        png = out_path.read_bytes()
    except OSError:
        return out_path
    if write_entry(kept, png):
        _prune(kept.parent, CACHE_KEEP)
    return out_path


def _prune(folder: Path, keep: int) -> None:
    """Keep the cache small: only the most recently written charts (links and oddities removed, never followed)."""
    entries = []
    for entry in folder.glob("*.chart"):
        try:
            entries.append((entry.lstat().st_mtime, entry))
        except OSError:
            continue
    entries.sort(reverse=True)
    for _, old in entries[keep:]:
        try:
            old.unlink()
        except OSError:
            pass


# ---------------------------------------------------------------- radar


def radar_alt_text(site: str, domains: Sequence[tuple[str, Optional[float]]]) -> str:
    """What the radar chart shows, in words, for the image's alt text."""
    parts = [f"{title} {'not scored' if score is None else f'{score:.0f}'}" for title, score in domains]
    return f"Radar chart of domain scores for {site}, out of 100: " + "; ".join(parts)


def radar_chart(domains: Sequence[tuple[str, Optional[float]]], out_path: Path, *, title: str,
                ready_at: float = 70.0) -> Path:
    """Domain scores (0-100) around a circle, with the 'ready' score drawn as a dashed ring."""
    domains = _radar_domains(domains)
    spec = _radar_spec(domains, title, ready_at)
    return _cached("radar", spec, out_path, lambda path: _draw_radar(domains, path, title, ready_at))


def _radar_domains(domains) -> list[tuple[str, Optional[float]]]:
    return [(str(t), None if s is None else float(s)) for t, s in domains]


def _radar_spec(domains, title: str, ready_at: float) -> dict:
    return {"domains": domains, "title": title, "ready_at": ready_at}


def radar_is_cached(domains, *, title: str, ready_at: float = 70.0) -> bool:
    return _is_cached("radar", _radar_spec(_radar_domains(domains), title, ready_at))


def _draw_radar(domains, out_path: Path, title: str, ready_at: float) -> Path:
    import math

    labels = [t for t, _ in domains]
    values = [0.0 if s is None else float(s) for _, s in domains]
    n = len(labels)
    angles = [2 * math.pi * i / n for i in range(n)]
    fig = _figure(7.6, 6.7)
    ax = fig.add_axes([0.25, 0.14, 0.5, 0.69], polar=True)
    ax.set_theta_offset(math.pi / 2)  # first domain at the top, then clockwise
    ax.set_theta_direction(-1)
    closed = angles + angles[:1]
    ax.plot(closed, values + values[:1], color=SCORE_COLOUR, linewidth=2, zorder=3)
    ax.fill(closed, values + values[:1], color=SCORE_COLOUR, alpha=0.18, zorder=2)
    ax.scatter(angles, values, s=18, color=SCORE_COLOUR, zorder=4)
    ring = [ready_at] * (n + 1)
    ax.plot(closed, ring, color=READY_COLOUR, linewidth=1.3, linestyle=(0, (5, 3)), zorder=2)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_yticklabels(["25", "50", "75", "100"], color="#666666", fontsize=8)
    ax.set_rlabel_position(360 / n / 2)
    ax.set_xticks(angles)
    ax.set_xticklabels([])
    ax.grid(color="#cccccc", linewidth=0.6)
    ax.spines["polar"].set_color("#aaaaaa")
    for angle, label, (_, score) in zip(angles, labels, domains):
        shown = math.pi / 2 - angle  # where the label appears on the page
        cos, sin = math.cos(shown), math.sin(shown)
        ha = "center" if abs(cos) < 0.2 else ("left" if cos > 0 else "right")
        va = "center" if abs(sin) < 0.3 else ("bottom" if sin > 0 else "top")
        text = "\n".join(textwrap.wrap(label, 18)) + f"\n{'n/a' if score is None else f'{score:.0f}'}"
        ax.text(angle, 112, text, ha=ha, va=va, fontsize=9.5, color=INK, linespacing=1.15)
    fig.suptitle(title, fontsize=12.5, fontweight="bold", color=INK, y=0.965)
    fig.text(0.5, 0.025, f"Blue: domain score (0-100).  Orange dashes: {ready_at:.0f}, the score from which a "
             "domain counts as ready.", ha="center", fontsize=9, color="#444444")
    return _save(fig, out_path)


# ---------------------------------------------------------------- timeline


def _day(d: _dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def timeline_rows(plan, max_rows: int = MAX_TIMELINE_ROWS) -> list[dict]:
    """The rows the timeline draws. When there are too many, gap tasks that neither set the launch
    date nor close a launch requirement are drawn as one summary bar per phase."""
    order = {p.id: i for i, p in enumerate(plan.phases)}
    tasks = sorted(plan.tasks, key=lambda t: (order.get(t.phase, 0), t.start, t.end, t.id))
    rows = [{"label": t.title, "phase": t.phase, "start": t.start, "end": t.end, "milestone": t.is_milestone,
             "gate": t.gate, "path": t.on_launch_path, "summary": False, "id": t.id} for t in tasks]
    if len(rows) <= max_rows:
        return rows
    foldable = [r for r in rows if r["id"].startswith("gap:") and not r["gate"] and not r["path"]]
    groups = {phase: [r for r in foldable if r["phase"] == phase] for phase in order}
    groups = {phase: group for phase, group in groups.items() if len(group) > 1}
    folded = [r for group in groups.values() for r in group]
    keep = [r for r in rows if r not in folded]
    titles = {p.id: p.title for p in plan.phases}
    for phase, group in groups.items():
        summary = {"label": f"Other gap work in {titles[phase].lower()} ({len(group)} tasks)", "phase": phase,
                   "start": min(r["start"] for r in group), "end": max(r["end"] for r in group),
                   "milestone": False, "gate": False, "path": False, "summary": True, "id": f"summary:{phase}"}
        keep.append(summary)
    return sorted(keep, key=lambda r: (order.get(r["phase"], 0), r["summary"], r["start"], r["end"], r["id"]))


def _fitted_labels(fig, ax, rows, fontsize: float) -> list[str]:
    """Each task label, shortened until it fits left of the axes (bold labels are wider)."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    room = ax.get_position().x0 * fig.get_figwidth() * fig.dpi - 0.12 * fig.dpi
    fonts = {}
    out = []
    for r in rows:
        key = ("bold" if r["path"] else "normal", "italic" if r["summary"] else "normal")
        if key not in fonts:
            fonts[key] = FontProperties(size=fontsize, weight=key[0], style="italic" if r["summary"] else "normal")

        def width(text: str) -> float:  # called in this pass of the loop only
            return renderer.get_text_width_height_descent(text, fonts[key], ismath=False)[0]  # noqa: B023

        text = _short(r["label"], 64)
        measured = width(text)
        if measured > room:  # guess from the average character width, then step down
            chars = max(20, int(len(text) * room / measured))
            text = _short(r["label"], chars)
            while width(text) > room and chars > 20:
                chars -= 2
                text = _short(r["label"], chars)
        out.append(text)
    return out


def timeline_alt_text(plan) -> str:
    phases = "; ".join(f"{p.title} {_day(p.start)} to {_day(p.end)}" for p in plan.phases if p.start)
    path = len(plan.launch_path) - 1
    return (f"Timeline chart of the implementation plan for {plan.site}: {len(plan.tasks)} tasks from "
            f"{_day(plan.start)}; launch on {_day(plan.launch)}, set by a chain of {path} "
            f"{'task' if path == 1 else 'tasks'}. Phases: {phases}.")


def timeline_chart(plan, out_path: Path, *, title: str) -> Path:
    """A Gantt chart: one bar per task, coloured by phase; hatched bars close a launch requirement,
    outlined bars set the launch date; a dashed line marks the launch."""
    return timeline_chart_of(timeline_spec(plan, title=title), out_path)


def timeline_spec(plan, *, title: str) -> dict:
    """Everything the timeline of `plan` shows, as plain data (it pickles without the planning code,
    so a child that has not imported it can draw it: readiness/forked.py)."""
    return _timeline_spec(plan, timeline_rows(plan), title)


def timeline_chart_of(spec: dict, out_path: Path) -> Path:
    """The timeline chart of a `timeline_spec`."""
    shown = SimpleNamespace(start=spec["start"], launch=spec["launch"], target_launch=spec["target"],
                            phases=[SimpleNamespace(id=i, title=t) for i, t in spec["phases"]])
    return _cached("timeline", spec, out_path, lambda path: _draw_timeline(shown, spec["rows"], path, spec["title"]))


def _timeline_spec(plan, rows: list[dict], title: str) -> dict:
    return {"rows": rows, "title": title, "start": plan.start, "launch": plan.launch, "target": plan.target_launch,
            "phases": [(p.id, p.title) for p in plan.phases]}


def timeline_is_cached(plan, *, title: str) -> bool:
    return _is_cached("timeline", _timeline_spec(plan, timeline_rows(plan), title))


def _draw_timeline(plan, rows: list[dict], out_path: Path, title: str) -> Path:
    import matplotlib.dates as mdates
    from matplotlib.artist import Artist
    from matplotlib.patches import Patch

    n = len(rows)
    fig_h = 1.7 + 0.25 * n
    fig = _figure(6.8, fig_h)
    top = 1 - 0.6 / fig_h
    bottom = 1.05 / fig_h
    ax = fig.add_axes([0.46, bottom, 0.52, top - bottom])
    num = mdates.date2num
    last = max([r["end"] for r in rows] + [plan.launch])
    for y, r in enumerate(rows):
        colour = PHASE_COLOURS.get(r["phase"], "#999999")
        if r["milestone"]:
            ax.scatter([num(r["start"])], [y], marker="D", s=46, color=colour, edgecolor=INK, linewidth=1, zorder=4)
            continue
        width = max(num(r["end"]) - num(r["start"]), 2)
        ax.barh(y, width, left=num(r["start"]), height=0.62, color=colour, alpha=0.45 if r["summary"] else 0.9,
                edgecolor=INK if r["path"] else "white", linewidth=1.4 if r["path"] else 0.5,
                hatch="////" if r["gate"] else None, zorder=3)
    ax.set_yticks(range(n))
    labels = ax.set_yticklabels(_fitted_labels(fig, ax, rows, 8.4), fontsize=8.4)
    for label, r in zip(labels, rows):
        if r["path"]:
            label.set_fontweight("bold")
        if r["summary"]:
            label.set_fontstyle("italic")
    ax.set_ylim(n - 0.4, -0.6)
    ax.axvline(num(plan.launch), color=READY_COLOUR, linestyle=(0, (4, 2)), linewidth=1.4, zorder=5)
    ax.text(num(plan.launch), -0.75, f" Launch {plan.launch:%b} {plan.launch.day}, {plan.launch.year}", color=READY_COLOUR, fontsize=8.5,
            fontweight="bold", va="bottom", ha="left" if num(plan.launch) < num(last) - 60 else "right")
    if plan.target_launch and plan.target_launch != plan.launch:
        ax.axvline(num(plan.target_launch), color="#666666", linestyle=":", linewidth=1.1, zorder=5)
    span = (last - plan.start).days
    step = 1 if span <= 250 else 2 if span <= 500 else 3
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlim(num(plan.start) - 4, num(last) + 6)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(title, fontsize=11.5, fontweight="bold", color=INK, x=0.02, ha="left", y=1 - 0.12 / fig_h)
    used = {r["phase"] for r in rows}
    handles: list[Artist] = [Patch(facecolor=PHASE_COLOURS[p.id], label=p.title) for p in plan.phases if p.id in used]
    handles.append(Patch(facecolor="white", edgecolor=INK, hatch="////", label="Closes a launch requirement"))
    handles.append(Patch(facecolor="white", edgecolor=INK, linewidth=1.4, label="Sets the launch date"))
    if plan.target_launch and plan.target_launch != plan.launch:
        from matplotlib.lines import Line2D

        handles.append(Line2D([0], [0], color="#666666", linestyle=":", label="Site's target date"))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.02 / fig_h), handlelength=1.6, columnspacing=1.2)
    return _save(fig, out_path)
