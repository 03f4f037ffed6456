# Sourced by scripts/run and scripts/test: make sure .venv exists and matches pyproject.toml.
# A stamp file holds the hash of pyproject.toml; a change re-installs, a match costs nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "mamori: creating .venv (first run) ..." >&2
  "$PY" -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip >&2
fi
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)-${MAMORI_EXTRAS:-dev}"
have="$(cat "$ROOT/.venv/.mamori-stamp" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "mamori: installing dependencies into .venv ..." >&2
  "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT[${MAMORI_EXTRAS:-dev}]" >&2
  echo "$want" > "$ROOT/.venv/.mamori-stamp"
fi
