"""The test suite's own habits: each test runs with a private home and cache folder and without the
tool's environment variables, and hypothesis keeps its files out of the checkout."""
from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT

# Read while the module is collected, before any test's fixtures have run.
_HOME_OUTSIDE_TESTS = os.environ.get("HOME")


def test_each_test_has_its_own_home_and_cache_folder(tmp_path_factory):
    home = Path(os.environ["HOME"])
    assert str(home) != _HOME_OUTSIDE_TESTS
    assert home.is_relative_to(tmp_path_factory.getbasetemp()) and home.is_dir()
    assert Path(os.environ["XDG_CACHE_HOME"]).is_relative_to(home)
    assert Path.home() == home
    assert not any(name.startswith("LEAD_READINESS_") for name in os.environ)


@given(st.integers())
def test_hypothesis_keeps_no_example_database(n):
    assert settings().database is None


def test_hypothesis_writes_nothing_into_the_checkout():
    from hypothesis.configuration import storage_directory

    where = storage_directory()
    where = getattr(where, "path", where)  # a Path before hypothesis 6.14x, an object holding it after
    assert not Path(where).resolve().is_relative_to(ROOT)
