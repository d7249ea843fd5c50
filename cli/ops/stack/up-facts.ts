import * as fs from 'node:fs';
import type Docker from 'dockerode';
import { SpecError } from '../../base/errors';
import { imageTags } from '../../compiler/steps/tags';
import { compileOrThrow } from '../../compiler/project';
import { composeArgs, type ComposeProject } from './compose';
import { dockerSocketGid, hasImage, hasVolume, imageLabel } from './engine';
import {
  LOCAL_IMAGE_LABEL,
  LOCAL_NODE_BASE,
  OFFICIAL_AIRFLOW_IMAGE,
  STAND_IN_IMAGES,
  BROKER_IMAGE,
} from './images';
import { BASE_IMAGE_ENV, DEFAULT_BASE_IMAGE } from '../images';
import { envFileOf, type StackLocation } from './project';
import { LOCAL, scaleArgs, type ExecutorChoice, type QueuedTask } from './executor';
import { readDotenvFile } from '../../base/dotenv';
import type { UpFacts } from './up-plan';
import { stackWorkers } from './workers';

/** `compose up`'s own arguments; `up` adds --force-recreate when a secret file changed. */
export const UP_ARGS = ['up', '--detach', '--remove-orphans'] as const;

export interface GatherOptions extends StackLocation {
  skipDeploy?: boolean;
  healthTimeoutMs?: number;
  /** The executor `up` starts (Celery mode adds its broker image and scales the workers). */
  choice?: ExecutorChoice;
}

/**
 * What `planUp` needs, read without changing anything: the env file, the engine's images and
 * volumes, the compose command, the DAGs the specs compile to.
 */
export async function gatherUpFacts(
  options: GatherOptions,
  project: ComposeProject,
  docker: Docker,
): Promise<UpFacts> {
  const envFile = envFileOf(options);
  const fileEnv = readDotenvFile(envFile);
  const env = { ...Object.fromEntries(fileEnv), ...process.env };
  const airflow = env.AIRFLOW_IMAGE_NAME || OFFICIAL_AIRFLOW_IMAGE;
  const stepImages = Object.values(imageTags(options.root));
  const candidates = [
    airflow,
    ...[...STAND_IN_IMAGES, BROKER_IMAGE].flatMap((i) => [env[i.key] || i.official, i.local]),
    env[BASE_IMAGE_ENV] || DEFAULT_BASE_IMAGE,
    LOCAL_NODE_BASE,
    ...stepImages,
  ];
  const dags = options.skipDeploy ? undefined : compiledDags(options.root);
  const presentImages = new Set<string>();
  for (const image of new Set(candidates)) {
    if (await hasImage(docker, image)) presentImages.add(image);
  }
  return {
    root: options.root,
    envFile,
    envFileExists: fs.existsSync(envFile),
    fileEnv,
    processEnv: process.env,
    dockerGid: dockerSocketGid(),
    databaseExists: await hasVolume(docker, `${project.name}_postgres-db-volume`),
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    presentImages,
    airflowIsStandIn: Boolean(await imageLabel(docker, airflow, LOCAL_IMAGE_LABEL)),
    stepImages,
    composeUp: [
      project.compose.program,
      ...composeArgs(project, [...UP_ARGS, ...scaleArgs(options.choice ?? LOCAL)]),
    ],
    dags: options.skipDeploy ? undefined : dags?.ids,
    tasks: dags?.tasks ?? [],
    healthTimeoutMs: options.healthTimeoutMs ?? 10 * 60_000,
    choice: options.choice ?? LOCAL,
    workerContainers: (await stackWorkers(docker, project.name)).map((w) => ({
      name: w.name,
      service: w.service,
    })),
  };
}

/** The DAG ids the specs compile to, and their tasks' queues; a string: why none. */
function compiledDags(root: string): { ids: string[] | string; tasks: QueuedTask[] } {
  try {
    const { files, pipelines } = compileOrThrow({ root });
    return {
      ids: [...files.keys()].map((f) => f.replace(/\.py$/, '')).sort(),
      tasks: pipelines.flatMap((p) =>
        p.tasks.map((t) => ({ dagId: p.dagId, taskId: t.id, queue: t.queue })),
      ),
    };
  } catch (err) {
    if (err instanceof SpecError) {
      return { ids: 'none, the specs are invalid (run `airflow-ml validate`)', tasks: [] };
    }
    throw err;
  }
}
