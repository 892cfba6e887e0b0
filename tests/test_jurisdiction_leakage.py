"""No leakage between states (issue 11): each example site built as North Carolina, as Virginia and
as Ohio names the state's own prosecutor and institutions, and never another state's.

A profile's `own_terms` are words that belong to that state only; the NC terms below are the ones
the issue names. Attributed study findings about North Carolina programs may stay ("a 2023
evaluation of four North Carolina programs found ...").
"""
from __future__ import annotations

import re
import shutil

import pytest

from readiness.jurisdiction import load_state_profile

from conftest import EXAMPLES, render_pack

SITES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "site.yaml").is_file())
NC_ONLY = ("G.S.", "LME/MCO", "NC DHHS", "NC-TAC", "ncopioidsettlement.org", "Local Management Entity")

# Documents other helpers are rewriting this session (they will use juris.* themselves); they are
# left out of the Virginia and Ohio checks until their branches are merged. The lead empties this
# at merge.
PENDING_OTHER_BRANCHES: set[str] = set()  # every template now takes its names from the profile


# The example sites are North Carolina sites, and what their people typed says so ("Office of the
# District Attorney, Prosecutorial District 52", "fictional LME/MCO"). Those answers are the
# users' words, not the tool's: in the Virginia and Ohio copies they are made neutral, so the test
# checks the text the tool itself writes.
ANSWER_WORDS = ((r"fictional LME/MCO", "fictional behavioral health authority"),
                (r"Assistant District Attorney", "Assistant Prosecutor"), (r"District Attorney", "Prosecutor"),
                (r"\bADA\b", "assistant prosecutor"), (r"\bDA\b", "prosecutor"),
                (r"Prosecutorial District", "Prosecution Unit"))


def _build_as(tmp_path, name: str, state: str) -> dict[str, str]:
    site = tmp_path / f"{name}-{state}"
    shutil.copytree(EXAMPLES / name, site)
    path = site / "site.yaml"
    path.write_text(re.sub(r"(?m)^state: .*$", f"state: {state}", path.read_text(encoding="utf-8")), encoding="utf-8")
    if state != "NC":
        for typed in [site / "answers.yaml", *sorted((site / "respondents").glob("*.yaml"))]:
            text = typed.read_text(encoding="utf-8")
            for pattern, neutral in ANSWER_WORDS:
                text = re.sub(pattern, neutral, text)
            typed.write_text(text, encoding="utf-8")
    return render_pack(site)


def _own_terms(state: str) -> tuple[str, ...]:
    profile, own = load_state_profile(state)
    return tuple(profile.own_terms) if own else ()


def _hits(docs: dict[str, str], terms) -> list[str]:
    return [f"{doc}: {term!r} in ...{md[max(0, md.find(term) - 60):md.find(term) + 40]!r}..."
            for doc, md in docs.items() if doc not in PENDING_OTHER_BRANCHES for term in terms if term in md]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("states")
    return {(name, state): _build_as(tmp, name, state) for name in SITES for state in ("NC", "VA", "OH")}


@pytest.mark.parametrize("name", SITES)
def test_virginia_and_ohio_builds_carry_no_north_carolina_institutions_or_law(builds, name):
    for state in ("VA", "OH"):
        assert _hits(builds[name, state], NC_ONLY + _own_terms("NC")) == [], state


@pytest.mark.parametrize("name", SITES)
def test_north_carolina_and_ohio_builds_carry_no_virginia_terms(builds, name):
    for state in ("NC", "OH"):
        assert _hits(builds[name, state], _own_terms("VA")) == [], state


@pytest.mark.parametrize("name", SITES)
def test_virginia_names_the_commonwealths_attorney_never_a_district_attorney(builds, name):
    docs = builds[name, "VA"]
    assert _hits(docs, ("District Attorney", "district attorney", " DA ", " DA's", "ADA")) == []
    assert "Commonwealth's Attorney" in docs["prosecutor_protocol"]
    assert "Community Services Board" in docs["mou"] or "mou" in PENDING_OTHER_BRANCHES


@pytest.mark.parametrize("name", SITES)
def test_ohio_uses_ohios_title_for_the_prosecutor(builds, name):
    docs = builds[name, "OH"]
    assert _hits(docs, ("District Attorney", "district attorney", " DA ", " DA's", "Commonwealth's Attorney")) == []
    assert "Prosecuting Attorney" in docs["prosecutor_protocol"]


@pytest.mark.parametrize("name", SITES)
def test_north_carolina_builds_keep_north_carolinas_names(builds, name):
    docs = builds[name, "NC"]
    assert "District Attorney" in docs["prosecutor_protocol"]
    assert "LME/MCO" in "".join(docs.values())
