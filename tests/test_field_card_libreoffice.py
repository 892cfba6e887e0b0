"""Printed as a stakeholder prints them: every example's field cards are one page in LibreOffice, and
the training's answer key is on a page of its own, after the participants' pages."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, invoke

pytestmark = pytest.mark.slow
SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())


@pytest.fixture(scope="module")
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    if not shutil.which("pdfinfo") or not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) is not installed")
    return exe


def _pdfs(tmp: Path, soffice: str, docs: list[Path]) -> Path:
    out = tmp / "pdf"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(out), *map(str, docs)],
                            capture_output=True, text=True, timeout=900, env={**os.environ, "HOME": str(tmp)})
    assert result.returncode == 0, result.stderr
    return out


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def _page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory, soffice):
    """Every example built (field cards and the training only), converted in one LibreOffice run."""
    tmp = tmp_path_factory.mktemp("print")
    docs = []
    for name in SITES + ["blank"]:  # and a site with no answers: a card of open items
        site = tmp / name
        if name == "blank":
            assert invoke("new", site, "--name", "Blank County", "--state", "NC").exit_code == 0
        else:
            shutil.copytree(EXAMPLES / name, site)
        result = invoke("build", site, "--only", "field_card,officer_training")
        assert result.exit_code == 0, result.output
        for docx in (site / "drafts" / "v001").glob("*.docx"):  # one folder: each training named by its site
            docs.append(docx.rename(docx.with_name(f"training-{name}.docx")) if docx.stem == "officer-training"
                        else docx)
    return _pdfs(tmp, soffice, docs), [d.stem for d in docs]


def test_every_field_card_prints_on_one_page(printed):
    folder, stems = printed
    cards = [s for s in stems if s.startswith("field-card-")]
    assert "field-card-harbor-city-police-department" in cards and "field-card-harbor-county-sheriffs-office" in cards
    assert len(cards) == 9  # two agencies in each of the four examples, the lead agency of the blank site
    for stem in cards:
        pdf = folder / f"{stem}.pdf"
        assert _pages(pdf) == 1, f"{stem} prints on {_pages(pdf)} pages"
        text = _page_text(pdf, 1)
        for part in ("Who qualifies", "Make the offer", "Who to call", "What to write", "Hand-off line"):
            assert part in text, (stem, part)


def test_the_answer_key_prints_on_a_facilitator_page_of_its_own(printed):
    folder, stems = printed
    for stem in (s for s in stems if s.startswith("training-")):
        pdf = folder / f"{stem}.pdf"
        pages = [_page_text(pdf, n) for n in range(1, _pages(pdf) + 1)]
        # the key's page: its heading and its "do not copy" line (a contents page may list the heading)
        key = [i for i, text in enumerate(pages)
               if "Facilitator only: knowledge check answer key" in text and "Do not copy this page" in text]
        assert key == [len(pages) - 1], stem  # the last page, and only there
        quiz = [i for i, text in enumerate(pages) if "Knowledge check (before and after)" in text]
        assert quiz and quiz[-1] < key[0], stem
        for text in pages[:key[0]]:
            assert "Do not copy this page" not in text, stem
            assert "Facilitator only" not in text or "Contents" in text, stem  # at most a contents entry
        assert "Knowledge check (before and after)" not in pages[key[0]], stem
