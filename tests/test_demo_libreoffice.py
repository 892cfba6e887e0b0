"""Every Word file of the demo build opens in LibreOffice: converted to PDF, with its pages, header and
footer, as a stakeholder would print it."""
from __future__ import annotations

import os
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
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
            assert "DRAFT v1 - for stakeholder review" in text, doc.name
            assert "Page 1 of" in text and "not legal advice" in text, doc.name
