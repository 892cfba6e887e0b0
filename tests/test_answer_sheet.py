"""Answer sheets: `answer-sheet SITE` writes the open questions as XLSX or CSV; `interview SITE --answers
SHEET` reads a filled one back, every row checked as a typed answer is, all or nothing."""
from __future__ import annotations

import csv
import io
import os
import zipfile

import pytest
import yaml

from conftest import invoke, snapshot

openpyxl = pytest.importorskip("openpyxl")


def _sheet(site, name="sheet.xlsx", *extra):
    path = site.parent / name
    result = invoke("answer-sheet", site, "--output", path, *extra)
    assert result.exit_code == 0, result.output
    return path


def _answers(site):
    from readiness.workspace.store import open_site

    return open_site(site).answers


def _csv_rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def test_the_sheet_lists_every_open_question_with_its_allowed_values_and_help(example_copy):
    site = example_copy("willow-bend-county")
    before = snapshot(site)
    path = _sheet(site)
    assert snapshot(site) == before  # written beside the site, nothing inside it changed
    wb = openpyxl.load_workbook(path)
    ws = wb["Answers"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["question", "value", "status", "note", "evidence"]
    assert header[5:] == ["text", "allowed", "help", "domain", "now"]
    ids = [row[0].value for row in ws.iter_rows(min_row=2)]
    answers = _answers(site)
    assert "dsa_signed" in ids and answers["dsa_signed"].status == "unknown"  # "don't know" is still open
    assert "da_name" not in ids  # answered
    assert all(answers.get(i) is None or answers[i].status not in ("answered", "not_applicable") for i in ids)
    row = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=2)}
    assert row["dsa_signed"][header.index("allowed")] == "yes or no; or don't know"
    assert row["dsa_signed"][header.index("now")] == "Don't know"
    assert row["missed_intake_outcome"][header.index("allowed")].startswith(
        "one of: Written rule - the charge may be filed; ")
    assert "(separated by ;)" in row["eligibility_offenses_pending"][header.index("allowed")]
    assert row["health_director_title"][header.index("help")].startswith(
        "Answer only if it applies: it depends on health_department_director.")
    assert ws.freeze_panes == "B2"
    assert ws.cell(row=2, column=header.index("help") + 1).alignment.wrap_text
    assert wb["Lists"].sheet_state == "hidden"
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    value_col = "B"
    n = ids.index("missed_intake_outcome") + 2
    choice = validations[f"{value_col}{n}"]
    cells = choice.formula1.split("!")[1].replace("$", "").split(":")
    lists = wb["Lists"]
    offered = [c.value for c in lists[cells[0]:cells[1]][0]]
    assert offered == [c.label for c in _questionnaire(site).by_id["missed_intake_outcome"].choices]
    assert any("don't know" in (dv.formula1 or "") for dv in validations.values())  # the status dropdown
    csv_rows = _csv_rows(_sheet(site, "sheet.csv"))
    assert csv_rows[0] == header and [r[0] for r in csv_rows[1:]] == ids


def _questionnaire(site):
    from readiness.workspace.store import open_site

    return open_site(site).questionnaire


