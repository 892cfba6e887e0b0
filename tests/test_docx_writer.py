"""Markdown -> DOCX: compared through a normalised dump and the XML, never DOCX bytes."""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx_dump  # noqa: E402

from readiness.documents.docx_writer import dump_docx, write_docx  # noqa: E402
from readiness.documents.markdown_blocks import parse_blocks  # noqa: E402
from readiness.errors import ReadinessError  # noqa: E402

W = docx_dump.NS["w"]
HEADER = "DRAFT v1 - for stakeholder review"
FOOTER = "Generated 2026-11-30 · Draft for discussion, not legal advice"

SAMPLE = """\
# Memorandum of Understanding

> This draft is not legal advice.

Between the **Example County Sheriff** and *the Office of the District Attorney*
([TO CONFIRM: name of the elected District Attorney]). See the
[LEAD National Support Bureau](https://www.leadbureau.org) and `42 CFR Part 2`.

## 1. Purpose

The parties agree to divert eligible people before booking.  
A hard break, then more text.

### 1.1 Eligibility

- Low-level drug offences [TO CONFIRM: *list of* eligible charges]
  - possession under the threshold
  - paraphernalia
- Sex work
- Theft under $250

#### Referral steps

1. Officer offers LEAD.
2. Case manager responds.
   1. within 30 minutes by day
   2. within 2 hours at night
3. Officer records the referral.

A paragraph between two ordered lists.

1. First item of a new list
2. Second item

<!-- pagebreak -->
<!-- an author's note that must not appear -->

## 2. Contacts

| Role | Agency | Contact |
|:--|:--|--:|
| Referral officer | Riverton PD | [TO CONFIRM: duty sergeant phone] |
| Case manager | Behavioral Health | intake line |

---

![Readiness by domain, from 0 to 100](chart.png)

```
Signature: ____________________
```
"""


def _png(width: int = 300, height: int = 150) -> bytes:
    """A small valid PNG without needing Pillow."""
    raw = b"".join(b"\x00" + b"\x40\x80\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def build(tmp_path: Path, markdown: str = SAMPLE, **kw) -> tuple[Path, list[str]]:
    (tmp_path / "chart.png").write_bytes(_png())
    out = tmp_path / "draft.docx"
    kw.setdefault("image_dir", tmp_path)
    items = write_docx(markdown, out, title="LEAD MOU", header_text=HEADER, footer_text=FOOTER, **kw)
    return out, items


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, list[str]]:
    return build(tmp_path)


def test_headings_use_word_heading_styles_and_first_h1_is_title(sample):
    lines = dump_docx(sample[0])
    assert lines[0] == "Title: Memorandum of Understanding"
    assert "Heading 2: 1. Purpose" in lines
    assert "Heading 3: 1.1 Eligibility" in lines
    assert "Heading 4: Referral steps" in lines
    assert "Quote: This draft is not legal advice." in lines


def test_inline_formatting_links_and_breaks(sample):
    path = sample[0]
    assert docx_dump.runs_with_text(path, "Example County Sheriff")[0].xpath("./w:rPr/w:b", namespaces=docx_dump.NS)
    assert docx_dump.runs_with_text(path, "the Office of the District")[0].xpath("./w:rPr/w:i", namespaces=docx_dump.NS)
    code = docx_dump.runs_with_text(path, "42 CFR Part 2")[0]
    assert code.xpath("./w:rPr/w:rFonts/@w:ascii", namespaces=docx_dump.NS) == ["Consolas"]
    link = docx_dump.xpath(path, "//w:hyperlink")[0]
    assert "LEAD National Support Bureau" in "".join(link.itertext())
    rels = docx_dump.part(path, "word/_rels/document.xml.rels")
    target = [r.get("Target") for r in rels if r.get("Id") == link.get(f"{{{docx_dump.NS['r']}}}id")]
    assert target == ["https://www.leadbureau.org"]
    assert "Normal: The parties agree to divert eligible people before booking. / A hard break, then more text." \
        in dump_docx(path)


