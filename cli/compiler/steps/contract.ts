import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, SpecError, type Diagnostic } from '../../base/errors';
import { NOT_A_FILE, readBounded } from '../../base/read';
import { stepSchema } from './contract-schema';
import { readYaml, type Path } from './contract-yaml';
import { checkParamValue, type ParamSpec } from './param-check';

/**
 * The step contract: docker/steps/<name>/step.yaml, one folder per step. The one reader of
 * it: the compiler checks specs against the catalog, the image tagger hashes each step's
 * folder and builds it by kind, `scripts/bundle-steps.mjs` bakes compiledContract() into
 * each TypeScript step (its flag parsing reads it), and `images build` puts the same JSON
 * into a Dockerfile step's context for its own parser (docker/steps/python/airflow_ml_step.py).
 * Errors are positioned (`docker/steps/train/step.yaml:7:5: …`) and collected.
 */
export type { ParamSpec } from './param-check';

export const STEPS_DIR = 'docker/steps';
export const CONTRACT_FILE = 'step.yaml';
export const STEP_NAME = /^[a-z][a-z0-9-]{0,39}$/;
/** Names a step may not take: `base` is the shared base image's (airflow-ml-base), built first. */
export const RESERVED_STEP_NAMES: readonly string[] = ['base'];
/** A contract is a few dozen lines; anything this large is a mistake, refused before parsing. */
const MAX_CONTRACT_BYTES = 64 * 1024;

export type StepKind = 'typescript' | 'dockerfile' | 'image';
export type BaseFamily = 'node' | 'python' | 'none';

export interface Port {
  type: 'file' | 'directory';
  description?: string;
}

export interface StepContract {
  name: string;
  /** Root-relative POSIX paths: the step's folder and its step.yaml. */
  dir: string;
  file: string;
  description: string;
  kind: StepKind;
  /** typescript: the entry, root-relative. */
  entry?: string;
  /** dockerfile: the Dockerfile, root-relative. */
  dockerfile?: string;
  /** The base image family its build starts from (typescript: node). */
  base: BaseFamily;
  /** image: the prebuilt image reference. */
  image?: string;
  inputs: Record<string, Port>;
  outputs: Record<string, Port>;
  params: Record<string, ParamSpec>;
  resources?: { mem_limit?: string; cpus?: number };
  retry?: { retries?: number; retry_delay?: number | string };
}

/** Step name -> contract; objects without a prototype, so "__proto__" or "toString" find nothing. */
export type StepCatalog = Record<string, StepContract>;

/** What a step's own flag parser needs, as JSON: baked into its image. */
export interface CompiledContract {
  name: string;
  inputs: Record<string, Port>;
  outputs: Record<string, Port>;
  params: Record<string, ParamSpec>;
}

export function compiledContract(c: StepContract): CompiledContract {
  return { name: c.name, inputs: c.inputs, outputs: c.outputs, params: c.params };
}

/** Names of the folders under docker/steps/ that hold a step.yaml, sorted. */
export function stepDirs(root: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, STEPS_DIR), { withFileTypes: true });
  } catch (err) {
    throw new ConfigError(
      `cannot read the steps folder ${path.join(root, STEPS_DIR)}: ${(err as Error).message}`,
      'run from an airflow-ml project (it has docker/steps/<name>/step.yaml)',
    );
  }
  return (
    entries
      // A dot folder is a step being written (step new) or something else hidden: not a step.
      .filter(
        (e) =>
          e.isDirectory() &&
          !e.name.startsWith('.') &&
          fs.existsSync(path.join(root, STEPS_DIR, e.name, CONTRACT_FILE)),
      )
      .map((e) => e.name)
      .sort()
  );
}

/** Every step's contract, or a SpecError with every problem of every contract. */
export function loadStepCatalog(root: string): StepCatalog {
  const catalog = bare<StepContract>({});
  const diagnostics: Diagnostic[] = [];
  for (const name of stepDirs(root)) {
    const r = readStepContract(root, name);
    diagnostics.push(...r.diagnostics);
    if (r.contract) catalog[name] = r.contract;
  }
  if (diagnostics.length > 0) throw new SpecError(diagnostics);
  return catalog;
}

