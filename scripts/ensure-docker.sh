#!/usr/bin/env bash
# Make sure a Docker Engine answers `docker info`.
# - An engine that already runs (Docker Desktop, a CI runner, a previous call) is left alone.
# - On Debian as root with no engine, install Debian's docker.io, start dockerd in the
#   background, wait until it answers, and leave it running.
set -euo pipefail

log() { echo "[ensure-docker] $*"; }

if docker info >/dev/null 2>&1; then
  log "engine already running: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "[ensure-docker] no Docker Engine answers and I can only install one on Debian as root." >&2
    echo "[ensure-docker] Start Docker (Docker Desktop, or 'sudo systemctl start docker') and run again." >&2
    exit 1
  fi
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# Debian's docker.io ships dockerd; the machine may have a newer client elsewhere on PATH,
# which negotiates down to the engine's API version.
log "starting dockerd (log: /var/log/airflow-ml-dockerd.log)"
nohup dockerd >/var/log/airflow-ml-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine up: $(docker version --format '{{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
echo "[ensure-docker] dockerd did not answer within 60 s; see /var/log/airflow-ml-dockerd.log:" >&2
tail -20 /var/log/airflow-ml-dockerd.log >&2 || true
exit 1
