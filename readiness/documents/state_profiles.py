"""State profiles: the statutes and orders drafts cite, one YAML file per state.

A state without a profile gets `generic.yaml`, whose every citation is a visible item to confirm,
so a Virginia site never receives North Carolina law by accident.  Adding a state is adding one
file `states/XX.yaml` (bundled, or in a consultant's folder given with --templates DIR/../states).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from readiness import resources
from readiness.files import read_yaml
from readiness.questionnaire.loader import validation_problems

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    cite: Optional[str] = Field(None, description="The citation; null when it still has to be confirmed.")
    summary: str = ""


class Institutions(BaseModel):
    """The titles and institutions drafts name, as the state calls them.  Templates see them as
    `juris.<field>`.  The defaults are the neutral wording used for a state without a profile."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    prosecutor: str = Field("Prosecutor", description="Title of the elected prosecutor, e.g. 'District Attorney'.")
    prosecutor_office: str = Field("Office of the Prosecutor", description="The office as a party to an agreement.")
    assistant_prosecutor: str = Field("assistant prosecutor", description="Title of a line prosecutor, lower case.")
    prosecutor_unit: str = Field("prosecutorial jurisdiction",
                                 description="What the prosecutor's area is called, e.g. 'prosecutorial district'.")
    bh_authority: str = Field("local behavioral health authority",
                              description="Short name of the local public behavioral health authority.")
    bh_authority_long: str = Field("local public behavioral health authority",
                                   description="Full name, used at first mention and in signature blocks.")
    process_issuer: str = Field("judicial official",
                                description="Who issues process for a misdemeanor (magistrate, clerk, judge).")
    health_agency: str = Field("the state health department", description="The state health agency, in a sentence.")


class StateProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    state: str
    name: str
    reviewed: Optional[str] = None
    institutions: Institutions = Institutions()
    citations: dict[str, Citation]


def state_name(code: str) -> str:
    return US_STATES.get(code.upper(), code)


def load_state_profile(code: str, extra_dirs: tuple[Path, ...] = ()) -> tuple[StateProfile, bool]:
    """The profile for a state, and whether it is the state's own (False: the generic one)."""
    dirs = [*extra_dirs, resources.states_dir()]
    for folder in dirs:
        path = Path(folder) / f"{code.upper()}.yaml"
        if path.is_file():
            return parse_profile(path), True
    return parse_profile(resources.states_dir() / "generic.yaml"), False


def parse_profile(path: Path) -> StateProfile:
    located = read_yaml(path, "state profile")
    try:
        return StateProfile.model_validate(located.data)
    except ValidationError as exc:
        validation_problems(exc, located, lambda loc: []).raise_if_any()
        raise


def citation_text(profile: StateProfile, own: bool, key: str, code: str) -> tuple[str, str | None]:
    """(text to print, open-item text or None). Unconfirmed citations become placeholders."""
    c = profile.citations.get(key)
    title = c.title if c else key.replace("_", " ")
    if c and c.cite and own:
        return c.cite, None
    item = f"{state_name(code)} citation for {title.lower()}"
    return f"[TO CONFIRM: {item}]", item
