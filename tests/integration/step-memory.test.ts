import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { makeDataRoot } from './support/data-root';
import { NODE_BASE, runCli } from './support/cli';

/**
 * Every step in its real image under a 256 MiB memory limit (Memory = MemorySwap: no swap
 * to hide in) on 4M rows (issue 16). Before the steps streamed, preprocess alone peaked at
 * 449 MiB on 4M rows (about 96 MiB per million rows), and train, validate and predict grew
 * the same way, so this dataset was OOM-killed: the last whole-file preprocess image
 * (airflow-ml-preprocess:76fcdffc5c3e) exits 137 under this limit on these 4M rows. Each step must exit 0, not
 * OOM-killed, with its own summary line; the peak the kernel recorded for its cgroup is
 * printed for the record
 * (sampled resident memory).
 */
const ROWS = 4_000_000;
const LIMIT = 256 * 2 ** 20;
const DS = '2024-06-01';
const docker = new Docker();
const { dir: dataRoot, stepUser } = makeDataRoot('airflow-ml-mem-');
let images: Record<string, string> = {};
const peaks: string[] = [];

beforeAll(() => {
  const built = runCli(['images', 'build', '--base-image', NODE_BASE]);
  if (built.code !== 0) throw new Error(`images build failed:\n${built.stdout}\n${built.stderr}`);
  const tags = runCli(['images', 'tags', '--json']);
  expect(tags.code).toBe(0);
  const list = JSON.parse(tags.stdout) as { step: string; image: string }[];
  images = Object.fromEntries(list.map((t) => [t.step, t.image]));
}, 600_000);

