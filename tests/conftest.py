"""Shared fixtures: the mini questionnaire, a fresh site, and a CLI runner."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini-questionnaire.yaml"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(*args: str):
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    from readiness.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def mini_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    result = invoke("new", site, "--name", "Test County", "--state", "NC", "--questionnaire", MINI)
    assert result.exit_code == 0, result.output
    return site


@pytest.fixture
def example_copy(tmp_path: Path):
    """Copy a bundled example site into tmp_path so tests can change it."""

    def make(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(EXAMPLES / name, dest)
        return dest

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove a refused action changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def _private_home_and_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own home and cache folder and none of the tool's environment variables, so
    a test never reads or writes the user's real cache and tests running side by side never share one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for name in list(os.environ):
        if name.startswith("LEAD_READINESS_"):
            monkeypatch.delenv(name, raising=False)
    limits = _process_limits()
    yield
    assert _process_limits() == limits, (
        "this test left a memory or CPU limit on the test process (a render budget that did not restore it)")


def _process_limits():
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform
        return None
    return resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU)


try:  # hypothesis keeps its example database and caches out of the checkout
    import tempfile

    from hypothesis import settings as _hypothesis_settings
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(tempfile.mkdtemp(prefix="lead-readiness-hypothesis-")))
    _hypothesis_settings.register_profile("lead-readiness", database=None)
    _hypothesis_settings.load_profile("lead-readiness")
except ImportError:  # pragma: no cover - hypothesis is a test extra
    pass


def render_pack(site_dir: Path, templates: Path | None = None) -> dict[str, str]:
    """Every document of a site's pack as Markdown, by id, rendered in memory as `build` renders it
    (the report and plan with their supplies); nothing is written."""
    import datetime as dt

    from readiness.assessment import assess_site
    from readiness.documents import build as B
    from readiness.documents.context import site_context
    from readiness.documents.environment import make_environment
    from readiness.documents.pack import load_pack
    from readiness.report.outputs import Supplies
    from readiness.workspace.store import open_site

    site = open_site(site_dir, None, templates)
    pack = load_pack(B.template_folders(site, templates))
    a = assess_site(site)
    context = site_context(site, a, B.state_dirs(pack), pack.folders)
    today = dt.date(2026, 11, 30)
    supplies = Supplies.for_site(site, a, today, pack.folders)
    docs, _ = B.render_documents(make_environment(pack.folders), pack, list(pack.documents), context, 1,
                                 today, supplies)
    return {d.spec.id: d.markdown for d in docs}


def copies_of(docs: dict[str, str], group: str) -> dict[str, str]:
    """The copies of a `for_each` pack document (general_order, field_card) in rendered `docs`, by id."""
    return {doc_id: md for doc_id, md in docs.items() if doc_id.startswith(group + "_")}


def copy_for(docs: dict[str, str], group: str, key) -> str:
    """The copy of `group` made for `key` (an agency's name): general_order_<agency slug>."""
    from readiness.documents.pack import copy_id

    return docs[copy_id(group, str(key), 0)]
