import type Docker from 'dockerode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, RunFailedError, UsageError } from '../../base/errors';
import { loadStepCatalog, type StepContract } from '../../compiler/steps/contract';
import { parseParamText } from '../../compiler/steps/param-check';
import { imageTags } from '../../compiler/steps/tags';
import { CONTAINER_DATA_ROOT, isNonRootStepUser } from '../../compiler/emit/settings';
import { STEP_PIDS_LIMIT, STEP_TMPFS } from '../../compiler/emit/step-operator';
import { commandFor } from '../../compiler/emit/task';
import { checkPath } from '../../compiler/spec/path-check';
import { checkTemplate } from '../../compiler/spec/templates';
import { dockerClient } from '../docker-client';

/**
 * `step run`: one step's image, run as a DAG task runs it (docker/steps/README.md): the same
 * argv (inputs and outputs as /data paths in contract order, params by name, --ds last, from
 * the emitter's own commandFor), no network, a non-root user, the data root bound at /data,
 * a read-only root filesystem with a private /tmp, no capabilities, an init process. So a
 * step is debugged without Airflow.
 */
export interface StepRunRequest {
  step: string;
  /** name -> path relative to the data root, as a spec writes it. */
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** name -> the flag's text. */
  params: Record<string, string>;
  ds: string;
  /** Absolute host path of the data root. */
  dataRoot: string;
  /** uid:gid; never root. */
  user: string;
}

export interface StepRunPlan {
  image: string;
  argv: string[];
  user: string;
  dataRoot: string;
  memLimit: string;
  cpus: number;
}

const DS = /^\d{4}-\d{2}-\d{2}$/;

/** Checks the request against the step's contract (the compiler's checks) and plans the run. */
export function planStepRun(root: string, r: StepRunRequest): StepRunPlan {
  const catalog = loadStepCatalog(root);
  const step = catalog[r.step];
  if (!step) {
    throw new UsageError(
      `unknown step "${r.step}"`,
      `steps: ${Object.keys(catalog).join(', ')} (folders docker/steps/<name>/step.yaml)`,
    );
  }
  if (!DS.test(r.ds)) throw new UsageError(`--ds must be a date YYYY-MM-DD (got "${r.ds}")`);
  checkNames('--input', r.inputs, step.inputs, step);
  checkNames('--output', r.outputs, step.outputs, step);
  checkNames('--param', r.params, step.params, step, false);
  const inputs = renderAll('--input', r.inputs, r.ds);
  const outputs = renderAll('--output', r.outputs, r.ds);
  const params = renderAll('--param', r.params, r.ds);
  for (const [name, text] of Object.entries(params)) {
    const parsed = parseParamText(text, step.params[name]);
    if ('error' in parsed) throw new UsageError(`--param ${name}: ${parsed.error} (got "${text}")`);
  }
  // The spec's own path rule: relative to the data root, no "." or "..", nothing unclean.
  for (const [flag, given] of [
    ['--input', inputs],
    ['--output', outputs],
  ] as const) {
    for (const [name, p] of Object.entries(given)) {
      checkPath(p, [], (_at, message) => {
        throw new UsageError(
          `${flag} ${name}: ${message}`,
          `paths are relative to the data root ${r.dataRoot}`,
        );
      });
    }
  }
  if (!path.isAbsolute(r.dataRoot) || !fs.existsSync(r.dataRoot)) {
    throw new ConfigError(`the data root ${r.dataRoot} does not exist`, 'pass --data-root DIR');
  }
  if (!isNonRootStepUser(r.user)) {
    throw new UsageError(
      `a step runs as a numeric uid:gid other than root, not "${r.user}": give the uid:gid that owns the data root`,
    );
  }
  const inOrder = (given: Record<string, string>, contract: Record<string, unknown>) =>
    Object.keys(contract)
      .filter((n) => Object.hasOwn(given, n))
      .map((n) => ({ name: n, value: given[n] }));
  // The emitter's own argv builder reads only inputs, outputs and params of a step task; the
  // run's date replaces the template the DAG would render.
  const argv = commandFor({
    inputs: inOrder(inputs, step.inputs),
    outputs: inOrder(outputs, step.outputs),
    params: Object.keys(params)
      .sort()
      .map((n) => ({ name: n, value: params[n] })),
  } as Parameters<typeof commandFor>[0]).map((a) => (a === '{{ ds }}' ? r.ds : a));
  return {
    image: imageTags(root, catalog)[r.step],
    argv,
    user: r.user,
    dataRoot: r.dataRoot,
    memLimit: step.resources?.mem_limit ?? '2g',
    cpus: step.resources?.cpus ?? 1,
  };
}

/** What `{{ run_id }}` becomes in a step run: there is no DAG run. */
export const STEP_RUN_ID = 'step_run';

