"""`build --only` builds just what was asked for; the report and plan can be asked for by id."""
import shutil

from conftest import EXAMPLES, invoke


def test_only_a_document_skips_the_report_and_plan(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    assert invoke("build", site, "--only", "mou").exit_code == 0
    names = sorted(p.name for p in (site / "drafts" / "v001").iterdir())
    assert names == ["manifest.json", "mou.docx", "mou.md"]

    assert invoke("build", site, "--only", "readiness_report").exit_code == 0
    names = {p.name for p in (site / "drafts" / "v002").iterdir()}
    assert {"readiness-report.md", "readiness-report.docx", "readiness-report-radar.png"} <= names
    assert "mou.md" not in names


def test_a_misspelt_id_suggests_the_right_one(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    result = invoke("build", site, "--only", "readines_report")
    assert result.exit_code == 1
    assert "did you mean 'readiness_report'?" in result.stderr
    assert not (site / "drafts").exists() or not any((site / "drafts").iterdir())


def test_a_missing_templates_folder_names_site_yaml(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    with open(site / "site.yaml", "a") as fh:
        fh.write("templates: ../nowhere\n")
    result = invoke("build", site)
    assert result.exit_code == 1
    assert "site.yaml:5: templates: templates folder '../nowhere' not found" in result.stderr
