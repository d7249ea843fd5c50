#!/usr/bin/env bash
# One-shot setup for the compose stack (service airflow-init), in the official image or the
# local stand-in. Runs as root for the two ownership fixes, then as AIRFLOW_UID for Airflow:
#   1. logs folder owned by AIRFLOW_UID; the data root's top folder handed to the step user
#      when Docker created it as root (never recursive: existing data keeps its owner);
#   2. airflow db migrate; the admin user (FAB); Variable PROD_DIR only if missing (a model
#      promotion changes it, so a restart must not reset it); fs_default (conn_type fs, extra
#      path = data root, the same path as on the host); smtp_default from SMTP_* when set.
# `airflow-ml up` then deploys the DAGs through the REST API; this makes the stack usable
# for people who only run `docker compose up`.
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
  # Airflow itself runs as the same uid as the other services, with that user's home (where
  # the official image keeps its Python packages).
  export HOME="${AIRFLOW_USER_HOME_DIR:-/home/airflow}"
  exec setpriv --reuid="$AIRFLOW_UID" --regid=0 --clear-groups bash "$0" "$@"
fi

echo "[airflow-init] $(airflow version 2>/dev/null | tail -1)"
airflow db migrate

airflow users create \
  --username "${_AIRFLOW_WWW_USER_USERNAME:-airflow}" \
  --password "${_AIRFLOW_WWW_USER_PASSWORD:-airflow}" \
  --firstname Airflow --lastname Admin --email admin@example.com --role Admin

# PROD_DIR only when missing (-a skip).
vars=$(mktemp --suffix=.json)
python3 -c 'import json, os, sys; json.dump({"PROD_DIR": os.environ.get("AIRFLOW_ML_PROD_DIR") or "models/latest"}, open(sys.argv[1], "w"))' "$vars"
airflow variables import -a skip "$vars"
rm -f "$vars"

# Connections as a JSON file (json.dumps quotes any path or password safely), imported with
# overwrite so a changed .env takes effect on the next `up`.
conns=$(mktemp --suffix=.json)
python3 - "$conns" <<'PY'
import json, os, sys
env = os.environ.get
conns = {"fs_default": {"conn_type": "fs", "extra": {"path": env("AIRFLOW_ML_DATA_ROOT")}}}
if env("SMTP_HOST"):
    truthy = lambda v: str(v).lower() in ("1", "true", "yes", "on")
    ssl = truthy(env("SMTP_SSL", "false"))
    starttls = truthy(env("SMTP_STARTTLS", "false" if ssl else "true"))
    user = env("SMTP_USER") or None
    conns["smtp_default"] = {
        "conn_type": "smtp",
        "host": env("SMTP_HOST"),
        "port": int(env("SMTP_PORT") or (465 if ssl else 587 if starttls else 25)),
        "login": user,
        "password": env("SMTP_PASSWORD") or None,
        "extra": {
            "disable_ssl": not ssl,
            "disable_tls": not starttls,
            "from_email": env("SMTP_FROM") or (user if user and "@" in user else "airflow-ml@localhost"),
        },
    }
with open(sys.argv[1], "w") as f:
    json.dump(conns, f)
print("[airflow-init] connections:", ", ".join(conns))
PY
airflow connections import --overwrite "$conns"
rm -f "$conns"
echo "[airflow-init] done"
