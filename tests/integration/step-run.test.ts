import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { makeDataRoot } from './support/data-root';
import { NODE_BASE, ROOT, runCli } from './support/cli';

/**
 * `step run` by hand, with a real engine: a path copied from a spec ({{ ds }}) is rendered,
 * the echoed `docker run` line carries the container's flags, and Ctrl-C while the step
 * runs stops and removes its container and says so.
 */
const docker = new Docker();
const { dir: dataRoot, stepUser } = makeDataRoot('airflow-ml-step-run-');
const DAY = '2026-04-03';
let image = '';

beforeAll(() => {
  const built = runCli(['images', 'build', '--base-image', NODE_BASE]);
  if (built.code !== 0) throw new Error(`images build failed:\n${built.stdout}\n${built.stderr}`);
  const tags = JSON.parse(runCli(['images', 'tags', '--json']).stdout) as {
    step: string;
    image: string;
  }[];
  image = tags.find((t) => t.step === 'generate')?.image ?? '';
}, 600_000);

afterAll(() => fs.rmSync(dataRoot, { recursive: true, force: true }));

const generate = (rows: number) => [
  'step',
  'run',
  'generate',
  ...['--data-root', dataRoot, '--user', stepUser, '--ds', DAY],
  ...['--output', 'data=raw/{{ ds }}/data.csv', '--output', 'target=raw/{{ ds }}/target.csv'],
  ...['--param', `rows=${rows}`],
];

async function stepContainers(): Promise<string[]> {
  const all = await docker.listContainers({ all: true, filters: { ancestor: [image] } });
  return all.map((c) => `${c.Names[0]} ${c.State}`);
}

test("renders a spec's {{ ds }} and echoes the whole docker run line", () => {
  const r = runCli(generate(500));
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    new RegExp(
      `^generate: wrote 500 rows \\(\\d+ positive, [\\d.]+%\\) to /data/raw/${DAY}/data\\.csv and /data/raw/${DAY}/target\\.csv\\n$`,
    ),
  );
  expect(r.stderr.split('\n')[0]).toBe(
    `$ docker run --rm --network none --user ${stepUser} --read-only --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m --cap-drop ALL --security-opt no-new-privileges --pids-limit 256 --memory 2g --memory-swap 2g --cpus 1 --init -v ${dataRoot}:/data ${image} --data /data/raw/${DAY}/data.csv --target /data/raw/${DAY}/target.csv --rows 500 --ds ${DAY}`,
  );
  expect(fs.readdirSync(path.join(dataRoot, 'raw', DAY)).sort()).toEqual([
    'data.csv',
    'target.csv',
  ]);
}, 120_000);

test('Ctrl-C while the step runs stops and removes its container', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/bin.js'), ...generate(3e7)], {
    cwd: ROOT,
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  // Interrupt once the container is running (the 30M rows take far longer than this).
  const deadline = Date.now() + 60_000;
  while ((await stepContainers()).filter((c) => c.endsWith(' running')).length === 0) {
    if (Date.now() > deadline) throw new Error(`no running container; stderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const t = Date.now();
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ code, last: stderr.trimEnd().split('\n').pop() }).toEqual({
    code: 6,
    last: 'error: step run interrupted (SIGINT): its container was stopped and removed',
  });
  expect(Date.now() - t).toBeLessThan(15_000);
  expect(await stepContainers()).toEqual([]);
}, 180_000);
