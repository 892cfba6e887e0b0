"""Answer sheets: a county fills in a spreadsheet before the meeting, and the tool reads it back.

`write_sheet` writes every open site question (not yet answered, and not ruled out by the answers
given), or every question put to one respondent worded for their role, as one row, with its allowed values and help, as XLSX (a dropdown for choices, a frozen header,
wrapped help) or CSV. `read_sheet` reads such a sheet, CSV or XLSX, back as answers, each checked
exactly as a typed answer is (`values.check_value`), with the row number in every error; one bad row
and nothing is taken.

The columns are `question, value, status, note, evidence`; the sheet written here adds `text`,
`allowed`, `help`, `domain` and `now`, which are for the reader and ignored when read back. A
multiple-choice value separates its choices with `;`. A status is empty (the value is the answer),
`don't know`, `not applicable` or `skipped`.

A sheet comes from outside and is treated so: at most 5 MB and 5,000 rows; an XLSX's parts may unpack
to at most 50 MB and may not declare XML entities; formulas are never evaluated (a formula cell is
refused); external links are not loaded. Text this tool writes that starts with `=`, `+`, `-` or `@`
(which a spreadsheet would run as a formula) is written with a leading `'`, which reading removes.

openpyxl lives behind this module and is imported only when an XLSX is read or written.
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from readiness.errors import Collected, FileProblems, Problem, ReadinessError
from readiness.questionnaire.models import Question, Questionnaire

ANSWER_COLUMNS = ("question", "value", "status", "note", "evidence")
INFO_COLUMNS = ("text", "allowed", "help", "domain", "now")
SUFFIXES = (".csv", ".xlsx")
MAX_ROWS = 5000
MAX_COLUMNS = 50
MAX_UNPACKED = 50 * 1024 * 1024
MAX_PARTS = 2000
SHEET_TITLE = "Answers"
STATUS_WORDS: dict[str, str | None] = {  # the words a sheet may use -> the stored status
    "": None, "answered": "answered", "answer": "answered",
    "don't know": "unknown", "dont know": "unknown", "don’t know": "unknown", "unknown": "unknown",
    "not applicable": "not_applicable", "not_applicable": "not_applicable", "n/a": "not_applicable",
    "na": "not_applicable", "skipped": "skipped", "skip": "skipped",
}
STATUS_CHOICES = ("don't know", "not applicable", "skipped")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def is_sheet(path: Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


# ---------------------------------------------------------------- which questions a sheet holds


@dataclass(frozen=True)
class SheetRow:
    question: Question
    domain: str
    now: str  # the question's state today: the label of its status, or "Not answered yet"
    allowed: str
    depends_on: tuple[str, ...] = ()  # for a question that applies only with some answers: those questions
    text: str = ""  # the question as worded for the sheet's respondent (text_by_role); else its text


def open_rows(site, respondent=None, role_kind: Optional[str] = None) -> list[SheetRow]:
    """The questions still open, in questionnaire order: not answered nor marked not applicable, and
    either applying now or depending on a question still open (so the county can answer it too).
    Without `respondent` the site questions; with one, the questions put to each respondent, as
    that person has answered them so far, worded for `role_kind` (a respondent_roles id)."""
    from readiness.kernel.statuses import UNANSWERED, status_label
    from readiness.questionnaire.conditions import applicable_ids, condition_values
    from readiness.questionnaire.allowed import allowed_values
    from readiness.questionnaire.conditions import names_in

    q = site.questionnaire
    scope = "site" if respondent is None else "respondent"
    if respondent is None:
        given = site.answers
        values = condition_values(q, site.answers, list(site.respondents.values()))
        live = applicable_ids(q, values, site.answers)
    else:
        given = respondent.answers
        values = condition_values(q, site.answers, [respondent])
        live = applicable_ids(q, values, {**site.answers, **respondent.answers})
    titles = {d.id: d.title for d in q.domains}

    def settled(qid: str) -> bool:
        answer = given.get(qid)
        return answer is not None and answer.status in ("answered", "not_applicable")

    rows = []
    for question in q.questions:
        if question.scope != scope or settled(question.id):
            continue
        if question.from_site and getattr(site.profile, question.from_site, None):
            continue  # what `new` was given is not asked again
        depends: tuple[str, ...] = ()
        if question.id not in live:
            if not question.when:
                continue
            open_names = sorted(n for n in names_in(question.when) if n in q.by_id and not settled(n))
            if not open_names:
                continue  # ruled out by answers already given
            depends = tuple(open_names)
        answer = given.get(question.id)
        now = status_label(answer.status if answer else UNANSWERED)
        rows.append(SheetRow(question, titles.get(question.domain, question.domain), now, allowed_values(question),
                             depends, question.worded(role_kind)))
    return rows


# ---------------------------------------------------------------- writing


def escape_cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`."""
    return "'" + text if text.startswith(_RISKY) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_RISKY) else text


