"""`demo`: copy the bundled example site somewhere and build its whole document pack.

Never overwrites: an existing site folder gets a new draft version; an existing non-empty folder
that is not a site is refused.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from readiness import resources
from readiness.errors import ReadinessError, WorkspaceError

DEMO_EXAMPLE = "harbor-county"
DEFAULT_OUT = Path("lead-readiness-demo")
_SKIP = {"drafts", ".lead-readiness.lock", ".interview.lock"}


def example_source(name: str = DEMO_EXAMPLE) -> Path:
    source = resources.examples_dir() / name
    if not (source / "site.yaml").is_file():
        raise ReadinessError(f"the bundled example site '{name}' is missing from this installation",
                             hint="reinstall lead-readiness")
    return source


def prepare_demo(out: Path, source: Path | None = None) -> tuple[Path, bool]:
    """The demo site folder, copied from `source` unless `out` is already a site; (folder, copied?)."""
    out = Path(out)
    if (out / "site.yaml").is_file():
        return out, False
    if out.exists() and not out.is_dir():
        raise WorkspaceError(f"{out} exists and is a file", hint="choose a new folder for the demo")
    if out.is_dir() and any(out.iterdir()):
        raise WorkspaceError(f"{out} exists, is not empty and is not a site folder; the demo will not write into it",
                             hint="choose a new or empty folder, e.g. lead-readiness demo ./lead-readiness-demo-2")
    source = Path(source) if source is not None else example_source()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        site_copy = tmp / "site"
        shutil.copytree(source, site_copy, ignore=lambda folder, names: [n for n in names if n in _SKIP])
        try:
            if out.is_dir():
                out.rmdir()  # empty (checked above); the rename below takes its place
            os.rename(site_copy, out)
        except OSError as exc:
            if (out / "site.yaml").is_file():
                return out, False  # another demo run put the site there first: build in it (builds queue)
            raise WorkspaceError(f"{out}: the demo site could not be put there "
                                 f"({(exc.strerror or str(exc)).lower()})",
                                 hint="choose a new or empty folder for the demo") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, True
