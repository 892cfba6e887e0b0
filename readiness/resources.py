"""Finds the bundled questionnaires, templates, examples and state profiles.

An installed wheel carries them in `readiness/_data/`; a checkout (or an editable install) has them
at the top of the repository.  The packaged copy wins when both exist.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from readiness.errors import ReadinessError

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ReadinessError(f"the bundled '{name}' folder is missing from this installation",
                         hint="reinstall lead-readiness (pip install --force-reinstall lead-readiness)")


def questionnaires_dir() -> Path:
    return data_dir("questionnaires")


def templates_dir() -> Path:
    return data_dir("templates")


def template_folders(site=None, extra: Path | None = None) -> list[Path]:
    """The template folders in the order they win, resolved here for every command (build, plan,
    lint): `--templates` first, then the site's own `templates:` folder, then the bundled pack.
    (A `standalone: true` pack.yaml cuts the list short when the pack is loaded.)"""
    folders: list[Path] = []
    if extra is not None:
        folders.append(Path(extra))
    own = getattr(getattr(site, "profile", None), "templates", None)
    if own:
        folder = (site.root / own).resolve()
        if not folder.is_dir():
            from readiness.errors import FileProblems, Problem
            from readiness.files import read_yaml

            line = read_yaml(site.root / "site.yaml", "site file").line_of(("templates",))
            raise FileProblems([Problem(f"templates folder '{own}' not found", file=site.root / "site.yaml",
                                        line=line, where="templates",
                                        hint="give a folder relative to the site folder, or remove the key")])
        folders.append(folder)
    try:
        folders.append(templates_dir())
    except ReadinessError:
        if not folders:
            raise
    return folders


def examples_dir() -> Path:
    return data_dir("examples")


def states_dir() -> Path:
    return data_dir("states")


DEFAULT_QUESTIONNAIRE = "lead-site-readiness"


def bundled_questionnaire(qid: str = DEFAULT_QUESTIONNAIRE) -> Path:
    path = questionnaires_dir() / f"{qid}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in questionnaires_dir().glob("*.yaml"))
        raise ReadinessError(f"no bundled questionnaire named '{qid}'",
                             hint=f"bundled questionnaires: {', '.join(known) or 'none'}")
    return path


def example_names() -> list[str]:
    return sorted(p.name for p in examples_dir().iterdir() if (p / "site.yaml").exists())