export function readStepContract(
  root: string,
  name: string,
): { contract?: StepContract; diagnostics: Diagnostic[] } {
  const dir = `${STEPS_DIR}/${name}`;
  const file = `${dir}/${CONTRACT_FILE}`;
  const fail = (message: string, hint?: string) => ({
    diagnostics: [{ file, line: 1, col: 1, message, hint }],
  });
  if (!STEP_NAME.test(name)) {
    return fail(
      `step folder name "${name}" is not valid`,
      'a step is named by its folder: a lower-case letter, then lower-case letters, digits or dashes (at most 40)',
    );
  }
  if (RESERVED_STEP_NAMES.includes(name)) {
    return fail(
      `step folder name "${name}" is reserved: it is the shared base image's`,
      'rename the folder; the folder name is the step name',
    );
  }
  // Bounded: a step.yaml that is a FIFO or a link to /dev/zero fails at once.
  const read = readBounded(path.join(root, file), MAX_CONTRACT_BYTES);
  if (!('text' in read)) {
    return fail(
      read.problem === 'unreadable'
        ? `cannot read: ${read.code}`
        : read.problem === 'not-a-file'
          ? NOT_A_FILE
          : `over ${MAX_CONTRACT_BYTES} bytes; a step contract is a few dozen lines`,
    );
  }
  const text = read.text;
  const { yaml, diagnostics } = readYaml(file, text);
  if (!yaml) return { diagnostics };
  const out: Diagnostic[] = [];
  const report = (p: Path, message: string, hint?: string, key = false) =>
    out.push({
      file,
      ...yaml.at(p, key),
      message: `${label(key ? p.slice(0, -1) : p)}: ${message}`,
      hint,
    });
  const validate = schemaValidator();
  if (!validate(yaml.data)) {
    const errors = validate.errors ?? [];
    // A failed oneOf also reports each branch, and propertyNames its inner pattern: one each.
    const oneOf = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
    for (const e of errors) {
      if (oneOf.has(e.instancePath) && e.keyword !== 'oneOf') continue;
      if ((e as { propertyName?: string }).propertyName !== undefined) continue;
      schemaProblem(e, report);
    }
    return { diagnostics: dedupe(out) };
  }
  const raw = yaml.data as RawContract;
  checkContract(root, dir, raw, report);
  if (out.length > 0) return { diagnostics: out };
  const base: BaseFamily = raw.kind === 'typescript' ? 'node' : (raw.base ?? 'none');
  return {
    contract: {
      name,
      dir,
      file,
      description: raw.description,
      kind: raw.kind,
      entry: raw.entry === undefined ? undefined : path.posix.join(dir, raw.entry),
      dockerfile:
        raw.kind === 'dockerfile'
          ? path.posix.join(dir, raw.dockerfile ?? 'Dockerfile')
          : undefined,
      base,
      image: raw.image,
      inputs: bare(raw.inputs ?? {}),
      outputs: bare(raw.outputs ?? {}),
      params: bare(raw.params ?? {}),
      resources: raw.resources,
      retry: raw.retry,
    },
    diagnostics: [],
  };
}

type RawContract = Omit<StepContract, 'name' | 'dir' | 'file' | 'base'> & { base?: BaseFamily };
type Report = (p: Path, message: string, hint?: string, key?: boolean) => void;

const KIND_KEYS: Record<StepKind, string[]> = {
  typescript: ['entry'],
  dockerfile: ['dockerfile', 'base'],
  image: ['image'],
};

