"""The wheel carries its data: installed non-editable, run from an empty folder, the tool works.

Dependencies are borrowed from the running environment through a .pth file so the test needs no
network; the package itself comes only from the freshly built wheel (or the editable checkout).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    purelib = subprocess.run([str(path / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # Borrow third-party dependencies (not our own package) from the test environment.
    Path(purelib, "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return path


def _pip(venv: Path, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"])
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", "--no-build-isolation", *args], check=True, env=env, cwd=ROOT)


def _run_from_empty_dir(venv: Path, tmp: Path, example: Path) -> dict:
    empty = tmp / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    exe = str(venv / "bin" / "lead-readiness")
    version = subprocess.run([exe, "--version"], cwd=empty, env=env, capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("lead-readiness "), version.stderr
    helptext = subprocess.run([exe, "--help"], cwd=empty, env=env, capture_output=True, text=True)
    assert helptext.returncode == 0 and "score" in helptext.stdout
    scored = subprocess.run([exe, "score", str(example), "--format", "json"], cwd=empty, env=env,
                            capture_output=True, text=True)
    assert scored.returncode == 0, scored.stderr
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import readiness; print(readiness.__file__)"],
                           cwd=empty, env=env, capture_output=True, text=True).stdout.strip()
    return {"score": json.loads(scored.stdout), "module": where}


def test_wheel_install_works_from_an_empty_directory(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
                   cwd=ROOT, check=True, capture_output=True)
    (wheel,) = dist.glob("lead_readiness-*.whl")
    venv = _venv(tmp_path / "venv")
    _pip(venv, str(wheel))
    example = tmp_path / "site"
    import shutil

    shutil.copytree(ROOT / "examples" / "harbor-county", example)
    out = _run_from_empty_dir(venv, tmp_path, example)
    assert str(tmp_path / "venv") in out["module"], "the wheel's copy must be the one imported"
    assert out["score"]["questionnaire"]["id"] == "lead-site-readiness"
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "readiness/_data/questionnaires/lead-site-readiness.yaml" in names
    assert any(n.startswith("readiness/_data/templates/") for n in names)
    assert any(n.startswith("readiness/_data/examples/harbor-county/") for n in names)
    # The bundled templates' shipped compiled modules (readiness/documents/precompiled.py) are in the
    # wheel and match the wheel's own copy of the templates: loading every one compiles none.
    assert any(n.startswith("readiness/documents/compiled_templates/t_") for n in names)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    compiled = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-c", _LOAD_EVERY_TEMPLATE],
                              cwd=tmp_path / "empty", env=dict(env, LEAD_READINESS_NO_CACHE="1"),
                              capture_output=True, text=True, check=True).stdout.split()
    assert compiled[0].endswith("readiness/_data/templates") and int(compiled[1]) >= 20, compiled
    assert compiled[2:] == ["compiled:"], compiled


_LOAD_EVERY_TEMPLATE = """
import jinja2
from readiness import resources
from readiness.documents.environment import make_environment
names = []
parse = jinja2.Environment._parse
jinja2.Environment._parse = lambda self, source, name, filename: names.append(name) or parse(self, source, name, filename)
root = resources.templates_dir()
env = make_environment([root])
templates = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.j2"))
for name in templates:
    env.get_template(name)
print(root, len(templates), "compiled:", *names)
"""


def test_editable_install_reads_the_checkout(tmp_path):
    venv = _venv(tmp_path / "venv")
    _pip(venv, "-e", str(ROOT))
    out = _run_from_empty_dir(venv, tmp_path, ROOT / "examples" / "harbor-county")
    assert out["module"].startswith(str(ROOT))
    assert out["score"]["site"]
