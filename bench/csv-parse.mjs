#!/usr/bin/env node
// npm run bench:csv [-- --base REV --rows N --repeat R]
//
// The steps' CSV parser (docker/steps/src/lib/csv-read.ts) side by side with the same parser
// at another revision (default HEAD, i.e. the working tree against the last commit), on the
// same generated churn data.csv: each side bundled with esbuild from its own source tree,
// each run a fresh node process that reads and parses the file (page cache warm) 3 times the
// way that revision's steps do (streamed, or read whole then parsed) and reports the best,
// the sides alternating so neither always gets the warmer machine. Reports MB/s per side
// (median over R runs), the speed ratio (median of the per-round ratios), and the ceiling:
// a bare byte loop over the same buffer (what any JavaScript parser could approach). Each
// figure is given per wall second and per CPU second (user + system of the parse), the
// latter steadier when other work shares the machine; the load average after each round.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const BASE = arg('base', 'HEAD');
const ROWS = Number(arg('rows', '1000000'));
const REPEAT = Number(arg('repeat', '7'));
const log = (s) => process.stderr.write(`[bench:csv] ${s}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function sh(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** A runner script for one side: parse the file PASSES times in one process, print the best. */
async function bundle(srcRoot, out) {
  const entry = join(out, 'entry.ts');
  writeFileSync(
    entry,
    [
      `import * as fs from 'node:fs';`,
      `import * as csv from ${JSON.stringify(join(srcRoot, 'docker/steps/src/lib/csv-read'))};`,
      `import { FEATURE_COLUMNS } from ${JSON.stringify(join(srcRoot, 'docker/steps/src/lib/schema'))};`,
      // What the steps do, file to columns: stream it where the revision streams, else read
      // the file whole and parse the buffer (the steps before issue 16).
      `const parse = (file) => {`,
      `  if (!csv.CsvStream) return csv.parseCsv(file, fs.readFileSync(file), FEATURE_COLUMNS).rows;`,
      `  const s = csv.CsvStream.open(file, FEATURE_COLUMNS);`,
      `  let rows = 0;`,
      `  for (let b = s.next(); b; b = s.next()) rows += b.rows;`,
      `  s.close();`,
      `  return rows;`,
      `};`,
      `let best = Infinity;`,
      `let bestCpu = Infinity;`,
      `for (let i = 0; i < 3; i++) {`,
      `  const t = process.hrtime.bigint();`,
      `  const c = process.cpuUsage();`,
      `  const rows = parse(process.argv[2]);`,
      `  const cpu = process.cpuUsage(c);`,
      `  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);`,
      `  bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);`,
      `  if (rows <= 0) throw new Error('no rows');`,
      `}`,
      `console.log(best, bestCpu);`,
    ].join('\n'),
  );
  const outfile = join(out, 'run.cjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', outfile, logLevel: 'error' });
  return outfile;
}

const CEILING = `
const buf = require('node:fs').readFileSync(process.argv[2]);
let best = Infinity, bestCpu = Infinity, n = 0;
for (let k = 0; k < 3; k++) {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  for (let i = 0; i < buf.length; i++) if (buf[i] === 44) n++;
  const cpu = process.cpuUsage(c);
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
}
if (n === 0) throw new Error('no commas');
console.log(best, bestCpu);
`;

const work = mkdtempSync(join(os.tmpdir(), 'airflow-ml-bench-csv-'));
try {
  const baseTree = join(work, 'base-tree');
  mkdirSync(baseTree);
  sh('bash', [
    '-c',
    `git -C "${root}" archive "${BASE}" docker/steps/src | tar -x -C "${baseTree}"`,
  ]);
  mkdirSync(join(work, 'base'));
  mkdirSync(join(work, 'current'));
  const sides = {
    base: await bundle(baseTree, join(work, 'base')),
    current: await bundle(root, join(work, 'current')),
  };
  const ceiling = join(work, 'ceiling.cjs');
  writeFileSync(ceiling, CEILING);
  const raw = join(work, 'raw');
  log(`generating ${ROWS} rows`);
  sh(
    process.execPath,
    [
      join(root, 'dist/steps/generate.js'),
      '--ds',
      '2024-06-01',
      '--rows',
      `${ROWS}`,
      '--seed',
      '42',
      '--data',
      join(raw, 'data.csv'),
      '--target',
      join(raw, 'target.csv'),
    ],
    { env: { ...process.env, AIRFLOW_ML_STEP_DATA_ROOT: work } },
  );
  const file = join(raw, 'data.csv');
  const mb = statSync(file).size / 1e6;
  const seconds = { base: [], current: [], ceiling: [] };
  const cpu = { base: [], current: [], ceiling: [] };
  const loads = [];
  const time = (side, script) => {
    const [wall, used] = sh(process.execPath, [script, file]).trim().split(' ').map(Number);
    seconds[side].push(wall);
    cpu[side].push(used);
  };
  for (let r = 0; r < REPEAT; r++) {
    const order = r % 2 === 0 ? ['base', 'current'] : ['current', 'base'];
    for (const side of order) time(side, sides[side]);
    time('ceiling', ceiling);
    loads.push(os.loadavg()[0]);
  }
  const rate = (side) => mb / median(seconds[side]);
  // Per CPU second: what the parser does when it has a core, steadier on a shared machine.
  const cpuRate = (side) => mb / median(cpu[side]);
  const report = {
    machine: `${os.cpus().length} x ${os.cpus()[0].model}, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    file: `${ROWS} rows, ${mb.toFixed(1)} MB`,
    loadDuringRounds: loads.map((l) => l.toFixed(2)).join(' '),
    base: `${BASE}: ${rate('base').toFixed(0)} MB/s (${cpuRate('base').toFixed(0)} MB per CPU second)`,
    current: `working tree: ${rate('current').toFixed(0)} MB/s (${cpuRate('current').toFixed(0)} MB per CPU second)`,
    // Per round (the two sides ran back to back), then the median: steadier on a busy host
    // than the ratio of the two medians.
    ratio: `current / base = ${median(seconds.base.map((b, r) => b / seconds.current[r])).toFixed(3)} (median of per-round ratios)`,
    ceiling: `bare byte loop: ${rate('ceiling').toFixed(0)} MB/s (${cpuRate('ceiling').toFixed(0)} MB per CPU second)`,
    runs: REPEAT,
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
