import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { buildAll } from '../../cli/ops/images';
import { imageTags } from '../../cli/compiler/steps/tags';
import { copyProject, touch } from '../unit/ops/images/project-copy';
import { makeDataRoot } from './support/data-root';
import { NODE_BASE } from './support/cli';

/**
 * `images build` against the real Docker Engine, on a temp copy of the build inputs. A nonce
 * line in the copy's Dockerfile gives every tag a fresh hash, so the first build really builds
 * (whatever the engine already holds) and the test removes exactly the images it made.
 */
jest.setTimeout(600_000);

const docker = new Docker();
const root = copyProject();
const nonce = `# images.test.ts run ${randomBytes(6).toString('hex')}`;
touch(root, 'docker/Dockerfile', nonce);
touch(root, 'docker/steps/gbm-train/Dockerfile', nonce);
const madeTags = new Set<string>();

afterAll(async () => {
  for (const tag of madeTags) {
    await docker
      .getImage(tag)
      .remove()
      .catch(() => undefined);
  }
  fs.rmSync(root, { recursive: true, force: true });
});

async function build() {
  const { plan, results } = await buildAll({ root, baseImage: NODE_BASE, docker });
  for (const r of results) madeTags.add(r.tag);
  return { plan, results, built: results.filter((r) => r.built).map((r) => r.name) };
}

test('builds every image, rebuilds nothing the second time, and only the changed step after an edit', async () => {
  const first = await build();
  expect(first.plan.baseImage).toBe(NODE_BASE);
  expect(first.built).toEqual([
    'base',
    'generate',
    'predict',
    'preprocess',
    'promote',
    'split',
    'train',
    'validate',
    'gbm-train', // a Dockerfile step, after the TypeScript ones, on the Python base
  ]);
  for (const r of first.results) {
    const info = await docker.getImage(r.tag).inspect();
    const python = r.name === 'gbm-train';
    expect(info.Config.Labels['airflow-ml.base']).toBe(
      python ? first.plan.bases.python : NODE_BASE,
    );
    expect(r.sizeBytes).toBeGreaterThan(1e6);
    if (r.name !== 'base') {
      expect(info.Config.User).toBe('1000:1000');
      expect(info.Config.Entrypoint).toEqual(
        python ? ['python', '/app/main.py'] : ['node', '/app/step.js'],
      );
      // Each step image adds its bundle and nothing else: tens of kB, not node_modules.
      expect(r.addedBytes).toBeLessThan(200_000);
    }
  }
  expect(Object.values(imageTags(root)).filter((t) => !madeTags.has(t))).toEqual([]);

  const second = await build();
  expect(second.built).toEqual([]);

  const before = imageTags(root);
  touch(root, 'docker/steps/train/main.ts');
  const after = imageTags(root);
  expect(Object.keys(after).filter((s) => after[s] !== before[s])).toEqual(['train']);
  const third = await build();
  expect(third.built).toEqual(['train']);
  expect(third.results.find((r) => r.name === 'train')?.tag).toBe(after.train);
});

