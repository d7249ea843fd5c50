import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './support/cli';

/** `npm run gen:api` is deterministic, and the committed file is what it writes today. */
test('regenerating the REST types from the venv gives the committed file, twice', () => {
  const run = () =>
    spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-api.mjs'), '--stdout'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  const first = run();
  const second = run();
  expect({ code: first.status, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
  const committed = fs.readFileSync(
    path.join(ROOT, 'cli/ops/airflow/generated/rest-api.ts'),
    'utf8',
  );
  expect(first.stdout === committed).toBe(true);
  expect(second.stdout === first.stdout).toBe(true);
}, 120_000);
