import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar-stream';
import { DockerBuildError } from '../../base/errors';
import type { StepContract } from '../../compiler/steps/contract';
import { contractJson, PYTHON_HELPER, stepFolderFiles } from '../../compiler/steps/tags';
import { DOCKERFILE } from './plan';

/**
 * The build context, made in memory: the Dockerfile and the step bundles, nothing else (no
 * node_modules, no data), so it is a few hundred KB and every build sends the same bytes.
 */

/** Bundles every step from the current sources (never a stale dist/), by the project script. */
export async function bundleSteps(root: string): Promise<Record<string, Buffer>> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-bundles-'));
  try {
    await promisify(execFile)(
      process.execPath,
      [path.join(root, 'scripts', 'bundle-steps.mjs'), '--out-dir', out],
      {
        cwd: root,
      },
    );
    const bundles: Record<string, Buffer> = {};
    for (const f of fs.readdirSync(out).filter((f) => f.endsWith('.js'))) {
      bundles[path.basename(f, '.js')] = fs.readFileSync(path.join(out, f));
    }
    return bundles;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new DockerBuildError(
      `bundling the steps failed: ${e.message.split('\n')[0]}`,
      '(all)',
      'bundle',
      (e.stderr ?? '').trim(),
      'fix the TypeScript error above; `node scripts/bundle-steps.mjs` reproduces it',
    );
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** A tar of Dockerfile + dist/steps/<step>.js, with fixed metadata for reproducible builds. */
export async function buildContext(
  dockerfile: Buffer,
  bundles: Record<string, Buffer>,
): Promise<Buffer> {
  const files: Record<string, Buffer> = { Dockerfile: dockerfile };
  for (const step of Object.keys(bundles).sort()) files[`dist/steps/${step}.js`] = bundles[step];
  return tarOf(files);
}

/**
 * A Dockerfile step's context: the files of its folder (those its tag hashes), plus
 * .airflow-ml/contract.json, the compiled contract its flag parser reads, and for a Python
 * step .airflow-ml/airflow_ml_step.py, the shared parser itself.
 */
export async function folderContext(root: string, step: StepContract): Promise<Buffer> {
  const files: Record<string, Buffer> = {};
  for (const rel of stepFolderFiles(root, step)) {
    files[path.posix.relative(step.dir, rel)] = fs.readFileSync(path.join(root, rel));
  }
  files['.airflow-ml/contract.json'] = Buffer.from(contractJson(step));
  if (step.base === 'python') {
    files['.airflow-ml/airflow_ml_step.py'] = fs.readFileSync(path.join(root, PYTHON_HELPER));
  }
  return tarOf(files);
}

/** Files in the given order, with fixed metadata, so the same sources make the same bytes. */
function tarOf(files: Record<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  const add = (name: string, content: Buffer) =>
    pack.entry(
      { name, size: content.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 },
      content,
    );
  for (const [name, content] of Object.entries(files)) add(name, content);
  pack.finalize();
  return done;
}

export function readDockerfile(root: string): Buffer {
  return fs.readFileSync(path.join(root, DOCKERFILE));
}
