import type { Env } from '../../base/env';
import { BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE } from '../images';
import { BROKER_IMAGE, LOCAL_NODE_BASE, OFFICIAL_AIRFLOW_IMAGE, STAND_IN_IMAGES } from './images';
import {
  celeryServices,
  describeExecutor,
  describeUnserved,
  unservedQueues,
  wantedWorkerServices,
  type ExecutorChoice,
  type QueuedTask,
} from './executor';
import { SECRET_ENV_KEYS } from './secrets';
import { INIT_SERVICE, LONG_RUNNING_SERVICES } from './services';
import { planStackSettings, RANDOM, type SecretSource, type SettingsFacts } from './settings';

/**
 * `up` as plan, then apply (cli/ops/stack/up.ts applies): `planUp` turns what `up` found (the
 * env file, the engine's images, the compose program, the specs) into plain data, and
 * reads and writes nothing itself. `up --dry-run` prints it.
 */

export interface UpFacts extends SettingsFacts {
  envFileExists: boolean;
  /** Images the engine has now, by reference. */
  presentImages: ReadonlySet<string>;
  /** Whether AIRFLOW_IMAGE_NAME's image on the engine is our local stand-in (labelled). */
  airflowIsStandIn: boolean;
  /** The step images the DAGs reference (content tags). */
  stepImages: string[];
  /** `<program> <args…>` of `compose up` (cli/ops/stack/compose.ts composeArgs). */
  composeUp: string[];
  /** The DAG ids deploy would publish; undefined with --no-deploy; a string: why none. */
  dags: string[] | string | undefined;
  healthTimeoutMs: number;
  /** The executor `up` starts. */
  choice: ExecutorChoice;
  /** The tasks of those DAGs, with the queue each names. */
  tasks: QueuedTask[];
  /** Celery worker containers on the engine now (a stack that ran CeleryExecutor). */
  workerContainers: { name: string; service: string }[];
}

/** reuse: on the engine; pull: from a registry, else build the local stand-in; build: ours. */
export type ImageAction = 'reuse' | 'pull' | 'build';

export interface PlannedImage {
  /** The env key that names it (POSTGRES_IMAGE), or the step image's tag. */
  name: string;
  image: string;
  action: ImageAction;
  /** For `pull`: the local stand-in used (and recorded under `name`) when no registry has it. */
  standIn?: string;
}

export interface UpPlan {
  envFile: string;
  createEnvFile: boolean;
  /** Settings to add to the env file, in order (values include secrets: never print them). */
  settings: [key: string, value: string][];
  /** The secret files written from these env keys. */
  secretKeys: readonly string[];
  stackImages: PlannedImage[];
  stepImages: PlannedImage[];
  /** The compose command that starts the stack (program first). */
  compose: string[];
  /** The services that must end up healthy, and the one-shot init service. */
  services: string[];
  initService: string;
  healthTimeoutMs: number;
  deploy: string[] | string | undefined;
  /** describeExecutor's line. */
  executor: string;
  /**
   * Worker containers to remove first: the executor is now local, and compose leaves the
   * services of an inactive profile running (they are not orphans to it).
   */
  removeWorkers: string[];
  /** What to warn of: tasks whose queue no worker serves (they would never run). */
  warnings: string[];
}