/** What the schema cannot say: keys by kind, files that must exist, names, defaults, bounds. */
function checkContract(root: string, dir: string, c: RawContract, report: Report): void {
  for (const [kind, keys] of Object.entries(KIND_KEYS)) {
    if (kind === c.kind) continue;
    for (const key of keys) {
      if ((c as unknown as Record<string, unknown>)[key] !== undefined)
        report([key], `"${key}" applies only to kind ${kind}`, undefined, true);
    }
  }
  if (c.kind === 'typescript') {
    if (c.entry === undefined) report([], 'kind typescript needs "entry" (the .ts file to run)');
    else {
      const entry = path.posix.normalize(path.posix.join(dir, c.entry));
      if (!entry.startsWith(`${STEPS_DIR}/`)) {
        report(
          ['entry'],
          `${c.entry} is outside ${STEPS_DIR}/`,
          'a TypeScript entry lives in the step folder (or docker/steps/src/)',
        );
      } else if (!fs.existsSync(path.join(root, entry))) {
        report(['entry'], `${entry} does not exist`);
      }
    }
  }
  if (c.kind === 'dockerfile') {
    const dockerfile = c.dockerfile ?? 'Dockerfile';
    // A file in the folder itself: "." and ".." exist too, as folders.
    if (!fs.statSync(path.join(root, dir, dockerfile), { throwIfNoEntry: false })?.isFile()) {
      report(
        c.dockerfile ? ['dockerfile'] : ['kind'],
        `${dir}/${dockerfile} does not exist`,
        'a dockerfile step has its Dockerfile in its folder',
      );
    }
  }
  if (c.kind === 'image' && c.image === undefined) {
    report([], 'kind image needs "image" (the prebuilt image to run)');
  }
  const seen = new Map<string, string>();
  for (const group of ['inputs', 'outputs', 'params'] as const) {
    for (const name of Object.keys(c[group] ?? {})) {
      if (name === 'ds')
        report([group, name], '"ds" is reserved: every step gets --ds', undefined, true);
      else if (seen.has(name))
        report(
          [group, name],
          `"${name}" is also in ${seen.get(name)}: one flag, one meaning`,
          undefined,
          true,
        );
      seen.set(name, group);
    }
  }
  for (const [name, p] of Object.entries(c.params ?? {})) {
    const at = ['params', name];
    const numeric = p.type === 'number' || p.type === 'integer';
    for (const bound of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) {
      if (p[bound] !== undefined && !numeric)
        report(
          [...at, bound],
          `"${bound}" applies only to number and integer params`,
          undefined,
          true,
        );
    }
    if (p.minimum !== undefined && p.maximum !== undefined && p.minimum > p.maximum)
      report([...at, 'maximum'], `is below minimum ${p.minimum}`);
    if (p.default !== undefined) {
      const problem = checkParamValue(p.default, p);
      if (problem) report([...at, 'default'], problem);
    }
  }
}

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(stepSchema);
  return compiled;
}

function schemaProblem(e: ErrorObject, report: Report): void {
  const p: Path =
    e.instancePath === ''
      ? []
      : e.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      report(
        [...p, name],
        `unknown key "${name}"`,
        known.length ? `allowed keys: ${known.join(', ')}` : undefined,
        true,
      );
      return;
    }
    case 'required':
      report(p, `missing required key "${String(params.missingProperty)}"`);
      return;
    case 'propertyNames':
      report(
        [...p, String(params.propertyName)],
        `"${String(params.propertyName)}" is not a valid name (lower-case letters, digits and dashes, starting with a letter)`,
        undefined,
        true,
      );
      return;
    case 'enum':
      report(
        p,
        `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      );
      return;
    case 'pattern':
      report(
        p,
        `${JSON.stringify(e.data)} is not valid: ${(e.parentSchema as { description?: string }).description ?? e.message}`,
      );
      return;
    case 'oneOf':
      report(
        p,
        `must be ${(e.parentSchema as { description?: string }).description ?? 'one of the allowed forms'}`,
      );
      return;
    default:
      report(p, e.message ?? 'is invalid');
  }
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.line}:${d.col}:${d.message}`;
    return !seen.has(k) && seen.add(k) !== undefined;
  });
}

function label(p: Path): string {
  return p.length === 0 ? 'step' : p.join('.');
}

function bare<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