def _cells(row: SheetRow) -> list[str]:
    q = row.question
    help_text = " ".join((q.hint or "").split() + (q.help or "").split())
    if row.depends_on:
        help_text = (f"Answer only if it applies: it depends on {', '.join(row.depends_on)}. " + help_text).strip()
    return [q.id, "", "", "", "", row.text or q.text, row.allowed, help_text, row.domain, row.now]


def default_path(site, respondent=None) -> Path:
    """Where `answer-sheet` writes without --output: answer-sheet.xlsx in the site folder, or
    answer-sheet-<respondent's file name>.xlsx for a respondent's sheet."""
    return site.root / ("answer-sheet.xlsx" if respondent is None else f"answer-sheet-{respondent.slug}.xlsx")


def sheet_respondent(site, name: Optional[str], role: Optional[str] = None, role_kind: Optional[str] = None):
    """(respondent, role kind) for `answer-sheet --respondent NAME`: the person on file, found by exact
    name as `interview --respondent` finds them, else a new one (nothing is written for them); the
    kind from --role-kind, else the one on file, else found from --role. (None, None) without a name."""
    if name is None:
        if role or role_kind:
            raise ReadinessError("--role and --role-kind describe a respondent",
                                 hint='add --respondent "Their Name"')
        return None, None
    if not name.strip():
        raise ReadinessError("--respondent needs a name", hint='for example --respondent "Jordan Lee"')
    from readiness.workspace.answering import check_role_kind
    from readiness.workspace.store import respondent_for

    kind = check_role_kind(site, role_kind, site.root)
    who = respondent_for(site, name, role)
    q = site.questionnaire
    kind = kind or (who.role_kind if who.role_kind in {r.id for r in q.respondent_roles} else None) \
        or q.role_for(None, who.role)
    return who, kind