def test_nested_lists_use_level_styles_and_ordered_lists_restart(sample):
    path, _ = sample
    lines = dump_docx(path)
    assert "List Bullet 2: possession under the threshold" in lines
    assert "List Number 2: within 30 minutes by day" in lines
    assert lines.index("List Number: Officer offers LEAD.") < lines.index("List Number: First item of a new list")
    first, second = (docx_dump.xpath(path, f"//w:p[w:r/w:t='{t}']/w:pPr/w:numPr/w:numId/@w:val")
                     for t in ("Officer offers LEAD.", "First item of a new list"))
    assert first and second and first != second  # separate lists, so numbering starts again
    numbering = docx_dump.part(path, "word/numbering.xml")
    num = numbering.xpath(f"//w:num[@w:numId='{second[0]}']", namespaces=docx_dump.NS)[0]
    assert num.xpath(".//w:startOverride/@w:val", namespaces=docx_dump.NS) == ["1"]


def test_ordered_list_start_number_is_kept(tmp_path):
    path, _ = build(tmp_path, "Text\n\n4. four\n5. five\n")
    num_id = docx_dump.xpath(path, "//w:p[w:r/w:t='four']/w:pPr/w:numPr/w:numId/@w:val")[0]
    numbering = docx_dump.part(path, "word/numbering.xml")
    assert numbering.xpath(f"//w:num[@w:numId='{num_id}']//w:startOverride/@w:val", namespaces=docx_dump.NS) == ["4"]


def test_table_header_row_is_bold_repeating_and_marked(sample):
    path, _ = sample
    lines = dump_docx(path)
    assert "Table[0,3] header: Role | Agency | Contact" in lines
    assert "Table[1,3]: Referral officer | Riverton PD | [TO CONFIRM: duty sergeant phone]" in lines
    table = docx_dump.xpath(path, "//w:tbl")[0]
    rows = table.xpath("./w:tr", namespaces=docx_dump.NS)
    assert rows[0].xpath("./w:trPr/w:tblHeader", namespaces=docx_dump.NS)
    assert not rows[1].xpath("./w:trPr/w:tblHeader", namespaces=docx_dump.NS)
    header_runs = rows[0].xpath(".//w:r[w:t]", namespaces=docx_dump.NS)
    assert header_runs and all(r.xpath("./w:rPr/w:b", namespaces=docx_dump.NS) for r in header_runs)
    assert table.xpath("./w:tblPr/w:tblStyle/@w:val", namespaces=docx_dump.NS) == ["TableGrid"]
    widths = [int(w) for w in table.xpath("./w:tblGrid/w:gridCol/@w:w", namespaces=docx_dump.NS)]
    assert len(widths) == 3 and all(w > 1000 for w in widths) and 9000 < sum(widths) < 9500


def test_placeholders_highlighted_commented_and_returned(sample):
    path, items = sample
    assert items == ["name of the elected District Attorney", "list of eligible charges",
                     "duty sergeant phone"]
    runs = docx_dump.runs_with_text(path, "[TO CONFIRM: list of eligible charges]")
    assert len(runs) == 1  # one run even though the Markdown had emphasis inside it
    rpr = runs[0].find(f"{{{W}}}rPr")
    assert rpr.find(f"{{{W}}}highlight").get(f"{{{W}}}val") == "yellow"
    assert rpr.find(f"{{{W}}}b") is not None

    import docx

    comments = {c.text: c for c in docx.Document(str(path)).comments}
    text = "Open item: list of eligible charges — confirm before signature."
    assert text in comments and comments[text].author == "lead-readiness"
    assert len(comments) == 3
    lines = dump_docx(path)
    assert lines[lines.index(f"[comment: {text}]") - 1].startswith("List Bullet: Low-level drug offences")
    # the comment sits inside the table cell too
    assert "[comment: Open item: duty sergeant phone — confirm before signature.]" in lines


def test_placeholder_notation_explained_in_text_is_not_an_open_item(tmp_path):
    path, items = build(tmp_path, "Text like [TO CONFIRM: ...] marks gaps; here is one: [TO CONFIRM: date].")
    assert items == ["date"]
    assert len(docx_dump.xpath(path, "//w:comment", "word/comments.xml")) == 1
    assert docx_dump.runs_with_text(path, "[TO CONFIRM: ...]")[0].xpath("./w:rPr/w:highlight", namespaces=docx_dump.NS)


