# Shared by scripts/demo and scripts/test: make .venv and install Roundtable into it.
# Re-installs only when pyproject.toml changed, so repeated runs start quickly.

find_python() {
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Roundtable needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local extras="$1"
  local python
  python=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $python ..."
    if ! "$python" -m venv .venv; then
      echo "Could not create a virtual environment. On Debian/Ubuntu: apt-get install python3-venv" >&2
      return 1
    fi
  fi
  local stamp=".venv/.roundtable-installed${extras:+-$extras}"
  local want
  want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Roundtable${extras:+ with [$extras]} into .venv ..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
  fi
}
