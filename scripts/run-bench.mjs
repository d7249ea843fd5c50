#!/usr/bin/env node
// npm run bench [-- --rows N[,N...] --repeat R --sklearn-max-rows M --keep]
//
// Several sizes in one run (--rows 1000000,10000000,100000000): each gets its own data.
// scikit-learn runs only up to --sklearn-max-rows (default 10M: above that pandas needs more
// memory than the machine has); sizes of 10M rows and more run once, smaller ones R times.
//
// Runs preprocess -> split -> train -> validate -> predict on the same generated data two
// ways: our step bundles, each as its own `node` process exactly as the containers run them
// (files between stages), and the equivalent pandas + scikit-learn pipeline in one Python
// process (bench/sklearn_pipeline.py, in .venv-bench). Each pipeline runs R times,
// alternating; the report gives per-stage medians (wall, and CPU seconds: user + system, all
// threads, steadier on a shared machine), end-to-end totals, CPU time, peak RSS
// and ROC AUC.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureVenv } from '../bench/venv.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SIZES = arg('rows', '1000000').split(',').map(Number);
const REPEAT = Number(arg('repeat', '3'));
const SKLEARN_MAX = Number(arg('sklearn-max-rows', '10000000'));
let ROWS = SIZES[0];
const KEEP = process.argv.includes('--keep');
const DS = '2024-06-01';
const STAGES = ['preprocess', 'split', 'train', 'validate', 'predict'];

