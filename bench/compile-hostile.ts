/**
 * Benchmark (not a test): what a hostile spec of about 1 MiB costs the compiler, in wall time
 * and peak memory, for this build and, side by side, a baseline build of airflow-ml (an older
 * commit, built into its own folder). Each compile runs in a fresh child process, so peak RSS
 * is that compile's own.
 *
 *   npm run build && node dist/bench/compile-hostile.js [--baseline /path/to/old/checkout]
 *
 * A baseline checkout needs `npm run build` there first; its compiled compiler is loaded.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lexer } from 'yaml';
import { MAX_YAML_TOKENS } from '../cli/compiler/spec/parse';

const MIB = 1024 * 1024;
/** A little under the 1 MiB limit. */
const TARGET = MIB - 4096;
const HEADER = 'dag_id: hostile\nschedule: null\nstart_date: "2026-01-01"\n';

/** Mode of the run: fill to 1 MiB (most shapes are then refused by the token cap), or to just under the cap. */
let mode: 'bytes' | 'tokens' = 'bytes';

function tokens(text: string): number {
  let n = 0;
  for (const t of new Lexer().lex(text)) if (t.length > 0) n++;
  return n;
}

function fill(unit: (i: number) => string, prefix = HEADER, suffix = ''): string {
  const parts: string[] = [prefix];
  let size = prefix.length + suffix.length;
  let count = tokens(prefix + suffix);
  const perUnit = tokens(unit(1)) + 1;
  for (let i = 0; ; i++) {
    const part = unit(i);
    if (size + part.length > TARGET) break;
    if (mode === 'tokens' && count + perUnit > MAX_YAML_TOKENS - 100) break;
    parts.push(part);
    size += part.length;
    count += perUnit;
  }
  return parts.join('') + suffix;
}

/** Each shape aims at one place that used to be super-linear or unbounded. */
const SHAPES: Record<string, () => string> = {
  'one unknown step name of 1 MiB (did-you-mean)': () =>
    `${HEADER}tasks:\n  - id: a\n    step: ${'k'.repeat(TARGET - HEADER.length - 40)}\n`,
  'unknown keys (did-you-mean, positions)': () =>
    fill((i) => `unknown_key_number_${i}: 1\n`, `${HEADER}tasks: []\n`),
  'a chain of tasks (ordering, cycle search)': () =>
    fill(
      (i) =>
        `  - id: t${i}\n    sensor: { path: "in/${i}" }\n${i ? `    depends_on: [t${i - 1}]\n` : ''}`,
      `${HEADER}tasks:\n`,
    ),
  'tasks with misspelled dependencies (did-you-mean over all ids)': () =>
    fill(
      (i) => `  - id: task_${i}\n    sensor: { path: "in/${i}" }\n    depends_on: [tsak_${i}]\n`,
      `${HEADER}tasks:\n`,
    ),
  'nesting 250k levels deep (stack)': () =>
    `${HEADER}tasks: []\nx: ${'['.repeat(250_000)}${']'.repeat(250_000)}\n`,
  'one task with many environment entries (valid)': () =>
    fill(
      (i) => `      VAR_${i}: "value {{ ds }} ${i}"\n`,
      `${HEADER}tasks:\n  - id: g\n    step: generate\n    outputs: { data: a.csv, target: b.csv }\n    environment:\n`,
    ),
};

const CHILD = `
const [dist, file, root] = process.argv.slice(1);
// A baseline build may predate cli/compiler/ (commit 0981396): the first layout found wins.
const load = (...paths) => {
  for (const p of paths) if (require('fs').existsSync(dist + p)) return require(dist + p);
  throw new Error(dist + ': none of ' + paths.join(', '));
};
const { compile } = load('/cli/compiler/compile.js', '/cli/compile.js');
const { loadStepCatalog } = load('/cli/compiler/steps/contract.js', '/cli/spec/manifest.js');
const text = require('fs').readFileSync(file, 'utf8');
const catalog = loadStepCatalog(root);
const imageTags = Object.fromEntries(Object.keys(catalog).map((s) => [s, 'x:' + s]));
const t = process.hrtime.bigint();
let outcome;
try {
  const r = compile([{ path: 'hostile.yaml', text }], { catalog, imageTags });
  outcome = r.diagnostics.length ? r.diagnostics.length + ' diagnostics' : r.files.size + ' file(s)';
} catch (e) { outcome = 'crashed: ' + String(e.message).slice(0, 60); }
const ms = Number(process.hrtime.bigint() - t) / 1e6;
console.log(JSON.stringify({ ms, rssMiB: process.resourceUsage().maxRSS / 1024, outcome }));
`;

interface Run {
  ms: number;
  rssMiB: number;
  outcome: string;
}

function runOnce(checkout: string, file: string, timeoutMs: number): Run {
  try {
    const out = execFileSync(
      process.execPath,
      ['-e', CHILD, path.join(checkout, 'dist'), file, checkout],
      {
        timeout: timeoutMs,
        maxBuffer: 16 * MIB,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return JSON.parse(out.toString()) as Run;
  } catch (err) {
    const e = err as { signal?: string; status?: number };
    const outcome = e.signal ? `killed after ${timeoutMs / 1000} s` : `exit ${e.status}`;
    return { ms: e.signal ? timeoutMs : NaN, rssMiB: NaN, outcome };
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const baselineAt = args.indexOf('--baseline');
  const baseline = baselineAt >= 0 ? path.resolve(args[baselineAt + 1]) : undefined;
  const current = path.resolve(__dirname, '..', '..');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-hostile-bench-'));
  console.log(
    `machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );
  const rows = [
    '| shape | filled to | size, tokens | this build: time, peak RSS, outcome | baseline: time, peak RSS, outcome | time ratio |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const cell = (r: Run) =>
    `${(r.ms / 1000).toFixed(2)} s, ${Number.isNaN(r.rssMiB) ? '?' : r.rssMiB.toFixed(0)} MiB, ${r.outcome}`;
  for (const fillMode of ['bytes', 'tokens'] as const) {
    mode = fillMode;
    for (const [name, make] of Object.entries(SHAPES)) {
      const text = make();
      const file = path.join(work, 'spec.yaml');
      fs.writeFileSync(file, text);
      const size = `${(Buffer.byteLength(text) / MIB).toFixed(2)} MiB, ${tokens(text)}`;
      const now = runOnce(current, file, 60_000);
      let base = '(no baseline)';
      let ratio = '';
      if (baseline) {
        const b = runOnce(baseline, file, 60_000);
        base = cell(b);
        ratio = `${(b.ms / now.ms).toFixed(1)}`;
      }
      const filled = fillMode === 'bytes' ? '1 MiB' : 'the token cap';
      rows.push(`| ${name} | ${filled} | ${size} | ${cell(now)} | ${base} | ${ratio} |`);
      console.error(`done: ${name} (${filled})`);
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
  console.log(rows.join('\n'));
}

main();
