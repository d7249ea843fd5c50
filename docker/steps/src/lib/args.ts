import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompiledContract } from '../../../../cli/compiler/steps/contract';
import { parseParamText, type ParamValue } from '../../../../cli/compiler/steps/param-check';
import { contractFor } from './contract-source';
import { usageError } from './errors';

/**
 * Flag parsing driven by the step's contract (docker/steps/<step>/step.yaml, compiled and
 * baked into the bundle), the same contract and the same param checks the compiler
 * validates specs with, so the steps and the DAGs can never disagree on a flag's name, type
 * or bounds.
 */
export function stepSpec(step: string): CompiledContract {
  return contractFor(step);
}

export interface StepArgs {
  ds: string;
  /** Absolute input/output paths by manifest name. */
  paths: Record<string, string>;
  /** Params by contract name; absent optional params without a default are undefined. */
  params: Record<string, ParamValue | undefined>;
}

const DS = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseStepArgs(step: string, argv: readonly string[]): StepArgs {
  const spec = stepSpec(step);
  const kinds = new Map<string, 'path' | 'param' | 'ds'>([['ds', 'ds']]);
  for (const name of [...Object.keys(spec.inputs), ...Object.keys(spec.outputs)]) {
    kinds.set(name, 'path');
  }
  for (const name of Object.keys(spec.params)) kinds.set(name, 'param');
  const known = () => [...kinds.keys()].map((k) => `--${k}`).join(', ');

  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      throw usageError(`unexpected argument "${arg}"; flags are --name value`);
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!kinds.has(name)) throw usageError(`unknown flag --${name}; known: ${known()}`);
    if (raw.has(name)) throw usageError(`flag --${name} given twice`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) {
        throw usageError(`flag --${name} needs a value`);
      }
      value = argv[++i];
    }
    raw.set(name, value);
  }

  const ds = raw.get('ds');
  if (ds === undefined) throw usageError(`missing required flag --ds (YYYY-MM-DD)`);
  checkDs(ds);

  const paths: Record<string, string> = {};
  for (const name of [...Object.keys(spec.inputs), ...Object.keys(spec.outputs)]) {
    const value = raw.get(name);
    if (value === undefined) throw usageError(`missing required flag --${name}`);
    if (!value.startsWith('/')) {
      throw usageError(`--${name} must be an absolute path (got "${value}")`);
    }
    checkInsideDataRoot(name, value);
    paths[name] = value;
  }

  const params: Record<string, ParamValue | undefined> = {};
  for (const [name, p] of Object.entries(spec.params)) {
    const value = raw.get(name);
    params[name] = value === undefined ? p.default : parseParam(name, p, value);
  }
  return { ds, paths, params };
}

/**
 * Where the data root is mounted in a step container. Unit tests run the steps on the host
 * and point this at their temp folder.
 */
export function containerDataRoot(): string {
  return process.env.AIRFLOW_ML_STEP_DATA_ROOT ?? '/data';
}

/**
 * Every path a step reads or writes stays in the data root, by name and, symlinks followed,
 * by where it really leads: a variable such as PROD_DIR="../../etc", or a symlink planted in
 * the data root, must not make a step read or write anything else.
 */
function checkInsideDataRoot(name: string, value: string): void {
  const root = containerDataRoot();
  const inside = (p: string, r: string) => p === r || p.startsWith(`${r}/`);
  const normal = path.posix.normalize(value);
  if (!inside(normal, root)) {
    throw usageError(`--${name} ${value} is outside the data root ${root}`);
  }
  if (!fs.existsSync(root)) return;
  const realRoot = fs.realpathSync(root);
  let probe = normal;
  while (!fs.existsSync(probe)) probe = path.posix.dirname(probe);
  const real = fs.realpathSync(probe);
  if (!inside(real, realRoot)) {
    throw usageError(
      `--${name} ${value} leads to ${real} (a symbolic link), outside the data root ${root}`,
    );
  }
}

function checkDs(ds: string): void {
  const m = DS.exec(ds);
  const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
  // Round-tripping rejects impossible dates such as 2024-02-30.
  if (!m || !date || date.toISOString().slice(0, 10) !== ds) {
    throw usageError(`--ds must be a date YYYY-MM-DD (got "${ds}")`);
  }
}

function parseParam(name: string, p: CompiledContract['params'][string], text: string): ParamValue {
  const r = parseParamText(text, p);
  if ('value' in r) return r.value;
  throw usageError(`--${name} ${r.error} (got ${r.quoted ? `"${text}"` : text})`);
}

/** A number param that has a value (given, or defaulted by the contract). */
export function param(args: StepArgs, name: string): number {
  const v = args.params[name];
  if (v === undefined) throw usageError(`missing required flag --${name}`);
  if (typeof v !== 'number') throw usageError(`--${name} must be a number`);
  return v;
}
