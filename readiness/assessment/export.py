"""The assessment as stable JSON (documented in the README) and as a short Markdown summary."""
from __future__ import annotations

from readiness.assessment.model import Assessment
from readiness.markdown_text import md_escape as esc  # what people typed is text, not Markdown


def to_dict(a: Assessment, questionnaire=None) -> dict:
    """Stable keys: site, questionnaire, overall, domains, gates, gaps, disagreements, respondents."""
    titles = {q.id: q.text for q in questionnaire.questions} if questionnaire else {}
    return {
        "site": a.site,
        "state": a.state,
        "questionnaire": {"id": a.questionnaire_id, "version": a.questionnaire_version},
        "overall": {"score": a.score, "stage": a.stage, "launch_ready": a.launch_ready,
                    "completeness": a.completeness, "confidence": a.confidence,
                    "provisional": a.provisional, "stage_label": a.stage_label,
                    "score_answered_only": a.score_answered_only,
                    "questions": {"applicable": a.counts.applicable, "answered": a.counts.answered,
                                  "unknown": a.counts.unknown, "open": a.counts.open}},
        "domains": [{"id": d.id, "title": d.title, "weight": d.weight, "score": d.score, "stage": d.stage,
                     "answered": d.answered, "applicable": d.applicable, "unknown": d.unknown} for d in a.domains],
        "gates": [{"id": g.id, "title": g.title, "domain": g.domain, "status": g.status, "answer": g.answer}
                  for g in a.gates],
        "gaps": [{"question": g.question, "domain": g.domain, "severity": g.severity, "kind": g.kind,
                  "title": g.title, "action": g.action, "owner": g.owner, "phase": g.phase, "weeks": g.weeks,
                  "blocks_launch": g.blocks_launch} for g in a.gaps],
        "disagreements": [{"question": d.question, "text": titles.get(d.question, d.text), "spread": d.spread,
                           "answers": [{"respondent": x.respondent, "role": x.role, "answer": x.display,
                                        "score": x.score} for x in d.answers]} for d in a.disagreements],
        "respondents": [dict(r) for r in a.respondents],
    }


def _fmt(score) -> str:
    return "n/a" if score is None else f"{score:.0f}"


GATE_WORDS = {"passed": "Met", "failed": "Not met", "unknown": "Unknown - verify", "not_applicable": "Not applicable"}


def to_markdown(a: Assessment, top_gaps: int = 15) -> str:
    """The core of the readiness report: verdict, gates, domains, gaps, disagreements."""
    lines = [f"# Readiness summary: {esc(a.site)}", ""]
    verdict = "Ready to launch" if a.launch_ready else "Not yet ready to launch"
    lines += [f"**Overall score:** {_fmt(a.score)} / 100  ",
              f"**Stage:** {a.stage_label}  ",]
    if a.provisional:
        lines += [f"**Score on answered questions only:** {_fmt(a.score_answered_only)} / 100 "
                  "(the overall score counts unanswered questions as zero)  "]
    lines += [
              f"**Launch readiness:** {verdict}  ",
              f"**Completeness:** {a.completeness:.0%} of applicable questions answered: {a.counts.tally()} "
              f"(confidence: {a.confidence})", ""]
    blocking = [g for g in a.gates if g.status in ("failed", "unknown")]
    lines += ["## Launch requirements", ""]
    if blocking:
        verb = "is" if len(blocking) == 1 else "are"
        lines.append(f"{len(blocking)} of {len(a.gates)} launch requirements {verb} not yet met:")
        lines.append("")
    lines += ["| Requirement | Status | Current answer |", "|---|---|---|"]
    order = {"failed": 0, "unknown": 1, "passed": 2, "not_applicable": 3}
    for g in sorted(a.gates, key=lambda g: order[g.status]):
        lines.append(f"| {g.title} | {GATE_WORDS[g.status]} | {esc(g.answer) if g.answer else '-'} |")
    lines += ["", "## Domains", "", "| Domain | Score | Stage | Answered |", "|---|---:|---|---:|"]
    for d in sorted(a.domains, key=lambda d: (d.score is None, d.score if d.score is not None else 0)):
        lines.append(f"| {d.title} | {_fmt(d.score)} | {d.stage} | {d.answered}/{d.applicable} |")
    lines += ["", "## Gaps to close", ""]
    if not a.gaps:
        lines.append("No gaps found in the answers given.")
    else:
        lines += ["| # | Priority | Gap | Action | Owner |", "|---:|---|---|---|---|"]
        for n, gap in enumerate(a.gaps[:top_gaps], 1):
            pri = gap.severity.capitalize() + (" (blocks launch)" if gap.blocks_launch else "")
            lines.append(f"| {n} | {pri} | {gap.title} | {gap.action} | {gap.owner} |")
        if len(a.gaps) > top_gaps:
            lines.append(f"\n{len(a.gaps) - top_gaps} further gaps are listed in the full report.")
    if a.disagreements:
        lines += ["", "## Where interviewees disagree", ""]
        for dis in a.disagreements:
            said = "; ".join(esc(x.respondent) + (f" ({esc(x.role)})" if x.role else "") + f": {esc(x.display)}"
                             for x in dis.answers)
            lines.append(f"- **{dis.text}** {said}")
    return "\n".join(lines) + "\n"
