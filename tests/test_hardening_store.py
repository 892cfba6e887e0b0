"""The site folder as people really use it: several interviewees with similar names, answers.yaml edited
by hand in a shared folder, values typed as text, and questionnaires switched and switched back.

Each test is named by what it used to break (issue 14): two people sharing one respondent file, one
`answer` erasing every comment and locking colleagues out (mode 0600), `no`/`8:30`/`052` silently
becoming False/510/42, `1,5` read as 15, answers stranded under `unmapped:`.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from readiness.workspace.models import Answer
from readiness.workspace.store import open_site, save_answer

from conftest import MINI, invoke, snapshot


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring it afterwards."""
    saved = os.umask(0o022)
    os.umask(saved)

    def set_to(mask: int) -> None:
        os.umask(mask)

    yield set_to
    os.umask(saved)


def _respondent_files(site: Path) -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted((site / "respondents").glob("*.yaml"))}


# ---------------------------------------------------------------- respondent identity

ALIKE = [
    pytest.param("Ana Ruiz", "ANA RUIZ", id="case"),
    pytest.param("Ana Ruiz", "Ana Ruíz", id="accent"),
    pytest.param("Pat O'Neil", "Pat O Neil", id="punctuation"),
    pytest.param("Chief " + "Alexandria " * 6 + "Smith", "Chief " + "Alexandria " * 6 + "Jones", id="long-names"),
    pytest.param("Иван Петров", "ИВАН ПЕТРОВ", id="cyrillic-case"),
    pytest.param("李明", "李 明", id="chinese-spacing"),
]


@pytest.mark.parametrize("first,second", ALIKE)
def test_names_that_slug_alike_never_share_a_respondent_file(mini_site, first, second):
    assert invoke("answer", mini_site, "support_diversion", "2", "--respondent", first).exit_code == 0
    result = invoke("answer", mini_site, "support_diversion", "5", "--respondent", second)
    assert result.exit_code == 0, result.output
    files = _respondent_files(mini_site)
    assert len(files) == 2, files
    by_name = {data["name"]: data for data in files.values()}
    assert set(by_name) == {first.strip(), second.strip()}  # each file records the exact name
    assert by_name[first]["answers"]["support_diversion"]["value"] == 2
    assert by_name[second]["answers"]["support_diversion"]["value"] == 5
    site = open_site(mini_site)
    assert sorted(r.answers["support_diversion"].value for r in site.respondents.values()) == [2, 5]


@pytest.mark.parametrize("first,second", ALIKE)
def test_the_same_exact_name_finds_its_own_file_again(mini_site, first, second):
    for name, value in ((first, "2"), (second, "5"), (second, "4"), (first, "3")):
        assert invoke("answer", mini_site, "support_diversion", value, "--respondent", name).exit_code == 0
    files = _respondent_files(mini_site)
    assert len(files) == 2
    assert {d["name"]: d["answers"]["support_diversion"]["value"] for d in files.values()} == {first: 3, second: 4}


def test_a_file_taken_by_someone_else_meanwhile_is_never_overwritten(mini_site):
    from readiness.workspace.store import respondent_for

    site = open_site(mini_site)
    ana = respondent_for(site, "Ana Ruiz")  # chosen before the other person's file exists
    assert invoke("answer", mini_site, "support_diversion", "1", "--respondent", "ANA RUIZ").exit_code == 0
    taken = (mini_site / "respondents" / f"{ana.slug}.yaml").read_bytes()
    save_answer(site, "support_diversion", Answer(value=5), ana)
    assert (mini_site / "respondents" / "ana-ruiz.yaml").read_bytes() == taken
    files = _respondent_files(mini_site)
    assert {d["name"]: d["answers"]["support_diversion"]["value"] for d in files.values()} == {"ANA RUIZ": 1,
                                                                                                "Ana Ruiz": 5}


def test_interview_answers_file_for_a_similar_name_gets_its_own_file(mini_site, tmp_path):
    assert invoke("answer", mini_site, "support_diversion", "2", "--respondent", "Jo Lee").exit_code == 0
    given = tmp_path / "jo.yaml"
    given.write_text("name: JO LEE\nanswers:\n  support_diversion: 5\n")
    result = invoke("interview", mini_site, "--answers", given)
    assert result.exit_code == 0, result.output
    assert {d["name"]: d["answers"]["support_diversion"]["value"] for d in _respondent_files(mini_site).values()} \
        == {"Jo Lee": 2, "JO LEE": 5}


