"""A consultant carries their own questions, templates and letterhead; a site in another state gets
marked placeholders instead of North Carolina law."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, FIXTURES, invoke

CONSULTANT = FIXTURES / "consultant"


def _letterhead(folder: Path) -> Path:
    """A reference.docx with a letterhead in its header, as a consultant would bring."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    run = doc.sections[0].header.paragraphs[0].add_run("ACME CONSULTING - Justice and Health Partners")
    run.font.size = Pt(14)
    doc.styles["Normal"].font.name = "Liberation Serif"
    path = folder / "reference.docx"
    doc.save(path)
    return path


@pytest.fixture
def consultant_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "acme" / "templates"
    shutil.copytree(CONSULTANT / "templates", folder)
    _letterhead(folder)
    return folder


def test_build_uses_the_consultant_domain_template_override_and_letterhead(tmp_path, consultant_templates):
    from readiness.documents.docx_writer import dump_docx

    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    q = CONSULTANT / "acme-questionnaire.yaml"
    # `answer --questionnaire` would switch the site's questionnaire, so it is refused; switch on purpose.
    refused = invoke("answer", site, "faith_hosts", "yes", "--questionnaire", q)
    assert refused.exit_code == 1 and "would switch the site's questionnaire" in refused.stderr
    site_yaml = (site / "site.yaml").read_text().replace("questionnaire: lead-site-readiness@1.3.0",
                                                         f"questionnaire: acme-readiness@1.0.0\nquestionnaire_file: {q}")
    (site / "site.yaml").write_text(site_yaml)
    assert invoke("answer", site, "faith_hosts", "yes").exit_code == 0

    scored = json.loads(invoke("score", site, "--format", "json", "--questionnaire", q).stdout)
    assert "faith_partners" in [d["id"] for d in scored["domains"]]

    result = invoke("build", site, "--questionnaire", q, "--templates", consultant_templates)
    assert result.exit_code == 0, result.output
    out = site / "drafts" / "v001"
    brief = (out / "faith-brief.md").read_text()
    assert "Host congregation identified: Yes." in brief  # the consultant's own fact, in their own document
    conferencing = (out / "case-conferencing.md").read_text()
    assert "Acme Consulting's house version" in conferencing  # their template replaced the bundled one
    assert (out / "mou.md").exists()  # bundled documents still come along
    dump = dump_docx(out / "mou.docx")
    assert any(line.startswith("[header]") and "ACME CONSULTING" in line for line in dump)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["questionnaire"]["id"] == "acme-readiness"


def test_a_virginia_site_gets_placeholders_not_north_carolina_law(tmp_path):
    site = tmp_path / "va"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    text = (site / "site.yaml").read_text().replace("state: NC", "state: VA")
    (site / "site.yaml").write_text(text)
    result = invoke("build", site, "--only", "general_order,prosecutor_protocol")
    assert result.exit_code == 0, result.output
    out = site / "drafts" / "v001"
    order = (out / "general-order-harbor-city-police-department.md").read_text()
    assert "90-96.2" not in order and "N.C. Gen. Stat." not in order
    assert "[TO CONFIRM: Virginia citation for 911 good samaritan limited immunity]" in order or \
           "[TO CONFIRM: Virginia citation for" in order
    manifest = json.loads((out / "manifest.json").read_text())
    items = [i["text"] for d in manifest["documents"] for i in d["open_items"]]
    assert any(i.startswith("Virginia citation for") for i in items)
