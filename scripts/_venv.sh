# Sourced by scripts/demo and scripts/test: make .venv and install LiveGuard into it.
# The dependencies come from the lock (requirements/base.lock, or requirements/test.lock
# with the test extras): the versions CI tested, each checked against its hash. LiveGuard
# itself is installed editable on top, without resolving anything again.
# Reinstalls only when pyproject.toml, the lock or the requested extras change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extras="$1"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "LiveGuard needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
lock="requirements/${extras:-base}.lock"
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.liveguard-installed-${extras:-base}"
want="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing LiveGuard${extras:+ with [$extras]} into .venv from $lock ..."
  pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" --require-hashes -r "$lock" 2> >(grep -v "^WARNING: Location" >&2)
  "${pip[@]}" --no-deps -e . 2> >(grep -v "^WARNING: Location" >&2)
  echo "$want" > "$stamp"
fi
