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


def without_pydantic_plugins() -> None:
    """Build this process's validators without looking for pydantic plugins (the command line's
    processes: `readiness.cli.handled`).

    When pydantic builds its first validator it reads the entry points of every installed
    distribution, looking for plugins that would watch each validation: about 5 ms of a `score`
    (issue 15), spent for nothing, since the command line uses no such plugin (and one installed
    beside it for another program has no business watching its files). pydantic's documented
    switch is the environment variable PYDANTIC_DISABLE_PLUGINS, but the command line does not
    write the environment (its child processes would inherit it): this leaves pydantic what it
    keeps once it has looked, a process-wide empty set of plugins. It does nothing once pydantic
    has looked, or where its loader keeps no such set (another pydantic: then it looks, as before)."""
    try:
        from pydantic.plugin import _loader
    except ImportError:  # a pydantic without plugins: nothing to skip
        return
    if getattr(_loader, "_plugins", ()) is None:
        _loader._plugins = {}