def test_interview_respondent_resumes_by_exact_name_not_by_file_name(mini_site):
    from readiness.interview.session import _respondent

    for name, value in (("Ana Ruiz", "2"), ("ANA RUIZ", "5")):
        assert invoke("answer", mini_site, "support_diversion", value, "--respondent", name).exit_code == 0
    site = open_site(mini_site)
    upper = _respondent(site, "ANA RUIZ", None, None)
    assert upper.name == "ANA RUIZ" and upper.answers["support_diversion"].value == 5
    assert _respondent(site, "Ana Ruiz", None, None).answers["support_diversion"].value == 2
    assert _respondent(site, "Ana Ruíz", None, None).answers == {}  # a third person, not a resume


# ---------------------------------------------------------------- hand edits survive

HAND_EDITS = [
    ("# Harbor County (fictional)", "# Harbor County (fictional)  # edited by hand: Jordan, 2026-11-02"),
    ("answers:\n", "answers:\n  # Please keep the profile answers in the order the MOU uses.\n"),
    ("  county_name:\n", "  county_name:   # as written on the county seal\n"),
    ("    value: Harbor City Police Department\n",
     "    value: Harbor City Police Department   # confirmed with the chief's office\n"),
]


def _hand_edit(answers: Path) -> list[str]:
    text = answers.read_text()
    for old, new in HAND_EDITS:
        assert old in text
        text = text.replace(old, new, 1)
    text += "# End of the file: questions still to ask the DA are on the whiteboard.\n"
    answers.write_text(text)
    return [line.strip() for line in text.splitlines() if "#" in line]


def test_answer_and_interview_keep_every_comment_and_the_mode_of_a_hand_edited_answers_file(
        example_copy, tmp_path):
    site = example_copy("harbor-county")
    answers = site / "answers.yaml"
    comments = _hand_edit(answers)
    assert len(comments) >= 20  # the example's own section comments plus the hand edits
    os.chmod(answers, 0o664)  # a shared folder: colleagues may read and write
    original = answers.read_text().splitlines()

    result = invoke("answer", site, "program_name", "Harbor County Diversion", "--note", "renamed by the PCG")
    assert result.exit_code == 0, result.output
    given = tmp_path / "more.yaml"
    given.write_text("answers:\n  da_name: Teresa Whitlock-Ames\n  lead_agency_name: no\n")
    result = invoke("interview", site, "--answers", given)
    assert result.exit_code == 0, result.output

    text = answers.read_text()
    now = [line.strip() for line in text.splitlines()]
    missing = [c for c in comments if c not in now and not any(c.split("#", 1)[1] in ln for ln in now)]
    assert not missing, missing
    assert _mode(answers) == 0o664
    # Only the three changed entries differ; every other line is as the person left it.
    current = text.splitlines()
    current.remove("questionnaire: lead-site-readiness@1.3.0")  # recorded by the first write, above answers:
    assert _only_changed_entries(original, current, {"program_name", "da_name", "lead_agency_name"})
    site_now = open_site(site)
    assert site_now.answers["program_name"].value == "Harbor County Diversion"
    assert site_now.answers["lead_agency_name"].value == "no"  # as typed, and written back quoted
    assert re.search(r"value: 'no' +# confirmed with the chief's office", text)  # a comment inside the entry


def _only_changed_entries(original: list[str], current: list[str], changed: set[str]) -> bool:
    """Lines outside the changed entries are unchanged and in the same order."""
    def outside(lines: list[str]) -> list[str]:
        out, skipping = [], False
        for line in lines:
            if re.match(r"^  \S", line):
                skipping = line.strip().split(":")[0] in changed
            if not skipping:
                out.append(line)
        return out

    return outside(original) == outside(current)


def test_only_the_changed_entries_of_a_hand_edited_file_change(example_copy, tmp_path):
    site = example_copy("harbor-county")
    answers = site / "answers.yaml"
    _hand_edit(answers)
    original = answers.read_text().splitlines()
    assert invoke("answer", site, "program_name", "Harbor County Diversion").exit_code == 0
    assert invoke("answer", site, "da_name", "Teresa Whitlock-Ames").exit_code == 0
    current = answers.read_text().splitlines()
    # The example names no questionnaire; the first write records it, just above `answers:`.
    assert current.count("questionnaire: lead-site-readiness@1.3.0") == 1
    current.remove("questionnaire: lead-site-readiness@1.3.0")
    assert _only_changed_entries(original, current, {"program_name", "da_name"})


