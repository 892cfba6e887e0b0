"""Jurisdiction profiles: the titles, institutions, charging mechanics and law of one state.

One YAML file per state, `states/XX.yaml` (bundled, or in a consultant's `states/` folder beside a
templates folder).  A state without a profile gets `generic.yaml`: neutral wording and every citation
an item to confirm, so a Virginia site never receives North Carolina law by accident.  The small
table `states/titles.yaml` still gives such a state its prosecutor's title ("Prosecuting Attorney"
in Ohio).  A site may override any institution in the `institutions:` block of its `site.yaml`
(a county whose prosecutor has another title).

Templates see the institutions as `juris.<field>`; question and help texts name them as
`{prosecutor}`, `{bh_authority}`... (`readiness.questionnaire.wording`).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal, Mapping, Optional

from pydantic import Field, create_model

from readiness import resources
from readiness.files import read_yaml
from readiness.kernel.load import load_model
from readiness.kernel.models import StrictVerbatim as _Strict

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

GENERIC_FILE = "generic.yaml"
TITLES_FILE = "titles.yaml"


class Citation(_Strict):
    title: str
    cite: Optional[str] = Field(None, description="The citation; null when it still has to be confirmed.")
    summary: str = ""
    source: Optional[str] = Field(None, description="Where the citation was found (for the consultant).")


class Institutions(_Strict):
    """The titles and institutions drafts name, as the state calls them.  Templates see them as
    `juris.<field>`, questions as `{field}`.  The defaults are the neutral wording used for a state
    without a profile."""

    prosecutor: str = Field("Prosecutor", description="Title of the elected prosecutor, e.g. 'District Attorney'.")
    prosecutor_short: Optional[str] = Field(None, description="Short form in running text ('DA'); "
                                            "default: the title.")
    prosecutor_office: Optional[str] = Field(None, description="The office as a party to an agreement; "
                                             "default: 'Office of the <title>'.")
    assistant_prosecutor: Optional[str] = Field(None, description="Title of a line prosecutor, lower case; "
                                                "default: 'assistant <title>'.")
    prosecutor_unit: str = Field("prosecutorial jurisdiction",
                                 description="What the prosecutor's area is called, e.g. 'prosecutorial district'.")
    misdemeanor_prosecutor: Optional[str] = Field(
        None, description="Who prosecutes (and signs for) the diverted misdemeanors; default: the prosecutor.")
    bh_authority: str = Field("local behavioral health authority",
                              description="Short name of the local public behavioral health authority.")
    bh_authority_long: str = Field("local public behavioral health authority",
                                   description="Full name, used at first mention and in signature blocks.")
    officer_process: str = Field("citation, summons",
                                 description="What an officer issues to start a misdemeanor case, in a list "
                                 "('no custodial arrest, {officer_process}, or ...'): 'citation' in North Carolina, "
                                 "'summons' in Virginia; neutral: 'citation, summons'.")
    process_issuer: str = Field("judicial official",
                                description="Who issues process for a misdemeanor (magistrate, clerk, judge).")
    misdemeanor_court: str = Field("court that hears misdemeanors",
                                   description="The court where misdemeanors are heard, without an article "
                                   "('district court'): texts write 'the {misdemeanor_court}'.")
    health_agency: str = Field("the state health department", description="The state health agency, in a sentence.")
    state_bh_agency: str = Field("the state behavioral health agency",
                                 description="The state mental health and substance use agency, in a sentence.")
    record_clearing: str = Field("expungement", description="What the state calls clearing the record of a dismissed "
                                 "charge, in a sentence: 'expunction' in North Carolina, 'expungement' in Virginia.")

    def resolved(self) -> dict[str, str]:
        """Every field as text, the derived defaults filled in. (The fields read one by one, as
        `model_dump()` gives them for these plain text fields, without building a serializer.)"""
        out = {name: getattr(self, name) for name in type(self).model_fields}
        title = self.prosecutor
        out["prosecutor_short"] = self.prosecutor_short or title
        out["prosecutor_office"] = self.prosecutor_office or f"Office of the {title}"
        out["assistant_prosecutor"] = self.assistant_prosecutor or f"assistant {_lower_title(title)}"
        out["misdemeanor_prosecutor"] = self.misdemeanor_prosecutor or title
        return out


def _lower_title(title: str) -> str:
    """'Prosecuting Attorney' -> 'prosecuting attorney'; a proper name ('Commonwealth's') stays."""
    return " ".join(w if w.endswith("'s") else w.lower() for w in title.split())


INSTITUTION_NAMES: tuple[str, ...] = tuple(Institutions.model_fields)

# The same fields, each optional and without a default: what a site or the titles table may set.
# (Any to mypy: a model built at run time has no static fields; TitleRow and SiteProfile subclass or use it.)
_override_fields: dict[str, Any] = {name: (Optional[str], Field(None, description=f.description))
                                    for name, f in Institutions.model_fields.items()}
InstitutionOverrides: Any = create_model("InstitutionOverrides", __base__=_Strict, **_override_fields)


class Charging(_Strict):
    """How a misdemeanor charge starts, which decides how the prosecutor's commitment is worded."""

    starts: Literal["officer", "prosecutor", "either"] = Field(
        "either", description="officer: an officer's citation or summons, or a magistrate's process, starts the "
        "charge (commit to not seeking process); prosecutor: the prosecutor files (commit to not filing); "
        "either: word both.")
    how: str = Field("", description="One sentence on how a misdemeanor charge starts, for the drafting memo.")
    cite: Optional[str] = None
    citizen_process: Optional[str] = Field(
        None, description="The citation under which any private citizen may seek misdemeanor process from the "
        "process issuer (the MOU cannot bar it, so the prosecutor protocol says how the prosecutor will use its "
        "discretion); null where no source says so.")
    source: Optional[str] = None


class Misdemeanors(_Strict):
    """Who signs for the diverted offenses, where it is not only the elected prosecutor."""

    signer: Optional[str] = Field(None, description="The office or offices that must sign for misdemeanors.")
    note: str = Field("", description="Why, in a sentence (another office handles misdemeanors, police "
                      "prosecute...).")
    source: Optional[str] = None


class Resource(_Strict):
    """A technical-assistance, data or settlement resource that exists in this state only."""

    kind: Literal["technical_assistance", "settlement", "data", "post_overdose", "other"]
    name: str = Field(description="As it reads in a sentence, e.g. 'NC Technical Assistance Center (NC-TAC)'.")
    short: Optional[str] = Field(None, description="Short name for a second mention, e.g. 'NC-TAC'.")
    url: Optional[str] = None
    note: str = ""


# The defaults of the sections below are made without validating (`model_construct`: the same
# values, defaults all), so importing this module builds no validator; one is built only for a
# profile read from its file, not for one taken verified from the cache (`load_state_profile`).
class StateProfile(_Strict):
    state: str
    name: str
    reviewed: Optional[str] = None
    sources: list[str] = Field(default_factory=list, description="Where the profile's facts come from.")
    institutions: Institutions = Institutions.model_construct()
    charging: Charging = Charging.model_construct()
    misdemeanors: Misdemeanors = Misdemeanors.model_construct()
    resources: list[Resource] = Field(default_factory=list)
    own_terms: list[str] = Field(default_factory=list, description="Words that belong to this state only and must "
                                 "never appear in another state's drafts (checked by the tests).")
    citations: dict[str, Citation]

    def resource(self, kind: str) -> Optional[Resource]:
        return next((r for r in self.resources if r.kind == kind), None)


class TitleRow(InstitutionOverrides):
    source: Optional[str] = None
    note: Optional[str] = None


def state_name(code: str) -> str:
    return US_STATES.get(code.upper(), code)


def profile_path(code: str, extra_dirs: tuple[Path, ...] = ()) -> tuple[Path, bool]:
    """The profile file used for a state, and whether it is the state's own (False: the generic one)."""
    for folder in [*extra_dirs, resources.states_dir()]:
        path = Path(folder) / f"{code.upper()}.yaml"
        if path.is_file():
            return path, True
    return resources.states_dir() / GENERIC_FILE, False


def load_state_profile(code: str, extra_dirs: tuple[Path, ...] = ()) -> tuple[StateProfile, bool]:
    """The profile for a state, and whether it is the state's own (False: the generic one, with the
    state's prosecutor title from the titles table).

    Kept validated in the per-user cache (questionnaire/checked.kept) while the files it is made of
    are unchanged: the state's profile and the generic one, or the generic one and the titles
    tables. A run that takes it from there reads no YAML and builds no validator for it."""
    from readiness.questionnaire.checked import kept

    return kept(f"state profile {code!r}", lambda: _profile_inputs(code, extra_dirs),
                lambda: _load_state_profile(code, extra_dirs), sys.modules[__name__], _Strict, _is_loaded_profile,
                "state profile")


def _profile_inputs(code: str, extra_dirs: tuple[Path, ...]) -> list[Path]:
    """The files a state's profile is made of (`_load_state_profile` reads these and no other)."""
    path, own = profile_path(code, extra_dirs)
    return [path, resources.states_dir() / GENERIC_FILE] if own else [path, *_titles_files(extra_dirs)]


def _is_loaded_profile(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], StateProfile)
            and isinstance(value[1], bool))


