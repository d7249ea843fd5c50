// Creates (once) the venv with pandas + scikit-learn for the reference pipeline and the
// sklearn accuracy fixture, reused while bench/requirements.txt is unchanged. It lives at
// .venv-bench/ in the root, where eslint, prettier and git all ignore .venv* folders.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ensureVenv(root) {
  const venv = join(root, '.venv-bench');
  const python = join(venv, 'bin', 'python');
  const requirements = join(root, 'bench', 'requirements.txt');
  const stamp = join(venv, '.requirements');
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted)
    return python;
  const host = process.env.PYTHON ?? 'python3';
  console.error(`[bench] creating ${venv} (pip install -r bench/requirements.txt)`);
  execFileSync(host, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '-q', '-r', requirements], { stdio: 'inherit' });
  writeFileSync(stamp, wanted);
  return python;
}
