"""Several sites side by side: stage, score, launch readiness, unmet launch requirements, top gap.

A site that cannot be loaded does not stop the others: its error is kept (with file and line, as
the loaders word it) for the command to report, and the comparison goes on.
"""
from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from readiness.errors import ReadinessError

CSV_COLUMNS = ("site", "path", "stage", "score", "launch_ready", "failed_gates", "top_gap")
PARALLEL_FROM = 12  # below this many sites, starting worker processes costs more than it saves


@dataclass(frozen=True)
class SiteRow:
    site: str
    path: str
    stage: str
    score: Optional[float]
    launch_ready: bool
    failed_gates: int
    top_gap: str  # the most urgent gap; a launch requirement's short title when it blocks launch
    gaps: int


@dataclass(frozen=True)
class SiteFailure:
    path: str
    message: str


def top_gap(a) -> str:
    if not a.gaps:
        return ""
    first = a.gaps[0]
    gate = next((g for g in a.gates if g.id == first.question), None)
    if first.blocks_launch and gate is not None:
        return f"{gate.title} (blocks launch)"
    return first.title


def assess_site(path: Path, questionnaire: Optional[Path] = None) -> SiteRow:
    from readiness.assessment import assess_site
    from readiness.workspace.store import open_site

    site = open_site(Path(path), questionnaire)
    a = assess_site(site)
    return SiteRow(site.name, str(path), a.stage, a.score, a.launch_ready, len(a.failed_gates), top_gap(a), len(a.gaps))


def _assess_chunk(args) -> list[tuple[int, object]]:
    chunk, questionnaire = args
    out: list[tuple[int, object]] = []
    for index, path in chunk:
        try:
            out.append((index, assess_site(path, questionnaire)))
        except ReadinessError as exc:
            out.append((index, SiteFailure(str(path), str(exc))))
    return out


def _workers(count: int) -> int:
    """Worker processes for `count` sites: forked workers on Linux when there are many sites and
    more than one CPU; elsewhere (or for a few sites) the comparison runs in this process."""
    if count < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8, count // (PARALLEL_FROM // 2)))


def compare_sites(paths: Iterable[Path], questionnaire: Optional[Path] = None
                  ) -> tuple[list[SiteRow], list[SiteFailure]]:
    """Rows sorted by score, highest first (unscored last, then by name); failures in input order.

    The first site is assessed here, which also loads (and caches) the questionnaire; with many
    sites the rest are shared among forked workers that inherit that cache."""
    items = list(enumerate(Path(p) for p in paths))
    results = _assess_chunk((items[:1], questionnaire))
    rest = items[1:]
    workers = _workers(len(rest))
    if workers > 1:
        import multiprocessing

        chunks = [(rest[i::workers], questionnaire) for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.map(_assess_chunk, chunks):
                results.extend(part)
    else:
        results.extend(_assess_chunk((rest, questionnaire)))
    results.sort(key=lambda item: item[0])
    rows = [r for _, r in results if isinstance(r, SiteRow)]
    failures = [r for _, r in results if isinstance(r, SiteFailure)]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0.0), r.site.lower(), r.path))
    return rows, failures


def to_dicts(rows: list[SiteRow]) -> list[dict]:
    return [{"site": r.site, "path": r.path, "stage": r.stage, "score": r.score, "launch_ready": r.launch_ready,
             "failed_gates": r.failed_gates, "gaps": r.gaps, "top_gap": r.top_gap} for r in rows]


def to_csv(rows: list[SiteRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r.site, r.path, r.stage, "" if r.score is None else f"{r.score:.1f}",
                         "yes" if r.launch_ready else "no", r.failed_gates, r.top_gap])
    return buffer.getvalue()
