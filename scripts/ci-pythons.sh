#!/usr/bin/env bash
# CI's part before the README's test command (.ci/run runs this, then that):
#
# 1. The terminal app on every other Python auditdesk supports, 3.12 and 3.13: the
#    tests that start it as a terminal does, with `App.run` (TUI_ON_EVERY_PYTHON:
#    the start test and the 31 snapshots). Textual behaves differently there only
#    under `App.run`, which from 3.12 turns on asyncio's eager task factory; the
#    pilot's `run_test`, which the other TUI tests use, never does, so they would
#    repeat 3.11's run (and cost minutes each). The whole suite runs on CI's own
#    python3 (3.11) in the README's command; the layers below the TUI are plain
#    Python that ruff's and mypy's py311 target keep portable.
# 2. A non-editable `pip install .` into a venv outside the checkout, on the
#    newest Python, driven from another folder as a user would: every command and
#    the app itself (scripts/smoke.py).
#
# Each Python is found in pyenv's versions or on PATH and run once to prove it is
# the version named; a missing one FAILS the run, loudly: CI never skips a Python.
# Usage: scripts/ci-pythons.sh [VERSION ...]           (default: 3.12 3.13)
#        scripts/ci-pythons.sh --which [VERSION ...]   only find and print the interpreters
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local want=$1 root candidate
    root=$( (command -v pyenv >/dev/null && pyenv root) || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for candidate in "$root"/versions/"$want".*/bin/python"$want" "$(command -v "python$want" || true)" \
                     "/usr/local/bin/python$want" "/usr/bin/python$want"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] &&
           "$candidate" -c "import sys; sys.exit(f'{sys.version_info[0]}.{sys.version_info[1]}' != '$want')" 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    {
        echo "ci: FAILED: no Python $want on this machine."
        echo "ci: looked in $root/versions/$want.*, for python$want on PATH, in /usr/local/bin and /usr/bin."
        echo "ci: auditdesk supports it, so CI runs the terminal app's tests on it; install it (pyenv install $want," \
             "or the distribution's python$want with its venv module) and run CI again."
    } >&2
    return 1
}

which_only=false
if [ "${1:-}" = "--which" ]; then which_only=true; shift; fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.12 3.13)
pythons=()
for v in "${versions[@]}"; do
    pythons+=("$(find_python "$v")")  # all found before any test runs: a missing one fails at once
done
if $which_only; then printf '%s\n' "${pythons[@]}"; exit 0; fi

TUI_ON_EVERY_PYTHON=(tests/tui/test_start.py tests/tui/test_snapshots.py)

failed() {
    echo "ci: FAILED: $1" >&2
    exit 1
}

for i in "${!versions[@]}"; do
    v=${versions[$i]} py=${pythons[$i]}
    echo "ci: Python $v ($py): the app started as a terminal starts it: ${TUI_ON_EVERY_PYTHON[*]}"
    { "$py" -m venv ".venv-$v" && ".venv-$v/bin/pip" install -q -c constraints.txt -e '.[test]'; } ||
        failed "could not install auditdesk and its test dependencies on Python $v"
    ".venv-$v/bin/python" -m pytest -n 2 -q "${TUI_ON_EVERY_PYTHON[@]}" ||
        failed "the terminal app's tests on Python $v (above); auditdesk supports $v, so CI stops here"
done

newest=${pythons[${#pythons[@]}-1]}
repo=$PWD
place=$(mktemp -d)
trap 'rm -rf "$place"' EXIT
echo "ci: a non-editable install with Python ${versions[${#versions[@]}-1]}, used from $place"
"$newest" -m venv "$place/venv"
"$place/venv/bin/pip" install -q -c constraints.txt "$repo" || failed "a non-editable install of $repo"
(cd "$place" && "$newest" "$repo/scripts/smoke.py" "$place/venv/bin/auditdesk") ||
    failed "the installed auditdesk, driven from $place (above)"
