#!/usr/bin/env bash
# Build, from Debian packages and PyPI only, local stand-ins for the four registry images
# docker-compose.yml uses, for machines with no container registry:
#
#   apache/airflow:3.3.2             same name and tag as the official image, so the compose
#                                    file is unchanged; Debian's python3 and git + a venv with the
#                                    project's pinned lock (airflow/requirements.txt) and the
#                                    postgres drivers (docker/stack/requirements-stack.txt)
#   airflow-ml-local/postgres:15     Debian bookworm's postgresql-15 (tagged honestly: the
#                                    official compose uses postgres:16)
#   airflow-ml-local/haproxy:2.6     Debian bookworm's haproxy 2.6 for the Docker socket proxy
#                                    (the compose default is the official haproxy:3.2.6)
#   airflow-ml-local/mail-sink:bookworm  the alert mail sink: Debian's python3-aiosmtpd and
#                                    docker/stack/mail-sink/mail-sink.py, which serves the part
#                                    of Mailpit's REST API the CLI reads (the compose default is
#                                    the official axllent/mailpit)
#   airflow-ml-local/redis:7.0       Debian bookworm's redis-server 7.0, the Celery broker of the
#                                    stack's Celery mode (docker-compose.celery.yml; its default
#                                    is the official redis:7.2-bookworm)
#
# Pattern (as scripts/build-base-images.sh): debootstrap a bookworm rootfs with everything
# baked in (the venv is built in a chroot, which uses the host's network, so `docker build`
# needs none), `docker import` it, then a small Dockerfile on top (docker/stack/*).
# What was built is kept: an image whose label matches its inputs is reused, and rootfs
# tarballs are cached in ~/.cache/airflow-ml/stack-images, keyed by their packages (and the
# Airflow lock). An existing apache/airflow:3.3.2 that this script did not build (a pulled
# official image) is never replaced. FORCE=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/airflow-ml/stack-images"
AIRFLOW_IMAGE="${AIRFLOW_IMAGE_NAME:-apache/airflow:3.3.2}"
POSTGRES_IMAGE="${AIRFLOW_ML_LOCAL_POSTGRES_IMAGE:-airflow-ml-local/postgres:15}"
PROXY_IMAGE="${AIRFLOW_ML_LOCAL_PROXY_IMAGE:-airflow-ml-local/haproxy:2.6}"
MAIL_SINK_IMAGE="${AIRFLOW_ML_LOCAL_MAIL_SINK_IMAGE:-airflow-ml-local/mail-sink:bookworm}"
REDIS_IMAGE="${AIRFLOW_ML_LOCAL_REDIS_IMAGE:-airflow-ml-local/redis:7.0}"
LABEL=org.airflow-ml.stack-inputs
# git: the DAG bundle is a git repository (GitDagBundle clones it; the official image has git too).
AIRFLOW_PACKAGES="python3,python3-venv,ca-certificates,curl,tini,procps,libpq5,git"
POSTGRES_PACKAGES="postgresql-15,ca-certificates"
PROXY_PACKAGES="haproxy"
MAIL_SINK_PACKAGES="python3,python3-aiosmtpd"
REDIS_PACKAGES="redis-server,redis-tools"
export DOCKER_BUILDKIT=0
mkdir -p "$CACHE"
# Interrupted builds run the EXIT trap too (unmount, remove the half-built rootfs).
trap 'exit 130' INT TERM