def test_signature_table_leaves_room_to_sign(tmp_path):
    markdown = ("| Party | Name and title | Signature | Date |\n|---|---|---|---|\n"
                "| Office of the District Attorney, Prosecutorial District 52 | Teresa Whitlock, District Attorney | | |\n")
    path, _ = build(tmp_path, markdown)
    widths = [int(w) for w in docx_dump.xpath(path, "//w:tblGrid/w:gridCol/@w:w")]
    assert widths[2] >= 1600 and widths[3] >= 1200  # about 3 cm to sign; "Signature" never breaks
    assert docx_dump.xpath(path, "//w:tr[2]/w:trPr/w:trHeight/@w:val") == ["720"]  # half an inch
    assert not docx_dump.xpath(path, "//w:tr[1]/w:trPr/w:trHeight")


def test_comment_author_is_configurable(tmp_path):
    path, items = build(tmp_path, "Name: [TO CONFIRM: chief]", comment_author="Jo Coordinator")
    comment = docx_dump.xpath(path, "//w:comment", "word/comments.xml")[0]
    assert comment.get(f"{{{W}}}author") == "Jo Coordinator" and comment.get(f"{{{W}}}initials") == "JC"
    assert items == ["chief"]


def test_image_embedded_with_alt_text(sample):
    path, _ = sample
    assert "[image alt=Readiness by domain, from 0 to 100]" in dump_docx(path)
    extent = docx_dump.xpath(path, "//wp:inline/wp:extent/@cx")
    assert abs(int(extent[0]) - 15 * 360000) < 360000  # about 15 cm wide
    assert any(n.startswith("word/media/") for n in docx_dump.part_names(path))


@pytest.mark.parametrize("src", ["missing.png", "../outside.png", "https://example.org/x.png", "notes.txt"])
def test_unusable_images_become_visible_text_not_errors(tmp_path, src):
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path.parent / "outside.png").write_bytes(_png())
    path, _ = build(tmp_path, f"![Chart of scores]({src})")
    lines = dump_docx(path)
    assert "Normal: [image not available: Chart of scores]" in lines
    assert not any(n.startswith("word/media/") for n in docx_dump.part_names(path))


def test_header_footer_and_page_numbers(sample):
    path, _ = sample
    lines = dump_docx(path)
    assert f"[header] Header: {HEADER}" in lines
    assert f"[footer] Footer: {FOOTER}" in lines
    assert "[footer] Footer: Page {PAGE} of {NUMPAGES}" in lines
    assert "Page {PAGE} of {NUMPAGES}" in docx_dump.stories(path, "footer")


def test_page_break_rule_and_dropped_comments(sample):
    path, _ = sample
    lines = dump_docx(path)
    assert lines.index("[page break]") == lines.index("Heading 2: 2. Contacts") - 1
    assert "[rule]" in lines
    assert not any("author's note" in line or "pagebreak" in line for line in lines)


def test_core_properties(sample):
    import docx

    props = docx.Document(str(sample[0])).core_properties
    assert props.title == "LEAD MOU" and props.author == "lead-readiness" and "DRAFT" in props.keywords


def test_default_page_is_us_letter_with_25mm_margins(sample):
    import docx

    section = docx.Document(str(sample[0])).sections[0]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11)
    assert round(section.left_margin.cm, 2) == 2.5 and round(section.top_margin.cm, 2) == 2.5


def test_write_is_atomic_and_replaces(tmp_path):
    out, _ = build(tmp_path, "# One")
    out2, _ = build(tmp_path, "# Two")
    assert out == out2 and dump_docx(out)[0] == "Title: Two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png", "draft.docx"]


def test_reference_docx_keeps_styles_and_letterhead_drops_body(tmp_path):
    import docx
    from docx.shared import Pt

    ref = docx.Document()
    ref.styles["Normal"].font.name = "Georgia"
    ref.styles["Normal"].font.size = Pt(12)
    ref.sections[0].header.paragraphs[0].text = "County of Example - Office of the Coordinator"
    ref.add_paragraph("Old body text that must go")
    ref_path = tmp_path / "reference.docx"
    ref.save(str(ref_path))

    path, _ = build(tmp_path, "# Fresh\n\nNew body.", reference_docx=ref_path)
    lines = dump_docx(path)
    assert "Normal: New body." in lines and not any("Old body" in line for line in lines)
    assert "[header] Header: County of Example - Office of the Coordinator" in lines
    assert f"[header] Header: {HEADER}" in lines
    out = docx.Document(str(path))
    assert out.styles["Normal"].font.name == "Georgia"


