import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../base/errors';

/**
 * Content-addressed image tags, computed from sources only (no Docker, no bundles), so the
 * compiler can call this at compile time and a DAG can never reference a stale image.
 * The base image name is deliberately NOT hashed: committed DAGs must not depend on which
 * base (public node:20 or the offline stand-in) a machine happened to build with.
 */

/** Files every step image depends on, relative to the project root. */
export const SHARED_INPUTS = [
  'docker/Dockerfile',
  'docker/steps/steps.json',
  // The bundler's options shape the bundle as much as the sources do.
  'scripts/bundle-steps.mjs',
];
export const LIB_DIR = 'docker/steps/src/lib';
export const STEPS_JSON = 'docker/steps/steps.json';

export function stepNames(root: string): string[] {
  const file = path.join(root, STEPS_JSON);
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read the step manifest ${file}: ${(err as Error).message}`);
  }
  return Object.keys(manifest)
    .filter((k) => !k.startsWith('$'))
    .sort();
}

/** Sorted, root-relative POSIX paths of the files one step's image is built from. */
export function stepInputs(root: string, step: string): string[] {
  const files = [...SHARED_INPUTS, ...listFiles(root, LIB_DIR), `docker/steps/src/${step}.ts`];
  return [...new Set(files)].sort();
}

/** sha256 over (path, length, bytes) of each input, so renames and moves change the hash. */
export function hashInputs(root: string, files: string[]): string {
  const h = createHash('sha256');
  for (const rel of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path.join(root, rel));
    } catch (err) {
      throw new ConfigError(
        `cannot read image build input ${rel}: ${(err as Error).message}`,
        'run from a complete airflow-ml checkout',
      );
    }
    h.update(`${rel}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}

export function imageRepository(step: string): string {
  return `airflow-ml-${step}`;
}

/** For each step in steps.json: `airflow-ml-<step>:<first 12 hex of its input hash>`. */
export function imageTags(root: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const step of stepNames(root)) {
    const digest = hashInputs(root, stepInputs(root, step)).slice(0, 12);
    tags[step] = `${imageRepository(step)}:${digest}`;
  }
  return tags;
}

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
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk(relDir);
  return out;
}
