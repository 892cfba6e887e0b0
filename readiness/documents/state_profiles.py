"""State profiles, as the document writer names them: see `readiness.jurisdiction`, where they live
(one floor down, so the interview and the site's questionnaire can take their titles too)."""
from __future__ import annotations

from readiness.jurisdiction import (  # noqa: F401  (re-exported for templates' helpers and tests)
    INSTITUTION_NAMES, US_STATES, Charging, Citation, InstitutionOverrides, Institutions, Misdemeanors, Resource,
    StateProfile, citation_text, describe, load_state_profile, open_citations, parse_profile, parse_titles,
    profile_path, site_profile, state_name, title_row, title_rows, with_institutions, wording,
)
