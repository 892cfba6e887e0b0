"""Runs one `lead-readiness interview`: checks, the session lock, the engine, and the closing summary.

The command never waits on a missing terminal: without one (or with --no-input) it either takes
`--answers FILE` or stops at once, saying how to run it.
"""
from __future__ import annotations

import contextlib
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from readiness.errors import ReadinessError

if TYPE_CHECKING:  # the checks below run before anything heavy is imported, so a refusal is instant
    from readiness.interview.engine import Interview, Outcome
    from readiness.workspace.store import Respondent, Site


def interview(site_dir: Path, *, respondent: Optional[str] = None, role: Optional[str] = None,
              agency: Optional[str] = None, domain: Optional[str] = None, answers: Optional[Path] = None,
              no_input: bool = False, questionnaire: Optional[Path] = None, stdin=None,
              make_asker: Optional[Callable[[], Any]] = None, echo: Optional[Callable[[str], None]] = None) -> None:
    """The whole command; raises ReadinessError for anything the person must fix."""
    echo = echo or _echo
    if (role or agency) and not respondent:
        raise ReadinessError("--role and --agency describe a respondent",
                             hint=f'add --respondent "Their Name": lead-readiness interview {_q(site_dir)} '
                                  f'--respondent "Their Name" --role "{role or "Police Chief"}"')
    if answers is not None:
        _from_file(site_dir, answers, respondent, role, agency, questionnaire, echo)
        return
    stdin = sys.stdin if stdin is None else stdin
    if no_input or not _is_tty(stdin):
        why = "--no-input was given" if no_input else "input is not a terminal"
        raise ReadinessError(f"the interview asks questions and needs a terminal ({why})",
                             hint=f"run it in a terminal: lead-readiness interview {_q(site_dir)}\n"
                                  f"  or give the answers in a file: lead-readiness interview {_q(site_dir)} "
                                  "--answers answers.yaml (shaped like the site's answers.yaml)")
    from readiness.interview.engine import Interview
    from readiness.workspace.store import open_site, refuse_questionnaire_switch, session_lock

    site = open_site(site_dir, questionnaire)
    refuse_questionnaire_switch(site, questionnaire)
    who = _respondent(site, respondent, role, agency)
    _check_domain(site, domain, who, site_dir)
    with session_lock(site.root):
        engine = Interview(site, who, domain)
        if make_asker is None:
            from readiness.interview.prompts import TerminalAsker, fast_prompts

            asker, speed = TerminalAsker(), fast_prompts()
        else:
            asker, speed = make_asker(), contextlib.nullcontext()
        for notice in site.notices:
            echo(f"Note: {notice}")
        echo(_intro(site, who, domain))
        with speed:
            outcome = engine.run(asker)
    for line in closing_lines(site, engine, outcome, site_dir):
        echo(line)


def _from_file(site_dir, path, respondent, role, agency, questionnaire, echo) -> None:
    from readiness.interview.answers_file import apply_answers_file, read_answers_file
    from readiness.interview.engine import Interview, Outcome
    from readiness.workspace.store import open_site, refuse_questionnaire_switch

    site = open_site(site_dir, questionnaire)
    refuse_questionnaire_switch(site, questionnaire)
    imported = read_answers_file(site, path, respondent, role, agency)
    count = apply_answers_file(site, imported)
    who = imported.respondent
    echo(f"Saved {count} answer{'s' if count != 1 else ''} from {path}"
         + (f" for {who.name}" if who else "") + f" to {site.name}.")
    engine = Interview(site, who)
    live = engine.live_ids()
    kept = [qid for qid, a in imported.answers.items() if qid not in live and a.status != "not_applicable"]
    if kept:
        echo(f"{len(kept)} of them answer questions that do not apply with the current answers; they are kept: "
             + ", ".join(kept))
    for line in closing_lines(site, engine, Outcome(True, count), site_dir):
        echo(line)


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _respondent(site: Site, name: Optional[str], role: Optional[str], agency: Optional[str]) -> Optional[Respondent]:
    if not name:
        return None
    if not name.strip():
        raise ReadinessError("--respondent needs a name", hint='for example --respondent "Jordan Lee"')
    import datetime as _dt

    from readiness.workspace.store import respondent_for

    return respondent_for(site, name, role, agency, _dt.date.today().isoformat())


