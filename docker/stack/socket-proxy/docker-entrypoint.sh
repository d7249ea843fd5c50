#!/bin/sh
# The official haproxy image's calling convention: `haproxy ARGS` (or bare flags) runs
# `haproxy -W -db ARGS` (master-worker mode, in the foreground, logging to stdout/stderr);
# anything else runs as given.
set -e
case "$1" in
  -*) set -- haproxy "$@" ;;
esac
if [ "$1" = haproxy ]; then
  shift
  set -- haproxy -W -db "$@"
fi
exec "$@"