test('the generate image runs locked down (non-root, no network, read-only) and writes its files', async () => {
  const tag = imageTags(root).generate;
  if (!madeTags.has(tag)) await build();
  const { dir, stepUser } = makeDataRoot('airflow-ml-images-');
  try {
    const run = (args: string[]) =>
      spawnSync(
        'docker',
        [
          ...[
            'run',
            '--rm',
            '--user',
            stepUser,
            '--network',
            'none',
            '--read-only',
            '--tmpfs',
            '/tmp',
          ],
          ...['-v', `${dir}:/data`, tag, '--ds', '2024-05-01', ...args],
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
    const ok = run([
      '--rows',
      '250',
      '--seed',
      '3',
      '--data',
      '/data/raw/2024-05-01/data.csv',
      '--target',
      '/data/raw/2024-05-01/target.csv',
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^generate: wrote 250 rows \(\d+ positive/);
    const raw = path.join(dir, 'raw', '2024-05-01');
    expect(fs.readdirSync(raw).sort()).toEqual(['data.csv', 'target.csv']);
    const data = fs.readFileSync(path.join(raw, 'data.csv'), 'utf8').trimEnd().split('\n');
    expect(data[0]).toBe('age,region,plan,income,tenure_months,monthly_spend,support_calls');
    expect(data).toHaveLength(251);
    const target = fs.readFileSync(path.join(raw, 'target.csv'), 'utf8').trimEnd().split('\n');
    expect(target[0]).toBe('target');
    expect(target.slice(1).filter((v) => v !== '0' && v !== '1')).toEqual([]);
    expect(target).toHaveLength(251);

    const bad = run(['--rows', 'many', '--data', '/data/x.csv', '--target', '/data/y.csv']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('generate: error: --rows must be an integer (got "many")\n');
    expect(fs.existsSync(path.join(dir, 'x.csv'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every step image runs its part of the pipeline on the bundled Node, with the container flags', async () => {
  const tags = imageTags(root);
  if (!Object.values(tags).every((t) => madeTags.has(t))) await build();
  const { dir, stepUser } = makeDataRoot('airflow-ml-images-');
  try {
    const run = (step: string, args: string[]) =>
      spawnSync(
        'docker',
        [
          ...[
            'run',
            '--rm',
            '--user',
            stepUser,
            '--network',
            'none',
            '--read-only',
            '--tmpfs',
            '/tmp',
          ],
          ...['-v', `${dir}:/data`, tags[step], '--ds', '2024-05-02', ...args],
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
    const chain: [string, string[]][] = [
      [
        'generate',
        ['--rows', '3000', '--data', '/data/raw/data.csv', '--target', '/data/raw/target.csv'],
      ],
      [
        'preprocess',
        [
          '--data',
          '/data/raw/data.csv',
          '--target',
          '/data/raw/target.csv',
          '--out-dir',
          '/data/p',
        ],
      ],
      ['split', ['--in-dir', '/data/p', '--out-dir', '/data/s']],
      [
        'train',
        [
          '--in-dir',
          '/data/s',
          '--transform',
          '/data/p/transform.json',
          '--model',
          '/data/models/2024-05-02/v1/model.json',
        ],
      ],
      [
        'validate',
        [
          '--in-dir',
          '/data/s',
          '--model',
          '/data/models/2024-05-02/v1/model.json',
          '--metrics',
          '/data/models/2024-05-02/v1/metrics.json',
        ],
      ],
      [
        'predict',
        [
          '--data',
          '/data/raw/data.csv',
          '--model',
          '/data/models/2024-05-02/v1/model.json',
          '--predictions',
          '/data/o/predictions.csv',
        ],
      ],
      [
        'promote',
        [
          '--model',
          '/data/models/2024-05-02/v1/model.json',
          '--metrics',
          '/data/models/2024-05-02/v1/metrics.json',
          '--in-dir',
          '/data/s',
          '--models',
          '/data/models',
        ],
      ],
    ];
    for (const [step, args] of chain) {
      const r = run(step, args);
      expect({ step, status: r.status, stderr: r.stderr }).toEqual({ step, status: 0, stderr: '' });
      expect(r.stdout.startsWith(`${step}: `)).toBe(true);
    }
    expect(fs.readlinkSync(path.join(dir, 'models', 'production'))).toBe('2024-05-02/v1');
    const metrics = JSON.parse(
      fs.readFileSync(path.join(dir, 'models', '2024-05-02', 'v1', 'metrics.json'), 'utf8'),
    ) as {
      rocAuc: number;
    };
    expect(metrics.rocAuc).toBeGreaterThan(0.75);
    expect(
      fs
        .readFileSync(path.join(dir, 'o', 'predictions.csv'), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(3001);

    const gate = run('validate', [
      '--in-dir',
      '/data/s',
      '--model',
      '/data/models/2024-05-02/v1/model.json',
      '--metrics',
      '/data/models/2024-05-02/v1/gate.json',
      '--min-roc-auc',
      '0.99',
    ]);
    expect(gate.status).toBe(4);
    expect(gate.stderr).toMatch(
      /^validate: error: model rejected: ROC AUC 0\.\d{4} is below the threshold 0\.99 by 0\.\d{4} /,
    );
    // The rejected verdict is kept, so the model is listed (not promoted).
    const verdict = JSON.parse(
      fs.readFileSync(path.join(dir, 'models', '2024-05-02', 'v1', 'gate.json'), 'utf8'),
    ) as { passed: boolean };
    expect(verdict.passed).toBe(false);

    // The Python step names a missing input as the TypeScript steps do, with the input's
    // exit code (3: not retried), not an internal error (70: retried).
    const gbm = run('gbm-train', [
      '--in-dir',
      '/data/s',
      '--transform',
      '/data/p/missing.json',
      '--model',
      '/data/models/2024-05-02/g1/model.json',
    ]);
    expect({ status: gbm.status, stderr: gbm.stderr, stdout: gbm.stdout }).toEqual({
      status: 3,
      stderr: 'gbm-train: error: /data/p/missing.json: cannot read: no such file or directory\n',
      stdout: '',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
