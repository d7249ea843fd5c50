#!/usr/bin/env bash
# Initialise an empty PGDATA like the official postgres image (POSTGRES_USER as superuser
# with POSTGRES_PASSWORD, or the content of the file POSTGRES_PASSWORD_FILE names, as
# docker-compose.yml passes it; POSTGRES_DB created; password auth over TCP, trust on the
# local socket), then run the server as the postgres user. A PGDATA that holds a cluster is
# used as it is, so data survives `down`/`up`.
set -euo pipefail

if [ "${1:-postgres}" != postgres ]; then
  exec "$@"
fi
[ $# -gt 0 ] && shift

# The file is read while still root (it may be readable only by root and group 0, as the
# official image's entrypoint also reads it before dropping privileges); the value is passed
# on in the environment of this process only, never on a command line.
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
  export POSTGRES_PASSWORD
  unset POSTGRES_PASSWORD_FILE
fi
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE must be set (as for the official postgres image)}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" postgres "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    printf 'CREATE DATABASE "%s";\n' "$POSTGRES_DB" |
      postgres --single -j -D "$PGDATA" postgres >/dev/null
  fi
  echo "[entrypoint] initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi

# The server never needs the password (it is in the cluster): keep it out of its environment.
unset POSTGRES_PASSWORD
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
