"""Shared fixtures: the mini questionnaire, a fresh site, and a CLI runner."""
from __future__ import annotations

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