def write_sheet(site, path: Path, *, force: bool = False, respondent=None, role_kind: Optional[str] = None) -> int:
    """Write the open questions to `path` (.xlsx or .csv); returns how many rows. Refuses to replace a
    file unless `force`: a sheet may hold what a county typed. With `respondent`, the questions put
    to each respondent that this person has not answered, worded for `role_kind`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadinessError(f"cannot write an answer sheet as '{path.name}': the name must end in .xlsx or .csv",
                             hint="for example --output answer-sheet.xlsx")
    if path.is_symlink():
        raise ReadinessError(f"{path} is a link; links are not followed here", hint="give the path of a new file")
    if path.is_dir():
        raise ReadinessError(f"{path} is a folder", hint="give a file name ending in .xlsx or .csv")
    if path.exists() and not force:
        raise ReadinessError(f"{path} exists (it may hold answers someone typed)",
                             hint="give another --output, or add --force to replace it")
    rows = open_rows(site, respondent, role_kind)
    from readiness.files import atomic_write

    title = site.name if respondent is None else f"{site.name}, {respondent.name}"
    atomic_write(path, _xlsx(rows, title) if suffix == ".xlsx" else _csv(rows))
    return len(rows)


def _csv(rows: list[SheetRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ANSWER_COLUMNS + INFO_COLUMNS)
    for row in rows:
        writer.writerow([escape_cell(c) for c in _cells(row)])
    return "\ufeff" + buffer.getvalue()  # the BOM tells Excel the file is UTF-8


WIDTHS = {"question": 26, "value": 32, "status": 16, "note": 30, "evidence": 26, "text": 60, "allowed": 40,
          "help": 70, "domain": 22, "now": 16}
WRAPPED = {"value", "note", "evidence", "text", "allowed", "help"}


def _xlsx(rows: list[SheetRow], site_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one (active) sheet
    ws.title = SHEET_TITLE
    lists = wb.create_sheet("Lists")
    lists.sheet_state = "hidden"
    header = ANSWER_COLUMNS + INFO_COLUMNS

    def put(sheet, r: int, c: int, text: str):
        cell = sheet.cell(row=r, column=c)
        cell.value = escape_cell(text)
        cell.data_type = "s"  # text, never a formula
        return cell

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(header, 1):
        cell = put(ws, 1, c, name)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[name]
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    status = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
                            errorStyle="warning", error="Leave it empty when the value is the answer, or choose "
                            "don't know, not applicable or skipped.")
    ws.add_data_validation(status)
    value_col = get_column_letter(header.index("value") + 1)
    list_row = 0
    for r, row in enumerate(rows, 2):
        for c, text in enumerate(_cells(row), 1):
            put(ws, r, c, text).alignment = wrap if header[c - 1] in WRAPPED else top
        status.add(f"{get_column_letter(header.index('status') + 1)}{r}")
        labels = _dropdown(row.question)
        if labels:
            list_row += 1
            for c, label in enumerate(labels, 1):
                put(lists, list_row, c, label)
            rule = DataValidation(type="list", allow_blank=True, errorStyle="warning",
                                  formula1=f"Lists!$A${list_row}:${get_column_letter(len(labels))}${list_row}",
                                  error="Choose one of the listed answers.")
            ws.add_data_validation(rule)
            rule.add(f"{value_col}{r}")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    wb.properties.title = f"Answer sheet: {site_name}"[:200]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _dropdown(question: Question) -> list[str]:
    """The values a dropdown offers (a checklist takes several, so it has none)."""
    if question.type == "yes_no":
        return ["Yes", "No"]
    if question.type == "choice":
        return [c.label for c in question.choices]
    if question.type == "scale":
        lo, hi = (question.scale.min, question.scale.max) if question.scale else (1, 5)
        return [str(n) for n in range(lo, hi + 1)]
    return []


# ---------------------------------------------------------------- reading


def read_sheet(path: Path, q: Questionnaire, *, respondent: bool, site_root: Optional[Path] = None) -> dict[str, Any]:
    """{question id: Answer} from a CSV or XLSX sheet, every row checked as a typed answer is; raises
    FileProblems naming the file and row of every problem, and nothing is taken. A sheet kept in the
    site folder (where `answer-sheet` puts it) that is a link leading out of it is refused, as the
    site's own files are."""
    path = Path(path)
    if site_root is not None and Path(os.path.abspath(path)).parent == Path(os.path.abspath(site_root)):
        from readiness.files import refuse_link_outside

        refuse_link_outside(path, site_root, "answer sheet")
    table = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    return _answers(path, table, q, respondent=respondent)


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    from readiness.files import read_text

    text = read_text(path, "answer sheet", kind="CSV")
    first = text.split("\n", 1)[0]
    delimiter = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    out = []
    try:
        for n, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if n > MAX_ROWS + 1:
                raise _too_many(path)
            out.append((n, record))
    except csv.Error as exc:
        raise FileProblems([Problem(f"answer sheet is not valid CSV: {exc}", file=path,
                                    where=f"row {len(out) + 1}")]) from None
    return out


def _too_many(path: Path) -> FileProblems:
    return FileProblems([Problem(f"answer sheet has more than {MAX_ROWS:,} rows", file=path,
                                 hint="one row per question; check that this is the right file")])


