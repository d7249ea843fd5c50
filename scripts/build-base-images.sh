#!/usr/bin/env bash
# Build, from Debian packages only, the base images that the project's Dockerfiles would
# otherwise pull from a registry. For offline machines (and CI); users with a registry
# never need this: the Dockerfiles default to the public images.
#
#   airflow-ml-local/node:bookworm   stand-in for node:20-bookworm-slim (Debian's nodejs)
#   airflow-ml-local/python:bookworm stand-in for python:3.11-slim-bookworm (Debian's python3),
#                                    with the Python steps' wheels (docker/base/python-requirements.txt)
#
# Steps: debootstrap a minimal bookworm with the packages baked in (no network is needed
# inside `docker build`), `docker import` it, then a small Dockerfile on top.
# What was built is kept: an existing image is reused, and the rootfs tarball is cached in
# ~/.cache/airflow-ml so a wiped engine re-imports in seconds. FORCE=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/airflow-ml/base-images"
NODE_IMAGE="${AIRFLOW_ML_NODE_BASE:-airflow-ml-local/node:bookworm}"
ROOTFS_IMAGE=airflow-ml-local/debian-node-rootfs:bookworm
PYTHON_IMAGE="${AIRFLOW_ML_PYTHON_BASE:-airflow-ml-local/python:bookworm}"
PYTHON_ROOTFS_IMAGE=airflow-ml-local/debian-python-rootfs:bookworm
export DOCKER_BUILDKIT=0
mkdir -p "$CACHE"

log() { echo "[base-images] $*"; }
# shellcheck source=lib/rootfs.sh
source scripts/lib/rootfs.sh
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# debootstrap_tarball NAME PACKAGES -> path of a cached rootfs tarball
debootstrap_tarball() {
  local name=$1 packages=$2 tarball="$CACHE/$1.tar"
  if [ -s "$tarball" ] && [ "${FORCE:-0}" != 1 ]; then
    echo "$tarball"
    return
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    [ "$(id -u)" = 0 ] || { echo "[base-images] debootstrap is missing; install it (apt-get install debootstrap)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  local root
  root=$(debootstrap_root "$name" "$packages")
  pack_root "$root" "$tarball"
  echo "$tarball"
}

build_node_base() {
  if have_image "$NODE_IMAGE" && [ "${FORCE:-0}" != 1 ]; then
    log "$NODE_IMAGE already built; reusing it"
    return
  fi
  if ! have_image "$ROOTFS_IMAGE" || [ "${FORCE:-0}" = 1 ]; then
    local tarball
    tarball=$(debootstrap_tarball debian-node-bookworm "nodejs,ca-certificates")
    log "docker import $tarball -> $ROOTFS_IMAGE"
    docker import "$tarball" "$ROOTFS_IMAGE" >/dev/null
  fi
  log "building $NODE_IMAGE"
  docker build -q --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" -t "$NODE_IMAGE" -f docker/base/node.Dockerfile docker/base >/dev/null
  log "$NODE_IMAGE: node $(docker run --rm "$NODE_IMAGE" node --version), $(docker image inspect -f '{{.Size}}' "$NODE_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

# The wheels are installed on the host (pip, PyPI, manylinux wheels for CPython 3.11) into a
# folder the Dockerfile copies, so the build itself needs no network and no pip in the image.
# The image is rebuilt when python-requirements.txt changes (its hash is a label).
build_python_base() {
  local want
  want=$(sha256sum docker/base/python-requirements.txt | cut -c1-12)
  if have_image "$PYTHON_IMAGE" && [ "${FORCE:-0}" != 1 ] &&
    [ "$(docker image inspect -f '{{index .Config.Labels "airflow-ml.requirements"}}' "$PYTHON_IMAGE")" = "$want" ]; then
    log "$PYTHON_IMAGE already built; reusing it"
    return
  fi
  if ! have_image "$PYTHON_ROOTFS_IMAGE" || [ "${FORCE:-0}" = 1 ]; then
    local tarball
    tarball=$(debootstrap_tarball debian-python-bookworm "python3,ca-certificates")
    log "docker import $tarball -> $PYTHON_ROOTFS_IMAGE"
    docker import "$tarball" "$PYTHON_ROOTFS_IMAGE" >/dev/null
  fi
  local ctx wheels="$CACHE/python-wheels-$want"
  if [ ! -d "$wheels" ]; then
    python3 -m pip --version >/dev/null 2>&1 || {
      [ "$(id -u)" = 0 ] || { echo "[base-images] pip is missing; install it (apt-get install python3-pip)" >&2; exit 1; }
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    }
    log "pip: wheels of docker/base/python-requirements.txt (CPython 3.11, manylinux x86_64)"
    rm -rf "$wheels.tmp"
    python3 -m pip install --quiet --no-compile --target "$wheels.tmp" --only-binary=:all: \
      --implementation cp --python-version 3.11 --abi cp311 \
      --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
      -r docker/base/python-requirements.txt
    mv "$wheels.tmp" "$wheels"
  fi
  ctx=$(mktemp -d)
  cp -r "$wheels" "$ctx/site-packages"
  cp docker/base/python.Dockerfile docker/base/python-requirements.txt "$ctx/"
  log "building $PYTHON_IMAGE"
  docker build -q --build-arg "ROOTFS_IMAGE=$PYTHON_ROOTFS_IMAGE" --label "airflow-ml.requirements=$want" \
    -t "$PYTHON_IMAGE" -f "$ctx/python.Dockerfile" "$ctx" >/dev/null
  rm -rf "$ctx"
  log "$PYTHON_IMAGE: $(docker run --rm "$PYTHON_IMAGE" python --version), $(docker image inspect -f '{{.Size}}' "$PYTHON_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

build_node_base
build_python_base