def test_round_trip_xlsx_two_rows_filled_with_openpyxl(example_copy):
    site = example_copy("willow-bend-county")
    path = _sheet(site)
    wb = openpyxl.load_workbook(path)
    ws = wb["Answers"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "missed_intake_outcome":
            row[1].value = "Written rule - the charge is held for a set period"  # the dropdown's label
            row[3].value = "Per the DA's memo of March 3"
        if row[0].value == "intake_window_days":
            row[1].value = 14  # a number cell
            row[4].value = "Draft protocol, section 2"
    wb.save(path)
    result = invoke("interview", site, "--answers", path, "--no-input")
    assert result.exit_code == 0, result.output
    assert f"Saved 2 answers from {path}" in result.stdout
    answers = _answers(site)
    assert answers["missed_intake_outcome"].value == "held"
    assert answers["missed_intake_outcome"].note == "Per the DA's memo of March 3"
    assert answers["intake_window_days"].value == 14
    assert answers["intake_window_days"].evidence == "Draft protocol, section 2"
    assert answers["dsa_signed"].status == "unknown"  # rows left empty change nothing


def test_round_trip_csv_two_rows_with_a_checklist_and_a_status(example_copy):
    site = example_copy("willow-bend-county")
    path = _sheet(site, "sheet.csv")
    rows = _csv_rows(path)
    q = _questionnaire(site).by_id["eligibility_offenses_pending"]
    for row in rows[1:]:
        if row[0] == "eligibility_offenses_pending":
            row[1] = f"{q.choices[1].label}; {q.choices[0].label}"  # labels, in any order, separated by ;
        if row[0] == "comms_plan":
            row[2] = "not applicable"
            row[3] = "The county's communications office handles this"
    _write_csv(path, rows)
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 0, result.output
    answers = _answers(site)
    assert answers["eligibility_offenses_pending"].value == [q.choices[0].value, q.choices[1].value]
    assert answers["comms_plan"].status == "not_applicable"
    assert answers["comms_plan"].note == "The county's communications office handles this"
    again = _csv_rows(_sheet(site, "again.csv"))
    assert {"eligibility_offenses_pending", "comms_plan"}.isdisjoint(r[0] for r in again)  # no longer open


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_row_gives_its_row_number_and_changes_nothing(example_copy, fmt):
    site = example_copy("willow-bend-county")
    path = _sheet(site, f"sheet.{fmt}")
    before = snapshot(site)
    fills = {"dsa_signed": "yes", "fair_chance_hiring": "perhaps", "intake_window_days": "900"}
    if fmt == "csv":
        rows = _csv_rows(path)
        for row in rows[1:]:
            row[1] = fills.get(row[0], row[1])
        _write_csv(path, rows)
        ids = [r[0] for r in rows]
    else:
        wb = openpyxl.load_workbook(path)
        ws = wb["Answers"]
        for row in ws.iter_rows(min_row=2):
            row[1].value = fills.get(row[0].value, row[1].value)
        wb.save(path)
        ids = [c.value for c in ws["A"]]
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 1
    bad, far = ids.index("fair_chance_hiring") + 1, ids.index("intake_window_days") + 1
    assert f"{path}: row {bad}: answer to 'fair_chance_hiring': expected yes or no" in result.stderr
    assert f"row {far}: answer to 'intake_window_days': 900 is above the maximum of 365" in result.stderr
    assert "no answer was saved" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(site) == before  # the good row (dsa_signed) was not taken either


@pytest.mark.parametrize("rows, message", [
    ([["question", "value"], ["dsa_signd", "yes"]], "row 2: unknown question id 'dsa_signd' (did you mean 'dsa_signed'?)"),
    ([["question", "vaule"], ["dsa_signed", "yes"]], "row 1: unknown column 'vaule' (did you mean 'value'?)"),
    ([["question", "value"], ["dsa_signed", "yes"], ["dsa_signed", "no"]], "row 3: 'dsa_signed' is answered twice, also on row 2"),
    ([["question", "value", "status"], ["dsa_signed", "yes", "don't know"]], "row 2: 'dsa_signed' has both a value and the status"),
    ([["question", "value", "status"], ["dsa_signed", "", "maybe"]], "row 2: 'maybe' is not a status"),
    ([["question", "value", "note"], ["dsa_signed", "", "ask counsel"]], "row 2: 'dsa_signed' has a note or evidence but no answer"),
    ([["question", "value"], ["resp_support_diversion", "5"]], "row 2: 'resp_support_diversion' is asked of each respondent"),
    ([["question", "value"], ["", "yes"]], "row 2: the question column is empty"),
])
def test_bad_csv_sheets(example_copy, rows, message):
    site = example_copy("willow-bend-county")
    path = site.parent / "bad.csv"
    _write_csv(path, rows)
    before = snapshot(site)
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert snapshot(site) == before


def test_a_respondent_sheet_goes_to_their_file(example_copy):
    site = example_copy("willow-bend-county")
    path = site.parent / "resp.csv"
    _write_csv(path, [["question", "value", "status", "note", "evidence"], ["resp_support_diversion", "4", "", "", ""]])
    result = invoke("interview", site, "--answers", path, "--respondent", "Jordan Lee", "--role", "Sergeant")
    assert result.exit_code == 0, result.output
    from readiness.workspace.store import find_respondent, open_site

    who = find_respondent(open_site(site), "Jordan Lee")
    assert who.role == "Sergeant" and who.answers["resp_support_diversion"].value == 4


# ---------------------------------------------------------------- untrusted input


def test_text_that_a_spreadsheet_would_run_is_escaped_when_written_and_read_back_as_text(example_copy):
    from readiness.interview import sheet
    from readiness.workspace.store import open_site

    for risky in ("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"):
        assert sheet.escape_cell(risky) == "'" + risky and sheet.unescape_cell("'" + risky) == risky
    assert sheet.escape_cell("Don't know") == "Don't know" and sheet.unescape_cell("'quoted'") == "'quoted'"
    site = open_site(example_copy("willow-bend-county"))
    q = site.questionnaire
    planted = q.by_id["dsa_signed"].model_copy(update={"help": "=cmd|' /C calc'!A0"})
    rows = [sheet.SheetRow(planted, "Information sharing", "Don't know", "yes or no")]
    text = sheet._csv(rows)
    assert ",'=cmd|' /C calc'!A0," in text.replace('"', "")
    wb = openpyxl.load_workbook(io.BytesIO(sheet._xlsx(rows, "Test")))
    cell = wb["Answers"].cell(row=2, column=8)
    assert cell.data_type == "s" and cell.value == "'=cmd|' /C calc'!A0"  # text, not a formula
    # a county's own text answer that starts with = is kept as the text it is, never evaluated
    path = site.root.parent / "eq.csv"
    _write_csv(path, [["question", "value"], ["program_hours", "'=1+1"]])
    assert invoke("interview", site.root, "--answers", path).exit_code == 0
    assert open_site(site.root).answers["program_hours"].value == "=1+1"


def test_a_formula_cell_is_refused_with_its_row(example_copy):
    site = example_copy("willow-bend-county")
    path = _sheet(site)
    wb = openpyxl.load_workbook(path)
    ws = wb["Answers"]
    ws["B3"] = '=IF(TRUE,"Yes","No")'
    wb.save(path)
    before = snapshot(site)
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 1
    assert "row 3: a cell holds the formula '=IF(TRUE,\"Yes\",\"No\")'; formulas are not evaluated" in result.stderr
    assert snapshot(site) == before


def test_an_xlsx_declaring_entities_or_unpacking_huge_is_refused(example_copy, tmp_path):
    site = example_copy("willow-bend-county")
    path = _sheet(site)
    planted = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(planted, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            dst.writestr(item, data)
    result = invoke("interview", site, "--answers", planted)
    assert result.exit_code == 1 and "declares XML entities, which are not read" in result.stderr
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("xl/big.xml", b"\0" * (51 * 1024 * 1024))
    result = invoke("interview", site, "--answers", bomb)
    assert result.exit_code == 1 and "unpacks to more than 50 MB" in result.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really")
    result = invoke("interview", site, "--answers", junk)
    assert result.exit_code == 1 and "is not an XLSX file" in result.stderr


def test_too_many_rows_and_other_formats_are_refused(example_copy, tmp_path):
    from readiness.interview.sheet import MAX_ROWS

    site = example_copy("willow-bend-county")
    path = tmp_path / "long.csv"
    _write_csv(path, [["question", "value"]] + [["dsa_signed", ""]] * (MAX_ROWS + 1))
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 1 and f"more than {MAX_ROWS:,} rows" in result.stderr
    ods = tmp_path / "sheet.ods"
    ods.write_bytes(b"whatever")
    result = invoke("interview", site, "--answers", ods)
    assert result.exit_code == 1 and "save the sheet as .xlsx (Excel workbook) or .csv" in result.stderr
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = invoke("interview", site, "--answers", fifo)
    assert result.exit_code == 1 and "is a named pipe (FIFO), not a regular file" in result.stderr


def test_answer_sheet_never_replaces_a_file_without_force_nor_writes_through_a_link(example_copy, tmp_path):
    site = example_copy("harbor-county")
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"typed by the county")
    result = invoke("answer-sheet", site, "--output", path)
    assert result.exit_code == 1 and "exists (it may hold answers someone typed)" in result.stderr
    assert path.read_bytes() == b"typed by the county"
    assert invoke("answer-sheet", site, "--output", path, "--force").exit_code == 0
    assert zipfile.is_zipfile(path)
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    result = invoke("answer-sheet", site, "--output", link, "--force")
    assert result.exit_code == 1 and "is a link" in result.stderr and not (tmp_path / "elsewhere.csv").exists()
    result = invoke("answer-sheet", site, "--output", tmp_path / "sheet.txt")
    assert result.exit_code == 1 and "must end in .xlsx or .csv" in result.stderr
    default = invoke("answer-sheet", site)
    assert default.exit_code == 0 and (site / "answer-sheet.xlsx").exists()
    assert f"--answers {site / 'answer-sheet.xlsx'}" in default.stderr


def test_a_sheet_in_the_site_folder_that_links_out_of_it_is_refused(example_copy, tmp_path):
    site = example_copy("willow-bend-county")
    outside = tmp_path / "outside.csv"
    _write_csv(outside, [["question", "value"], ["dsa_signed", "yes"]])
    (site / "answer-sheet.csv").symlink_to(outside)
    before = snapshot(site)
    result = invoke("interview", site, "--answers", site / "answer-sheet.csv")
    assert result.exit_code == 1 and "is a link to" in result.stderr and "outside the site folder" in result.stderr
    assert snapshot(site) == before
    assert invoke("interview", site, "--answers", outside).exit_code == 0  # a sheet named from elsewhere is read


# ---------------------------------------------------------------- many rows: one write


def _typed(question) -> str:
    """A value for a sheet cell that the question takes."""
    t = question.type
    if t == "yes_no":
        return "yes"
    if t in ("choice", "multi"):
        return question.choices[0].label
    if t == "scale":
        return str(question.scale.max if question.scale else 5)
    if t == "number":
        spec = question.number
        return str(int(spec.min)) if spec and spec.min is not None else "1"
    if t == "date":
        return "2027-03-01"
    if t == "records":
        return "[]"
    return "Example answer"


def _filled_sheet(tmp_path, rows_wanted=120):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    path = _sheet(site, "sheet.csv")
    q = _questionnaire(site)
    rows = _csv_rows(path)
    assert len(rows) > rows_wanted
    for row in rows[1:rows_wanted + 1]:
        row[1] = _typed(q.by_id[row[0]])
    _write_csv(path, rows)
    return site, path, rows


@pytest.fixture
def writes(monkeypatch):
    """Every atomic file write and every lock taken, in order, while a test runs."""
    from readiness.workspace import store

    seen: list[str] = []
    real_write, real_lock = store.atomic_write, store.write_lock

    def counted_write(path, data, *args, **kwargs):
        seen.append(f"write {path.name}")
        return real_write(path, data, *args, **kwargs)

    def counted_lock(root):
        seen.append("lock")
        return real_lock(root)

    monkeypatch.setattr(store, "atomic_write", counted_write)
    monkeypatch.setattr(store, "write_lock", counted_lock)
    return seen


def test_a_sheet_of_120_rows_is_saved_in_one_write_under_one_lock(tmp_path, writes):
    site, path, rows = _filled_sheet(tmp_path)
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 0, result.output
    assert "Saved 120 answers from" in result.stdout
    assert writes == ["lock", "write answers.yaml"]  # not one write per row
    answers = _answers(site)
    assert all(answers[row[0]].status == "answered" for row in rows[1:121])
    assert "county_name" not in {row[0] for row in rows}  # given to `new`: not on the sheet


def test_one_bad_row_among_120_writes_nothing(tmp_path, writes):
    site, path, rows = _filled_sheet(tmp_path)
    bad = next(n for n, row in enumerate(rows) if n > 90 and _questionnaire(site).by_id[row[0]].type == "yes_no")
    rows[bad][1] = "perhaps"
    _write_csv(path, rows)
    before = snapshot(site)
    result = invoke("interview", site, "--answers", path)
    assert result.exit_code == 1
    assert f"row {bad + 1}: answer to '{rows[bad][0]}': expected yes or no" in result.stderr
    assert writes == [] and snapshot(site) == before


# ---------------------------------------------------------------- a respondent's sheet


def test_a_respondents_sheet_is_worded_for_their_role_and_read_back_into_their_file(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    before = snapshot(site)
    result = invoke("answer-sheet", site, "--respondent", "Sam Ortiz", "--role", "FOP Lodge 12 President")
    assert result.exit_code == 0, result.output
    path = site / "answer-sheet-sam-ortiz.xlsx"
    assert f"--answers {path} --respondent 'Sam Ortiz'" in " ".join(result.stderr.split())
    assert snapshot(site).keys() - before.keys() == {"answer-sheet-sam-ortiz.xlsx"}  # nobody's file made yet
    q = _questionnaire(site)
    per_person = [x for x in q.questions if x.scope == "respondent"]
    ws = openpyxl.load_workbook(path)["Answers"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [x.id for x in per_person]
    assert rows["resp_support_diversion"]["text"].startswith("How strongly do the members you represent support")
    assert "your agency" not in " ".join(r["text"] for r in rows.values())

    wb = openpyxl.load_workbook(path)
    for row in wb["Answers"].iter_rows(min_row=2):
        if row[0].value == "resp_support_diversion":
            row[1].value = 4
        if row[0].value == "resp_concerns":
            row[2].value, row[3].value = "don't know", "Will ask the lodge's board"
    wb.save(path)
    result = invoke("interview", site, "--answers", path, "--respondent", "Sam Ortiz",
                    "--role", "FOP Lodge 12 President", "--date", "2027-01-15")
    assert result.exit_code == 0, result.output
    assert "Saved 2 answers from" in result.stdout and "for Sam Ortiz" in result.stdout
    saved = yaml.safe_load((site / "respondents" / "sam-ortiz.yaml").read_text())
    assert (saved["name"], saved["date"], saved["role_kind"]) == ("Sam Ortiz", "2027-01-15", "union_representative")
    assert saved["answers"]["resp_support_diversion"]["value"] == 4
    assert saved["answers"]["resp_concerns"]["status"] == "unknown"
    assert saved["answers"]["resp_concerns"]["note"] == "Will ask the lodge's board"
    assert "resp_support_diversion" not in open_site_answers(site)  # a respondent's answer, not the site's

    again = site.parent / "again.csv"  # the next sheet for Sam holds only what is still open
    assert invoke("answer-sheet", site, "--respondent", "Sam Ortiz", "-o", again).exit_code == 0
    left = [r[0] for r in _csv_rows(again)[1:]]
    assert "resp_support_diversion" not in left and "resp_concerns" in left  # "don't know" is still open
    assert _csv_rows(again)[1][5].startswith("How comfortable are the members you represent")  # kind on file


def test_a_bad_row_in_a_respondents_sheet_names_its_row_and_changes_nothing(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    path = site.parent / "sam.csv"
    assert invoke("answer-sheet", site, "--respondent", "Sam Ortiz", "-o", path).exit_code == 0
    rows = _csv_rows(path)
    ids = [r[0] for r in rows]
    for row in rows:
        if row[0] == "resp_support_diversion":
            row[1] = "4"
        if row[0] == "resp_harm_reduction_comfort":
            row[1] = "9"
    rows.append(["dsa_signed", "yes"] + [""] * 8)
    _write_csv(path, rows)
    before = snapshot(site)
    result = invoke("interview", site, "--answers", path, "--respondent", "Sam Ortiz")
    assert result.exit_code == 1
    bad = ids.index("resp_harm_reduction_comfort") + 1
    assert f"{path}: row {bad}: answer to 'resp_harm_reduction_comfort'" in result.stderr
    assert f"row {len(rows)}: 'dsa_signed' is a site question, not asked of each respondent" in result.stderr
    assert "no answer was saved" in result.stderr and "Traceback" not in result.output
    assert snapshot(site) == before


def test_answer_sheet_respondent_options_are_checked(tmp_path):
    site = tmp_path / "harbor"
    assert invoke("new", site, "--name", "Harbor County", "--state", "NC").exit_code == 0
    result = invoke("answer-sheet", site, "--role", "Chief")
    assert result.exit_code == 1 and 'add --respondent "Their Name"' in result.stderr
    result = invoke("answer-sheet", site, "--respondent", "Sam Ortiz", "--role-kind", "union_rep")
    assert result.exit_code == 1 and "unknown --role-kind 'union_rep'" in result.stderr
    assert not list(site.glob("answer-sheet*"))


def open_site_answers(site):
    return _answers(site)