afterAll(() => {
  process.stdout.write(
    `step peaks under ${LIMIT / 2 ** 20} MiB, ${ROWS} rows:\n${peaks.join('\n')}\n`,
  );
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

/** Runs one step container to its end; returns exit code, OOM flag, output, peak bytes. */
async function runStep(step: string, args: string[], nanoCpus?: number) {
  const container = await docker.createContainer({
    Image: images[step],
    Cmd: ['--ds', DS, ...args],
    User: stepUser,
    HostConfig: {
      Memory: LIMIT,
      MemorySwap: LIMIT,
      Init: true,
      Binds: [`${dataRoot}:/data`],
      NetworkMode: 'none',
      ...(nanoCpus === undefined ? {} : { NanoCpus: nanoCpus }),
    },
  });
  try {
    await container.start();
    // The container's anonymous memory (cgroup v1 memory.stat total_rss), sampled every
    // 100 ms while it runs: the cgroup's own high-water mark also counts the page cache of
    // the files a step writes, which the kernel reclaims at the limit rather than kill.
    const stat = `/sys/fs/cgroup/memory/docker/${container.id}/memory.stat`;
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const m = /^total_rss (\d+)$/m.exec(fs.readFileSync(stat, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // not there yet, or gone (cgroup v2 hosts: no figure, the limit still holds)
      }
    }, 100);
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    clearInterval(poll);
    const info = await container.inspect();
    const logs = (await container.logs({ stdout: true, stderr: true })) as Buffer;
    const out = demux(logs);
    peaks.push(`  ${step.padEnd(10)} ${(peak / 2 ** 20).toFixed(0)} MiB resident (sampled)`);
    return {
      code: StatusCode,
      oomKilled: info.State.OOMKilled,
      memory: [info.HostConfig.Memory, info.HostConfig.MemorySwap],
      out,
    };
  } finally {
    await container.remove({ force: true });
  }
}

/** Docker's multiplexed log stream (8-byte frame headers) as text. */
function demux(buf: Buffer): string {
  let text = '';
  for (let i = 0; i + 8 <= buf.length;) {
    const len = buf.readUInt32BE(i + 4);
    text += buf.toString('utf8', i + 8, i + 8 + len);
    i += 8 + len;
  }
  return text.trim();
}

const D = '/data';
const steps: [string, string[], RegExp][] = [
  [
    'generate',
    [
      '--rows',
      `${ROWS}`,
      '--seed',
      '42',
      '--data',
      `${D}/raw/data.csv`,
      '--target',
      `${D}/raw/target.csv`,
    ],
    /^generate: wrote 4000000 rows \(\d+ positive, [\d.]+%\) to \/data\/raw\/data\.csv and \/data\/raw\/target\.csv$/,
  ],
  [
    'preprocess',
    [
      '--data',
      `${D}/raw/data.csv`,
      '--target',
      `${D}/raw/target.csv`,
      '--out-dir',
      `${D}/processed`,
    ],
    /^preprocess: 4000000 rows -> 13 features; wrote transform\.json and matrix\.bin to \/data\/processed$/,
  ],
  [
    'split',
    ['--in-dir', `${D}/processed`, '--out-dir', `${D}/splits`],
    /^split: 4000000 rows -> 3200000 train, 800000 validation; wrote train\.bin and val\.bin to \/data\/splits$/,
  ],
  [
    'train',
    [
      '--in-dir',
      `${D}/splits`,
      '--transform',
      `${D}/processed/transform.json`,
      '--model',
      `${D}/models/${DS}/v1/model.json`,
    ],
    // No CPU limit here: train sums half of each pass on its second thread (pass-helper.ts).
    /^train: trained on 3200000 rows in \d+ Newton iterations on 2 threads; train ROC AUC 0\.8\d{3}; wrote \/data\/models\/2024-06-01\/v1\/model\.json$/,
  ],
  [
    'validate',
    [
      '--in-dir',
      `${D}/splits`,
      '--model',
      `${D}/models/${DS}/v1/model.json`,
      '--metrics',
      `${D}/models/${DS}/v1/metrics.json`,
    ],
    /^validate: ROC AUC 0\.8\d{3}, accuracy 0\.\d{4}, F1 0\.\d{4}, log loss 0\.\d{4} on 800000 rows; passed; wrote \/data\/models\/2024-06-01\/v1\/metrics\.json$/,
  ],
  [
    'promote',
    [
      '--model',
      `${D}/models/${DS}/v1/model.json`,
      '--metrics',
      `${D}/models/${DS}/v1/metrics.json`,
      '--in-dir',
      `${D}/splits`,
      '--models',
      `${D}/models`,
    ],
    /^promote: promoted 2024-06-01\/v1 to production: ROC AUC 0\.8\d{3} passed validation; no model was in production$/,
  ],
  [
    'predict',
    [
      '--data',
      `${D}/raw/data.csv`,
      '--model',
      `${D}/models/production/model.json`,
      '--predictions',
      `${D}/predictions/predictions.csv`,
    ],
    /^predict: scored 4000000 rows \(\d+ predicted positive\); wrote \/data\/predictions\/predictions\.csv$/,
  ],
];

test.each(steps)(
  '%s runs in its image under a 256 MiB limit on 4M rows',
  async (step, args, summary) => {
    const r = await runStep(step, args);
    expect({ code: r.code, oomKilled: r.oomKilled, memory: r.memory }).toEqual({
      code: 0,
      oomKilled: false,
      memory: [LIMIT, LIMIT],
    });
    expect(r.out).toMatch(summary);
  },
  300_000,
);

test("train under the DAGs' 1-CPU limit runs on one thread and writes the same model", async () => {
  const model = `${D}/one-cpu/model.json`;
  const r = await runStep(
    'train',
    ['--in-dir', `${D}/splits`, '--transform', `${D}/processed/transform.json`, '--model', model],
    1e9,
  );
  expect({ code: r.code, oomKilled: r.oomKilled }).toEqual({ code: 0, oomKilled: false });
  expect(r.out).toMatch(
    /^train: trained on 3200000 rows in \d+ Newton iterations; train ROC AUC 0\.8\d{3}; wrote \/data\/one-cpu\/model\.json$/,
  );
  const read = (m: string) => fs.readFileSync(path.join(dataRoot, m.slice(D.length)), 'utf8');
  expect(read(model)).toBe(read(`${D}/models/${DS}/v1/model.json`));
}, 300_000);

test('promote scores the production model on the same 800,000 rows under the limit', async () => {
  // A second candidate (the same weights) makes promote stream val.bin through the
  // production model: the path that used to load the whole validation matrix.
  const v2 = path.join(dataRoot, 'models', DS, 'v2');
  fs.mkdirSync(v2);
  fs.copyFileSync(
    path.join(dataRoot, 'models', DS, 'v1', 'model.json'),
    path.join(v2, 'model.json'),
  );
  if (process.getuid?.() === 0) {
    fs.chownSync(v2, 1000, 1000);
    fs.chownSync(path.join(v2, 'model.json'), 1000, 1000);
  }
  const m = `${D}/models/${DS}/v2`;
  const validated = await runStep('validate', [
    '--in-dir',
    `${D}/splits`,
    '--model',
    `${m}/model.json`,
    '--metrics',
    `${m}/metrics.json`,
  ]);
  expect([validated.code, validated.oomKilled]).toEqual([0, false]);
  const r = await runStep('promote', [
    '--model',
    `${m}/model.json`,
    '--metrics',
    `${m}/metrics.json`,
    '--in-dir',
    `${D}/splits`,
    '--models',
    `${D}/models`,
  ]);
  expect({ code: r.code, oomKilled: r.oomKilled }).toEqual({ code: 0, oomKilled: false });
  expect(r.out).toMatch(
    /^promote: promoted 2024-06-01\/v2 to production \(was 2024-06-01\/v1\): ROC AUC (0\.8\d{3}) against production 2024-06-01\/v1's \1 on the same validation rows \(tolerance 0\.005\)$/,
  );
}, 300_000);