def test_windows_line_endings_are_kept(mini_site):
    answers = mini_site / "answers.yaml"
    assert invoke("answer", mini_site, "county_name", "Hill County").exit_code == 0
    answers.write_bytes(answers.read_bytes().replace(b"\n", b"\r\n") + b"# notes\r\n")
    assert invoke("answer", mini_site, "intake_days", "20").exit_code == 0
    raw = answers.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and raw.endswith(b"# notes\r\n")
    assert open_site(mini_site).answers["intake_days"].value == 20


def test_a_hand_edited_respondent_file_keeps_its_comments_and_mode(example_copy, tmp_path):
    site = example_copy("harbor-county")
    path = site / "respondents" / "renee-caldwell.yaml"
    text = path.read_text().replace("role: Chief of Police\n", "role: Chief of Police   # since 2024\n")
    text = text.replace("answers:\n", "answers:\n  # answered at the 2 October sitting, notes in the binder\n")
    path.write_text(text)
    os.chmod(path, 0o640)
    given = tmp_path / "renee.yaml"
    given.write_text("name: Renee Caldwell\nanswers:\n  resp_concerns: 8:30 shift change\n  resp_staff_time: 4\n")
    result = invoke("interview", site, "--answers", given)
    assert result.exit_code == 0, result.output
    after = path.read_text()
    assert "# since 2024" in after and "# answered at the 2 October sitting" in after
    assert _mode(path) == 0o640
    assert len(list((site / "respondents").glob("*.yaml"))) == 5  # resumed her own file
    renee = next(r for r in open_site(site).respondents.values() if r.name == "Renee Caldwell")
    assert renee.answers["resp_concerns"].value == "8:30 shift change"
    assert renee.answers["resp_staff_time"].value == 4


