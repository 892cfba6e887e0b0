"""`lint` finds every seeded problem with file and line (exit 3); the bundled pack lints clean (exit 0)."""

from pathlib import Path

import pytest

from conftest import EXAMPLES, FIXTURES, invoke, render_pack

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


def _seeded_case_conferencing(tmp_path: Path, old: str, new: str) -> Path:
    """A consultant folder holding a copy of the bundled case-conferencing protocol with one change."""
    bundled = Path(__file__).resolve().parents[1] / "templates" / "policies" / "case-conferencing.md.j2"
    text = bundled.read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / "templates"
    (folder / "policies").mkdir(parents=True)
    (folder / "policies" / "case-conferencing.md.j2").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_lint_runs_the_text_check_over_what_it_renders(tmp_path):
    folder = _seeded_case_conferencing(tmp_path, "agreeing that information from case conferences",
                                       "agreeing that that information from case conferences")
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 0, result.output  # a text finding is a warning, as in `build`
    warnings = [line for line in result.stdout.splitlines() if line.startswith("Warning: ")]
    hits = [w for w in warnings if "repeated word" in w]
    assert len(hits) == 1, warnings  # one warning, however many example packs show it
    (hit,) = hits
    rendered = render_pack(EXAMPLES / "harbor-county", folder)["case_conferencing"]
    line = next(i for i, row in enumerate(rendered.splitlines(), 1) if "that that information" in row)
    assert ": case-conferencing.md, line " in hit and f"line {line} (harbor-county)" in hit, hit
    assert ": repeated word: " in hit and "that that information" in hit
    assert str(folder / "policies" / "case-conferencing.md.j2") in hit
    said = " ".join(result.stderr.split())
    assert "their text checked" in said and "0 problem(s), 1 warning(s)" in said


def test_the_shipped_templates_give_no_text_warning():
    result = invoke("lint")
    assert not [line for line in result.stdout.splitlines() if line.startswith("Warning: ")], result.stdout
    assert "their text checked" in " ".join(result.stderr.split())


def _brief(tmp_path: Path, body: str) -> Path:
    """A consultant folder with one extra document, `briefs/brief.md.j2`, whose text is `body`."""
    folder = tmp_path / "templates"
    (folder / "briefs").mkdir(parents=True)
    (folder / "briefs" / "brief.md.j2").write_text("# Brief\n\n" + body + "\n", encoding="utf-8")
    (folder / "pack.yaml").write_text(
        "id: x\nversion: 1.0.0\ntitle: X\ndocuments:\n  - id: brief\n    title: Brief\n"
        "    template: briefs/brief.md.j2\n    formats: [md]\n", encoding="utf-8")
    return folder


LOOKUPS_UNHANDLED = [
    ("{% if has_gap('dsa_signed') %}No data-sharing agreement is signed.{% endif %}",
     "has_gap('dsa_signed') decides a branch, but nothing in the if-chain handles an unknown answer",
     "add a dsa.signed.known or dsa.signed.unknown test, or a gap('dsa_signed').kind == 'verify' test"),
    ("{{ 'Nobody has a written procedure.' if gap('remote_handoff') else '' }}",
     "gap('remote_handoff') decides a branch", "access.remote_handoff.known"),
    ("{% if gate('dsa_signed').status == 'passed' %}Signed.{% else %}Not signed.{% endif %}",
     "gate('dsa_signed').status decides a branch, but no test handles an unknown answer",
     "a branch for gate('dsa_signed').status == 'unknown'"),
]


@pytest.mark.parametrize("body, what, how", LOOKUPS_UNHANDLED)
def test_a_branch_on_a_gap_or_gate_that_ignores_the_unknown_answer_is_a_problem(tmp_path, body, what, how):
    folder = _brief(tmp_path, "Line two.\n" + body)
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 3, result.output
    problems = [line for line in result.stdout.splitlines() if line.startswith("Problem: ")]
    assert len(problems) == 1, problems
    assert "brief.md.j2:4: " + what in problems[0] and how in problems[0], problems[0]