def _load_state_profile(code: str, extra_dirs: tuple[Path, ...] = ()) -> tuple[StateProfile, bool]:
    path, own = profile_path(code, extra_dirs)
    profile = parse_profile(path)
    if own:
        # A citation the profile leaves out is still one the templates cite: an item to confirm.
        generic = parse_profile(resources.states_dir() / GENERIC_FILE)
        missing = {k: c for k, c in generic.citations.items() if k not in profile.citations}
        if missing:
            profile = profile.model_copy(update={"citations": {**profile.citations, **missing}})
        return profile, True
    row = title_row(code, extra_dirs)
    if row:
        profile = with_institutions(profile, {k: v for k, v in row.model_dump().items()
                                              if k in INSTITUTION_NAMES and v is not None})
        signer = getattr(row, "misdemeanor_prosecutor", None)  # a field of the run-time base (mypy cannot see it)
        misdemeanors = Misdemeanors(signer=signer, note=row.note or "", source=row.source)
        profile = profile.model_copy(update={"misdemeanors": misdemeanors})
    return profile.model_copy(update={"name": state_name(code)}), False


def with_institutions(profile: StateProfile, overrides: Mapping[str, Optional[str]] | None) -> StateProfile:
    """The profile with some institutions replaced (the titles table, or a site's own names)."""
    given: dict[str, Optional[str]] = {k: v for k, v in (overrides or {}).items() if v is not None}
    if not given:
        return profile
    if "prosecutor" in given:  # derived names follow a new title unless given too
        for derived in ("prosecutor_short", "prosecutor_office", "assistant_prosecutor", "misdemeanor_prosecutor"):
            given.setdefault(derived, None)
    data = {**profile.institutions.model_dump(), **given}
    return profile.model_copy(update={"institutions": Institutions(**data)})