log() { echo "[stack-images] $*"; }
# shellcheck source=lib/rootfs.sh
source scripts/lib/rootfs.sh
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }
need_root() {
  [ "$(id -u)" = 0 ] || { echo "[stack-images] building the rootfs needs root (debootstrap, chroot)" >&2; exit 1; }
  command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

# docker_build IMAGE ROOTFS_IMAGE HASH DIR: the small Dockerfile on top; its output (and the
# legacy builder's deprecation notice) is shown only when the build fails.
docker_build() {
  local image=$1 rootfs_image=$2 hash=$3 dir=$4 out="$CACHE/docker-build.log"
  docker build -q --build-arg "ROOTFS_IMAGE=$rootfs_image" --label "$LABEL=$hash" \
    -t "$image" "$dir" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
}

# inputs_hash STRING [FILE...] -> a short hash of the string (a packages list, another hash)
# and the given files. A rootfs is keyed by its packages (and the Airflow lock) only, so a
# changed Dockerfile or entrypoint rebuilds only the thin image on top of it.
inputs_hash() { { echo "$1"; shift; [ $# -eq 0 ] || cat "$@"; } | sha256sum | cut -c1-12; }

# The venv is installed in a chroot of the rootfs: its Python is the image's Python.
install_venv() {
  local root=$1
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mkdir -p "$root/tmp/reqs" "$root/root/.cache/pip" "$CACHE/pip"
  cp airflow/requirements.txt docker/stack/requirements-stack.txt "$root/tmp/reqs/"
  # A failed install leaves nothing behind: no mounts, no half-built rootfs.
  # shellcheck disable=SC2064
  trap "umount '$root/root/.cache/pip' '$root/proc' 2>/dev/null; rm -rf '$root'" EXIT
  mount -t proc proc "$root/proc"
  mount --bind "$CACHE/pip" "$root/root/.cache/pip"
  chroot "$root" /usr/bin/python3 -m venv /opt/airflow-venv
  # The host's CA bundle (it may trust a TLS-inspecting proxy) is used for the install only
  # and not baked into the image; host-only pip settings are dropped.
  cp /etc/ssl/certs/ca-certificates.crt "$root/tmp/reqs/host-ca.crt"
  local ca=/tmp/reqs/host-ca.crt
  env -u PIP_FIND_LINKS PIP_CERT=$ca REQUESTS_CA_BUNDLE=$ca SSL_CERT_FILE=$ca CURL_CA_BUNDLE=$ca \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    chroot "$root" /opt/airflow-venv/bin/pip install -q --no-deps \
    -r /tmp/reqs/requirements.txt -r /tmp/reqs/requirements-stack.txt
  chroot "$root" /opt/airflow-venv/bin/pip check
  umount "$root/root/.cache/pip" "$root/proc"
  rm -rf "$root/tmp/reqs" "$root/root/.cache"
  : >"$root/etc/resolv.conf"
}

build_airflow() {
  local rootfs_hash hash
  rootfs_hash=$(inputs_hash "$AIRFLOW_PACKAGES" airflow/requirements.txt docker/stack/requirements-stack.txt)
  hash=$(inputs_hash "$rootfs_hash" docker/stack/airflow/Dockerfile docker/stack/airflow/entrypoint.sh)
  if have_image "$AIRFLOW_IMAGE" && [ "${FORCE:-0}" != 1 ]; then
    local current
    current=$(image_label "$AIRFLOW_IMAGE")
    if [ -z "$current" ] || [ "$current" = "<no value>" ]; then
      log "$AIRFLOW_IMAGE exists and was not built here (the official image?); leaving it alone"
      return
    fi
    if [ "$current" = "$hash" ]; then
      log "$AIRFLOW_IMAGE already built from these inputs ($hash); reusing it"
      return
    fi
  fi
  local rootfs_image="airflow-ml-local/debian-airflow-rootfs:$rootfs_hash" tarball="$CACHE/airflow-$rootfs_hash.tar"
  if ! have_image "$rootfs_image" || [ "${FORCE:-0}" = 1 ]; then
    if [ ! -s "$tarball" ] || [ "${FORCE:-0}" = 1 ]; then
      need_root
      local root
      root=$(debootstrap_root airflow "$AIRFLOW_PACKAGES")
      log "installing the Airflow lock into a venv (chroot)"
      install_venv "$root"
      pack_root "$root" "$tarball"
      trap - EXIT
    fi
    log "docker import $tarball -> $rootfs_image"
    docker import "$tarball" "$rootfs_image" >/dev/null
  fi
  log "building $AIRFLOW_IMAGE"
  docker_build "$AIRFLOW_IMAGE" "$rootfs_image" "$hash" docker/stack/airflow
  log "$AIRFLOW_IMAGE: $(docker run --rm "$AIRFLOW_IMAGE" airflow version 2>/dev/null | tail -1), $(docker image inspect -f '{{.Size}}' "$AIRFLOW_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

build_postgres() {
  local rootfs_hash hash
  rootfs_hash=$(inputs_hash "$POSTGRES_PACKAGES")
  hash=$(inputs_hash "$rootfs_hash" docker/stack/postgres/Dockerfile docker/stack/postgres/entrypoint.sh)
  if have_image "$POSTGRES_IMAGE" && [ "$(image_label "$POSTGRES_IMAGE")" = "$hash" ] && [ "${FORCE:-0}" != 1 ]; then
    log "$POSTGRES_IMAGE already built from these inputs ($hash); reusing it"
    return
  fi
  local rootfs_image="airflow-ml-local/debian-postgres-rootfs:$rootfs_hash" tarball="$CACHE/postgres-$rootfs_hash.tar"
  if ! have_image "$rootfs_image" || [ "${FORCE:-0}" = 1 ]; then
    if [ ! -s "$tarball" ] || [ "${FORCE:-0}" = 1 ]; then
      need_root
      local root
      root=$(debootstrap_root postgres "$POSTGRES_PACKAGES")
      # The package's postinst made a "main" cluster; the entrypoint makes its own.
      rm -rf "$root"/var/lib/postgresql/15/main "$root"/etc/postgresql/15/main
      pack_root "$root" "$tarball"
    fi
    log "docker import $tarball -> $rootfs_image"
    docker import "$tarball" "$rootfs_image" >/dev/null
  fi
  log "building $POSTGRES_IMAGE"
  docker_build "$POSTGRES_IMAGE" "$rootfs_image" "$hash" docker/stack/postgres
  log "$POSTGRES_IMAGE: $(docker run --rm --entrypoint postgres "$POSTGRES_IMAGE" --version), $(docker image inspect -f '{{.Size}}' "$POSTGRES_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

build_proxy() {
  local rootfs_hash hash
  rootfs_hash=$(inputs_hash "$PROXY_PACKAGES")
  hash=$(inputs_hash "$rootfs_hash" docker/stack/socket-proxy/Dockerfile docker/stack/socket-proxy/docker-entrypoint.sh)
  if have_image "$PROXY_IMAGE" && [ "$(image_label "$PROXY_IMAGE")" = "$hash" ] && [ "${FORCE:-0}" != 1 ]; then
    log "$PROXY_IMAGE already built from these inputs ($hash); reusing it"
    return
  fi
  local rootfs_image="airflow-ml-local/debian-haproxy-rootfs:$rootfs_hash" tarball="$CACHE/haproxy-$rootfs_hash.tar"
  if ! have_image "$rootfs_image" || [ "${FORCE:-0}" = 1 ]; then
    if [ ! -s "$tarball" ] || [ "${FORCE:-0}" = 1 ]; then
      need_root
      local root
      root=$(debootstrap_root haproxy "$PROXY_PACKAGES")
      pack_root "$root" "$tarball"
    fi
    log "docker import $tarball -> $rootfs_image"
    docker import "$tarball" "$rootfs_image" >/dev/null
  fi
  log "building $PROXY_IMAGE"
  # haproxy.cfg is not in the image: docker-compose.yml mounts it.
  docker_build "$PROXY_IMAGE" "$rootfs_image" "$hash" docker/stack/socket-proxy
  log "$PROXY_IMAGE: $(docker run --rm "$PROXY_IMAGE" haproxy -v | head -1), $(docker image inspect -f '{{.Size}}' "$PROXY_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

build_mail_sink() {
  local rootfs_hash hash
  rootfs_hash=$(inputs_hash "$MAIL_SINK_PACKAGES")
  hash=$(inputs_hash "$rootfs_hash" docker/stack/mail-sink/Dockerfile docker/stack/mail-sink/mail-sink.py)
  if have_image "$MAIL_SINK_IMAGE" && [ "$(image_label "$MAIL_SINK_IMAGE")" = "$hash" ] && [ "${FORCE:-0}" != 1 ]; then
    log "$MAIL_SINK_IMAGE already built from these inputs ($hash); reusing it"
    return
  fi
  local rootfs_image="airflow-ml-local/debian-mail-sink-rootfs:$rootfs_hash" tarball="$CACHE/mail-sink-$rootfs_hash.tar"
  if ! have_image "$rootfs_image" || [ "${FORCE:-0}" = 1 ]; then
    if [ ! -s "$tarball" ] || [ "${FORCE:-0}" = 1 ]; then
      need_root
      local root
      root=$(debootstrap_root mail-sink "$MAIL_SINK_PACKAGES")
      pack_root "$root" "$tarball"
    fi
    log "docker import $tarball -> $rootfs_image"
    docker import "$tarball" "$rootfs_image" >/dev/null
  fi
  log "building $MAIL_SINK_IMAGE"
  docker_build "$MAIL_SINK_IMAGE" "$rootfs_image" "$hash" docker/stack/mail-sink
  log "$MAIL_SINK_IMAGE: $(docker run --rm --entrypoint python3 "$MAIL_SINK_IMAGE" -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__)'), $(docker image inspect -f '{{.Size}}' "$MAIL_SINK_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

build_redis() {
  local rootfs_hash hash
  rootfs_hash=$(inputs_hash "$REDIS_PACKAGES")
  hash=$(inputs_hash "$rootfs_hash" docker/stack/redis/Dockerfile docker/stack/redis/docker-entrypoint.sh)
  if have_image "$REDIS_IMAGE" && [ "$(image_label "$REDIS_IMAGE")" = "$hash" ] && [ "${FORCE:-0}" != 1 ]; then
    log "$REDIS_IMAGE already built from these inputs ($hash); reusing it"
    return
  fi
  local rootfs_image="airflow-ml-local/debian-redis-rootfs:$rootfs_hash" tarball="$CACHE/redis-$rootfs_hash.tar"
  if ! have_image "$rootfs_image" || [ "${FORCE:-0}" = 1 ]; then
    if [ ! -s "$tarball" ] || [ "${FORCE:-0}" = 1 ]; then
      need_root
      local root
      root=$(debootstrap_root redis "$REDIS_PACKAGES")
      pack_root "$root" "$tarball"
    fi
    log "docker import $tarball -> $rootfs_image"
    docker import "$tarball" "$rootfs_image" >/dev/null
  fi
  log "building $REDIS_IMAGE"
  docker_build "$REDIS_IMAGE" "$rootfs_image" "$hash" docker/stack/redis
  log "$REDIS_IMAGE: $(docker run --rm "$REDIS_IMAGE" redis-server --version), $(docker image inspect -f '{{.Size}}' "$REDIS_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

case "${1:-all}" in
  airflow) build_airflow ;;
  postgres) build_postgres ;;
  proxy) build_proxy ;;
  mail-sink) build_mail_sink ;;
  redis) build_redis ;;
  all) build_postgres && build_proxy && build_mail_sink && build_redis && build_airflow ;;
  *) echo "usage: $0 [all|airflow|postgres|proxy|mail-sink|redis]" >&2; exit 2 ;;
esac
