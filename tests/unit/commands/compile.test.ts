import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMain } from '../../support/run-main';

/**
 * `compile` as a user runs it (the real entry point: commander, the command, exit codes):
 * nothing written when any spec is invalid, idempotent writes, --check, and pruning of
 * generated files whose spec is gone (never of files we did not generate).
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
let work: string;
let specs: string;
let out: string;

const run = runMain;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-compile-'));
  specs = path.join(work, 'specs');
  out = path.join(work, 'dags');
  fs.mkdirSync(specs);
  for (const f of ['generate_data.yaml', 'train_model.yaml']) {
    fs.copyFileSync(path.join(ROOT, 'dag-specs', f), path.join(specs, f));
  }
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

test('one invalid spec: exit 3, every problem with file:line:col, and nothing written', async () => {
  fs.writeFileSync(
    path.join(specs, 'broken.yaml'),
    'dag_id: broken\nschedule: "@daily"\nstart_date: "2026-01-01"\ntasks:\n  - id: a\n    step: trian\n',
  );
  const r = await run('compile', '--specs', specs, '--out', out);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(
    /broken\.yaml:6:11: tasks\[0\]\.step: unknown step "trian" \(did you mean "train"\?\)/,
  );
  expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
});

test('writes once, then reports every file unchanged', async () => {
  expect((await run('compile', '--specs', specs, '--out', out)).code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['generate_data.py', 'train_model.py']);
  const again = await run('compile', '--specs', specs, '--out', out);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('0 written, 2 unchanged');
});

test('--check: exit 0 when fresh, exit 1 naming the stale file after a hand edit', async () => {
  await run('compile', '--specs', specs, '--out', out);
  expect((await run('compile', '--specs', specs, '--out', out, '--check')).code).toBe(0);
  fs.appendFileSync(path.join(out, 'train_model.py'), '# edited by hand\n');
  const stale = await run('compile', '--specs', specs, '--out', out, '--check');
  expect(stale.code).toBe(1);
  expect(stale.stderr).toContain('stale');
  expect(stale.stderr).toContain('train_model.py');
  expect(stale.stderr).not.toContain('generate_data.py');
});

test('a removed spec removes its generated DAG; a hand-written file is left alone', async () => {
  await run('compile', '--specs', specs, '--out', out);
  fs.writeFileSync(path.join(out, 'my_own_dag.py'), 'from airflow.sdk import DAG\n');
  fs.rmSync(path.join(specs, 'train_model.yaml'));
  const r = await run('compile', '--specs', specs, '--out', out);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('removed');
  expect(fs.readdirSync(out).sort()).toEqual(['generate_data.py', 'my_own_dag.py']);
});