def _letterhead_reference(tmp_path: Path) -> Path:
    import docx

    ref = docx.Document()
    ref.sections[0].header.paragraphs[0].text = "County of Example - Office of the Coordinator"
    ref.add_paragraph("Old body text that must go")
    path = tmp_path / "reference.docx"
    ref.save(str(path))
    return path


def test_one_template_gives_every_document_its_own_copy_of_the_reference(tmp_path, monkeypatch):
    """A build opens (unzips and parses) the reference document once; each document starts from a
    copy, so what one document adds (body, comments, links) never reaches the next."""
    import docx

    from readiness.documents.docx_writer import Template

    ref_path = _letterhead_reference(tmp_path)
    opened = []
    real = docx.Document
    monkeypatch.setattr(docx, "Document", lambda *a, **k: opened.append(a) or real(*a, **k))
    template = Template(ref_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, items = build(tmp_path / "a", "# One\n\nSee [the site](https://example.org). [TO CONFIRM: who signs]",
                         reference_docx=ref_path, template=template)
    second, _ = build(tmp_path / "b", "# Two\n\nPlain.", reference_docx=ref_path, template=template)
    assert len(opened) == 1
    one, two = dump_docx(first), dump_docx(second)
    assert "[header] Header: County of Example - Office of the Coordinator" in one and two
    assert not any("One" in line or "who signs" in line or "Old body" in line for line in two)
    assert items == ["who signs"] and any("who signs" in line for line in one)
    assert docx_dump.xpath(first, "//w:hyperlink") and not docx_dump.xpath(second, "//w:hyperlink")


def test_reference_without_list_styles_falls_back_to_literal_markers(tmp_path):
    import docx

    ref = docx.Document()
    styles = ref.styles.element
    for style in list(styles):
        if (style.get(f"{{{W}}}styleId") or "").startswith(("ListBullet", "ListNumber", "Title", "TableGrid")):
            styles.remove(style)
    ref_path = tmp_path / "bare.docx"
    ref.save(str(ref_path))
    path, _ = build(tmp_path, "# T\n\n- a\n  - b\n\n3. c\n\n|x|y|\n|-|-|\n|1|2|\n", reference_docx=ref_path)
    assert dump_docx(path)[:4] == ["Heading 1: T", "Normal: •\ta", "Normal: •\tb", "Normal: 3.\tc"]
    assert docx_dump.xpath(path, "//w:tbl/w:tblPr/w:tblBorders")


def test_bad_reference_docx_is_a_clear_error(tmp_path):
    bad = tmp_path / "ref.docx"
    bad.write_text("not a zip")
    with pytest.raises(ReadinessError, match="cannot use as a reference document"):
        build(tmp_path, "# x", reference_docx=bad)
    assert not (tmp_path / "draft.docx").exists()


def test_xml_forbidden_characters_are_stripped(tmp_path):
    text = "# Ti\x00tle\x0b\n\nRTL \u202ehello\u202c emoji 🚓 bad \ud800 \ufffe [TO CONFIRM: x\x01y]\n"
    path, items = build(tmp_path, text)
    lines = dump_docx(path)
    assert lines[0] == "Title: Title"
    assert "🚓" in lines[1] and "\u202e" in lines[1] and "\ud800" not in lines[1]
    assert items == ["xy"]


def test_empty_document_is_still_valid(tmp_path):
    path, items = build(tmp_path, "")
    assert items == [] and dump_docx(path)[0].startswith("[header]")


def test_parse_blocks_is_usable_without_python_docx():
    blocks = parse_blocks("# A\n\n- [TO CONFIRM: *b* c] d\n")
    assert [b.role for b in blocks] == ["title", "bullet"]
    assert [s.kind for s in blocks[1].spans] == ["ph", "text"] and blocks[1].spans[0].item == "b c"


_MARKDOWN_BITS = st.sampled_from([
    "# ", "## ", "#### ", "- ", "  - ", "1. ", "   1. ", "> ", "**", "*", "_", "`", "```\n", "    ",
    "[TO CONFIRM: ", "]", "![alt](chart.png)", "![x](../../etc/passwd)", "[link](https://x.org)", "[a](javascript:x)",
    "<!-- pagebreak -->", "<!--", "-->", "<br>", "<div>", "---", "|a|b|\n|-|-|\n|c|d|\n", "| x |", "\n", "\n\n",
    "&amp;", "&#0;", "\\", "\t", "\u202e", "🚓", "\x00", "\x0c", "\ufeff", "text", " ",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(_MARKDOWN_BITS, st.text(max_size=20)), max_size=40))
def test_any_markdown_gives_a_valid_docx(tmp_path, pieces):
    import docx

    markdown = "".join(pieces)
    path, items = build(tmp_path, markdown)
    document = docx.Document(str(path))  # re-opens: the XML is well formed and the package whole
    assert len(document.comments) == len(dict.fromkeys(items))  # one comment per distinct open item
    dump_docx(path)


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # fonts-dejavu-core, which .ci/run installs


@pytest.mark.slow
@pytest.mark.parametrize("fonts", ["installed", "dejavu only"])
def test_libreoffice_opens_and_renders_the_draft(tmp_path, fonts):
    """The draft opens and prints its header, title, page numbers and open items, whatever fonts the
    machine has: the text is compared as words (pdf_text.words), the page count read from the PDF.
    The second run offers LibreOffice only DejaVu, wider than the Calibri-like Carlito, so lines
    wrap and pages break elsewhere."""
    import pdf_text

    soffice = _soffice()
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI to prove drafts open")
        pytest.skip("LibreOffice not installed")
    env = {**os.environ, "HOME": str(tmp_path)}
    if fonts != "installed":
        if not any(DEJAVU.glob("*.ttf")):
            pytest.skip(f"no fonts in {DEJAVU}")
        env.update(pdf_text.only_fonts(DEJAVU, tmp_path))
    path, _ = build(tmp_path)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=120, env=env)
    pdf = tmp_path / "draft.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000, result.stdout + result.stderr
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        text, pages = pdf_text.words(pdf), pdf_text.page_count(pdf)
        assert HEADER in text and "Memorandum of Understanding" in text
        assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
        assert "[TO CONFIRM: duty sergeant phone]" in text