@pytest.mark.parametrize("mask,expected", [(0o002, 0o664), (0o022, 0o644), (0o077, 0o600)])
def test_new_site_files_follow_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    site = tmp_path / "site"
    assert invoke("new", site, "--name", "Test County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    assert invoke("answer", site, "support_diversion", "4", "--respondent", "Jo Lee").exit_code == 0
    for path in (site / "site.yaml", site / "answers.yaml", site / "respondents" / "jo-lee.yaml"):
        assert _mode(path) == expected, (path.name, oct(_mode(path)))


def test_an_existing_files_mode_is_kept_by_every_write(mini_site, umask):
    umask(0o077)
    os.chmod(mini_site / "answers.yaml", 0o660)
    for args in (["intake_days", "20"], ["county_name", "Hill County"], ["ssp_in_county", "no"]):
        assert invoke("answer", mini_site, *args).exit_code == 0
    assert _mode(mini_site / "answers.yaml") == 0o660
    assert not [p for p in mini_site.iterdir() if p.name.endswith(".tmp")]  # atomic: no leftovers


def test_a_tool_written_file_stays_in_the_tools_layout(mini_site):
    """A file with no hand edits is written exactly as before (same layout as `dump_yaml`)."""
    from readiness.files import dump_yaml
    from readiness.workspace.store import ANSWERS_HEADER

    for args in (["intake_days", "20"], ["county_name", "no"], ["naloxone_points", "pharmacy,ssp"]):
        assert invoke("answer", mini_site, *args).exit_code == 0
    text = (mini_site / "answers.yaml").read_text()
    assert text == ANSWERS_HEADER + dump_yaml(yaml.safe_load(text))


# ---------------------------------------------------------------- values as typed

TRICKY_TEXT = ["no", "Yes", "off", "8:30", "052", "0x1F", "1_000", "2027-03-01", "~", "null", "1e3", ".inf",
               "- a list?", "#hashtag", "a: b", "'quoted'", "=", "<<", "!important", "@here", "%20", "true"]


@pytest.mark.parametrize("hand_edited", [False, True], ids=["tool-written", "hand-edited"])
def test_a_text_answer_is_written_so_it_reads_back_as_the_same_text(mini_site, hand_edited):
    answers = mini_site / "answers.yaml"
    if hand_edited:
        answers.write_text(answers.read_text() + "  # filled in at the PCG meeting\n")
    for text in TRICKY_TEXT:
        result = invoke("answer", mini_site, "county_name", "--", text)
        assert result.exit_code == 0, (text, result.output)
        assert open_site(mini_site).answers["county_name"].value == text
        assert yaml.safe_load(answers.read_text())["answers"]["county_name"]["value"] == text  # any YAML reader
    assert ("# filled in at the PCG meeting" in answers.read_text()) is hand_edited


def test_text_answers_written_by_hand_are_taken_as_typed(mini_site):
    (mini_site / "answers.yaml").write_text(
        "answers:\n"
        "  county_name: no\n"
        "  ssp_in_county: no\n"
        "  ssp_nearest: 8:30\n"
        "  intake_days: 052\n"
        "  partners: {value: [{name: 052, head_name: Yes, kind: police}]}\n")
    site = open_site(mini_site)
    assert site.answers["county_name"].value == "no"
    assert site.answers["ssp_in_county"].value is False  # a yes/no question still reads `no` as no
    assert site.answers["ssp_nearest"].value == "8:30"
    assert site.answers["intake_days"].value == 52  # a number as written, not octal 42
    assert site.answers["partners"].value == [{"name": "052", "head_name": "Yes", "kind": "police"}]


def test_respondent_text_written_by_hand_is_taken_as_typed(example_copy):
    site = example_copy("harbor-county")
    path = site / "respondents" / "renee-caldwell.yaml"
    path.write_text(re.sub(r"(?m)^  resp_concerns: .*$", "  resp_concerns: {value: no}", path.read_text()))
    renee = next(r for r in open_site(site).respondents.values() if r.name == "Renee Caldwell")
    assert renee.answers["resp_concerns"].value == "no"


def test_interview_answers_file_takes_text_as_typed_and_writes_it_quoted(mini_site, tmp_path):
    given = tmp_path / "given.yaml"
    given.write_text("answers:\n  county_name: off\n  ssp_in_county: no\n  ssp_nearest: 10:45\n")
    result = invoke("interview", mini_site, "--answers", given)
    assert result.exit_code == 0, result.output
    stored = yaml.safe_load((mini_site / "answers.yaml").read_text())["answers"]
    assert stored["county_name"]["value"] == "off" and stored["ssp_nearest"]["value"] == "10:45"
    assert stored["ssp_in_county"]["value"] is False


@pytest.mark.parametrize("typed", ["1,5", "15,0", "1,50", ",5", "1,,500"])
def test_a_decimal_comma_is_refused_not_read_as_thousands(mini_site, typed):
    before = snapshot(mini_site)
    result = invoke("answer", mini_site, "intake_days", typed)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: answer to 'intake_days': expected a number, got")
    assert typed in result.stderr and "1.5" in result.stderr
    assert snapshot(mini_site) == before


def test_thousands_separators_are_still_read(tmp_path):
    from readiness.questionnaire.values import _number

    assert _number("1,500", None) == 1500 and _number("12,345.5", None) == 12345.5


def test_a_decimal_comma_in_answers_yaml_is_refused_with_its_line(mini_site):
    (mini_site / "answers.yaml").write_text("answers:\n  county_name: Hill\n  intake_days: 1,5\n")
    result = invoke("score", mini_site)
    assert result.exit_code == 1
    assert "answers.yaml:3" in result.stderr and "'1,5'" in result.stderr


@pytest.mark.parametrize("value", [
    "[{name: !!binary aGVsbG8=}]",
    "[{name: !!python/object/apply:os.system [echo pwned]}]",
    "!!set {a, b}",
    "[{name: !!int 5}]",
    "[{name: &a [*a]}]",
])
def test_tags_are_refused_in_command_line_records_values(mini_site, value):
    before = snapshot(mini_site)
    result = invoke("answer", mini_site, "partners", value)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: answer to 'partners':")
    assert "Traceback" not in result.output
    assert snapshot(mini_site) == before


def test_command_line_records_values_are_taken_as_typed(mini_site):
    assert invoke("answer", mini_site, "partners", "[{name: 052, head_name: no, kind: police}]").exit_code == 0
    assert open_site(mini_site).answers["partners"].value == [{"name": "052", "head_name": "no", "kind": "police"}]


# ---------------------------------------------------------------- nothing stranded


def _version(tmp_path: Path, version: str, drop: str | None = None, qid: str = "mini") -> Path:
    text = MINI.read_text().replace("version: 1.0.0", f"version: {version}").replace("id: mini\n", f"id: {qid}\n")
    if drop:
        start = text.index(f"  - id: {drop}")
        end = re.compile(r"^  - id: |^\S", re.M).search(text, start + 5)
        end = end.start() if end else len(text)
        text = text[:start] + text[end:]
    path = tmp_path / f"{qid}-{version}.yaml"
    path.write_text(text)
    return path


def _switch(site: Path, questionnaire: Path) -> None:
    data = yaml.safe_load((site / "site.yaml").read_text())
    head = yaml.safe_load(questionnaire.read_text())
    data.update(questionnaire=f"{head['id']}@{head['version']}", questionnaire_file=str(questionnaire))
    (site / "site.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_answers_moved_aside_by_a_switch_come_back_when_the_site_switches_back(mini_site, tmp_path):
    assert invoke("answer", mini_site, "naloxone_points", "pharmacy,ssp").exit_code == 0
    assert invoke("answer", mini_site, "intake_days", "21").exit_code == 0
    _switch(mini_site, _version(tmp_path, "1.1.0", drop="naloxone_points"))
    assert invoke("answer", mini_site, "county_name", "Hill County").exit_code == 0
    data = yaml.safe_load((mini_site / "answers.yaml").read_text())
    assert "naloxone_points" in data["unmapped"] and "naloxone_points" not in data["answers"]

    _switch(mini_site, MINI)
    site = open_site(mini_site)
    assert site.answers["naloxone_points"].value == ["pharmacy", "ssp"]  # used again at once
    assert "naloxone_points" not in site.unmapped
    assert any("used again" in n for n in site.notices)
    assert invoke("answer", mini_site, "ssp_in_county", "yes").exit_code == 0
    data = yaml.safe_load((mini_site / "answers.yaml").read_text())
    assert data["answers"]["naloxone_points"]["value"] == ["pharmacy", "ssp"] and "unmapped" not in data
    assert data["answers"]["intake_days"]["value"] == 21


def test_a_respondent_answer_kept_aside_comes_back_too(mini_site, tmp_path):
    """A respondent file whose answer an older switch moved under `unmapped:`."""
    (mini_site / "respondents" / "jo-lee.yaml").write_text(
        "name: Jo Lee\nanswers: {}\nunmapped:\n  support_diversion: {value: 4, at: '2026-11-02T10:00:00'}\n")
    assert open_site(mini_site).respondents["jo-lee"].answers["support_diversion"].value == 4
    assert invoke("answer", mini_site, "support_diversion", "5", "--respondent", "Jo Lee").exit_code == 0
    data = yaml.safe_load((mini_site / "respondents" / "jo-lee.yaml").read_text())
    assert data["answers"]["support_diversion"]["value"] == 5
    assert data["unmapped"]["support_diversion"]["value"] == 4  # the answer given anew wins; the old one is kept


def test_a_switch_to_another_questionnaire_id_keeps_unknown_answers_aside(mini_site, tmp_path):
    assert invoke("answer", mini_site, "naloxone_points", "pharmacy").exit_code == 0
    _switch(mini_site, _version(tmp_path, "1.0.0", drop="naloxone_points", qid="acme-mini"))
    result = invoke("score", mini_site)
    assert result.exit_code == 0, result.output
    assert "collected under questionnaire mini@1.0.0" in result.stderr
    assert "naloxone_points" in open_site(mini_site).unmapped


@pytest.mark.parametrize("command", ["answer", "interview"])
def test_answer_with_another_questionnaire_is_refused_and_changes_nothing(mini_site, tmp_path, command):
    other = _version(tmp_path, "1.1.0", drop="naloxone_points")
    assert invoke("answer", mini_site, "naloxone_points", "pharmacy").exit_code == 0
    before = snapshot(mini_site)
    given = tmp_path / "given.yaml"
    given.write_text("answers:\n  intake_days: 20\n")
    args = (["answer", mini_site, "intake_days", "20"] if command == "answer"
            else ["interview", mini_site, "--answers", given])
    result = invoke(*args, "--questionnaire", other)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: --questionnaire {other} is mini@1.1.0, but site {mini_site} uses "
                                    "mini@1.0.0")
    assert "site.yaml" in result.stderr and "questionnaire: mini@1.1.0" in result.stderr
    assert snapshot(mini_site) == before


def test_answer_with_the_sites_own_questionnaire_given_again_is_fine(mini_site):
    result = invoke("answer", mini_site, "intake_days", "20", "--questionnaire", MINI)
    assert result.exit_code == 0, result.output
    assert open_site(mini_site).answers["intake_days"].value == 20


def test_score_with_another_questionnaire_still_only_reads(mini_site, tmp_path):
    other = _version(tmp_path, "1.1.0", drop="naloxone_points")
    assert invoke("answer", mini_site, "naloxone_points", "pharmacy").exit_code == 0
    before = snapshot(mini_site)
    assert invoke("score", mini_site, "--questionnaire", other).exit_code == 0
    assert snapshot(mini_site) == before
