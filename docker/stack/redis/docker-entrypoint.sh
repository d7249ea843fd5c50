#!/bin/sh
# The official redis image's calling conventions (docker-library/redis docker-entrypoint.sh):
# `-flag ...` or `file.conf ...` runs redis-server with those arguments; anything else runs
# as given. No user switch: the compose file chooses the user.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
exec "$@"
