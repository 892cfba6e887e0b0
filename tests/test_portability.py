"""The tool on a platform without `fcntl` (Windows, or a Python built without it) and without user
ids: every module still imports, every command works, locks still exclude through `filelock`, and
the cache folder follows the platform's convention (platformdirs) or is left unused.

The platform without fcntl is simulated in a fresh interpreter with `sys.modules["fcntl"] = None`,
which makes every `import fcntl` raise ImportError, as it does where the module does not exist.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import EXAMPLES, MINI, ROOT

NO_FCNTL = 'import sys; sys.modules["fcntl"] = None\n'
CLI = NO_FCNTL + ("import runpy; sys.argv = ['lead-readiness'] + sys.argv[1:]; "
                  "runpy.run_module('readiness', run_name='__main__')")


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAD_READINESS_")}
    env.update(NO_COLOR="1", HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


def _lr(tmp_path: Path, *args, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=_env(tmp_path), timeout=timeout)


def test_every_module_imports_without_fcntl(tmp_path):
    script = NO_FCNTL + textwrap.dedent("""
        import importlib, pkgutil, warnings
        warnings.simplefilter("error")  # nothing may even warn about the missing module
        import readiness
        names = [m.name for m in pkgutil.walk_packages(readiness.__path__, "readiness.")
                 if m.name != "readiness.__main__"]
        for name in names:
            importlib.import_module(name)
        from readiness import files
        assert files._fcntl is None
        print(len(names), "modules")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env=_env(tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) > 40


def test_commands_work_without_fcntl(tmp_path):
    site, example = tmp_path / "site", tmp_path / "harbor-county"
    shutil.copytree(EXAMPLES / "harbor-county", example)
    steps = [
        ("new", site, "--name", "Hill County", "--state", "NC", "--questionnaire", MINI),
        ("answer", site, "county_name", "Hill County"),
        ("answer", site, "support_diversion", "4", "--respondent", "Ana Ruiz", "--role", "Police Chief"),
        ("score", site, "--format", "json"),
        ("build", example),  # the build lock
        ("answer", example, "caseload_cap", "18"),
    ]
    for args in steps:
        done = _lr(tmp_path, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr and "internal problem" not in done.stderr, done.stderr
        assert "soft file lock" not in done.stderr, done.stderr
    assert '"overall"' in _lr(tmp_path, "score", site, "--format", "json").stdout
    assert list((example / "drafts" / "v001").glob("*.docx"))


def test_the_interview_lock_still_excludes_a_second_process_without_fcntl(tmp_path):
    site = tmp_path / "site"
    assert _lr(tmp_path, "new", site, "--name", "Hill County", "--state", "NC", "--questionnaire", MINI).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", NO_FCNTL + textwrap.dedent(f"""
            from pathlib import Path
            from readiness.workspace.store import session_lock
            with session_lock(Path({str(site)!r})):
                print("held", flush=True)
                sys.stdin.read()  # until the test closes our input
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=_env(tmp_path))
    try:
        assert holder.stdout.readline().strip() == "held", holder.stderr.read()
        second = subprocess.run(
            [sys.executable, "-c", NO_FCNTL + textwrap.dedent(f"""
                from pathlib import Path
                from readiness.errors import WorkspaceError
                from readiness.workspace.store import session_lock
                try:
                    with session_lock(Path({str(site)!r})):
                        print("got the lock")
                except WorkspaceError as exc:
                    print(exc)
            """)], capture_output=True, text=True, cwd=ROOT, env=_env(tmp_path), timeout=120)
        assert "another interview is already running" in second.stdout, (second.stdout, second.stderr)
        assert f"pid {holder.pid} since" in second.stdout
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert holder.returncode == 0, holder.stderr.read()
    again = _lr(tmp_path, "answer", site, "county_name", "Hill County")  # released: writes go on
    assert again.returncode == 0, again.stderr


def test_without_user_ids_nothing_is_cached_and_reading_works(tmp_path, monkeypatch):
    from readiness import cache, resources
    from readiness.files import read_yaml

    monkeypatch.delattr(os, "getuid")
    assert cache.user_cache_dir("yaml") is None
    assert read_yaml(resources.bundled_questionnaire()).data["questions"]
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.json"))


def test_the_cache_folder_is_the_platforms(monkeypatch, tmp_path):
    import platformdirs

    from readiness import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache._root() == tmp_path / "xdg" / "lead-readiness"
    monkeypatch.delenv("XDG_CACHE_HOME")
    # Linux: the folder written out in cache.py is the one platformdirs names.
    if sys.platform.startswith("linux"):
        assert cache._root() == Path(platformdirs.user_cache_dir("lead-readiness", appauthor=False))
    # macOS and Windows: platformdirs is asked.
    asked = []
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda name, appauthor=None: asked.append(name) or "/pd/x")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache._root() == Path("/pd/x") and asked == ["lead-readiness"]


@pytest.mark.parametrize("wait", [True, False])
def test_a_lock_held_elsewhere_without_fcntl_is_reported_not_waited_on_forever(tmp_path, monkeypatch, wait):
    from readiness import files
    from readiness.errors import WorkspaceError

    filelock = pytest.importorskip("filelock")
    monkeypatch.setattr(files, "_fcntl", None)
    monkeypatch.setattr(files, "FALLBACK_WAIT_SECONDS", 0.2)
    target = tmp_path / ".lead-readiness.lock"
    other = filelock.SoftFileLock(str(target) + files.FALLBACK_LOCK_SUFFIX)  # another process's lock, as a file
    monkeypatch.setattr(files, "_fallback_lock", lambda path: (filelock, filelock.SoftFileLock(
        str(path) + files.FALLBACK_LOCK_SUFFIX)))
    other.acquire()
    try:
        if wait:
            with pytest.raises(WorkspaceError, match="if no lead-readiness command is running, delete that file"):
                with files.exclusive_lock(target):
                    pass
        else:
            with pytest.raises(files.LockBusy):
                with files.exclusive_lock(target, wait=False):
                    pass
    finally:
        other.release()
    with files.exclusive_lock(target):  # free again
        pass
