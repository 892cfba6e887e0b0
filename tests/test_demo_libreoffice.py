"""Every Word file of the demo build opens in LibreOffice: converted to PDF, with its pages, header and
footer, as a stakeholder would print it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import invoke

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    return exe


def test_every_demo_docx_converts_to_pdf(tmp_path, soffice):
    out = tmp_path / "demo"
    assert invoke("demo", out).exit_code == 0
    docs = sorted((out / "drafts" / "v001").glob("*.docx"))
    assert len(docs) >= 14  # nine documents, three planning documents, the report and the plan
    pdfs = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(pdfs), *map(str, docs)], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for doc in docs:
        pdf = pdfs / (doc.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 5000, f"{doc.name} did not convert"
        if shutil.which("pdftotext"):
            import pdf_text

            text = pdf_text.words(pdf)  # words, not lines: where lines wrap depends on the fonts installed
            assert "DRAFT v1 - for stakeholder review" in text, doc.name
            assert "Page 1 of" in text and "not legal advice" in text, doc.name


# ---------------------------------------------------------------- page layout, as printed


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's non-empty lines, without the running header and footer."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
    pages = []
    for n in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages.append([line.strip() for line in text.splitlines() if line.strip() and "DRAFT v1 - for stakeholder" not in line
                      and not line.strip().startswith(("Generated ", "Page "))])
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, list[list[str]]]]:
    """The Harbor County MOU, consent form, training outline and report, converted once."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None or not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("LibreOffice and poppler are required in CI (.ci/run installs them)")
        pytest.skip("LibreOffice or pdftotext is not installed")
    tmp = tmp_path_factory.mktemp("printed")
    assert invoke("demo", tmp / "demo").exit_code == 0
    v1 = tmp / "demo" / "drafts" / "v001"
    names = ("mou", "release-of-information", "officer-training", "readiness-report")
    result = subprocess.run([exe, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless", "--convert-to",
                             "pdf", "--outdir", str(tmp / "pdf"), *(str(v1 / f"{n}.docx") for n in names)],
                            capture_output=True, text=True, timeout=600, env={**os.environ, "HOME": str(tmp)})
    assert result.returncode == 0, result.stderr
    return {n: (v1 / f"{n}.docx", _pages(tmp / "pdf" / f"{n}.pdf")) for n in names}


def _headings(docx_path: Path) -> list[str]:
    import docx_dump

    return ["".join(p.xpath(".//w:t/text()", namespaces=docx_dump.NS)).strip()
            for p in docx_dump.xpath(docx_path, "//w:body/w:p[w:pPr/w:outlineLvl]")]


def test_no_heading_ends_a_page_of_the_mou(printed):
    path, pages = printed["mou"]
    headings = [h for h in _headings(path) if h]
    # The contents list every heading; they end where the last heading is first printed.
    start = next(i for i, lines in enumerate(pages) if headings[-1] in lines)
    if pages[start][-1] == headings[-1]:
        start += 1
    assert len(pages) > 10 and start <= 3
    ending = {}
    for n, lines in enumerate(pages[start:], start + 1):
        last = lines[-1]
        hits = [h for h in headings if h == last or (len(last) > 8 and h.startswith(last))]
        if hits:
            ending[n] = hits
    assert not ending, f"headings ending a page: {ending}"


def test_the_mou_signature_table_is_on_one_page_with_its_heading(printed):
    import docx_dump

    path, pages = printed["mou"]
    tbl = next(t for t in docx_dump.xpath(path, "//w:tbl")
               if "Signature" in "".join(t.xpath("./w:tr[1]//w:t/text()", namespaces=docx_dump.NS)))
    names = [" ".join("".join(tc.xpath(".//w:t/text()", namespaces=docx_dump.NS)).split()[:2])
             for tc in tbl.xpath("./w:tr[position() > 1]/w:tc[2]", namespaces=docx_dump.NS)]
    assert len(names) == 12  # every party of the Harbor County MOU signs
    on = [n for n, lines in enumerate(pages) if "19. Signatures" in lines and any("Name and title" in x for x in lines)]
    assert len(on) == 1, "the signature heading and the table's header are not on one page"
    page = "\n".join(pages[on[0]])
    missing = [name for name in names if name not in page]
    assert not missing, f"signature rows split off to another page: {missing}"


def test_the_consent_form_signature_block_is_on_one_page(printed):
    _, pages = printed["release-of-information"]
    labels = ["Participant's name", "Participant's signature", "Date signed", "Form expires on"]
    on = [n for n, lines in enumerate(pages) if "9. Signatures" in lines]
    assert len(on) == 1 and all(label in "\n".join(pages[on[0]]) for label in labels)


def test_table_header_words_print_whole(printed):
    """"Minut/es" and "Scor/e" were broken over two lines in narrow header cells."""
    for name, word in (("officer-training", "Minutes"), ("readiness-report", "Score")):
        _, pages = printed[name]
        text = "\n".join(line for lines in pages for line in lines)
        assert re.search(rf"\b{word}\b", text), (name, word)
        assert not re.search(rf"\b{word[:-2]}\s*$", text, re.M), (name, word)