def _titles_files(extra_dirs: tuple[Path, ...] = ()) -> list[Path]:
    """The titles tables, lowest first: the bundled one, then consultants' (the first folder last)."""
    found = (Path(folder) / TITLES_FILE for folder in [resources.states_dir(), *reversed(extra_dirs)])
    return [path for path in found if path.is_file()]


def title_rows(extra_dirs: tuple[Path, ...] = ()) -> dict[str, TitleRow]:
    """The prosecutor titles by state: the bundled table, overridden row by row by consultants'."""
    rows: dict[str, TitleRow] = {}
    for path in _titles_files(extra_dirs):
        rows.update(parse_titles(path))
    return rows


def title_row(code: str, extra_dirs: tuple[Path, ...] = ()) -> Optional[TitleRow]:
    return title_rows(extra_dirs).get(code.upper())


def parse_titles(path: Path) -> dict[str, TitleRow]:
    from readiness.errors import Collected, FileProblems, Problem
    from readiness.files import Located

    located = read_yaml(path, "prosecutor titles table")
    if not isinstance(located.data, dict):
        raise FileProblems([Problem("the titles table must map state codes to titles", file=path, line=1)])
    rows: dict[str, TitleRow] = {}
    problems = Collected()
    for code, row in located.data.items():
        key = str(code)
        if key.upper() not in US_STATES:
            problems.add(f"unknown state code '{key}'", file=path, line=located.line_of((code,)),
                         hint="use a two-letter code such as OH")
            continue
        part = Located(row, {k[1:]: v for k, v in located.lines.items() if k[:1] == (code,)}, path)
        line = located.line_of((code,))
        if line is not None:
            part.lines.setdefault((), line)
        try:
            rows[key.upper()] = load_model(TitleRow, part, fields_for=lambda loc: list(TitleRow.model_fields))
        except FileProblems as exc:
            problems.problems.extend(exc.problems)
    problems.raise_if_any()
    return rows


