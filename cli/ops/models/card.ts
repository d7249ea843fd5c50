import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../base/errors';
import {
  METRICS_FILE,
  MODEL_FILE,
  refPath,
  type ModelRef,
} from '../../../docker/steps/src/lib/registry';

/**
 * A self-contained HTML model card for one model version: the gate's verdict, the metrics,
 * an SVG ROC curve, the confusion matrix, the largest coefficients, the training parameters
 * and the data the model saw. No script, no external resource: it opens from a file, mails
 * as an attachment, and every value in it is HTML-escaped.
 */

interface CardModel {
  ds: string;
  features: string[];
  /** Logistic models; a gradient-boosted model (gbm-train) has trees instead. */
  weights?: number[];
  intercept?: number;
  trees?: { trees: unknown[] };
  hyperparameters: Record<string, number>;
  training: {
    rows: number;
    positives: number;
    iterations: number;
    converged: boolean;
    rocAuc: number;
  };
}
interface CardMetrics {
  ds: string;
  rows: number;
  positives: number;
  rocAuc: number;
  accuracy: number;
  f1: number;
  logLoss: number;
  confusion?: { tp: number; fp: number; tn: number; fn: number };
  roc?: [number, number][];
  minRocAuc: number | null;
  passed: boolean;
  reason: string | null;
}

export function readCardInputs(
  root: string,
  ref: ModelRef,
): { model: CardModel; metrics?: CardMetrics } {
  const dir = path.join(root, ref.ds, ref.version);
  const read = <T>(file: string): T | undefined => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ConfigError(`${path.join(dir, file)}: ${(err as Error).message}`);
    }
  };
  const model = read<CardModel>(MODEL_FILE);
  if (!model) throw new ConfigError(`${dir}: no ${MODEL_FILE}`);
  return { model, metrics: read<CardMetrics>(METRICS_FILE) };
}

