import * as path from 'node:path';
import { RunFailedError, UsageError } from '../base/errors';
import { envValue, loadEnv } from '../base/env';
import { projectRoot } from '../base/paths';
import { DEFAULT_STEP_USER } from '../compiler/emit/settings';
import { dockerRunLine, planStepRun, runStepContainer } from '../ops/steps/run';
import { scaffoldStep } from '../ops/steps/scaffold';
import { noteText, outText } from '../output/print';

/** `step new NAME --lang ts|python`: the files written, and what to do next. */
export function runStepNew(name: string, flags: { lang: string }): void {
  const files = scaffoldStep(projectRoot(), name, flags.lang);
  outText(`${files.map((f) => `wrote ${f}`).join('\n')}\n`);
  noteText(
    `next: airflow-ml images build, then airflow-ml step run ${name} --input data=<file under the data root> --output summary=out/summary.json\n`,
  );
}

export interface StepRunFlags {
  input: string[];
  output: string[];
  param: string[];
  ds?: string;
  user?: string;
  dataRoot?: string;
}

/** `step run NAME …`: the step's own output; a step that fails is a RunFailedError naming its exit code. */
export async function runStepRun(name: string, flags: StepRunFlags): Promise<void> {
  const env = loadEnv();
  const dataRoot = flags.dataRoot ?? envValue(env, 'AIRFLOW_ML_DATA_ROOT');
  if (!dataRoot)
    throw new UsageError('no data root: pass --data-root DIR or set AIRFLOW_ML_DATA_ROOT');
  const plan = planStepRun(projectRoot(), {
    step: name,
    inputs: pairs('--input', flags.input),
    outputs: pairs('--output', flags.output),
    params: pairs('--param', flags.param),
    ds: flags.ds ?? new Date().toISOString().slice(0, 10),
    dataRoot: path.resolve(dataRoot),
    // The DAG's user: AIRFLOW_ML_STEP_USER from the environment or the project's .env (up writes it).
    user: flags.user ?? envValue(env, 'AIRFLOW_ML_STEP_USER') ?? DEFAULT_STEP_USER,
  });
  noteText(`$ ${dockerRunLine(plan)}\n`);
  const result = await runStepContainer(plan);
  outText(result.stdout);
  noteText(result.stderr);
  if (result.exitCode !== 0) {
    const last = result.stderr.trimEnd().split('\n').pop() || 'no output';
    throw new RunFailedError(`step ${name} exited ${result.exitCode}: ${last}`);
  }
}

/** commander's collector for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function pairs(flag: string, values: string[]): Record<string, string> {
  // No prototype: `--param constructor=1` is a name like any other.
  const out: Record<string, string> = Object.create(null);
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} expects NAME=VALUE, not "${v}"`);
    if (Object.hasOwn(out, v.slice(0, i)))
      throw new UsageError(`${flag} ${v.slice(0, i)} given twice`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
