"""The test suite's validator helper: one file's cached part values are never used for another file,
even when Python gives the second package the memory (and so the `id()`) of the first."""
from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

pytest.importorskip("openxml_audit")

import ooxml_check  # noqa: E402


class _Package:
    """Stands in for openxml-audit's package object: a plain class instance, freed after use."""


def test_a_package_at_a_freed_packages_address_gets_a_key_of_its_own():
    ooxml_check._patch()
    from openxml_audit.semantic.constraints import cross_part

    keys, ids = [], []
    for _ in range(50):
        package = _Package()
        ids.append(id(package))
        keys.append(cross_part._cache_key(SimpleNamespace(package=package, part=None), "word/comments.xml", []))
        del package
        gc.collect()
    assert len(set(ids)) < len(ids), "CPython reused no address; the test proves nothing on this build"
    assert len(set(keys)) == len(keys)