export function renderModelCard(
  ref: ModelRef,
  model: CardModel,
  metrics: CardMetrics | undefined,
  production: boolean,
): string {
  const verdict = !metrics
    ? { text: 'not validated', cls: 'warn' }
    : metrics.passed
      ? { text: 'passed the gate', cls: 'ok' }
      : { text: `rejected: ${metrics.reason ?? ''}`, cls: 'bad' };
  const weights = model.weights ?? [];
  const top = model.features
    .filter((_, i) => i < weights.length)
    .map((name, i) => ({ name, w: weights[i] }))
    .sort((a, b) => Math.abs(b.w) - Math.abs(a.w) || a.name.localeCompare(b.name))
    .slice(0, 10);
  const maxW = Math.max(...top.map((t) => Math.abs(t.w)), 1e-12);
  const fmt = (v: number | null | undefined, d = 4) =>
    typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–';
  const rows: [string, string][] = metrics
    ? [
        ['ROC AUC', fmt(metrics.rocAuc)],
        ['accuracy', fmt(metrics.accuracy)],
        ['F1', fmt(metrics.f1)],
        ['log loss', fmt(metrics.logLoss)],
        [
          'threshold (min ROC AUC)',
          metrics.minRocAuc === null ? 'none' : String(metrics.minRocAuc),
        ],
        ['validation rows', `${metrics.rows} (${metrics.positives} positive)`],
      ]
    : [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Model card ${esc(refPath(ref))}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d2733;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}.sub{color:#5b6775;margin-top:0}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:600;font-size:.85rem}
.ok{background:#dff3e4;color:#1b6b34}.bad{background:#fde2e1;color:#9b1c1c}.warn{background:#fff4d6;color:#7a5a00}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}section{border:1px solid #dde3ea;border-radius:8px;padding:1rem 1.2rem}
h2{font-size:1.05rem;margin:.1rem 0 .7rem}table{border-collapse:collapse;width:100%}td,th{padding:.25rem .4rem;text-align:left;border-bottom:1px solid #eef1f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.cm td{text-align:center;font-size:1.1rem;padding:.6rem}
.bar{height:.7rem;border-radius:3px}.pos{background:#3b82c4}.neg{background:#d9822b}
</style></head><body>
<h1>Model ${esc(refPath(ref))}</h1>
<p class="sub">logistic regression · trained on data of ${esc(model.ds)} ·
<span class="badge ${verdict.cls}">${esc(verdict.text)}</span>
${production ? '<span class="badge ok">in production</span>' : ''}</p>
<div class="grid">
<section><h2>Validation metrics</h2><table>${rows
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`)
    .join('')}</table></section>
<section><h2>ROC curve</h2>${rocSvg(metrics?.roc ?? [], metrics?.rocAuc)}</section>
<section><h2>Confusion matrix (threshold 0.5)</h2>${confusionTable(metrics?.confusion)}</section>
${
  model.trees
    ? `<section><h2>Model</h2><p>Gradient-boosted trees: ${text(model.trees.trees.length)} trees on ${text(model.features.length)} features.</p></section>`
    : `<section><h2>Largest coefficients</h2><table>${top
        .map(
          (t) =>
            `<tr><td>${text(t.name)}</td><td class="num">${fmt(t.w)}</td><td style="width:45%"><div class="bar ${t.w >= 0 ? 'pos' : 'neg'}" style="width:${((Math.abs(t.w) / maxW) * 100).toFixed(1)}%"></div></td></tr>`,
        )
        .join(
          '',
        )}<tr><td>(intercept)</td><td class="num">${fmt(model.intercept)}</td><td></td></tr></table></section>`
}
<section><h2>Training</h2><table>
${Object.entries(model.hyperparameters)
  .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(String(v))}</td></tr>`)
  .join('')}
<tr><th>iterations</th><td class="num">${text(model.training.iterations)}${model.training.converged === false ? ' (not converged)' : ''}</td></tr>
<tr><th>train ROC AUC</th><td class="num">${fmt(model.training.rocAuc)}</td></tr></table></section>
<section><h2>Data it saw</h2><table>
<tr><th>training rows</th><td class="num">${text(model.training.rows)}</td></tr>
<tr><th>positive rate</th><td class="num">${fmt(model.training.positives / model.training.rows, 3)}</td></tr>
<tr><th>features after encoding</th><td class="num">${text(model.features.length)}</td></tr>
<tr><th>data date</th><td class="num">${esc(model.ds)}</td></tr></table></section>
</div></body></html>
`;
}

function rocSvg(points: [number, number][], auc: number | undefined): string {
  if (points.length < 2) return '<p>No ROC curve recorded (validate before format 2).</p>';
  const S = 280;
  const P = 36;
  const xy = (x: number, y: number) => `${(P + x * S).toFixed(1)},${(P + (1 - y) * S).toFixed(1)}`;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${S + 2 * P}" height="${S + 2 * P}" role="img" aria-label="ROC curve">
<rect x="${P}" y="${P}" width="${S}" height="${S}" fill="#fbfcfd" stroke="#c9d1da"/>
${ticks
  .map(
    (t) =>
      `<text x="${P + t * S}" y="${P + S + 16}" font-size="10" text-anchor="middle">${t}</text><text x="${P - 6}" y="${P + (1 - t) * S + 3}" font-size="10" text-anchor="end">${t}</text>`,
  )
  .join('')}
<line x1="${P}" y1="${P + S}" x2="${P + S}" y2="${P}" stroke="#aab4bf" stroke-dasharray="4 4"/>
<polyline fill="none" stroke="#2563a8" stroke-width="2.5" points="${points.map(([x, y]) => xy(x, y)).join(' ')}"/>
<text x="${P + S / 2}" y="${P + S + 30}" font-size="11" text-anchor="middle">false positive rate</text>
<text x="12" y="${P + S / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${P + S / 2})">true positive rate</text>
<text x="${P + S - 8}" y="${P + S - 10}" font-size="13" text-anchor="end" font-weight="600">AUC ${typeof auc === 'number' ? auc.toFixed(4) : ''}</text>
</svg>`;
}

function confusionTable(c: { tp: number; fp: number; tn: number; fn: number } | undefined): string {
  if (!c) return '<p>Not recorded.</p>';
  return `<table class="cm"><tr><th></th><th>predicted 0</th><th>predicted 1</th></tr>
<tr><th>actual 0</th><td>${text(c.tn)}</td><td>${text(c.fp)}</td></tr>
<tr><th>actual 1</th><td>${text(c.fn)}</td><td>${text(c.tp)}</td></tr></table>`;
}

/** Any value from a model or metrics file, as escaped text: the files are data, never markup. */
function text(v: unknown): string {
  return esc(String(v));
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
