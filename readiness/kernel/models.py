"""The strict pydantic bases every file format is built on.

Unknown keys are refused everywhere (`extra="forbid"`) so a misspelt key is reported, not ignored.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Frozen after loading (the rest of the pipeline only reads it); spaces around text stripped.
    `defer_build`: a model's validator is built when it first validates, so a run that takes the
    questionnaire from the per-user cache (questionnaire/checked.py) never builds them."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class StrictVerbatim(BaseModel):
    """Frozen, with text kept exactly as written (state profiles, program terms, manifests)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class StrictEditable(BaseModel):
    """A site's own files (site.yaml, answers, respondents): not frozen, spaces around text stripped;
    an enum field holds the value the file stores (`"unknown"`), as the file is written back."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True, defer_build=True)