# ---------------------------------------------------------------- valid, current, laid out for review


def _valid(path: Path) -> list[str]:
    from ooxml_check import ooxml_errors

    return [str(e) for e in ooxml_errors(path)]


def test_sample_passes_the_schema_validator_with_comment_styles_defined(sample):
    path, _ = sample
    assert _valid(path) == []
    ids = set(docx_dump.xpath(path, "//w:style/@w:styleId", "word/styles.xml"))
    assert {"CommentText", "CommentReference"} <= ids
    assert docx_dump.xpath(path, "//w:compatSetting[@w:name='compatibilityMode']/@w:val", "word/settings.xml") == ["15"]


def test_a_reference_document_gets_the_missing_styles_and_word_2013_compatibility(tmp_path):
    """python-docx's own blank document is in Word 2010 mode and has no comment styles: a consultant's
    letterhead saved from it must still give a valid, current file."""
    import docx

    ref = tmp_path / "reference.docx"
    docx.Document().save(ref)
    assert docx_dump.xpath(ref, "//w:compatSetting[@w:name='compatibilityMode']/@w:val", "word/settings.xml") == ["14"]
    path, items = build(tmp_path, SAMPLE, reference_docx=ref)
    assert items and _valid(path) == []
    assert docx_dump.xpath(path, "//w:compatSetting[@w:name='compatibilityMode']/@w:val", "word/settings.xml") == ["15"]
    app = docx_dump.part(path, "docProps/app.xml")
    assert not [el for el in app if el.tag.endswith(("}Pages", "}Words"))]


def test_core_properties_carry_subject_and_version(tmp_path):
    out = tmp_path / "v.docx"
    write_docx("# T\n\nText.\n", out, title="MOU — Hill County", header_text="DRAFT v3", footer_text="F",
               subject="Hill County LEAD program: draft v3", version=3)
    import docx

    props = docx.Document(str(out)).core_properties
    assert (props.title, props.subject, props.version, props.revision) == (
        "MOU — Hill County", "Hill County LEAD program: draft v3", "3", 3)


