"""`interview --answers FILE`: answers given in a file, checked exactly like typed ones.

The file is shaped like a site's answers.yaml (`answers: {question_id: value}` or the full form with
status and note), or like a respondent file (with `name:` and perhaps `role:` and `agency:`), or it
is an answer sheet, CSV or XLSX (interview/sheet.py: one row per answer).
Everything is checked before anything is written, so a bad value changes nothing; the answers are
then written in one go (one lock, one atomic write), not one file write per answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from readiness.errors import Collected
from readiness.files import read_yaml
from readiness.workspace.answering import status_problem
from readiness.workspace.models import Answer
from readiness.workspace.store import Respondent, Site, read_answers_file as _read, respondent_for, save_answers


@dataclass
class Imported:
    respondent: Optional[Respondent]
    answers: dict[str, Answer]


def read_answers_file(site: Site, path: Path, respondent: Optional[str] = None, role: Optional[str] = None,
                      agency: Optional[str] = None) -> Imported:
    """Parse and check the file against the site's questionnaire; raises FileProblems with file:line
    (file: row N for a sheet)."""
    path = Path(path)
    from readiness.interview import sheet

    if sheet.is_sheet(path):
        answers = sheet.read_sheet(path, site.questionnaire, respondent=bool(respondent), site_root=site.root)
        who = respondent_for(site, respondent, role, agency, _today()) if respondent else None
        return Imported(who, answers)
    if path.suffix.lower() in (".xls", ".ods", ".numbers", ".xlsm", ".tsv", ".txt"):
        from readiness.errors import FileProblems, Problem

        raise FileProblems([Problem(f"answers file '{path.name}' is neither YAML nor an answer sheet this tool reads",
                                    file=path, hint="save the sheet as .xlsx (Excel workbook) or .csv")])
    located = read_yaml(path, "answers file", as_text=True)
    data = located.data if isinstance(located.data, dict) else {}
    is_respondent_file = "name" in data
    q = site.questionnaire
    if is_respondent_file:
        parsed, answers = _read(path, q, respondent=True, respondent_format=True)
        name, role, agency = respondent or parsed.name, role or parsed.role, agency or parsed.agency
    elif respondent:
        parsed, answers = _read(path, q, respondent=True, respondent_format=False)
        name = respondent
    else:
        parsed, answers = _read(path, q, respondent=False, respondent_format=False)
        name = None
    out = Collected()
    for qid, answer in answers.items():
        problem = status_problem(q.by_id[qid], answer.status)
        if problem:
            out.add(problem, file=path, line=located.line_of(("answers", qid)), hint="give a value")
    out.raise_if_any()
    who = None
    if name:
        who = respondent_for(site, name, role, agency, getattr(parsed, "date", None) or _today())
    return Imported(who, answers)


def apply_answers_file(site: Site, imported: Imported) -> int:
    """Write the checked answers all at once: one lock and one atomic write of the answers file (or
    the respondent's), however many rows; if any answer is refused, none is written."""
    who = imported.respondent
    answers = {qid: answer.model_copy(update={"by": who.name}) if who is not None and answer.by is None else answer
               for qid, answer in imported.answers.items()}
    save_answers(site, answers, who)
    return len(answers)


def _today() -> str:
    import datetime as _dt

    return _dt.date.today().isoformat()

