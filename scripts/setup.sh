#!/usr/bin/env bash
# Provision everything airflow-ml needs on this machine, idempotently, timing each phase:
# Docker Engine, offline base images, the Airflow 3.3 venv, node modules, the build, and the
# step images. A second run reuses what the first one built and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -a TIMINGS=()
phase() {
  local name=$1
  shift
  local start=$SECONDS
  echo "==> $name"
  "$@"
  TIMINGS+=("$(printf '%-28s %5ds' "$name" $((SECONDS - start)))")
}

apt_prerequisites() {
  # debootstrap builds the offline base images (on non-Debian machines with a registry they
  # are not needed: the Dockerfiles default to the public images); deploy commits the DAGs
  # to the versioned DAG bundle with git.
  local missing=()
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v git >/dev/null 2>&1 || missing+=(git)
  if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

node_modules() {
  # npm ci wipes node_modules; skip it when the lock has not changed since the last install.
  local stamp=node_modules/.airflow-ml-lock.sha256 want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "node_modules matches package-lock.json; nothing to do"
  else
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
  fi
}

# --- local compose stack (docker-compose.yml, `airflow-ml up`) and its browser test ---
stack_prerequisites() {
  # A compose command (Debian has v1 1.29; the v2 plugin works too) and Debian's chromium
  # for the UI test (driven by playwright-core, which never downloads a browser); zsh, whose
  # completion script (`airflow-ml completion zsh`) a unit test loads in a real zsh.
  local missing=()
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v zsh >/dev/null 2>&1 || missing+=(zsh)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "compose, chromium and zsh present; nothing to do"
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing ${missing[*]}: install them (e.g. sudo apt-get install ${missing[*]}); the stack tests need them" >&2
  fi
}

stack_images() {
  # Offline stand-ins for apache/airflow:3.3.2, postgres and the Docker socket proxy's haproxy
  # (debootstrap needs root). Without root, `airflow-ml up` uses the official images from the
  # registry instead.
  if [ "$(id -u)" = 0 ]; then
    bash scripts/build-stack-images.sh
  else
    echo "not root: skipping; airflow-ml up pulls the official images (or run this script as root)"
  fi
}

export AIRFLOW_ML_NODE_BASE="${AIRFLOW_ML_NODE_BASE:-airflow-ml-local/node:bookworm}"

phase "docker engine" bash scripts/ensure-docker.sh
phase "apt prerequisites" apt_prerequisites
phase "offline base images" bash scripts/build-base-images.sh
phase "airflow venv" bash scripts/airflow-venv.sh
phase "node modules" node_modules
phase "build" npm run --silent build
phase "step images" node dist/cli/bin.js images build --base-image "$AIRFLOW_ML_NODE_BASE"
phase "stack prerequisites" stack_prerequisites
phase "stack images" stack_images

echo
echo "setup phase timings:"
printf '  %s\n' "${TIMINGS[@]}"
