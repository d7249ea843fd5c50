import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitLogisticStream } from '../../../docker/steps/src/lib/logreg';
import { MatrixReader } from '../../../docker/steps/src/lib/matrix';
import { PassHelper } from '../../../docker/steps/src/lib/pass-helper';
import { trainSource } from '../../../docker/steps/src/lib/train-source';
import { DS, paths, tmpDir, trainPipeline } from './helpers';

/**
 * train's second thread (pass-helper.ts): the bundled step (the only form that can start
 * itself as a worker) on one thread and on two gives the same model.json byte for byte,
 * with part of the rows cached in shared memory and the rest re-read by each thread; and a
 * helper that answers with an error, or never starts, is given up with the same figures.
 */
const BUNDLE = path.join(__dirname, '../../../dist/steps/train.js');

/** 300,000 rows: train.bin holds 240,000, four 65,536-row chunks. */
let data: ReturnType<typeof paths>;
beforeAll(() => {
  data = trainPipeline(300_000, 5);
}, 120_000);

function bundledTrain(threads: string, model: string, cacheBytes?: number) {
  const r = spawnSync(
    process.execPath,
    [BUNDLE, '--ds', DS, '--in-dir', data.splits, '--transform', data.transform, '--model', model],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        AIRFLOW_ML_TRAIN_THREADS: threads,
        ...(cacheBytes === undefined ? {} : { AIRFLOW_ML_DESIGN_CACHE_BYTES: String(cacheBytes) }),
      },
    },
  );
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe('train on two threads', () => {
  it('writes the one-thread model.json byte for byte, cached or re-read', () => {
    const dir = tmpDir();
    // A compact row takes 23 bytes here, a chunk 1.5 MB: the default budget keeps all four
    // chunks; 5 MiB keeps three, so the helper's half is a kept chunk and one re-read from
    // train.bin; 1 MiB keeps none, and both threads read their halves from the file.
    for (const cache of [undefined, 5 * 2 ** 20, 2 ** 20]) {
      const one = path.join(dir, `one-${cache ?? 'all'}`, 'model.json');
      const two = path.join(dir, `two-${cache ?? 'all'}`, 'model.json');
      const a = bundledTrain('1', one, cache);
      const b = bundledTrain('2', two, cache);
      expect([a.code, a.err]).toEqual([0, '']);
      expect([b.code, b.err]).toEqual([0, '']);
      expect(a.out).toMatch(/^train: trained on 240000 rows in \d+ Newton iterations; train/);
      expect(b.out).toMatch(
        /^train: trained on 240000 rows in \d+ Newton iterations on 2 threads; train/,
      );
      expect(fs.readFileSync(two, 'utf8')).toBe(fs.readFileSync(one, 'utf8'));
    }
  }, 120_000);
});

describe('a helper that fails', () => {
  /** A worker script speaking the helper's protocol, with a fault of its own. */
  function fakeHelper(body: string): string {
    const file = path.join(tmpDir(), 'helper.js');
    fs.writeFileSync(
      file,
      `const { workerData, parentPort } = require('node:worker_threads');
const { signal, port } = workerData;
${body}\n`,
    );
    return file;
  }

  function fitWith(helper: PassHelper | undefined) {
    const m = MatrixReader.open(path.join(data.splits, 'train.bin'));
    try {
      const src = trainSource(m, helper);
      expect(src.halves?.helper).toBe(helper);
      return fitLogisticStream(src, { c: 1, maxIter: 100 });
    } finally {
      helper?.close();
      m.close();
    }
  }

  it('answering with an error: given up at once, and the same model from one thread', () => {
    const reference = fitWith(undefined);
    const helper = PassHelper.start(
      fakeHelper(`Atomics.store(signal, 1, 1);
parentPort.on('message', (msg) => {
  if (msg.kind === 'setup') return;
  port.postMessage({ seq: msg.seq, error: 'injected fault' });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});`),
    );
    const t = Date.now();
    const fit = fitWith(helper);
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(helper?.failure).toBe('injected fault');
    expect([Array.from(fit.weights), fit.intercept, fit.objective]).toEqual([
      Array.from(reference.weights),
      reference.intercept,
      reference.objective,
    ]);
  });

  it('never starting: given up after 10 s, and the same model from one thread', () => {
    const reference = fitWith(undefined);
    const helper = PassHelper.start(fakeHelper('// starts, and never says so'));
    const fit = fitWith(helper);
    expect(helper?.failure).toBe('it did not start in 10 s');
    expect([Array.from(fit.weights), fit.intercept]).toEqual([
      Array.from(reference.weights),
      reference.intercept,
    ]);
  }, 30_000);
});