/**
 * A value as the DAG would render it for the run's date: `{{ ds }}`, `{{ ds_nodash }}` and
 * `{{ run_id }}` (STEP_RUN_ID) are rendered, so a path copied from a spec works as written;
 * `{{ var.value.NAME }}` needs Airflow, and any other template the spec refuses too.
 */
function renderAll(
  flag: string,
  given: Record<string, string>,
  ds: string,
): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(given)) {
    const problem = checkTemplate(value);
    if (problem) throw new UsageError(`${flag} ${name}: ${problem}`);
    const rendered = value.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (whole, expression: string) => {
      if (expression === 'ds') return ds;
      if (expression === 'ds_nodash') return ds.replaceAll('-', '');
      if (expression === 'run_id') return STEP_RUN_ID;
      throw new UsageError(
        `${flag} ${name}: ${whole} is an Airflow Variable, which only a DAG run renders`,
        'give its value itself',
      );
    });
    out[name] = rendered;
  }
  return out;
}

function checkNames(
  flag: string,
  given: Record<string, string>,
  contract: Record<string, unknown>,
  step: StepContract,
  required = true,
): void {
  const known = Object.keys(contract);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) {
      throw new UsageError(
        `${flag} ${name}: step "${step.name}" has no such ${flag.slice(2)}`,
        known.length
          ? `its ${flag.slice(2)}s: ${known.join(', ')} (${step.file})`
          : `it takes none (${step.file})`,
      );
    }
  }
  const missing = required ? known.filter((n) => !Object.hasOwn(given, n)) : [];
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((n) => `${flag} ${n}=PATH`).join(', ')}`);
  }
}

export interface StepRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The `docker run` command that runs the plan as runStepContainer does (the same flags,
 * quoted for a POSIX shell): shown before the run, and usable by hand.
 */
export function dockerRunLine(plan: StepRunPlan): string {
  return [
    ...['docker', 'run', '--rm', '--network', 'none', '--user', plan.user],
    ...['--read-only', '--tmpfs', `${STEP_TMPFS.path}:${STEP_TMPFS.options}`],
    ...['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'],
    ...['--pids-limit', String(STEP_PIDS_LIMIT)],
    ...['--memory', plan.memLimit, '--memory-swap', plan.memLimit, '--cpus', String(plan.cpus)],
    ...['--init', '-v', `${plan.dataRoot}:${CONTAINER_DATA_ROOT}`, plan.image, ...plan.argv],
  ]
    .map(shellWord)
    .join(' ');
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs the plan to its end and removes the container, whatever the outcome. Ctrl-C (or
 * SIGTERM) while it runs removes the container too, then fails the run as interrupted: a
 * step debugged by hand leaves nothing running.
 */
export async function runStepContainer(plan: StepRunPlan, docker?: Docker): Promise<StepRunResult> {
  const engine = docker ?? (await dockerClient());
  try {
    await engine.getImage(plan.image).inspect();
  } catch {
    throw new ConfigError(
      `image ${plan.image} is not built`,
      'run `airflow-ml images build` (it builds every step whose content tag is missing)',
    );
  }
  const memory = parseMemory(plan.memLimit);
  // From here until the container is removed, a first Ctrl-C (or SIGTERM) removes it; a
  // second one ends the CLI at once, as if this handler were not there.
  let interrupted: NodeJS.Signals | undefined;
  let container: Docker.Container | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) {
      release();
      process.kill(process.pid, signal);
      return;
    }
    interrupted = signal;
    // Removing it ends the wait below; the finally then has nothing left to remove.
    void container?.remove({ force: true }).catch(() => undefined);
  };
  const release = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const stopped = () =>
    new RunFailedError(
      `step run interrupted (${interrupted}): its container was stopped and removed`,
    );
  try {
    container = await engine.createContainer({
      Image: plan.image,
      Cmd: plan.argv,
      User: plan.user,
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Binds: [`${plan.dataRoot}:${CONTAINER_DATA_ROOT}`],
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: STEP_PIDS_LIMIT,
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: Math.round(plan.cpus * 1e9),
        Init: true,
        ReadonlyRootfs: true,
        Tmpfs: { [STEP_TMPFS.path]: STEP_TMPFS.options },
      },
    });
    if (interrupted) throw stopped(); // while it was being created: the finally removes it
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (interrupted) throw stopped();
    const logs = (await container.logs({ stdout: true, stderr: true })) as Buffer;
    return { exitCode: StatusCode, ...demux(logs) };
  } catch (err) {
    if (interrupted && !(err instanceof RunFailedError)) throw stopped();
    throw err;
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
    release();
  }
}

/** The engine's multiplexed log stream: 8-byte frame headers, 1 = stdout, 2 = stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return {
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

function parseMemory(limit: string): number {
  const m = /^(\d+)([bkmg])$/.exec(limit) as RegExpExecArray;
  return (
    Number(m[1]) * { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2] as 'b' | 'k' | 'm' | 'g']
  );
}
