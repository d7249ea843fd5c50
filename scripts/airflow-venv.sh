#!/usr/bin/env bash
# Create (or refresh) the project-local Airflow venv from the committed lock.
# Idempotent and fast: a stamp holds the lock's hash, and a matching stamp means nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${AIRFLOW_ML_VENV:-.venv-airflow}"
LOCK=airflow/requirements.txt
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.airflow-ml-lock.sha256"
want=$(sha256sum "$LOCK" | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && "$VENV/bin/airflow" version >/dev/null 2>&1; then
  echo "[airflow-venv] $VENV matches $LOCK; nothing to do"
  exit 0
fi

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "[airflow-venv] Airflow 3 needs Python 3.10+; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
echo "[airflow-venv] installing $LOCK into $VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q --no-deps -r "$LOCK"
"$VENV/bin/pip" check
echo "$want" > "$STAMP"
echo "[airflow-venv] ready: $("$VENV/bin/airflow" version 2>/dev/null | tail -1)"