def _check_package(path: Path, data: bytes) -> None:
    """An XLSX is a zip of XML parts: refuse one that unpacks huge or declares XML entities."""
    import zipfile

    def bad(message: str, hint: str = "save it again from the spreadsheet program as .xlsx"):
        return FileProblems([Problem(message, file=path, hint=hint)])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise bad("answer sheet is not an XLSX file (it does not open as one)",
                  "save it as .xlsx (Excel workbook) or .csv") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED:
            raise bad(f"answer sheet unpacks to more than {MAX_UNPACKED // 2**20} MB or {MAX_PARTS} parts")
        total = 0
        for part in parts:
            if not part.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(part) as fh:
                content = fh.read(MAX_UNPACKED + 1 - total)
            total += len(content)
            if total > MAX_UNPACKED:
                raise bad(f"answer sheet unpacks to more than {MAX_UNPACKED // 2**20} MB")
            if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                raise bad("answer sheet declares XML entities, which are not read")


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    from readiness.files import read_bytes

    data = read_bytes(path, "answer sheet")
    _check_package(path, data)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileProblems([Problem(f"answer sheet cannot be read as XLSX ({type(exc).__name__})", file=path,
                                    hint="save it again from the spreadsheet program as .xlsx")]) from None
    try:
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        out = []
        for n, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), 1):
            if n > MAX_ROWS + 1:
                raise _too_many(path)
            row: list[Any] = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    row.append(_Formula(str(cell.value)))
                else:
                    row.append(getattr(cell, "value", None))
            out.append((next((r for c in cells if (r := getattr(c, "row", None))), n), row))
        return out
    finally:
        wb.close()


@dataclass(frozen=True)
class _Formula:
    text: str


def _text(value: Any) -> str:
    """A cell as text: whole numbers without `.0`, dates as YYYY-MM-DD, the escape removed."""
    import datetime as _dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return unescape_cell(str(value).strip())


def _columns(path: Path, header: list[Any], out: Collected) -> dict[str, int]:
    from readiness.kernel.problems import did_you_mean

    known = ANSWER_COLUMNS + INFO_COLUMNS
    columns: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = _text(raw).lower() if not isinstance(raw, _Formula) else ""
        if not name:
            continue
        if name not in known:
            out.add(f"unknown column '{name}'", file=path, where="row 1",
                    hint=did_you_mean(name, known) or "the columns are " + ", ".join(ANSWER_COLUMNS))
        elif name in columns:
            out.add(f"the column '{name}' appears twice", file=path, where="row 1")
        else:
            columns[name] = i
    for name in ("question", "value"):
        if name not in columns:
            out.add(f"no '{name}' column in the header row", file=path, where="row 1",
                    hint="the first row names the columns: " + ",".join(ANSWER_COLUMNS))
    return columns


def _answers(path: Path, table: list[tuple[int, list[Any]]], q: Questionnaire, *, respondent: bool) -> dict:
    from readiness.workspace.models import Answer

    out = Collected()
    if not table or not any(_text(c) for c in table[0][1] if not isinstance(c, _Formula)):
        raise FileProblems([Problem("answer sheet is empty: no header row", file=path,
                                    hint="the first row names the columns: " + ",".join(ANSWER_COLUMNS))])
    columns = _columns(path, table[0][1], out)
    out.raise_if_any()
    answers: dict[str, Answer] = {}
    seen: dict[str, int] = {}
    for n, cells in table[1:]:
        where = f"row {n}"
        formula = next((c for c in cells if isinstance(c, _Formula)), None)
        if formula is not None:
            out.add(f"a cell holds the formula '{formula.text[:60]}'; formulas are not evaluated", file=path,
                    where=where, hint="type the answer itself in the cell")
            continue

        def cell(name: str) -> str:  # called in this pass of the loop only
            i = columns.get(name)
            return _text(cells[i]) if i is not None and i < len(cells) else ""  # noqa: B023

        raw = {name: cell(name) for name in ANSWER_COLUMNS}
        if not any(raw.values()):
            continue
        answer = _row_answer(path, where, raw, cells[columns["value"]] if columns["value"] < len(cells) else None,
                             q, respondent, out)
        if answer is None:
            continue
        qid = raw["question"]
        if qid in seen:
            out.add(f"'{qid}' is answered twice, also on row {seen[qid]}", file=path, where=where,
                    hint="keep one row per question")
            continue
        seen[qid] = n
        answers[qid] = answer
    out.raise_if_any(hint="fix the rows named and read the sheet again; no answer was saved")
    return answers


