import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../base/errors';
import { readRegularFile } from '../../base/read';
import { compiledContract, loadStepCatalog, type StepCatalog, type StepContract } from './contract';

/**
 * Content-addressed image tags, computed from sources only (no Docker, no bundles), so the
 * compiler can call this at compile time and a DAG can never reference a stale image.
 * A step's tag hashes its own folder, its compiled contract and what its kind shares
 * (TypeScript: the Dockerfile, the bundler, src/lib; a Python Dockerfile step: the shared
 * contract helper), so a change inside one step's folder changes that step's tag alone.
 * The base image name is deliberately NOT hashed: committed DAGs must not depend on which
 * base (public or the offline stand-in) a machine happened to build with.
 */

/** Files every TypeScript step image depends on, relative to the project root. */
export const TS_SHARED_INPUTS = [
  'docker/Dockerfile',
  // The bundler's options shape the bundle as much as the sources do.
  'scripts/bundle-steps.mjs',
  // Bundled into every step by src/lib/args.ts: the flag checks the compiler also runs.
  'cli/compiler/steps/param-check.ts',
];
export const LIB_DIR = 'docker/steps/src/lib';
/** Put into the context of a `base: python` Dockerfile step as .airflow-ml/airflow_ml_step.py. */
export const PYTHON_HELPER = 'docker/steps/python/airflow_ml_step.py';

/** Sorted, root-relative POSIX paths of the files one step's image is built from. */
export function stepInputs(root: string, step: StepContract): string[] {
  const own = stepFolderFiles(root, step);
  const files =
    step.kind === 'typescript'
      ? [...TS_SHARED_INPUTS, ...listFiles(root, LIB_DIR), ...own, step.entry as string]
      : step.kind === 'dockerfile' && step.base === 'python'
        ? [...own, PYTHON_HELPER]
        : own;
  return [...new Set(files)].sort();
}

/** sha256 over (path, length, bytes) of each input, so renames and moves change the hash. */
export function hashInputs(
  root: string,
  files: string[],
  extra: Record<string, string> = {},
): string {
  const h = createHash('sha256');
  for (const rel of files) {
    let bytes: Buffer;
    try {
      bytes = readRegularFile(path.join(root, rel));
    } catch (err) {
      throw new ConfigError(
        `cannot read image build input ${rel}: ${(err as Error).message}`,
        'run from a complete airflow-ml checkout',
      );
    }
    h.update(`${rel}\0${bytes.length}\0`);
    h.update(bytes);
  }
  for (const [name, text] of Object.entries(extra)) h.update(`${name}\0${text.length}\0${text}`);
  return h.digest('hex');
}

export function imageRepository(step: string): string {
  return `airflow-ml-${step}`;
}

/** The contract JSON a step's image carries (what its flag parser reads). */
export function contractJson(step: StepContract): string {
  return `${JSON.stringify(compiledContract(step), null, 2)}\n`;
}

/**
 * For each step: `airflow-ml-<step>:<first 12 hex of its input hash>`, or for an image-only
 * step its own image reference.
 */
export function imageTags(
  root: string,
  catalog: StepCatalog = loadStepCatalog(root),
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const step of Object.values(catalog).sort((a, b) => a.name.localeCompare(b.name))) {
    if (step.kind === 'image') {
      tags[step.name] = step.image as string;
      continue;
    }
    const digest = hashInputs(root, stepInputs(root, step), {
      'contract.json': contractJson(step),
    }).slice(0, 12);
    tags[step.name] = `${imageRepository(step.name)}:${digest}`;
  }
  return tags;
}

/**
 * The files of a step's folder, root-relative and sorted: what its tag hashes and, for a
 * Dockerfile step, its build context. Caches a local run leaves behind are not the step.
 */
export function stepFolderFiles(root: string, step: StepContract): string[] {
  return listFiles(root, step.dir).sort();
}

const IGNORED = new Set(['__pycache__', 'node_modules', '.pytest_cache', '.DS_Store']);

function listFiles(root: string, relDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return; // an absent lib folder simply contributes nothing
    }
    for (const e of entries) {
      if (IGNORED.has(e.name)) continue;
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk(relDir);
  return out;
}
