"""`lint` finds every seeded problem with file and line (exit 3); the bundled pack lints clean (exit 0)."""

from conftest import FIXTURES, invoke

BROKEN = FIXTURES / "lint-broken"

SEEDED = [
    ("questionnaire.yaml:11", "the condition compares 'port_status' with 'activ', which is not one of its choices"),
    ("questionnaire.yaml:17", "the condition compares yes/no question 'shuttle_service' with 'yes'"),
    ("templates/pack.yaml:14", "template 'policies/nowhere.md.j2' not found"),
    ("policies/memo.md.j2:3", "'da.nmae' is not a fact the questionnaire declares (did you mean 'name'?)"),
    ("policies/memo.md.j2:5", "has_gap('remote_handof') names an unknown question (did you mean 'remote_handoff'?)"),
    ("policies/memo.md.j2:7", "'coordinator_phone' is not a fact the questionnaire declares, nor a built-in"),
    ("policies/syntax.md.j2:4", "Unexpected end of template"),
    ("states/VA.yaml:7", "unknown key 'sumary'"),
]


def test_lint_finds_every_seeded_problem():
    result = invoke("lint", "--questionnaire", BROKEN / "questionnaire.yaml", "--templates", BROKEN / "templates")
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("Problem: ")]
    for where, what in SEEDED:
        assert any(where in line and what in line for line in lines), f"not reported: {where} {what}\n{result.stdout}"
    assert len(lines) == len(SEEDED), result.stdout
    assert "8 problem(s)" in " ".join(result.stderr.split())


def test_bundled_questionnaire_and_pack_lint_clean():
    result = invoke("lint")
    assert result.exit_code == 0, result.stdout
    assert "0 problem(s), 0 warning(s)" in " ".join(result.stderr.split())


def test_a_broken_questionnaire_is_reported_not_raised(tmp_path):
    bad = tmp_path / "q.yaml"
    bad.write_text("id: x\nversion: 1.0.0\ntitle: X\ndomains: []\nquestions: []\n")
    result = invoke("lint", "--questionnaire", bad)
    assert result.exit_code == 3 and "q.yaml" in result.stdout and "Traceback" not in result.output


def test_a_pack_condition_is_checked_like_a_template(tmp_path):
    folder = tmp_path / "templates"
    (folder / "briefs").mkdir(parents=True)
    (folder / "briefs" / "brief.md.j2").write_text("# Brief for {{ county.name }}\n")
    (folder / "pack.yaml").write_text(
        "id: x\nversion: 1.0.0\ntitle: X\ndocuments:\n  - id: brief\n    title: Brief\n"
        "    template: briefs/brief.md.j2\n    when: \"port.stauts == 'none'\"\n")
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 3
    assert "pack.yaml:8: 'port.stauts' is not a fact the questionnaire declares (did you mean 'status'?)" in result.stdout
