"""Where an interagency agreement for the Program (or a similar diversion or deflection program) is already
in force, the pack drafts a conformity checklist for it instead of presenting the MOU as a new agreement
(issue 10, "The plan follows the answers"): one row per article of the model MOU for counsel to check the
agreement in force against, and the MOU marked as model text for amending it. "Don't know" is an open item
in the drafting memo, never "no agreement exists"; no answer changes nothing."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, invoke
from readiness.documents.consistency import check_consistency, stated_terms
from test_truthful_drafts import _render

TITLE = "Harbor County Deflection MOU of March 4, 2024"
NOTE = "**Model text for an amendment.**"
OPEN_ITEM = "[TO CONFIRM: whether an interagency agreement for the Program, or for a similar diversion or deflection program, is already in force]"


def _site(tmp_path: Path, *answers: tuple[str, ...]) -> Path:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    for answer in answers:
        result = invoke("answer", site, *answer)
        assert result.exit_code == 0, result.output
    return site


def _articles(mou: str) -> list[str]:
    """The numbered articles and appendices of the rendered model MOU."""
    return re.findall(r"^## ((?:\d+|Appendix [A-D])\.) ", mou, flags=re.M)


def test_an_agreement_in_force_gets_a_checklist_and_the_mou_becomes_model_text(tmp_path):
    docs = _render(_site(tmp_path, ("mou_in_force", "yes"), ("mou_in_force_title", TITLE)))
    md = docs["mou_conformity"]
    assert md.startswith("# MOU Conformity Checklist: Harbor County LEAD")
    assert f"| {TITLE} | Interagency Memorandum of Understanding (model text in this pack) |" in md
    assert f"An interagency agreement, {TITLE}, is already in force, so this pack drafts no new agreement." in md
    assert f"Counsel for each Party has checked {TITLE} against every requirement in section 2" in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and "☐ Yes ☐ No" in line]
    # numbered 1..n, each naming the MOU section it checks
    assert [int(row.split("|")[1]) for row in rows] == list(range(1, len(rows) + 1))
    sections = " ".join(row.split("|")[3] for row in rows)
    for article in _articles(docs["mou"]):
        if article in ("18.", "19."):  # legal references and signatures: no requirement of their own
            continue
        if article.startswith("Appendix"):
            assert article[:-1] in sections, article
        else:
            number = article[:-1]
            assert re.search(rf"Sections? (?:[\d.]+ (?:and|to) )?{number}(?:[ .,]|$)", sections), article
    for needle in ("Section 5.1 and Appendix B", "Section 8 and Appendix A", "Section 11", "Section 17.7", "Section 17.8",
                   "Sections 6.4 to 6.7"):
        assert needle in sections, needle
    # the terms are the pack's, as in the model MOU
    assert "within 2 hours" in md and "within 30 minutes" in md and "within 30 days" in md
    assert check_consistency(docs) == []
    assert any("mou_conformity" in where for where in stated_terms(docs)["crisis_notice_hours"].values())
    # an amendments table and a confirmation line per Party
    assert "| Row | Section of the agreement in force | Amendment | Date each Party signed |" in md
    assert "| Harbor County Sheriff's Office | | | |" in md
    # the MOU carries one short note naming the agreement in force
    note = next(line for line in docs["mou"].splitlines() if line.startswith(NOTE))
    assert TITLE in note and len(note.split()) <= 25 + len(TITLE.split())
    assert "This MOU is model text for amending it" in docs["drafting_memo"]
    assert OPEN_ITEM not in docs["drafting_memo"]


def test_an_agreement_in_force_without_its_title_names_it_as_an_open_item(tmp_path):
    docs = _render(_site(tmp_path, ("mou_in_force", "yes")))
    assert "[TO CONFIRM: title and date of the interagency agreement in force]" in docs["mou_conformity"]
    assert NOTE in docs["mou"]


@pytest.mark.parametrize("unknown", [True, False])
def test_no_checklist_without_an_answered_yes(tmp_path, unknown):
    site = _site(tmp_path, *([("mou_in_force", "--unknown")] if unknown else []))
    baseline = _render(EXAMPLES / "harbor-county")
    docs = _render(site)
    assert "mou_conformity" not in docs
    assert NOTE not in docs["mou"]
    assert docs["mou"] == baseline["mou"]
    memo = docs["drafting_memo"]
    if unknown:
        # "don't know" is an open item for the MOU, never "no agreement exists"
        assert OPEN_ITEM in memo
        assert "no interagency agreement" not in memo.lower()
    else:
        assert OPEN_ITEM not in memo and memo == baseline["drafting_memo"]


def test_the_conforms_column_holds_its_check_boxes_on_one_line_in_word(tmp_path):
    """"☐ Yes ☐ No" wrapped to "☐ Yes ☐" / "No" in the Conforms column (1,233 twips wide): a row of
    check boxes is measured as one piece, like a word, in both conformity checklists."""
    import zipfile

    from lxml import etree

    from readiness.documents.markdown_blocks import CELL_MARGIN_TWIPS, text_width_twips

    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    site = _site(tmp_path, ("mou_in_force", "yes"), ("mou_in_force_title", TITLE))
    result = invoke("build", site, "--only", "mou_conformity,order_conformity")
    assert result.exit_code == 0, result.output
    folder = site / "drafts" / "v001"
    files = [folder / "mou-conformity.docx", *folder.glob("order-conformity-*.docx")]
    assert len(files) == 2
    needed = text_width_twips("☐ Yes ☐ No") + 2 * CELL_MARGIN_TWIPS
    for path in files:
        with zipfile.ZipFile(path) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        tbl = next(t for t in root.iterfind(".//w:tbl", ns)
                   if "Conforms" in "".join(t.xpath("./w:tr[1]//w:t/text()", namespaces=ns)))
        header = ["".join(tc.xpath(".//w:t/text()", namespaces=ns)) for tc in tbl.xpath("./w:tr[1]/w:tc", namespaces=ns)]
        col = header.index("Conforms")
        grid = [int(g.get(f"{{{ns['w']}}}w")) for g in tbl.iterfind("w:tblGrid/w:gridCol", ns)]
        assert grid[col] >= needed, (path.name, grid)
        assert sum(grid) <= 9410, (path.name, grid)  # and the table still fits the text width


def test_the_requirement_column_gets_the_room_its_sentences_need(tmp_path):
    """The requirements are sentences in every row, yet the column got a fifth of the width (its weight
    was its longest cell capped at 40 characters, like a column of one short phrase), so the order
    checklist ran to 7 pages of two-word lines. A column of long text in most rows now weighs by its
    average cell too; the status column of the report keeps "Not met" on one line."""
    import zipfile

    from lxml import etree

    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    site = _site(tmp_path, ("mou_in_force", "yes"), ("mou_in_force_title", TITLE))
    result = invoke("build", site, "--only", "mou_conformity,order_conformity")
    assert result.exit_code == 0, result.output
    folder = site / "drafts" / "v001"
    for path in [folder / "mou-conformity.docx", *folder.glob("order-conformity-*.docx")]:
        with zipfile.ZipFile(path) as z:
            root = etree.fromstring(z.read("word/document.xml"))
        tbl = next(t for t in root.iterfind(".//w:tbl", ns)
                   if "Conforms" in "".join(t.xpath("./w:tr[1]//w:t/text()", namespaces=ns)))
        header = ["".join(tc.xpath(".//w:t/text()", namespaces=ns)) for tc in tbl.xpath("./w:tr[1]/w:tc", namespaces=ns)]
        grid = [int(g.get(f"{{{ns['w']}}}w")) for g in tbl.iterfind("w:tblGrid/w:gridCol", ns)]
        requirement = next(i for i, h in enumerate(header) if h.startswith("Requirement"))
        assert grid[requirement] == max(grid) and grid[requirement] >= 0.3 * sum(grid), (path.name, header, grid)


def test_a_short_status_stays_on_one_line(tmp_path):
    """'Not met' wrapped to 'Not' / 'met' in the report's launch requirements (its column sized by its
    longest word); a cell of up to SHORT_CELL_CHARS characters is measured as one piece."""
    import zipfile

    from lxml import etree

    from readiness.documents.markdown_blocks import CELL_MARGIN_TWIPS, text_width_twips

    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    site = _site(tmp_path)
    result = invoke("build", site, "--only", "readiness_report")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(site / "drafts" / "v001" / "readiness-report.docx") as z:
        root = etree.fromstring(z.read("word/document.xml"))
    checked = 0
    for tbl in root.iterfind(".//w:tbl", ns):
        header = ["".join(tc.xpath(".//w:t/text()", namespaces=ns)) for tc in tbl.xpath("./w:tr[1]/w:tc", namespaces=ns)]
        if "Status" not in header:
            continue
        col = header.index("Status")
        cells = {"".join(tr.xpath(f"./w:tc[{col + 1}]//w:t/text()", namespaces=ns)) for tr in tbl.xpath("./w:tr", namespaces=ns)}
        if "Not met" in cells:
            grid = [int(g.get(f"{{{ns['w']}}}w")) for g in tbl.iterfind("w:tblGrid/w:gridCol", ns)]
            assert grid[col] >= text_width_twips("Not met") + 2 * CELL_MARGIN_TWIPS, grid
            checked += 1
    assert checked, "the report has a launch requirement not met"
