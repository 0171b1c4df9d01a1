#!/usr/bin/env bash
# CI's part before the README's test command (.ci/run runs this, then that):
#
# 1. The terminal app on every other Python auditdesk supports: the TUI tests,
#    snapshots included, on 3.12 and 3.13 (Textual behaves differently there: from
#    3.12 asyncio's eager task factory is on). The whole suite runs on CI's own
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

for i in "${!versions[@]}"; do
    v=${versions[$i]} py=${pythons[$i]}
    echo "ci: Python $v ($py): the TUI tests, snapshots included"
    "$py" -m venv ".venv-$v"
    ".venv-$v/bin/pip" install -q -c constraints.txt -e '.[test]'
    ".venv-$v/bin/python" -m pytest -n 2 -q tests/tui
done

newest=${pythons[${#pythons[@]}-1]}
repo=$PWD
place=$(mktemp -d)
trap 'rm -rf "$place"' EXIT
echo "ci: a non-editable install with Python ${versions[${#versions[@]}-1]}, used from $place"
"$newest" -m venv "$place/venv"
"$place/venv/bin/pip" install -q -c constraints.txt "$repo"
(cd "$place" && "$newest" "$repo/scripts/smoke.py" "$place/venv/bin/auditdesk")
