"""Consultant authoring of jurisdiction profiles (issue 11): lint checks profiles, the titles table
and question placeholders with file, line and a did-you-mean (exit 3); a site's own institutions
win; `new` says which profile a site got; the profile has a JSON Schema."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EXAMPLES, FIXTURES, invoke, render_pack

VA = Path(__file__).resolve().parents[1] / "states" / "VA.yaml"


def _consultant(tmp_path: Path) -> Path:
    """A consultant folder: templates/ (one extra document naming the prosecutor) and states/ beside it."""
    (tmp_path / "templates" / "briefs").mkdir(parents=True)
    (tmp_path / "templates" / "pack.yaml").write_text(
        "id: acme-pack\nversion: 1.0.0\ntitle: Acme pack\ndocuments:\n  - id: brief\n    title: Brief\n"
        "    template: briefs/brief.md.j2\n    formats: [md]\n", encoding="utf-8")
    (tmp_path / "templates" / "briefs" / "brief.md.j2").write_text(
        "# Brief for the {{ juris.prosecutor }}\n", encoding="utf-8")
    (tmp_path / "states").mkdir()
    return tmp_path


def _problems(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("Problem: ")]


def test_a_misspelt_institution_key_is_an_error_with_file_line_and_did_you_mean(tmp_path):
    folder = _consultant(tmp_path)
    text = VA.read_text(encoding="utf-8").replace("  prosecutor_office:", "  prosecuter_office:")
    (folder / "states" / "VA.yaml").write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("  prosecuter_office:"))
    result = invoke("lint", "--templates", folder / "templates")
    assert result.exit_code == 3, result.output
    (problem,) = _problems(result)
    assert f"VA.yaml:{line}" in problem and "unknown key 'prosecuter_office'" in problem
    assert "did you mean 'prosecutor_office'?" in problem
    assert "Traceback" not in result.output


def test_a_misspelt_top_level_key_and_a_wrong_state_are_both_reported(tmp_path):
    folder = _consultant(tmp_path)
    (folder / "states" / "OH.yaml").write_text(
        "state: OH\nname: Ohio\nown_term: [ADAMHS]\ncitations: {}\n", encoding="utf-8")
    (folder / "states" / "KY.yaml").write_text("state: TN\nname: Kentucky\ncitations: {}\n", encoding="utf-8")
    result = invoke("lint", "--templates", folder / "templates")
    assert result.exit_code == 3
    problems = _problems(result)
    assert any("OH.yaml:3" in p and "did you mean 'own_terms'?" in p for p in problems), problems
    assert any("KY.yaml:1" in p and "the profile says state 'TN'" in p for p in problems), problems


def test_a_misspelt_key_in_a_titles_table_is_reported(tmp_path):
    folder = _consultant(tmp_path)
    (folder / "states" / "titles.yaml").write_text(
        "OH: {prosecutor: Prosecuting Attorney}\nKY: {prosecutor: County Attorney, prosecuter_unit: county}\n",
        encoding="utf-8")
    result = invoke("lint", "--templates", folder / "templates")
    assert result.exit_code == 3
    (problem,) = _problems(result)
    assert "titles.yaml:2" in problem and "did you mean 'prosecutor_unit'?" in problem


def test_one_lint_run_reports_questionnaire_templates_and_profiles(tmp_path):
    folder = _consultant(tmp_path)
    (folder / "states" / "VA.yaml").write_text(VA.read_text(encoding="utf-8").replace("  bh_authority:", "  bh_autority:"),
                                               encoding="utf-8")
    (folder / "templates" / "briefs" / "brief.md.j2").write_text("{{ juris.prosecutor\n", encoding="utf-8")
    q = tmp_path / "q.yaml"
    q.write_text((FIXTURES / "mini-questionnaire.yaml").read_text(encoding="utf-8").replace(
        "text: What is the county's name?", "text: What is the county's name, {prosecuter}?", 1), encoding="utf-8")
    result = invoke("lint", "--questionnaire", q, "--templates", folder / "templates")
    assert result.exit_code == 3
    problems = _problems(result)
    assert any("q.yaml:" in p and "unknown title '{prosecuter}'" in p and "did you mean 'prosecutor'?" in p
               for p in problems), problems
    assert any("VA.yaml:" in p and "did you mean 'bh_authority'?" in p for p in problems), problems
    assert any("brief.md.j2:" in p and "unexpected end of template" in p.lower() for p in problems), problems


def test_a_site_names_its_own_prosecutor_in_site_yaml(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    with open(site / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write("institutions:\n  prosecutor: County Prosecutor\n")
    docs = render_pack(site)
    assert "Office of the County Prosecutor" in docs["prosecutor_protocol"]
    assert "Who is the elected County Prosecutor?" in docs["readiness_report"] or \
        "County Prosecutor" in docs["readiness_report"]


def test_a_misspelt_site_institution_is_refused_with_a_did_you_mean(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    with open(site / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write("institutions:\n  prosecuter: County Prosecutor\n")
    result = invoke("score", site)
    assert result.exit_code == 1
    assert "site.yaml:6" in result.output and "did you mean 'prosecutor'?" in result.output


def test_new_says_which_profile_the_site_got(tmp_path):
    result = invoke("new", tmp_path / "va", "--name", "Example County", "--state", "va")
    assert result.exit_code == 0, result.output
    assert "Virginia: titles and institutions set; 4 citations to confirm" in " ".join(result.stderr.split())
    result = invoke("new", tmp_path / "oh", "--name", "Example County", "--state", "OH")
    said = " ".join(result.stderr.split())
    assert "Ohio: no state profile" in said and "Prosecuting Attorney" in said


def test_the_state_profile_schema_describes_institutions_and_charging():
    result = invoke("schema", "state")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"institutions", "charging", "misdemeanors", "resources", "own_terms", "sources"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert "prosecutor" in schema["$defs"]["Institutions"]["properties"]


def test_a_misspelt_juris_name_in_a_template_is_reported_with_a_did_you_mean(tmp_path):
    folder = _consultant(tmp_path)
    (folder / "templates" / "briefs" / "brief.md.j2").write_text("# For the {{ juris.prosecuter }}\n", encoding="utf-8")
    result = invoke("lint", "--templates", folder / "templates")
    assert result.exit_code == 3
    assert any("brief.md.j2:1" in p and "prosecutor" in p for p in _problems(result)), result.stdout


def test_the_readmes_new_state_walkthrough_profile_is_valid_and_used(tmp_path):
    """The README's Kentucky example is a real profile: lint accepts it, and a Kentucky site built
    with it names Kentucky's offices."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("# acme/states/KY.yaml", 1)[1].split("```", 1)[0]
    text = "\n".join(line[3:] if line.startswith("   ") else line for line in block.splitlines()[1:])
    folder = _consultant(tmp_path)
    (folder / "states" / "KY.yaml").write_text(text, encoding="utf-8")
    result = invoke("lint", "--templates", folder / "templates")
    assert result.exit_code == 0, result.stdout
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8").replace("state: NC", "state: KY")
                                    + "templates: ../templates\n", encoding="utf-8")
    docs = render_pack(site)
    assert "Office of the Commonwealth's Attorney" in docs["prosecutor_protocol"]
    assert "County Attorney" in docs["prosecutor_protocol"]  # who else must commit

