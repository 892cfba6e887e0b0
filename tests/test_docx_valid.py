"""Every Word file of every example build is valid, current Office Open XML, laid out as a reviewer expects.

The schema validator is openxml-audit (pure Python, in the test extras): it checks each part against
the ECMA-376 schemas and Word's semantic rules (styles referred to but not defined, ...). Each
example is built once for the module.
"""
from __future__ import annotations

import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx_dump  # noqa: E402

from conftest import EXAMPLES, invoke  # noqa: E402
from readiness import resources  # noqa: E402
from readiness.documents.markdown_blocks import (  # noqa: E402
    CELL_MARGIN_TWIPS, SIGNATURE_ROW_TWIPS, text_width_twips)

NS = docx_dump.NS
W = NS["w"]
EXAMPLE_NAMES = resources.example_names()
DOCS_WITH_CONTENTS = {"mou", "general-order", "readiness-report"}  # 13-16 pages each
SHORT_DOCS = {"release-of-information", "drafting-memo", "sustainability-plan"}  # four pages or fewer


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """Each example site copied and built once: name -> its drafts/v001 folder."""
    out = {}
    root = tmp_path_factory.mktemp("examples")
    for name in EXAMPLE_NAMES:
        site = root / name
        shutil.copytree(EXAMPLES / name, site, ignore=shutil.ignore_patterns("drafts"))
        result = invoke("build", site)
        assert result.exit_code == 0, result.output
        out[name] = site / "drafts" / "v001"
    return out


def _docx(builds, name: str | None = None) -> list[Path]:
    folders = [builds[name]] if name else list(builds.values())
    return sorted(p for folder in folders for p in folder.glob("*.docx"))


def test_the_examples_are_all_built(builds):
    assert set(builds) == {"harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county"}
    assert all(len(_docx(builds, name)) >= 10 for name in builds)


def test_every_docx_of_every_example_passes_the_schema_validator(builds):
    from ooxml_check import ooxml_errors

    problems = []
    for path in _docx(builds):
        problems += [f"{path.parent.parent.parent.name}/{path.name}: {e}" for e in ooxml_errors(path)]
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} errors)"


def test_the_validator_does_find_errors(tmp_path, builds):
    """The check above is worth something: a part out of schema order is reported."""
    from ooxml_check import ooxml_errors

    source = builds["harbor-county"] / "mou.docx"
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:keepNext/><w:keepLines/>", b"<w:keepLines/><w:keepNext/>", 1)
            zout.writestr(item, data)
    assert any("keepNext" in str(e) for e in ooxml_errors(broken))


def test_every_docx_declares_word_2013_compatibility(builds):
    for path in _docx(builds):
        modes = docx_dump.xpath(path, "//w:compat/w:compatSetting[@w:name='compatibilityMode']/@w:val",
                                "word/settings.xml")
        assert modes == ["15"], path.name


def test_core_properties_name_the_county_the_subject_and_the_draft_version(builds):
    for name in builds:
        county = (EXAMPLES / name / "site.yaml").read_text(encoding="utf-8")
        county = re.search(r"^name:\s*['\"]?(.+?)['\"]?\s*$", county, re.M).group(1)
        for path in _docx(builds, name):
            core = docx_dump.part(path, "docProps/core.xml")

            def prop(tag: str, core=core) -> str:
                return "".join(core.xpath(f"//{tag}/text()", namespaces={**NS, "dcterms": "http://purl.org/dc/terms/"}))

            assert county in prop("dc:title"), (name, path.name, prop("dc:title"))
            assert county in prop("dc:subject") and "draft v1" in prop("dc:subject"), path.name
            assert prop("cp:version") == "1" and prop("cp:revision") == "1", path.name
            assert "DRAFT v1" in docx_dump.stories(path, "header"), path.name


def test_app_properties_carry_no_stale_statistics(builds):
    """python-docx's template said Pages 1, Words 0 for a 15-page MOU; Word recounts when it saves."""
    ep = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    for path in _docx(builds, "harbor-county"):
        app = docx_dump.part(path, "docProps/app.xml")
        names = {el.tag.removeprefix(ep) for el in app}
        assert not names & {"Pages", "Words", "Characters", "Lines", "Paragraphs", "CharactersWithSpaces"}, path.name
        assert app.findtext(f"{ep}Application") == "lead-readiness"


def test_long_documents_have_a_table_of_contents_field(builds):
    folder = builds["harbor-county"]
    for path in _docx(builds, "harbor-county"):
        instr = " ".join(docx_dump.xpath(path, "//w:instrText/text()"))
        has_toc = bool(re.search(r"\bTOC\b", instr))
        if path.stem in DOCS_WITH_CONTENTS:
            assert has_toc, path.name
            assert docx_dump.xpath(path, "//w:updateFields/@w:val", "word/settings.xml") == ["true"]
        if path.stem in SHORT_DOCS:
            assert not has_toc, path.name
    # Each entry of the MOU's contents links to the bookmark on its heading.
    mou = folder / "mou.docx"
    anchors = docx_dump.xpath(mou, "//w:hyperlink[starts-with(@w:anchor, '_Toc')]/@w:anchor")
    marks = set(docx_dump.xpath(mou, "//w:p[w:pPr/w:outlineLvl]/w:bookmarkStart/@w:name"))
    assert len(anchors) >= 15 and set(anchors) == marks
    entries = docx_dump.xpath(mou, "//w:hyperlink[starts-with(@w:anchor, '_Toc')]//w:t/text()")
    assert "19. Signatures" in entries and "Appendix C. Contacts and notice addresses" in entries