LOOKUPS_HANDLED = [
    # the usual shape: an answered no says no, a "don't know" is an open item
    "{% if has_gap('dsa_signed') and dsa.signed.isno %}No data-sharing agreement is signed."
    "{% elif has_gap('dsa_signed') %}[TO CONFIRM: whether a data-sharing agreement is signed]{% endif %}",
    # a section shown for any gap, which tells the cases apart inside
    "{% if has_gap('dsa_signed') or has_gap('roi_approved') %}Still to settle:"
    "{% if dsa.signed.isno %} no agreement.{% elif dsa.signed.unknown %} [TO CONFIRM: agreement]{% endif %}"
    "{% if gap('roi_approved') and gap('roi_approved').kind == 'verify' %} [TO CONFIRM: release]"
    "{% elif has_gap('roi_approved') %} no release.{% endif %}{% endif %}",
    # an enclosing test of the answer's state
    "{% if dsa.signed.known %}{% if has_gap('dsa_signed') %}Not signed.{% endif %}{% endif %}",
    "{% if gate('dsa_signed').status == 'passed' %}Signed.{% elif gate('dsa_signed').status == 'unknown' %}"
    "[TO CONFIRM: whether it is signed]{% else %}Not signed.{% endif %}",
    # whether a question is a launch requirement at all: no answer changes it
    "{% if gate('dsa_signed') %}It is a launch requirement.{% endif %}",
]


@pytest.mark.parametrize("body", LOOKUPS_HANDLED)
def test_a_branch_on_a_gap_that_handles_the_unknown_answer_is_clean(tmp_path, body):
    result = invoke("lint", "--templates", _brief(tmp_path, body))
    assert not [line for line in result.stdout.splitlines() if line.startswith("Problem: ")], result.stdout
    assert result.exit_code == 0


def _problems(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("Problem: ")]


def test_an_unknown_title_in_a_pack_audience_is_a_problem_with_file_line_and_did_you_mean(tmp_path):
    folder = _brief(tmp_path, "Text.")
    (folder / "pack.yaml").write_text(
        "id: x\nversion: 1.0.0\ntitle: X\ndocuments:\n  - id: brief\n    title: Brief\n"
        "    template: briefs/brief.md.j2\n    audience: the {prosecuter} and the {Bh_authority}\n"
        "    formats: [md]\n", encoding="utf-8")
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 3, result.output
    (problem,) = _problems(result)  # `{Bh_authority}` (capitalized) is a known title
    assert f"{folder / 'pack.yaml'}:8: documents[0] (brief).audience: unknown title '{{prosecuter}}'" in problem
    assert "did you mean 'prosecutor'?" in problem


def test_an_unknown_title_in_a_consultant_tasks_file_is_a_problem_with_file_line_and_did_you_mean(tmp_path):
    bundled = Path(__file__).resolve().parents[1] / "templates" / "plans" / "standard-tasks.yaml"
    text = bundled.read_text(encoding="utf-8")
    seeded = text.replace("Obtain the {prosecutor}'s written", "Obtain the {prosecuter}'s written", 1)
    seeded = seeded.replace("owner: '{prosecutor}'", "owner: '{bh_authorty}'", 1)
    assert seeded.count("{prosecuter}") == 1 and seeded.count("{bh_authorty}") == 1
    folder = tmp_path / "templates"
    (folder / "plans").mkdir(parents=True)
    (folder / "plans" / "standard-tasks.yaml").write_text(seeded, encoding="utf-8")
    rows = seeded.splitlines()
    title_line = next(i for i, row in enumerate(rows, 1) if "{prosecuter}" in row)
    owner_line = next(i for i, row in enumerate(rows, 1) if "{bh_authorty}" in row)
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 3, result.output
    problems = _problems(result)
    assert len(problems) == 2, problems
    path = folder / "plans" / "standard-tasks.yaml"
    assert any(f"{path}:{title_line}: tasks[" in p and ".title: unknown title '{prosecuter}'" in p
               and "did you mean 'prosecutor'?" in p for p in problems), problems
    assert any(f"{path}:{owner_line}: tasks[" in p and ".owner: unknown title '{bh_authorty}'" in p
               and "did you mean 'bh_authority'?" in p for p in problems), problems
