import type Docker from 'dockerode';
import { alertPath, checkAlertPath, describeAlertPath } from '../alerts/alert-path';
import { dockerClient } from '../docker-client';
import { runCompose, tailLines } from './compose';
import { deployToStack } from './deploy';
import { requireEngine } from './engine';
import { PortBusyError, StackCommandError } from './errors';
import { prepareHostFolders } from './folders';
import { ensureStackImages, ensureStepImages, type StackImages } from './images';
import { MAIL_SINK_PORT, requirePort } from './port';
import {
  celeryServices,
  chooseExecutor,
  describeExecutor,
  recordExecutor,
  scaleArgs,
  type ExecutorChoice,
  type ExecutorFlags,
} from './executor';
import { composeProject, envFileOf, type StackLocation } from './project';
import { writeStackSecrets } from './secrets';
import { readDotenvFile } from '../../base/dotenv';
import { addStackEnvValues, readStackSettings } from './settings';
import { gatherUpFacts, UP_ARGS } from './up-facts';
import { planUp, type UpPlan } from './up-plan';
import { failIfAnyServiceFailed, waitForApiHealth, waitForServices } from './wait';
import { removeWorkerContainers } from './workers';

export interface UpOptions extends StackLocation {
  /** How long services may take to become healthy. Default 10 minutes. */
  healthTimeoutMs?: number;
  /** Start the stack but do not deploy the DAGs. */
  skipDeploy?: boolean;
  /** `--executor`, `--workers`, `--queues`; unset: what the env file recorded (local at first). */
  executor?: ExecutorFlags;
  report?: (line: string) => void;
  docker?: Docker;
}

export interface UpResult {
  url: string;
  /** Host address the UI/API port is published on (AIRFLOW_BIND_ADDRESS, default 127.0.0.1). */
  bindAddress: string;
  port: number;
  /** The login; its password is AIRFLOW_PASSWORD in the env file, never returned or printed. */
  username: string;
  dataRoot: string;
  envFile: string;
  /** Folder of the secret files written from the env file. */
  secretsDir: string;
  /** Keys `up` added to the env file. */
  written: string[];
  images: StackImages;
  stepImagesBuilt: number;
  deployedDags: string[];
  /** Where failure alerts go, checked: `alerts: local mail sink, ...` or `alerts: SMTP ...`. */
  alerts: string;
  /** The executor it runs, e.g. `executor: celery, 2 workers (default queue)`. */
  executor: string;
  /** Seconds per phase, in order. */
  timings: [phase: string, seconds: number][];
}

/**
 * Start the local Airflow stack and deploy the project to it:
 * engine + compose present -> env file filled in -> secret files written from it -> host
 * folders -> SMTP server verified (when SMTP_HOST is set) -> stack and step images -> ports
 * free -> `compose up -d` -> every service healthy -> API health -> deploy -> mail sink
 * answering (when SMTP_HOST is not set).
 * Idempotent: on a running stack it checks health and redeploys (a no-op when nothing changed).
 * Reports only names (keys, files, services), never a secret's value.
 */
/** `up --dry-run`: the plan `up` would apply, as lines; reads the engine, writes nothing. */
export async function planUpHere(options: UpOptions): Promise<UpPlan> {
  const docker = await requireEngine(options.docker ?? (await dockerClient()));
  const choice = executorChoice(options);
  const project = await composeProject(options, choice);
  return planUp(await gatherUpFacts({ ...options, choice }, project, docker));
}

/** The flags over the executor the env file (under the process environment) recorded. */
function executorChoice(options: UpOptions): ExecutorChoice {
  const env = { ...Object.fromEntries(readDotenvFile(envFileOf(options))), ...process.env };
  return chooseExecutor(options.executor ?? {}, env);
}

