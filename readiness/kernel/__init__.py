"""The shared kernel: what every layer uses, below all of them.

- `patterns`: the id, version and state-code patterns the file formats share;
- `models`: the strict pydantic bases every file format is built on (unknown keys refused);
- `problems`: located problems from pydantic's errors, and "did you mean";
- `load`: `load_model`, the one "read a YAML file, validate it against a model, report every
  problem with file and line";
- `statuses`: the answer statuses and the one table of their display labels.

Each module imports only what it needs (`statuses` and `problems` no pydantic), so importing one
stays cheap.
"""