def _row_answer(path, where, raw: dict[str, str], value_cell: Any, q: Questionnaire, respondent: bool,
                out: Collected):
    """One row's Answer, or None (an empty row, or a problem added to `out`)."""
    from readiness.questionnaire.allowed import allowed_values
    from readiness.kernel.problems import did_you_mean
    from readiness.questionnaire.values import MAX_TEXT_CHARS, ValueProblem
    from readiness.workspace.models import Answer

    qid = raw["question"]
    if not qid:
        out.add("the question column is empty", file=path, where=where, hint="give the question's id, as written")
        return None
    question = q.by_id.get(qid)
    if question is None:
        out.add(f"unknown question id '{qid}'", file=path, where=where,
                hint=did_you_mean(qid, q.by_id) or f"it is not in questionnaire {q.ref}")
        return None
    if respondent and question.scope != "respondent":
        out.add(f"'{qid}' is a site question, not asked of each respondent", file=path, where=where,
                hint="read this row without --respondent")
        return None
    if not respondent and question.scope == "respondent":
        out.add(f"'{qid}' is asked of each respondent", file=path, where=where,
                hint='read it with --respondent "Their Name"')
        return None
    word = " ".join(raw["status"].lower().split())
    if word not in STATUS_WORDS:
        out.add(f"'{raw['status']}' is not a status", file=path, where=where,
                hint="leave it empty when the value is the answer, or write don't know, not applicable or skipped")
        return None
    status = STATUS_WORDS[word]
    for name in ("note", "evidence"):
        if len(raw[name]) > MAX_TEXT_CHARS:
            out.add(f"the {name} is too long ({len(raw[name]):,} characters; the limit is {MAX_TEXT_CHARS:,})",
                    file=path, where=where)
            return None
    extra = {"note": raw["note"] or None, "evidence": raw["evidence"] or None}
    if status is None and not raw["value"]:
        if extra["note"] or extra["evidence"]:
            out.add(f"'{qid}' has a note or evidence but no answer", file=path, where=where,
                    hint="give a value, or a status such as don't know")
        return None  # left open
    if status not in (None, "answered"):
        if raw["value"]:
            out.add(f"'{qid}' has both a value and the status '{raw['status']}'", file=path, where=where,
                    hint="keep one: the value, or the status")
            return None
        from readiness.workspace.answering import status_problem

        problem = status_problem(question, status)
        if problem:
            out.add(problem, file=path, where=where, hint="give a value")
            return None
        return Answer(status=status, **extra)
    if not raw["value"]:
        out.add(f"'{qid}' is marked answered but has no value", file=path, where=where,
                hint=f"it takes {allowed_values(question)}")
        return None
    try:
        value = _value(question, raw["value"], value_cell)
    except ValueProblem as exc:
        out.add(f"answer to '{qid}': {exc}", file=path, where=where, hint=f"it takes {allowed_values(question)}")
        return None
    return Answer(value=value, status="answered", **extra)


def _value(question: Question, text: str, cell: Any) -> Any:
    """The stored form of one cell: as typed, except that a checklist separates its choices with `;`
    (labels may hold commas) and a typed number or date cell keeps its own type."""
    import datetime as _dt

    from readiness.questionnaire.values import ValueProblem, check_value, parse_cli_value

    if question.type == "multi":
        if ";" in text:
            return check_value(question, [part.strip() for part in text.split(";") if part.strip()])
        try:
            return check_value(question, [text])  # one choice, perhaps with a comma in its label
        except ValueProblem:
            return check_value(question, text)  # commas between choices, as `answer` takes them
    if question.type in ("number", "scale") and isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return check_value(question, cell)
    if question.type == "date" and isinstance(cell, (_dt.date, _dt.datetime)):
        return check_value(question, cell)
    return parse_cli_value(question, text)