export async function up(options: UpOptions): Promise<UpResult> {
  const report = options.report ?? (() => undefined);
  const timings: [string, number][] = [];
  let started = Date.now();
  const phase = (name: string) => {
    timings.push([name, (Date.now() - started) / 1000]);
    started = Date.now();
  };
  const timeoutMs = options.healthTimeoutMs ?? 10 * 60_000;

  const docker = await requireEngine(options.docker ?? (await dockerClient()));
  const choice = executorChoice(options);
  const project = await composeProject(options, choice);
  report(
    `compose: ${project.compose.program} ${project.compose.prefix.join(' ')} (${project.compose.version})`,
  );
  const plan = planUp(await gatherUpFacts({ ...options, choice }, project, docker));
  const envFile = plan.envFile;
  // The settings as they will be, in memory: the env file is written once, below, after the
  // images are settled (a stand-in chosen for a missing official image is recorded with them).
  let settings = readStackSettings(
    envFile,
    process.env,
    new Map([...readDotenvFile(envFile), ...plan.settings]),
  );
  phase('settings');

  // A configured SMTP server that refuses us fails `up` now, before minutes of startup, with
  // its answer; otherwise every failure alert would be lost silently (issue 12).
  const alerts = alertPath(settings.env);
  if (alerts.kind === 'smtp') {
    const smtp = await checkAlertPath(alerts);
    if (smtp.problem) throw smtp.problem;
    report(`${smtp.line}: the server accepts the connection and login`);
  }

  const recorded: [string, string][] = [];
  const record = (key: string, value: string) => void recorded.push([key, value]);
  const celery = choice.executor === 'celery';
  const imageOptions = { docker, root: options.root, envFile, env: settings.env, report, record };
  const images = await ensureStackImages({ ...imageOptions, celery });
  phase('stack images');
  const steps = await ensureStepImages({
    ...imageOptions,
    env: { ...settings.env, ...Object.fromEntries(recorded) },
  });
  phase('step images');

  const added = addStackEnvValues(envFile, [...plan.settings, ...recorded]);
  if (added.length > 0) report(`${envFile}: added ${added.join(', ')}`);
  recordExecutor(envFile, choice);
  const written = plan.settings.map(([key]) => key).filter((key) => added.includes(key));
  settings = readStackSettings(envFile);
  const secrets = writeStackSecrets(settings);
  if (secrets.changed.length > 0) report(`${secrets.dir}: wrote ${secrets.changed.join(', ')}`);
  prepareHostFolders(options.root, { ...settings, written });

  await requirePort(docker, project.name, settings.port);
  await requirePort(docker, project.name, settings.mailPort, MAIL_SINK_PORT);
  report(
    `starting the stack (${images.airflow}, ${images.postgres}, ${images.proxy}, ${images.mailSink}${images.broker ? `, ${images.broker}` : ''}); ${describeExecutor(choice)}`,
  );
  // A queue no worker serves is not an error (a worker may be added later), but its tasks
  // would wait queued forever: say so now, with the way out.
  for (const warning of plan.warnings) report(warning);
  // Workers of a service this choice does not run: compose would leave them running.
  if (plan.removeWorkers.length > 0) {
    report(
      `removing the Celery workers this choice has no use for: ${plan.removeWorkers.join(', ')}`,
    );
    await removeWorkerContainers(docker, plan.removeWorkers);
  }
  // A secret file is bind-mounted when a container starts and replaced by a rename here, so
  // running containers would keep the old one: recreate them when any secret changed.
  const upArgs: string[] = [...UP_ARGS, ...scaleArgs(choice)];
  if (secrets.changed.length > 0) upArgs.push('--force-recreate');
  const res = await runCompose(project, upArgs, (l) => report(`  ${l}`));
  if (res.code !== 0) {
    const output = res.stderr + res.stdout;
    if (/port is already allocated|address already in use/i.test(output)) {
      throw new PortBusyError(
        settings.port,
        `port ${settings.port} is already in use, so the Airflow api-server cannot publish it`,
        'stop what listens there, or set AIRFLOW_PORT and AIRFLOW_URL in the env file to another port',
      );
    }
    await failIfAnyServiceFailed(docker, project);
    throw new StackCommandError(
      `compose up failed (exit ${res.code}):\n${tailLines(output, 20)}`,
      'see the output above',
    );
  }
  phase('compose up');
  await waitForServices(docker, project, { timeoutMs, report, scaled: celeryServices(choice) });
  await waitForApiHealth(settings.url, project, { timeoutMs, report });
  phase('healthy');

  const deployed = options.skipDeploy
    ? undefined
    : await deployToStack(options.root, { ...settings, written }, report);
  if (!options.skipDeploy) phase('deploy');
  if (alerts.kind === 'sink') {
    const sink = await checkAlertPath(alerts);
    if (sink.problem) throw sink.problem;
  }
  return {
    url: settings.url,
    bindAddress: settings.bindAddress,
    port: settings.port,
    username: settings.username,
    dataRoot: settings.dataRoot,
    envFile,
    secretsDir: secrets.dir,
    written,
    images,
    stepImagesBuilt: steps.filter((s) => s.built).length,
    deployedDags: deployed?.parsed ?? [],
    alerts: describeAlertPath(alerts),
    executor: describeExecutor(choice),
    timings,
  };
}
