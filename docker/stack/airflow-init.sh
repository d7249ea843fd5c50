#!/usr/bin/env bash
# One-shot setup for the compose stack (service airflow-init), in the official image or the
# local stand-in. Runs as root for the two ownership fixes, then as AIRFLOW_UID for Airflow:
#   1. logs folder owned by AIRFLOW_UID; the data root's top folder handed to the step user
#      when Docker created it as root (never recursive: existing data keeps its owner); the
#      mail sink's volume handed to the sink's user;
#   2. airflow db migrate;
#   3. docker/stack/airflow-init.py: the admin user (FAB) with the password from its secret
#      file, Variable PROD_DIR only if missing, fs_default (the data root, the same path as
#      on the host) and smtp_default from SMTP_* (its password from its secret file), or the
#      local mail sink when SMTP_HOST is empty.
# Secrets come from files under /run/secrets (compose secrets), never from the environment
# or a command line. `airflow-ml up` then deploys the DAGs through the REST API; this makes
# the stack usable for people who only run `docker compose up`.
set -euo pipefail

: "${AIRFLOW_ML_DATA_ROOT:?AIRFLOW_ML_DATA_ROOT must be the absolute host path of the data root}"
AIRFLOW_UID="${AIRFLOW_UID:-50000}"

if [ "$(id -u)" = 0 ]; then
  mkdir -p /opt/airflow/logs
  chown "$AIRFLOW_UID:0" /opt/airflow/logs
  chmod 775 /opt/airflow/logs
  if [ "$(stat -c %u "$AIRFLOW_ML_DATA_ROOT")" = 0 ] && [ -n "${AIRFLOW_ML_STEP_USER:-}" ]; then
    chown "$AIRFLOW_ML_STEP_USER" "$AIRFLOW_ML_DATA_ROOT"
  fi
  # The mail sink runs unprivileged, and a new volume is root's (the official Mailpit image
  # has no /data to copy an owner from): hand its top folder to the sink's user.
  sink_data=/opt/airflow-ml/mail-sink-data
  if [ -d "$sink_data" ] && [ -n "${AIRFLOW_ML_MAIL_SINK_USER:-}" ] &&
    [ "$(stat -c %u:%g "$sink_data")" != "$AIRFLOW_ML_MAIL_SINK_USER" ]; then
    chown "$AIRFLOW_ML_MAIL_SINK_USER" "$sink_data"
  fi
  # Airflow itself runs as the same uid as the other services, with that user's home (where
  # the official image keeps its Python packages).
  export HOME="${AIRFLOW_USER_HOME_DIR:-/home/airflow}"
  exec setpriv --reuid="$AIRFLOW_UID" --regid=0 --clear-groups bash "$0" "$@"
fi

echo "[airflow-init] $(airflow version 2>/dev/null | tail -1)"
airflow db migrate
python3 "$(dirname "$0")/airflow-init.py"
echo "[airflow-init] done"