def _long_document(sections: int = 8) -> str:
    para = "The parties agree to refer people who use drugs to case management instead of booking. " * 20
    return "# Agreement\n\n> Draft notice.\n\nPreamble.\n\n" + "".join(
        f"## {n}. Section {n}\n\n{para}\n\n### {n}.1 Detail\n\n{para}\n\n" for n in range(1, sections + 1))


def test_a_long_document_gets_a_table_of_contents_field_after_its_preamble(tmp_path):
    path, _ = build(tmp_path, _long_document())
    lines = dump_docx(path)
    assert lines[:4] == ["Title: Agreement", "Quote: Draft notice.", "Normal: Preamble.", "TOC Heading: Contents"]
    assert lines[4:7] == ["toc 2: 1. Section 1", "toc 3: 1.1 Detail", "toc 2: 2. Section 2"]
    assert docx_dump.xpath(path, "//w:instrText/text()")[0].strip() == 'TOC \\o "2-3" \\h \\z \\u'
    assert [el.get(f"{{{W}}}fldCharType") for el in docx_dump.xpath(path, "//w:fldChar")] == [
        "begin", "separate", "end"]
    assert docx_dump.xpath(path, "//w:updateFields/@w:val", "word/settings.xml") == ["true"]
    assert _valid(path) == []


def test_a_short_document_has_no_table_of_contents_unless_asked(tmp_path):
    short = "# Letter\n\n## One\n\nText.\n\n## Two\n\nText.\n\n## Three\n\nText.\n\n## Four\n\nText.\n"
    path, _ = build(tmp_path, short)
    assert not docx_dump.xpath(path, "//w:instrText") and not docx_dump.xpath(path, "//w:updateFields", "word/settings.xml")
    path, _ = build(tmp_path, short, toc=True)
    assert "TOC Heading: Contents" in dump_docx(path)
    path, _ = build(tmp_path, _long_document(), toc=False)
    assert not docx_dump.xpath(path, "//w:instrText")


def test_headings_keep_with_the_next_paragraph(tmp_path):
    path, _ = build(tmp_path)
    headings = docx_dump.xpath(path, "//w:body/w:p[w:pPr/w:outlineLvl]")
    assert len(headings) == 5  # the title and four headings
    for p in headings:
        assert p.xpath("./w:pPr/w:keepNext", namespaces=docx_dump.NS), "".join(p.itertext())
    body = docx_dump.xpath(path, "//w:body/w:p[not(w:pPr/w:outlineLvl)]")
    assert body and not any(p.xpath("./w:pPr/w:keepNext", namespaces=docx_dump.NS) for p in body)


def test_header_words_never_break_in_narrow_columns(tmp_path):
    """"Minut/es" and "Scor/e": a short-valued column beside a long one kept its header word whole."""
    from readiness.documents.markdown_blocks import CELL_MARGIN_TWIPS, text_width_twips

    long = "Describe the pattern of repeated low-level arrests the Program addresses and the model " * 2
    markdown = ("| # | Module | Minutes | Learning objectives |\n|---|---|---|---|\n"
                + "".join(f"| {n} | Why the Program: the local problem and the model | 30 | {long} |\n" for n in range(1, 6))
                + "\n| Domain | Score | Stage | Answered |\n|---|---|---|---|\n"
                + "| Information sharing, data and evaluation of the program | 79 | Ready with conditions | 8/8 |\n")
    path, _ = build(tmp_path, markdown)
    for tbl, words in zip(docx_dump.xpath(path, "//w:tbl"), (["Module", "Minutes"], ["Score", "Answered"])):
        widths = [int(w) for w in tbl.xpath("./w:tblGrid/w:gridCol/@w:w", namespaces=docx_dump.NS)]
        header = ["".join(tc.itertext()) for tc in tbl.xpath("./w:tr[1]/w:tc", namespaces=docx_dump.NS)]
        for word in words:
            assert widths[header.index(word)] >= text_width_twips(word, bold=True) + 2 * CELL_MARGIN_TWIPS, word
        assert 9000 < sum(widths) <= 9405  # the text width between 2.5 cm margins