const log = (s) => process.stderr.write(`[bench] ${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function run(cmd, args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

/** One of our steps as its own process; returns wall seconds, peak RSS (KiB), CPU seconds. */
function step(name, args, work) {
  const rssFile = join(work, `.rss-${name}`);
  const { seconds } = run(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(root, 'bench/rss-probe.mjs')).href,
      join(root, 'dist/steps', `${name}.js`),
      '--ds',
      DS,
      ...args,
    ],
    // The steps only touch paths under their data root (/data in a container).
    { AIRFLOW_ML_BENCH_RSS: rssFile, AIRFLOW_ML_STEP_DATA_ROOT: dataRoot },
  );
  const probe = JSON.parse(readFileSync(rssFile, 'utf8'));
  return { seconds, rssKiB: probe.maxRssKiB, cpuSeconds: probe.cpuSeconds };
}

function ours(raw, work) {
  const p = {
    processed: join(work, 'processed'),
    splits: join(work, 'splits'),
    model: join(work, 'models/model.json'),
    metrics: join(work, 'models/metrics.json'),
    predictions: join(work, 'predictions/predictions.csv'),
  };
  const stages = {
    preprocess: step(
      'preprocess',
      ['--data', raw.data, '--target', raw.target, '--out-dir', p.processed],
      work,
    ),
    split: step(
      'split',
      ['--in-dir', p.processed, '--out-dir', p.splits, '--val-fraction', '0.2', '--seed', '42'],
      work,
    ),
    train: step(
      'train',
      [
        '--in-dir',
        p.splits,
        '--transform',
        join(p.processed, 'transform.json'),
        '--model',
        p.model,
      ],
      work,
    ),
    validate: step(
      'validate',
      ['--in-dir', p.splits, '--model', p.model, '--metrics', p.metrics],
      work,
    ),
    predict: step(
      'predict',
      ['--data', raw.data, '--model', p.model, '--predictions', p.predictions],
      work,
    ),
  };
  const metrics = JSON.parse(readFileSync(p.metrics, 'utf8'));
  return {
    stages: Object.fromEntries(STAGES.map((s) => [s, stages[s].seconds])),
    cpuStages: Object.fromEntries(STAGES.map((s) => [s, stages[s].cpuSeconds])),
    rssKiB: Object.fromEntries(STAGES.map((s) => [s, stages[s].rssKiB])),
    total: STAGES.reduce((a, s) => a + stages[s].seconds, 0),
    peakRssKiB: Math.max(...STAGES.map((s) => stages[s].rssKiB)),
    cpuSeconds: STAGES.reduce((a, s) => a + stages[s].cpuSeconds, 0),
    rocAuc: metrics.rocAuc,
  };
}

function sklearn(python, raw, work) {
  const out = join(work, 'predictions.csv');
  const { seconds, stdout } = run(python, [
    join(root, 'bench/sklearn_pipeline.py'),
    raw.data,
    raw.target,
    out,
    '42',
  ]);
  const r = JSON.parse(stdout);
  return {
    stages: r.stages,
    cpuStages: r.cpuStages,
    total: seconds, // the whole process, interpreter start and imports included
    pipelineOnly: STAGES.reduce((a, s) => a + r.stages[s], 0),
    peakRssKiB: r.peakRssKiB,
    cpuSeconds: r.cpuSeconds,
    rocAuc: r.metrics.rocAuc,
  };
}

function pythonVersions(python) {
  return run(python, [
    '-c',
    'import sys, pandas, sklearn; print(sys.version.split()[0], pandas.__version__, sklearn.__version__)',
  ])
    .stdout.trim()
    .split(' ');
}

let dataRoot = root;

function main() {
  log('bundling steps');
  run(process.execPath, [join(root, 'scripts/bundle-steps.mjs')]);
  const python = ensureVenv(root);
  const [py, pandas, sk] = pythonVersions(python);
  const out = join(root, 'bench/out');
  const all = [];
  for (const rows of SIZES) {
    ROWS = rows;
    const work = join(out, `run-${process.pid}-${rows}`);
    dataRoot = work;
    mkdirSync(work, { recursive: true });
    try {
      const loadBefore = os.loadavg();
      const raw = { data: join(work, 'raw/data.csv'), target: join(work, 'raw/target.csv') };
      log(`generating ${ROWS} rows`);
      const gen = step(
        'generate',
        ['--rows', `${ROWS}`, '--seed', '42', '--data', raw.data, '--target', raw.target],
        work,
      );
      const runs = { ours: [], sklearn: [] };
      const repeat = ROWS >= 10_000_000 ? 1 : REPEAT;
      const sides = ROWS <= SKLEARN_MAX ? ['ours', 'sklearn'] : ['ours'];
      for (let r = 0; r < repeat; r++) {
        // Alternate which goes first so neither always gets the warmer page cache.
        const order = r % 2 === 0 ? sides : [...sides].reverse();
        for (const who of order) {
          const dir = join(work, `${who}-${r}`);
          mkdirSync(dir, { recursive: true });
          log(`${ROWS} rows, run ${r + 1}/${repeat}: ${who}`);
          runs[who].push(who === 'ours' ? ours(raw, dir) : sklearn(python, raw, dir));
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const summary = summarise(runs, gen, { python: py, pandas, sklearn: sk }, repeat);
      summary.load = { before: loadBefore, after: os.loadavg() };
      all.push({ ...summary, runs });
      process.stdout.write(`${report(summary)}\n`);
    } finally {
      if (!KEEP) rmSync(work, { recursive: true, force: true });
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(all, null, 2)}\n`);
}

function summarise(runs, gen, versions, repeat) {
  const med = (who, f) => (runs[who].length ? median(runs[who].map(f)) : NaN);
  const maxOf = (who, f) => (runs[who].length ? Math.max(...runs[who].map(f)) : NaN);
  const stages = Object.fromEntries(
    STAGES.map((s) => [
      s,
      {
        ours: med('ours', (r) => r.stages[s]),
        sklearn: med('sklearn', (r) => r.stages[s]),
        // CPU seconds (user + system, all threads): steadier than wall on a shared machine.
        oursCpu: med('ours', (r) => r.cpuStages[s]),
        sklearnCpu: med('sklearn', (r) => r.cpuStages?.[s] ?? NaN),
      },
    ]),
  );
  const cpus = os.cpus();
  return {
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      ...versions,
    },
    rows: ROWS,
    repeat,
    generateSeconds: gen.seconds,
    stages,
    ours: {
      total: med('ours', (r) => r.total),
      cpuSeconds: med('ours', (r) => r.cpuSeconds),
      peakRssMiB: Math.max(...runs.ours.map((r) => r.peakRssKiB)) / 1024,
      rssMiBByStage: Object.fromEntries(
        STAGES.map((s) => [s, Math.max(...runs.ours.map((r) => r.rssKiB[s])) / 1024]),
      ),
      rocAuc: runs.ours[0].rocAuc,
    },
    sklearn: {
      total: med('sklearn', (r) => r.total),
      startup: med('sklearn', (r) => r.stages.startup),
      // The fit alone, without the training metrics that its train stage also computes.
      trainFit: med('sklearn', (r) => r.stages.trainFit),
      pipelineOnly: med('sklearn', (r) => r.pipelineOnly),
      cpuSeconds: med('sklearn', (r) => r.cpuSeconds),
      peakRssMiB: maxOf('sklearn', (r) => r.peakRssKiB) / 1024,
      rocAuc: runs.sklearn[0]?.rocAuc ?? NaN,
    },
  };
}

