#!/usr/bin/env bash
# The calling conventions of the official image's /entrypoint that docker-compose.yml uses:
#   <airflow subcommand> [args]   -> airflow <subcommand> [args]   (e.g. `scheduler`)
#   airflow|bash|python|... args  -> run as given
#   no arguments                  -> airflow --help
# The official image also migrates the database and creates a user when _AIRFLOW_DB_MIGRATE /
# _AIRFLOW_WWW_USER_CREATE are true; the same is done here, so compose files written for the
# official image keep working.
set -euo pipefail

# Any uid may run this image (compose `user: "${AIRFLOW_UID}:0"`); give it a name and a home.
if ! whoami >/dev/null 2>&1 && [ -w /etc/passwd ]; then
  echo "airflow:x:$(id -u):0:airflow:${HOME:-/opt/airflow}:/bin/bash" >>/etc/passwd
fi

if [ "${_AIRFLOW_DB_MIGRATE:-false}" = true ]; then
  airflow db migrate
fi
if [ "${_AIRFLOW_WWW_USER_CREATE:-false}" = true ]; then
  airflow users create \
    --username "${_AIRFLOW_WWW_USER_USERNAME:-admin}" \
    --password "${_AIRFLOW_WWW_USER_PASSWORD:?_AIRFLOW_WWW_USER_PASSWORD is required}" \
    --firstname "${_AIRFLOW_WWW_USER_FIRSTNAME:-Airflow}" \
    --lastname "${_AIRFLOW_WWW_USER_LASTNAME:-Admin}" \
    --email "${_AIRFLOW_WWW_USER_EMAIL:-airflowadmin@example.com}" \
    --role "${_AIRFLOW_WWW_USER_ROLE:-Admin}" || true
fi

if [ $# -eq 0 ]; then
  exec airflow --help
fi
case "$1" in
  airflow | bash | sh | python | python3 | /*) exec "$@" ;;
  *) exec airflow "$@" ;;
esac
