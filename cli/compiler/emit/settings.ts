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

/**
 * The step contract, whatever the deployment says: steps never run as root. Numeric only,
 * because a name is resolved inside the image, and "00" is uid 0 to Docker and Kubernetes too
 * (`isNonRootStepUser` is the same rule for the CLI).
 */
function stepUserCheck(): string[] {
  return [
    `STEP_USER = os.environ.get("${STEP_USER_ENV}", "${DEFAULT_STEP_USER}")`,
    'STEP_UID, _, STEP_GID = STEP_USER.partition(":")',
    'if not (STEP_UID.isdigit() and STEP_GID.isdigit()) or int(STEP_UID) == 0:',
    '    raise RuntimeError(',
    `        f"${STEP_USER_ENV} must be a numeric uid:gid other than root, not {STEP_USER!r}"`,
    '    )',
  ];
}

/** The same rule as the generated files' check: a numeric uid:gid whose uid is not 0. */
export function isNonRootStepUser(user: string): boolean {
  const m = /^(\d+):(\d+)$/.exec(user);
  return m !== null && Number(m[1]) !== 0;
}

export function settingsBlock(): string {
  return [
    '# Deploy-time settings from the Airflow environment (docker-compose.yml, `airflow-ml deploy`).',
    `# ${DATA_ROOT_ENV}: the data root's path on the Docker host, bind-mounted at ${CONTAINER_DATA_ROOT}.`,
    `# ${STEP_USER_ENV}: the uid:gid the step containers run as; it must be able to write there.`,
    `DATA_ROOT = os.environ.get("${DATA_ROOT_ENV}", "")`,
    'if not DATA_ROOT:',
    '    raise RuntimeError(',
    `        "${DATA_ROOT_ENV} is not set: set it to the data root's absolute path on the "`,
    '        "Docker host in the Airflow environment (see README, Configuration)."',
    '    )',
    ...stepUserCheck(),
  ].join('\n');
}

/** `runner: kubernetes`: the claim holding the data root, mounted at /data in every step pod. */
export const DATA_PVC_ENV = 'AIRFLOW_ML_DATA_PVC';
export const DEFAULT_DATA_PVC = 'airflow-ml-data';
/** The namespace the step pods run in. */
export const NAMESPACE_ENV = 'AIRFLOW_ML_K8S_NAMESPACE';
export const DEFAULT_NAMESPACE = 'airflow-ml';
/** A registry prefix for the project's step images (the cluster pulls them from there). */
export const IMAGE_REGISTRY_ENV = 'AIRFLOW_ML_IMAGE_REGISTRY';

/** The deploy-time settings of a DAG file whose steps run as Kubernetes pods. */
export function podSettingsBlock(): string {
  return [
    '# Deploy-time settings from the Airflow environment (docs/scale-out.md, "Kubernetes").',
    `# ${DATA_PVC_ENV}: the PersistentVolumeClaim holding the data root, mounted at ${CONTAINER_DATA_ROOT}.`,
    `# ${NAMESPACE_ENV}: the namespace the step pods run in.`,
    `# ${IMAGE_REGISTRY_ENV}: where the cluster pulls the step images from (empty: as tagged).`,
    `# ${STEP_USER_ENV}: the uid:gid the step pods run as; it must be able to write the claim.`,
    `DATA_PVC = os.environ.get("${DATA_PVC_ENV}", "${DEFAULT_DATA_PVC}")`,
    `NAMESPACE = os.environ.get("${NAMESPACE_ENV}", "${DEFAULT_NAMESPACE}")`,
    `IMAGE_REGISTRY = os.environ.get("${IMAGE_REGISTRY_ENV}", "").rstrip("/")`,
    ...stepUserCheck(),
    'STEP_UID, STEP_GID = int(STEP_UID), int(STEP_GID)',
    '',
    '',
    'def step_image(reference):',
    '    """A step image as the cluster pulls it: under IMAGE_REGISTRY when one is set."""',
    '    return f"{IMAGE_REGISTRY}/{reference}" if IMAGE_REGISTRY else reference',
    // Two blank lines after a function (ruff format); sections are joined by one.
    '',
  ].join('\n');
}
