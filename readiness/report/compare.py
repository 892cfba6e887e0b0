"""Several sites side by side: stage, score, launch readiness, unmet launch requirements, top gap.

A site that cannot be loaded does not stop the others: its error is kept (with file and line, as
the loaders word it) for the command to report, and the comparison goes on.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from readiness.errors import ReadinessError

CSV_COLUMNS = ("site", "path", "stage", "score", "launch_ready", "failed_gates", "top_gap")


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
    from readiness.assessment import assess
    from readiness.workspace.store import open_site

    site = open_site(Path(path), questionnaire)
    a = assess(site.questionnaire, site.answers, site.respondents.values(), site=site.name, state=site.profile.state)
    return SiteRow(site.name, str(path), a.stage, a.score, a.launch_ready, len(a.failed_gates), top_gap(a), len(a.gaps))


def compare_sites(paths: Iterable[Path], questionnaire: Optional[Path] = None
                  ) -> tuple[list[SiteRow], list[SiteFailure]]:
    """Rows sorted by score, highest first (unscored last, then by name); failures in input order."""
    rows: list[SiteRow] = []
    failures: list[SiteFailure] = []
    for path in paths:
        try:
            rows.append(assess_site(path, questionnaire))
        except ReadinessError as exc:
            failures.append(SiteFailure(str(path), str(exc)))
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
