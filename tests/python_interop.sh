#!/usr/bin/env bash
# Run the Python interop test against the reference, PyPI hyperherd 0.1.3.
#
# Creates target/pyref (a venv with hyperherd==0.1.3) when it is missing, then runs
# `cargo test --test python_interop -- --ignored` (the test is ignored in a plain
# `cargo test`, which lists it as ignored; asked to run, a missing Python fails it).
# Also leaves the venv for bench/log.
#
# Usage: tests/python_interop.sh [cargo test args...]
# Environment: PYTHON (default python3) creates the venv; HERD_PYTHON points at an
# existing interpreter with hyperherd 0.1.3 instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${HERD_PYTHON:-} ]]; then
    venv=target/pyref
    if ! "$venv/bin/python" -c \
        "import importlib.metadata as m; assert m.version('hyperherd') == '0.1.3'" 2> /dev/null; then
        echo "python_interop: creating $venv with hyperherd==0.1.3" >&2
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check hyperherd==0.1.3
    fi
    export HERD_PYTHON=$PWD/$venv/bin/python
fi
exec cargo test -j1 --test python_interop "$@" -- --ignored