def test_signature_rows_of_a_form_are_tall_enough_and_the_block_stays_together(tmp_path):
    """The consent form's signatures sit in an "Item | To be completed" table: no header says
    "Signature", yet the participant's row must be tall enough to sign."""
    markdown = ("## 9. Signatures\n\nRead this first.\n\n| Item | To be completed |\n|---|---|\n"
                "| Participant's name | |\n| Participant's signature | |\n| Date signed | |\n| Form expires on | |\n")
    path, _ = build(tmp_path, markdown)
    heights = {"".join(tr.xpath("./w:tc[1]//w:t/text()", namespaces=docx_dump.NS)):
               tr.xpath("string(./w:trPr/w:trHeight/@w:val)", namespaces=docx_dump.NS)
               for tr in docx_dump.xpath(path, "//w:tr")}
    assert heights["Participant's signature"] == "720" and heights["Date signed"] == "720"
    assert heights["Participant's name"] == "480" and heights["Item"] == ""
    body = docx_dump.xpath(path, "//w:body")[0]
    assert all(p.xpath("./w:pPr/w:keepNext", namespaces=docx_dump.NS) for p in body.xpath("./w:p[position() <= 2]", namespaces=docx_dump.NS))
    rows = body.xpath("./w:tbl/w:tr", namespaces=docx_dump.NS)
    assert all(tr.xpath(".//w:p/w:pPr/w:keepNext", namespaces=docx_dump.NS) for tr in rows[:-1])
    assert not rows[-1].xpath(".//w:p/w:pPr/w:keepNext", namespaces=docx_dump.NS)
    assert all(tr.xpath("./w:trPr/w:cantSplit", namespaces=docx_dump.NS) for tr in rows)


def test_a_repeated_open_item_carries_one_comment_and_later_mentions_link_to_it(tmp_path):
    markdown = ("Call [TO CONFIRM: hand-off phone number] to reach the case manager.\n\n"
                "| Step | Number |\n|---|---|\n| Hand-off | [TO CONFIRM: hand-off phone number] |\n\n"
                "Again: [TO CONFIRM: hand-off  phone number] or [TO CONFIRM: email].\n")
    path, items = build(tmp_path, markdown)
    assert items == ["hand-off phone number"] * 3 + ["email"]  # every mention, in order
    comments = ["".join(c.itertext()) for c in docx_dump.xpath(path, "//w:comment", "word/comments.xml")]
    assert comments == ["Open item: hand-off phone number — confirm before signature. The document mentions it 3 "
                        "times; the later mentions link here, and this one comment covers them all.",
                        "Open item: email — confirm before signature."]
    assert len(docx_dump.xpath(path, "//w:commentReference")) == 2
    links = docx_dump.xpath(path, "//w:hyperlink[@w:anchor='_OpenItem0']")
    assert len(links) == 2 and all("[TO CONFIRM: hand-off phone number]" in "".join(a.itertext()) for a in links)
    assert docx_dump.xpath(path, "//w:bookmarkStart[@w:name='_OpenItem0']")
    assert _valid(path) == []


def _kept_rows(table) -> list[bool]:
    """For each row: every paragraph of it is kept with the next."""
    return [all(p.xpath("./w:pPr/w:keepNext", namespaces=docx_dump.NS)
                for p in row.xpath(".//w:p", namespaces=docx_dump.NS))
            for row in table.xpath("./w:tr", namespaces=docx_dump.NS)]


def test_a_short_table_stays_whole_on_one_page_and_a_long_one_may_split(tmp_path):
    """A timeline of seven steps is never split over a page (LibreOffice 7.4 dropped the rows it
    carried over: the prosecutor protocol printed only the header and first row of its timeline); a
    table longer than a page may split, between rows, with its header repeated."""
    short = "| Step | Who |\n|---|---|\n" + "".join(f"| Step {i} | Officer {i} |\n" for i in range(7))
    long = "| Item | Where |\n|---|---|\n" + "".join(f"| Item {i} | Section {i} |\n" for i in range(40))
    path, _ = build(tmp_path, "# Pack\n\n" + short + "\nBetween.\n\n" + long)
    first, second = docx_dump.xpath(path, "//w:tbl")
    assert _kept_rows(first) == [True] * 7 + [False]  # the last row ends the kept block
    assert _kept_rows(second)[0] and not any(_kept_rows(second)[1:])  # only the header keeps with row 1
