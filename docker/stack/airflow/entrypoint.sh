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
  # Not `airflow users create --password ...`: the password would be on a command line (`ps`
  # shows it to every user) and a value starting with `-` would be read as a flag. The
  # password comes from _AIRFLOW_WWW_USER_PASSWORD_CMD's output (as in the official image)
  # or _AIRFLOW_WWW_USER_PASSWORD, and only this Python process sees it.
  if [ -n "${_AIRFLOW_WWW_USER_PASSWORD_CMD:-}" ]; then
    _AIRFLOW_WWW_USER_PASSWORD="$(eval "$_AIRFLOW_WWW_USER_PASSWORD_CMD")"
  fi
  : "${_AIRFLOW_WWW_USER_PASSWORD:?_AIRFLOW_WWW_USER_PASSWORD or _AIRFLOW_WWW_USER_PASSWORD_CMD is required}"
  export _AIRFLOW_WWW_USER_PASSWORD
  python3 - <<'PY' || true
import logging, os
logging.disable(logging.INFO)
from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
env = os.environ.get
with get_application_builder() as appbuilder:
    sm = appbuilder.sm
    if sm.find_user(username=env("_AIRFLOW_WWW_USER_USERNAME") or "admin"):
        print("[entrypoint] the admin user exists")
    else:
        sm.add_user(
            env("_AIRFLOW_WWW_USER_USERNAME") or "admin",
            env("_AIRFLOW_WWW_USER_FIRSTNAME") or "Airflow",
            env("_AIRFLOW_WWW_USER_LASTNAME") or "Admin",
            env("_AIRFLOW_WWW_USER_EMAIL") or "airflowadmin@example.com",
            sm.find_role(env("_AIRFLOW_WWW_USER_ROLE") or "Admin"),
            env("_AIRFLOW_WWW_USER_PASSWORD"),
        )
        print("[entrypoint] admin user created")
PY
  unset _AIRFLOW_WWW_USER_PASSWORD
fi

if [ $# -eq 0 ]; then
  exec airflow --help
fi
case "$1" in
  airflow | bash | sh | python | python3 | /*) exec "$@" ;;
  *) exec airflow "$@" ;;
esac
