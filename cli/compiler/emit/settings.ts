/**
 * Deploy-time settings that the generated file reads from the Airflow worker's environment,
 * so no host path is ever written into a DAG file. docker-compose.yml and the test harnesses
 * set them; `airflow-ml deploy` documents them.
 */
export const DATA_ROOT_ENV = 'AIRFLOW_ML_DATA_ROOT';
export const STEP_USER_ENV = 'AIRFLOW_ML_STEP_USER';
/** uid:gid of the `node` user in the step images. */
export const DEFAULT_STEP_USER = '1000:1000';
/** Where every step container sees the data root. */
export const CONTAINER_DATA_ROOT = '/data';
/** The connection whose extra "path" is the data root as the Airflow worker sees it. */
export const FS_CONN_ID = 'fs_default';

export function settingsBlock(): string {
  return [
    '# Deploy-time settings from the Airflow environment (docker-compose.yml, `airflow-ml deploy`).',
    `# ${DATA_ROOT_ENV}: the data root's path on the Docker host, bind-mounted at ${CONTAINER_DATA_ROOT}.`,
    `# ${STEP_USER_ENV}: the uid:gid the step containers run as; it must be able to write there.`,
    `DATA_ROOT = os.environ.get("${DATA_ROOT_ENV}", "")`,
    `STEP_USER = os.environ.get("${STEP_USER_ENV}", "${DEFAULT_STEP_USER}")`,
    'if not DATA_ROOT:',
    '    raise RuntimeError(',
    `        "${DATA_ROOT_ENV} is not set: set it to the data root's absolute path on the "`,
    '        "Docker host in the Airflow environment (see README, Configuration)."',
    '    )',
    // The step contract: containers never run as root, whatever the deployment says.
    'if STEP_USER.split(":")[0] in ("0", "root"):',
    '    raise RuntimeError(',
    `        "${STEP_USER_ENV} must not be root: give the uid:gid that owns the data root."`,
    '    )',
  ].join('\n');
}
