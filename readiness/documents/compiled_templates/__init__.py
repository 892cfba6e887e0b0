"""The bundled pack's templates compiled by Jinja, one module per template (t_<key>.py), shipped with
the package so a build need not compile them. Generated: do not edit; after editing a bundled template run
`python -m readiness.documents.precompiled --write` (tests/test_precompiled_templates.py fails until you do).
readiness/documents/precompiled.py says how they are keyed and used."""
