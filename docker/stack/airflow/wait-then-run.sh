#!/usr/bin/env bash
# Start an Airflow component once what it needs answers (docs/stack.md, "Recovery").
#
# Compose's depends_on orders only `docker compose up`. After a Docker daemon restart, or
# when a crashed container comes back on its restart policy, the engine starts containers
# in any order, and a scheduler that starts before the api-server sends its tasks' first
# Execution API calls into a refused connection: tries fail that had nothing wrong with them.
# So each long-running Airflow component waits here first:
#   api-server                           the metadata database answers (airflow db check)
#   scheduler, dag-processor, triggerer  the api-server's /api/v2/version answers
# then becomes `airflow <component> ...` (exec: signals and the exit code are Airflow's).
set -uo pipefail

component=${1:?usage: wait-then-run.sh COMPONENT [ARGS...]}
api_url=${AIRFLOW_ML_API_HEALTH_URL:-http://airflow-apiserver:8080/api/v2/version}

ready() {
  case $component in
    api-server) airflow db check >/dev/null 2>&1 ;;
    *) curl --fail --silent --max-time 5 --output /dev/null "$api_url" ;;
  esac
}

waited=0
until ready; do
  if ((waited % 30 == 0)); then
    case $component in
      api-server) echo "[airflow-ml] $component waits for the metadata database (${waited}s)" ;;
      *) echo "[airflow-ml] $component waits for the api-server at $api_url (${waited}s)" ;;
    esac
  fi
  sleep 2
  waited=$((waited + 2))
done
((waited > 0)) && echo "[airflow-ml] $component: ready after ${waited}s"
exec airflow "$@"