def test_headings_keep_with_the_next_paragraph(builds):
    for path in _docx(builds, "harbor-county"):
        headings = docx_dump.xpath(path, "//w:body/w:p[w:pPr/w:outlineLvl]")
        assert headings, path.name
        for p in headings:
            assert p.xpath("./w:pPr/w:keepNext", namespaces=NS), (path.name, "".join(p.itertext()))


def test_table_rows_never_split_across_pages(builds):
    for path in _docx(builds):
        rows = docx_dump.xpath(path, "//w:tr")
        assert all(r.xpath("./w:trPr/w:cantSplit", namespaces=NS) for r in rows), path.name


def _rows_labelled(path: Path, pattern: str) -> list:
    return [tr for tr in docx_dump.xpath(path, "//w:tr")
            if re.search(pattern, "".join(tr.xpath("./w:tc[1]//w:t/text()", namespaces=NS)), re.I)]


def test_signature_rows_are_tall_enough_to_sign_in_every_document(builds):
    harbor = builds["harbor-county"]
    # The consent form's participant signs in a row labelled so, under an "Item | To be completed" header.
    roi = harbor / "release-of-information.docx"
    for tr in _rows_labelled(roi, r"signature"):
        assert int(tr.xpath("string(./w:trPr/w:trHeight/@w:val)", namespaces=NS) or 0) >= SIGNATURE_ROW_TWIPS
    assert len(_rows_labelled(roi, r"signature")) >= 3
    checked = 0
    for path in _docx(builds):
        for tbl in docx_dump.xpath(path, "//w:tbl"):
            header = " ".join(tbl.xpath("./w:tr[w:trPr/w:tblHeader]//w:t/text()", namespaces=NS))
            if "Signature" not in header:
                continue
            for tr in tbl.xpath("./w:tr[not(w:trPr/w:tblHeader)]", namespaces=NS):
                checked += 1
                assert int(tr.xpath("string(./w:trPr/w:trHeight/@w:val)", namespaces=NS)) >= SIGNATURE_ROW_TWIPS
    assert checked >= 40


def test_signature_tables_are_kept_together_with_their_heading(builds):
    mou = builds["harbor-county"] / "mou.docx"
    body = docx_dump.xpath(mou, "//w:body")[0]
    children = list(body)
    heading = next(i for i, el in enumerate(children) if el.xpath("./w:pPr/w:outlineLvl", namespaces=NS)
                   and "".join(el.itertext()) == "19. Signatures")
    table = next(i for i in range(heading, len(children)) if children[i].tag == f"{{{W}}}tbl")
    for el in children[heading:table]:  # the heading and the sentence before the table
        assert el.xpath("./w:pPr/w:keepNext", namespaces=NS), "".join(el.itertext())
    rows = children[table].xpath("./w:tr", namespaces=NS)
    for tr in rows[:-1]:
        assert all(p.xpath("./w:pPr/w:keepNext", namespaces=NS) for p in tr.xpath(".//w:p", namespaces=NS))


def test_header_cells_are_wide_enough_for_their_longest_word(builds):
    """No "Minut/es" or "Scor/e": each column is at least as wide as its widest header word, bold."""
    checked = set()
    for path in _docx(builds):
        for tbl in docx_dump.xpath(path, "//w:tbl"):
            widths = [int(w) for w in tbl.xpath("./w:tblGrid/w:gridCol/@w:w", namespaces=NS)]
            for tr in tbl.xpath("./w:tr[w:trPr/w:tblHeader]", namespaces=NS):
                for c, tc in enumerate(tr.xpath("./w:tc", namespaces=NS)):
                    for word in "".join(tc.xpath(".//w:t/text()", namespaces=NS)).split():
                        need = text_width_twips(word, bold=True) + 2 * CELL_MARGIN_TWIPS
                        assert widths[c] >= need, (path.name, word, widths[c], need)
                        checked.add(word)
    assert {"Minutes", "Score", "Signature", "Date"} <= checked


def test_one_comment_per_distinct_open_item_later_mentions_link_to_it(builds):
    path = builds["harbor-county"] / "referral-protocol.docx"
    comments = docx_dump.xpath(path, "//w:comment", "word/comments.xml")
    texts = ["".join(c.itertext()) for c in comments]
    items = [re.match(r"Open item: (.*?) — confirm before signature\.", t).group(1) for t in texts]
    assert len(items) == len(set(items))
    highlighted = [r for r in docx_dump.xpath(path, "//w:r[w:rPr/w:highlight]")
                   if "".join(r.itertext()) != "[TO CONFIRM: ...]"]  # the notice explaining the notation
    assert len(highlighted) > len(comments)  # some open items are mentioned more than once
    # each later mention is a link to the bookmark on the first, which carries the comment
    links = docx_dump.xpath(path, "//w:hyperlink[starts-with(@w:anchor, '_OpenItem')]")
    assert len(links) == len(highlighted) - len(comments)
    marks = {m.get(f"{{{W}}}name"): m for m in docx_dump.xpath(path, "//w:bookmarkStart[starts-with(@w:name, '_OpenItem')]")}
    for link in links:
        anchor = link.get(f"{{{W}}}anchor")
        assert anchor in marks
        assert marks[anchor].getnext().tag == f"{{{W}}}commentRangeStart"
        assert marks[anchor].getnext().get(f"{{{W}}}id") == anchor.removeprefix("_OpenItem")