function report(s) {
  // A size scikit-learn did not run at (above --sklearn-max-rows) shows a dash.
  const f = (x) => (Number.isNaN(x) ? '–' : x.toFixed(2)).padStart(8);
  // A ratio, or a dash where scikit-learn did not run.
  const r = (a, b) => (Number.isNaN(a / b) ? '–' : `${(a / b).toFixed(2)}x`).padStart(9);
  const lines = [
    `machine: ${s.machine.cores} cores (${s.machine.cpu}), ${s.machine.memoryGiB} GiB; node ${s.machine.node}; python ${s.machine.python}, pandas ${s.machine.pandas}, scikit-learn ${s.machine.sklearn}`,
    `rows: ${s.rows} (generate took ${s.generateSeconds.toFixed(2)} s); median of ${s.repeat} runs each; load average ${s.load.before.map((x) => x.toFixed(2)).join(' ')} before, ${s.load.after.map((x) => x.toFixed(2)).join(' ')} after`,
    '',
    `stage          ours (s)  sklearn (s)  sklearn/ours   CPU s: ours  sklearn  sklearn/ours`,
    ...STAGES.map((st) => {
      const { ours, sklearn, oursCpu, sklearnCpu } = s.stages[st];
      return `${st.padEnd(12)} ${f(ours)}  ${f(sklearn)}     ${r(sklearn, ours)}     ${f(oursCpu)} ${f(sklearnCpu)}   ${r(sklearnCpu, oursCpu)}`;
    }),
    `${'train, sklearn fit only'.padEnd(12)} ${f(s.stages.train.ours)}  ${f(s.sklearn.trainFit)}     ${r(s.sklearn.trainFit, s.stages.train.ours)}   (its train stage without the training metrics)`,
    `${'python startup + imports'.padEnd(12)}   ${f(s.sklearn.startup)}`,
    `${'end to end'.padEnd(12)} ${f(s.ours.total)}  ${f(s.sklearn.total)}     ${r(s.sklearn.total, s.ours.total)}`,
    `${'(pipeline only, no imports)'}      ${f(s.sklearn.pipelineOnly)}     ${r(s.sklearn.pipelineOnly, s.ours.total)}`,
    `${'CPU time'.padEnd(12)} ${f(s.ours.cpuSeconds)}  ${f(s.sklearn.cpuSeconds)}     ${r(s.sklearn.cpuSeconds, s.ours.cpuSeconds)}   (user + system, all threads)`,
    '',
    `peak RSS     ${s.ours.peakRssMiB.toFixed(0).padStart(6)} MiB  ${(Number.isNaN(s.sklearn.peakRssMiB) ? '–' : s.sklearn.peakRssMiB.toFixed(0)).padStart(6)} MiB   ${r(s.sklearn.peakRssMiB, s.ours.peakRssMiB).trim()} less for ours`,
    `  ours by stage (MiB): ${STAGES.map((st) => `${st} ${s.ours.rssMiBByStage[st].toFixed(0)}`).join(', ')}`,
    `ROC AUC      ours ${s.ours.rocAuc.toFixed(4)}   sklearn ${Number.isNaN(s.sklearn.rocAuc) ? '–' : s.sklearn.rocAuc.toFixed(4)} (each on its own seeded 80/20 split)`,
  ];
  return `${lines.join('\n')}\n`;
}

main();
