#!/usr/bin/env bash
# Create (or refresh) the project-local Airflow venv from the committed lock.
# Idempotent and fast: the venv lives in a per-lock cache folder
# (~/.cache/airflow-ml/venvs/airflow-<lock hash>) and .venv-airflow links to it, so a fresh
# clone on the same machine reuses it, and a changed lock gets a new venv instead of a
# half-updated one. A stamp inside marks a venv whose install completed.
set -euo pipefail
cd "$(dirname "$0")/.."

LINK="${AIRFLOW_ML_VENV:-.venv-airflow}"
LOCK=airflow/requirements.txt
PYTHON="${PYTHON:-python3}"
want=$(sha256sum "$LOCK" | cut -d' ' -f1)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/airflow-ml/venvs"
VENV="$CACHE/airflow-${want:0:16}"
STAMP="$VENV/.airflow-ml-lock.sha256"

link_venv() {
  # Replace an old link or a pre-cache venv folder; never follow the link while removing it.
  if [ -L "$LINK" ] || [ -e "$LINK" ]; then rm -rf "$LINK"; fi
  ln -s "$VENV" "$LINK"
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && "$VENV/bin/airflow" version >/dev/null 2>&1; then
  [ "$(readlink "$LINK" 2>/dev/null)" = "$VENV" ] || link_venv
  echo "[airflow-venv] $LINK -> $VENV matches $LOCK; nothing to do"
  exit 0
fi

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "[airflow-venv] Airflow 3 needs Python 3.10+; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi

mkdir -p "$CACHE"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
echo "[airflow-venv] installing $LOCK into $VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q --no-deps -r "$LOCK"
"$VENV/bin/pip" check
echo "$want" > "$STAMP"
link_venv
echo "[airflow-venv] ready: $LINK -> $VENV, Airflow $("$VENV/bin/airflow" version 2>/dev/null | tail -1)"