export function planUp(facts: UpFacts, random: SecretSource = RANDOM): UpPlan {
  const settings = planStackSettings(facts, random);
  const env: Env = { ...Object.fromEntries(facts.fileEnv), ...definedOnly(facts.processEnv) };
  const present = (image: string) => facts.presentImages.has(image);
  const standIn = (key: string, official: string, local: string): PlannedImage => {
    const image = env[key] || official;
    if (image === local) return { name: key, image, action: 'build' };
    if (present(image)) return { name: key, image, action: 'reuse' };
    return { name: key, image, action: 'pull', standIn: image === official ? local : undefined };
  };
  const airflow = env.AIRFLOW_IMAGE_NAME || OFFICIAL_AIRFLOW_IMAGE;
  const stackImages: PlannedImage[] = [
    {
      name: 'AIRFLOW_IMAGE_NAME',
      image: airflow,
      action: facts.airflowIsStandIn ? 'build' : present(airflow) ? 'reuse' : 'pull',
      ...(facts.airflowIsStandIn || present(airflow) || airflow !== OFFICIAL_AIRFLOW_IMAGE
        ? {}
        : { standIn: `${airflow} (local build)` }),
    },
    ...STAND_IN_IMAGES.map((i) => standIn(i.key, i.official, i.local)),
    ...(facts.choice.executor === 'celery'
      ? [standIn(BROKER_IMAGE.key, BROKER_IMAGE.official, BROKER_IMAGE.local)]
      : []),
    standIn(BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE, LOCAL_NODE_BASE),
  ];
  const stepImages: PlannedImage[] = [...facts.stepImages].sort().map((image) => ({
    name: image,
    image,
    action: present(image) ? 'reuse' : 'build',
  }));
  return {
    envFile: facts.envFile,
    createEnvFile: !facts.envFileExists,
    settings,
    secretKeys: SECRET_ENV_KEYS,
    stackImages,
    stepImages,
    compose: facts.composeUp,
    services: [
      ...LONG_RUNNING_SERVICES,
      ...celeryServices(facts.choice).map(([s, n]) => (n === 1 ? s : `${s} x${n}`)),
    ],
    executor: describeExecutor(facts.choice),
    removeWorkers: facts.workerContainers
      .filter((w) => !wantedWorkerServices(facts.choice).includes(w.service))
      .map((w) => w.name)
      .sort(),
    warnings: describeUnserved(facts.choice, unservedQueues(facts.choice, facts.tasks)),
    initService: INIT_SERVICE,
    healthTimeoutMs: facts.healthTimeoutMs,
    deploy: facts.dags,
  };
}

/** The plan as lines for `up --dry-run`: keys and image names, never a setting's value. */
export function describeUpPlan(plan: UpPlan): string[] {
  const keys = plan.settings.map(([k]) => k);
  const image = (i: PlannedImage) =>
    `    ${i.action.padEnd(6)} ${i.name === i.image ? i.image : `${i.name}=${i.image}`}` +
    (i.standIn ? ` (no registry: ${i.standIn})` : '');
  const deploy =
    plan.deploy === undefined
      ? '  deploy: no (--no-deploy)'
      : typeof plan.deploy === 'string'
        ? `  deploy: ${plan.deploy}`
        : `  deploy, trigger the first runs they wait for, and unpause: ${plan.deploy.join(', ')}`;
  return [
    `dry run: airflow-ml up would, with ${plan.envFile}:`,
    keys.length === 0
      ? '  settings: keep every value in the env file (nothing is missing)'
      : `  settings: ${plan.createEnvFile ? 'create' : 'add to'} the env file (mode 0600): ${keys.join(', ')}`,
    `  secret files: from ${plan.secretKeys.join(', ')}`,
    '  stack images:',
    ...plan.stackImages.map(image),
    `  step images: ${plan.stepImages.filter((i) => i.action === 'build').length} to build, ${plan.stepImages.filter((i) => i.action === 'reuse').length} to reuse`,
    ...plan.stepImages.map(image),
    `  ${plan.executor}`,
    ...(plan.removeWorkers.length > 0
      ? [
          `  remove the Celery workers this choice has no use for (a task running on one is stopped, and its next try runs anew): ${plan.removeWorkers.join(', ')}`,
        ]
      : []),
    ...plan.warnings.map((w) => `  ${w}`),
    `  compose: ${plan.compose.join(' ')}`,
    `  services: ${plan.initService} (runs once), ${plan.services.join(', ')}; healthy within ${plan.healthTimeoutMs / 1000} s`,
    deploy,
    'nothing was written or started',
  ];
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => Boolean(e[1])),
  );
}