def _check_domain(site: Site, domain: Optional[str], who: Optional[Respondent], site_dir) -> None:
    q = site.questionnaire
    scope = "respondent" if who else "site"
    if domain is None:
        if not any(x.scope == scope for x in q.questions):
            other = f'interview a stakeholder: lead-readiness interview {_q(site_dir)} --respondent "Name"'
            raise ReadinessError(f"questionnaire {q.ref} has no {scope} questions",
                                 hint="leave out --respondent" if who else other)
        return
    if domain not in q.domains_by_id:
        from readiness.questionnaire.loader import did_you_mean

        raise ReadinessError(f"unknown domain '{domain}'",
                             hint=did_you_mean(domain, q.domains_by_id) or
                             "domains: " + ", ".join(d.id for d in q.domains))
    if not any(x.domain == domain and x.scope == scope for x in q.questions):
        other = "respondent" if scope == "site" else "site"
        hint = ('its questions are asked of each respondent: add --respondent "Name"' if other == "respondent"
                else "its questions are site questions: leave out --respondent")
        raise ReadinessError(f"domain '{domain}' has no {scope} questions", hint=hint)


def _intro(site: Site, who: Optional[Respondent], domain: Optional[str]) -> str:
    q = site.questionnaire
    part = f" - {q.domains_by_id[domain].title} only" if domain else ""
    if who is None:
        head = f"{site.name}: site questions ({q.title}){part}."
    else:
        about = ", ".join(x for x in (who.role, who.agency) if x)
        head = f"{site.name}: interviewing {who.name}" + (f" ({about})" if about else "") + f"{part}."
    return head + "\nEach answer is saved as soon as you give it; press Ctrl-C at any time to stop."


def closing_lines(site: Site, engine: Interview, outcome: Outcome, site_dir) -> list[str]:
    """What the person reads at the end: where things stand, and the next command to run."""
    from readiness.assessment import assess_site

    live = engine.applicable()
    done = sum(1 for x in live if engine.is_done(x.id))
    who = engine.respondent
    lines = [""]
    saved = f"{outcome.saved} answer{'s' if outcome.saved != 1 else ''} saved in this sitting"
    lines.append(f"{saved}; {done} of {len(live)} {'questions for ' + who.name if who else 'site questions'} answered.")
    a = assess_site(site)
    score = "not scored yet" if a.score is None else f"{a.score:.1f}/100"
    verdict = "launch-ready" if a.launch_ready else "not launch-ready"
    lines.append(f"Score {score} - stage {a.stage} - {verdict} "
                 f"({a.completeness:.0%} of applicable questions answered).")
    failed = a.failed_gates
    if failed:
        words = {"failed": "not met", "unknown": "not known yet"}
        ordered = sorted(failed, key=lambda g: g.status != "failed")  # the ones known to fail first
        shown = "; ".join(f"{g.title} ({words[g.status]})" for g in ordered[:3])
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        lines.append(f"Launch blockers ({len(failed)}): {shown}{more}")
    if a.gaps:
        lines.append("Top gaps:")
        for n, g in enumerate(a.gaps[:3], 1):
            blocks = ", blocks launch" if g.blocks_launch else ""
            lines.append(f"  {n}. {g.action} ({g.owner}; {g.severity}{blocks})")
    site_arg = _q(site_dir)
    if not outcome.finished:
        again = f"lead-readiness interview {site_arg}" + (f" --respondent {_q(who.name)}" if who else "")
        lines.append(f"To carry on where you stopped: {again}")
    lines.append(f"Next: lead-readiness score {site_arg}    (the full assessment)")
    lines.append(f"Later: lead-readiness build {site_arg}    (draft MOU, policies and report)")
    lines += _respondent_hint(site, who, site_arg)
    return lines


def _respondent_hint(site: Site, who: Optional[Respondent], site_arg: str) -> list[str]:
    per_person = [x for x in site.questionnaire.questions if x.scope == "respondent"]
    if not per_person:
        return []
    people = sorted(site.respondents.values(), key=lambda r: r.name.lower())
    lines = []
    if people:
        lines.append("Interviewed so far: " + "; ".join(
            f"{r.name}" + (f" ({r.role})" if r.role else "") + f" {sum(1 for x in per_person if x.id in r.answers)}"
            f"/{len(per_person)}" for r in people))
    label = "Interview the next stakeholder" if who else "Then interview each stakeholder"
    lines.append(f"{label} ({len(per_person)} question{'s' if len(per_person) != 1 else ''} each, "
                 "e.g. police chief, prosecutor, health department):")
    lines.append(f'  lead-readiness interview {site_arg} --respondent "Full Name" --role "Their role" '
                 '--agency "Their agency"')
    return lines


def _q(value) -> str:
    return shlex.quote(str(value))


def _echo(text: str) -> None:
    from readiness.console import out

    console = out()
    # In a terminal rich wraps at word boundaries; in a log or pipe, lines stay whole.
    console.print(text, highlight=False, markup=False, soft_wrap=not console.is_terminal)

