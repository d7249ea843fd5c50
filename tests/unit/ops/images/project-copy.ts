import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** A throwaway copy of exactly the image build inputs, to change without touching the repo. */
export function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-images-'));
  // The step contract module (cli/compiler/steps) is bundled into the steps and by the bundler.
  for (const rel of [
    'docker',
    'scripts/bundle-steps.mjs',
    'package.json',
    'cli/compiler/steps',
    'cli/base',
  ]) {
    fs.cpSync(path.join(REPO, rel), path.join(dir, rel), { recursive: true });
  }
  // The bundler needs esbuild; share the repo's node_modules rather than copying it.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Appends one line to a file of the copy. */
export function touch(root: string, rel: string, line = '// touched'): void {
  fs.appendFileSync(path.join(root, rel), `${line}\n`);
}
