"""Checked questionnaires kept in the per-user cache (readiness/questionnaire/checked.py): the same
questionnaire as a full load, the check skipped on a hit, any changed file (an `extends:` base
included) or damaged entry a miss, only questionnaire models ever rebuilt from an entry, and
`score` importing only what it uses."""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import MINI, ROOT
from readiness import cache, resources
from readiness.questionnaire import checked, loader


def entries(suffix: str = ".checked") -> list[Path]:
    return sorted((Path(os.environ["XDG_CACHE_HOME"]) / "lead-readiness" / checked.CACHE_NAME).glob("*" + suffix))


def padded(text: str) -> str:
    """A questionnaire's text made large enough to be cached (a comment at the end)."""
    return text + "\n" + "# padding to pass the cache's minimum size\n" * (checked.MIN_BYTES // 40 + 1)


def load(path: Path):
    loader._load_cached.cache_clear()
    return loader.load_questionnaire(path)


def test_a_cached_questionnaire_is_the_checked_one_and_skips_the_check(monkeypatch):
    path = resources.bundled_questionnaire()
    fresh = load(path)
    assert len(entries()) == 1

    def no_check(*args, **kwargs):
        raise AssertionError("the check ran although the questionnaire was cached")

    monkeypatch.setattr(loader, "cross_check", no_check)
    monkeypatch.setattr(loader, "parse_questionnaire", no_check)
    cached = load(path)
    assert cached is not fresh
    assert cached.model_dump() == fresh.model_dump()
    assert cached.model_dump(exclude_unset=True) == fresh.model_dump(exclude_unset=True)  # fields as given
    assert [q.id for q in cached.questions] == [q.id for q in fresh.questions]
    assert cached.by_id["pcg_formed"].gate == fresh.by_id["pcg_formed"].gate


def test_a_small_questionnaire_is_checked_not_cached():
    assert MINI.stat().st_size < checked.MIN_BYTES
    load(MINI)
    assert not entries()


def test_caching_off_stores_nothing(monkeypatch):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    load(resources.bundled_questionnaire())
    assert not entries()


def test_a_changed_base_of_an_extending_questionnaire_is_loaded_again(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(padded("extends: base.yaml\nid: child\nversion: 1.0.0\ntitle: Child\n"), encoding="utf-8")
    first = load(child)
    assert len(entries()) == 1
    text = first.questions[0].text
    base.write_text(base.read_text(encoding="utf-8").replace(text, "A question changed in the base?", 1),
                    encoding="utf-8")
    assert load(child).questions[0].text == "A question changed in the base?"


def test_a_questionnaire_with_problems_is_never_stored(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(padded(MINI.read_text(encoding="utf-8").replace("domain: buy_in", "domain: nowhere", 1)),
                   encoding="utf-8")
    with pytest.raises(Exception, match="unknown domain"):
        load(bad)
    assert not entries()
    with pytest.raises(Exception, match="unknown domain"):  # and the second load checks it again
        load(bad)


@pytest.mark.parametrize("how", ["garbage", "truncated", "unsigned"])
def test_a_damaged_entry_is_a_miss_and_rewritten(how):
    path = resources.bundled_questionnaire()
    expected = load(path).model_dump()
    [entry] = entries()
    raw = entry.read_bytes()
    entry.write_bytes({"garbage": b"not an entry", "truncated": raw[: len(raw) // 2],
                       "unsigned": raw[len(cache.MAGIC) + 32:]}[how])
    assert load(path).model_dump() == expected
    assert cache.read_entry(entry, checked.MAX_ENTRY_BYTES) is not None  # rewritten, verified


class _Planted:
    def __reduce__(self):
        return (os.system, ("echo planted",))


def test_a_signed_entry_holding_anything_but_questionnaire_models_is_refused():
    """Even an entry signed with this user's key (say, written by an older version with a bug) is
    unpickled only into the questionnaire models: a pickle that would call anything else is a miss."""
    path = resources.bundled_questionnaire()
    expected = load(path).model_dump()
    [entry] = entries()
    head = cache.read_entry(entry, checked.MAX_ENTRY_BYTES).partition(b"\n")[0]
    assert cache.write_entry(entry, head + b"\n" + pickle.dumps(_Planted()))
    with pytest.raises(pickle.UnpicklingError, match="not a questionnaire model"):
        checked._ModelsOnly(io.BytesIO(pickle.dumps(_Planted()))).load()
    assert load(path).model_dump() == expected


def test_a_localized_questionnaire_is_kept_and_equals_a_fresh_localization(example_copy, monkeypatch):
    from readiness.questionnaire import wording
    from readiness.workspace.store import open_site

    site = example_copy("harbor-county")
    loader._load_cached.cache_clear()
    wording._CACHE.clear()
    first = open_site(site).questionnaire
    assert len(entries(".localized")) == 1
    loader._load_cached.cache_clear()
    wording._CACHE.clear()
    monkeypatch.setattr(wording, "_filled", lambda *a, **k: (_ for _ in ()).throw(AssertionError("filled again")))
    again = open_site(site).questionnaire
    assert again.model_dump() == first.model_dump()
    assert "{" not in again.by_id[next(q.id for q in first.questions if "District Attorney" in q.text)].text


def _imported_by_score(site: Path, tmp_path: Path) -> set[str]:
    script = textwrap.dedent("""
        import runpy, sys
        sys.argv = ["lead-readiness", "score", sys.argv[1], "--format", "json"]
        try:
            runpy.run_module("readiness", run_name="__main__")
        except SystemExit as exc:
            assert not exc.code, exc.code
        finally:
            sys.stderr.write("\\n".join(sorted(sys.modules)))
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAD_READINESS_")}
    done = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)
    assert '"overall"' in done.stdout, done.stderr[-2000:]
    return {line.split(".")[0] for line in done.stderr.splitlines()}


def test_score_imports_no_document_chart_or_template_library(example_copy, tmp_path):
    site = example_copy("harbor-county")
    _imported_by_score(site, tmp_path)  # fills the cache
    modules = _imported_by_score(site, tmp_path)
    assert not modules & {"docx", "matplotlib", "markdown_it", "openpyxl", "ruamel", "filelock", "platformdirs"}


def test_score_with_a_questionnaire_without_conditions_imports_no_jinja(tmp_path):
    """Conditions are compiled when first evaluated: a questionnaire with none, once its checked form
    is cached, is scored without importing Jinja or the sandbox."""
    plain = tmp_path / "plain.yaml"
    text = MINI.read_text(encoding="utf-8")
    plain.write_text(padded("\n".join(line for line in text.splitlines() if not line.strip().startswith("when:"))),
                     encoding="utf-8")
    site = tmp_path / "site"
    new = subprocess.run([sys.executable, "-m", "readiness", "new", str(site), "--name", "Hill County", "--state",
                          "NC", "--questionnaire", str(plain)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert new.returncode == 0, new.stderr
    assert f"questionnaire_file: {plain}" in (site / "site.yaml").read_text()
    _imported_by_score(site, tmp_path)
    assert "jinja2" not in _imported_by_score(site, tmp_path)


def test_score_on_the_demo_site_imports_no_jinja(example_copy, tmp_path):
    """The bundled questionnaire's conditions are all simple (questionnaire/plain_conditions.py): once
    its checked form is cached, `score` evaluates them without importing Jinja or the sandbox."""
    site = example_copy("harbor-county")
    _imported_by_score(site, tmp_path)  # fills the cache
    modules = _imported_by_score(site, tmp_path)
    assert not modules & {"jinja2", "markupsafe"}


def test_opening_a_site_reads_each_answer_file_once(example_copy, monkeypatch):
    from readiness.workspace import store

    site = example_copy("harbor-county")
    reads: list[str] = []
    real = store.read_yaml

    def counting(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(store, "read_yaml", counting)
    opened = store.open_site(site)
    assert opened.answers and opened.respondents
    assert reads.count("answers.yaml") == 1
    assert sorted(n for n in reads if n != "site.yaml") == sorted(
        ["answers.yaml"] + [p.name for p in (site / "respondents").glob("*.yaml")])


# ---------------------------------------------------------------- state profiles kept validated


def _profile(code: str, extra_dirs: tuple = ()):
    from readiness import jurisdiction

    return jurisdiction.load_state_profile(code, extra_dirs)


def _no_reading(monkeypatch):
    from readiness import jurisdiction

    def no_read(*args, **kwargs):
        raise AssertionError("a state profile file was read although the profile was cached")

    monkeypatch.setattr(jurisdiction, "parse_profile", no_read)
    monkeypatch.setattr(jurisdiction, "parse_titles", no_read)


@pytest.mark.parametrize("code", ["NC", "OH", "TX"])  # its own profile; the generic one with a title; without
def test_a_kept_state_profile_equals_a_fresh_load_and_reads_no_file(code, monkeypatch):
    fresh = _profile(code)
    assert len(entries(".kept")) == 1
    _no_reading(monkeypatch)
    cached = _profile(code)
    assert cached == fresh and cached[0] is not fresh[0]
    assert cached[0].model_dump() == fresh[0].model_dump()
    assert cached[0].institutions.resolved() == fresh[0].institutions.resolved()


def test_a_state_profile_is_read_again_when_a_file_it_is_made_of_changes_or_appears(tmp_path):
    states = tmp_path / "states"
    states.mkdir()
    assert _profile("OH", (states,))[0].institutions.prosecutor == "Prosecuting Attorney"
    (states / "titles.yaml").write_text("OH: {prosecutor: County Prosecutor}\n", encoding="utf-8")  # appears
    assert _profile("OH", (states,))[0].institutions.prosecutor == "County Prosecutor"
    (states / "titles.yaml").write_text("OH: {prosecutor: Prosecutor of the County}\n", encoding="utf-8")  # changes
    assert _profile("OH", (states,))[0].institutions.prosecutor == "Prosecutor of the County"
    own = (ROOT / "states" / "NC.yaml").read_text(encoding="utf-8").replace("state: NC", "state: OH", 1)
    (states / "OH.yaml").write_text(own, encoding="utf-8")  # a consultant's own profile for the state
    profile, is_own = _profile("OH", (states,))
    assert is_own and profile.state == "OH"


def test_a_state_profile_with_problems_is_never_stored(tmp_path):
    states = tmp_path / "states"
    states.mkdir()
    (states / "OH.yaml").write_text("state: OH\nname: Ohio\ncitations: {}\nnot_a_key: 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(Exception, match="not_a_key"):
            _profile("OH", (states,))
    assert not entries(".kept")


@pytest.mark.parametrize("how", ["garbage", "truncated", "unsigned"])
def test_a_damaged_or_planted_profile_entry_is_refused_and_the_file_read(how):
    expected = _profile("NC")
    [entry] = entries(".kept")
    raw = entry.read_bytes()
    entry.write_bytes({"garbage": b"not an entry", "truncated": raw[: len(raw) // 2],
                       "unsigned": raw[len(cache.MAGIC) + 32:]}[how])
    assert _profile("NC") == expected
    assert cache.read_entry(entry, checked.MAX_ENTRY_BYTES) is not None  # rewritten, verified


@pytest.mark.parametrize("planted", [_Planted(), "a string", ("not a profile", True)])
def test_a_signed_profile_entry_holding_anything_but_a_profile_is_refused(planted, monkeypatch):
    """Even signed with this user's key, an entry is unpickled only into the state profile's models
    and used only when it is a (profile, own) pair: anything else is a miss and the file is read."""
    from readiness import jurisdiction

    expected = _profile("NC")
    [entry] = entries(".kept")
    assert cache.write_entry(entry, pickle.dumps(planted))
    read = []
    real = jurisdiction.parse_profile
    monkeypatch.setattr(jurisdiction, "parse_profile", lambda path: read.append(path) or real(path))
    assert _profile("NC") == expected
    assert read  # the profile was read from its file
    questionnaire_model = pickle.dumps(loader.load_questionnaire(MINI).domains[0])
    with pytest.raises(pickle.UnpicklingError, match="not a state profile model"):
        checked._ModelsOnly(io.BytesIO(questionnaire_model), jurisdiction, jurisdiction._Strict, "state profile").load()


def test_score_reads_no_state_profile_once_it_is_kept(example_copy, tmp_path):
    site = example_copy("harbor-county")
    _imported_by_score(site, tmp_path)  # fills the cache
    script = textwrap.dedent("""
        import runpy, sys
        from readiness import files
        read = []
        real = files.read_yaml
        def spy(path, *args, **kwargs):
            read.append(str(path))
            return real(path, *args, **kwargs)
        files.read_yaml = spy
        sys.argv = ["lead-readiness", "score", sys.argv[1], "--format", "json"]
        try:
            runpy.run_module("readiness", run_name="__main__")
        except SystemExit as exc:
            assert not exc.code, exc.code
        finally:
            sys.stderr.write("\\nREAD " + " ".join(read))
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAD_READINESS_")}
    done = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)
    assert '"overall"' in done.stdout, done.stderr[-2000:]
    read = done.stderr.rsplit("READ ", 1)[1].split()
    assert read and not [p for p in read if "/states/" in p]