def parse_profile(path: Path) -> StateProfile:
    return load_model(StateProfile, path, "state profile", fields_for=_profile_fields)


_SECTIONS: dict[str, type[_Strict]] = {"institutions": Institutions, "charging": Charging,
                                         "misdemeanors": Misdemeanors}


def _profile_fields(loc: tuple) -> list[str]:
    """The keys allowed where an unknown key was found, for the did-you-mean."""
    if not loc:
        return list(StateProfile.model_fields)
    if loc[0] in _SECTIONS and len(loc) == 1:
        return list(_SECTIONS[loc[0]].model_fields)
    if loc[0] == "citations" and len(loc) == 2:
        return list(Citation.model_fields)
    if loc[0] == "resources" and len(loc) == 2:
        return list(Resource.model_fields)
    return []


def site_profile(code: str, extra_dirs: tuple[Path, ...] = (),
                 overrides: Mapping[str, Optional[str]] | None = None) -> tuple[StateProfile, bool]:
    """The profile a site uses: its state's (or the generic one), with the site's own institutions."""
    profile, own = load_state_profile(code, extra_dirs)
    return with_institutions(profile, overrides), own


def wording(code: str, extra_dirs: tuple[Path, ...] = (),
            overrides: Mapping[str, Optional[str]] | None = None) -> dict[str, str]:
    """The names `{prosecutor}`, `{bh_authority}`... in question texts stand for, for one site."""
    profile, _own = site_profile(code, extra_dirs, overrides)
    return profile.institutions.resolved()


def citation_text(profile: StateProfile, own: bool, key: str, code: str) -> tuple[str, str | None]:
    """(text to print, open-item text or None). Unconfirmed citations become placeholders."""
    c = profile.citations.get(key)
    title = c.title if c else key.replace("_", " ")
    if c and c.cite and own:
        return c.cite, None
    item = f"{state_name(code)} citation for {_mid_sentence(title)}"
    return f"[TO CONFIRM: {item}]", item


def _mid_sentence(title: str) -> str:
    """A citation's title inside a sentence: only its first word loses its capital, and only when it is
    an ordinary word ('Naloxone access' -> 'naloxone access'; '911 Good Samaritan ...' and 'Public records
    law (Virginia Freedom of Information Act)' keep their proper names)."""
    first, _, rest = title.partition(" ")
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        first = first[0].lower() + first[1:]
    return f"{first} {rest}" if rest else first


def open_citations(profile: StateProfile, own: bool) -> list[str]:
    """The citation keys still to confirm for a site of this state."""
    return [key for key, c in profile.citations.items() if not (c.cite and own)]


def describe(code: str, extra_dirs: tuple[Path, ...] = ()) -> str:
    """One line for `new`: which profile the site got and what that means."""
    profile, own = load_state_profile(code, extra_dirs)
    name = state_name(code)
    to_confirm = len(open_citations(profile, own))
    cites = f"{to_confirm} citation{'s' if to_confirm != 1 else ''} to confirm"
    if own:
        return f"{name}: titles and institutions set; {cites}"
    if title_row(code, extra_dirs):
        return (f"{name}: no state profile, so neutral wording with the prosecutor's title "
                f"({profile.institutions.prosecutor}) from the titles table; {cites}")
    return f"{name}: no state profile, so neutral titles and institutions; {cites}"
