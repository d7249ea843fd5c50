import * as fs from 'node:fs';
import * as path from 'node:path';
import { readHistory, readProduction } from '../../../../docker/steps/src/lib/registry';
import { run as validate } from '../../../../docker/steps/validate/main';
import { runMain } from '../../../support/run-main';
import { DS, tmpDir, trainPipeline } from '../../steps/helpers';

/**
 * `airflow-ml models` over a registry the real steps wrote: list (table and --json), manual
 * promotion through the same atomic switch, rollbacks that walk back through history, and
 * the HTML model card.
 */
const p = trainPipeline(3000, 5);
const dataRoot = tmpDir();
const models = path.join(dataRoot, 'models');

function addVersion(version: string, minRocAuc?: string): void {
  const dir = path.join(models, DS, version);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(p.model, path.join(dir, 'model.json'));
  const gate = minRocAuc ? ['--min-roc-auc', minRocAuc] : [];
  try {
    validate([
      '--ds',
      DS,
      '--in-dir',
      p.splits,
      '--model',
      path.join(dir, 'model.json'),
      '--metrics',
      path.join(dir, 'metrics.json'),
      ...gate,
    ]);
  } catch {
    // rejected: the verdict is in metrics.json
  }
}

beforeAll(() => {
  addVersion('run_a');
  addVersion('run_b');
  addVersion('run_c');
  addVersion('run_low', '0.999');
});

const models_ = (...args: string[]) => runMain('models', ...args, '--data-root', dataRoot);

test('list --json: one object per version with exact fields', async () => {
  const r = await models_('list', '--json');
  expect(r.code).toBe(0);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  expect(rows.map((x) => [x.ds, x.version, x.verdict, x.production])).toEqual([
    [DS, 'run_a', 'passed', false],
    [DS, 'run_b', 'passed', false],
    [DS, 'run_c', 'passed', false],
    [DS, 'run_low', 'rejected', false],
  ]);
  expect(Object.keys(rows[0]).sort()).toEqual(
    ['accuracy', 'ds', 'f1', 'production', 'reason', 'rocAuc', 'rows', 'verdict', 'version'].sort(),
  );
  expect(rows[0].rows).toBe(2400);
  expect(rows[3].reason).toMatch(/^ROC AUC 0\.\d{4} is below the threshold 0\.999 by 0\.\d{4}$/);
});

test('promote, promote, rollback, rollback: walks back through history, never toggles', async () => {
  expect((await models_('promote', `${DS}/run_a`)).stdout).toBe(
    `production: (none) -> ${DS}/run_a\n`,
  );
  expect((await models_('promote', `${DS}/run_b`)).stdout).toBe(
    `production: ${DS}/run_a -> ${DS}/run_b\n`,
  );
  expect((await models_('promote', `${DS}/run_c`)).stdout).toBe(
    `production: ${DS}/run_b -> ${DS}/run_c\n`,
  );
  expect((await models_('rollback')).stdout).toBe(
    `production: ${DS}/run_c -> ${DS}/run_b (rollback)\n`,
  );
  expect((await models_('rollback')).stdout).toBe(
    `production: ${DS}/run_b -> ${DS}/run_a (rollback)\n`,
  );
  const last = await models_('rollback');
  expect(last.code).toBe(2);
  expect(last.stderr).toContain(
    `${DS}/run_a was the first model in production; there is nothing to roll back to`,
  );
  expect(readProduction(models)).toEqual({ ds: DS, version: 'run_a' });
  expect(readHistory(models).map((h) => [h.from, h.to, h.reason])).toEqual([
    [null, `${DS}/run_a`, 'manual promotion'],
    [`${DS}/run_a`, `${DS}/run_b`, 'manual promotion'],
    [`${DS}/run_b`, `${DS}/run_c`, 'manual promotion'],
    [`${DS}/run_c`, `${DS}/run_b`, `rollback from ${DS}/run_c`],
    [`${DS}/run_b`, `${DS}/run_a`, `rollback from ${DS}/run_b`],
  ]);
});

test('a rejected model is promoted only with --force; a date picks its newest validated model', async () => {
  const refused = await models_('promote', `${DS}/run_low`);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(
    /run_low is rejected \(ROC AUC .* below the threshold 0\.999 .*\); predict refuses such a model/,
  );
  fs.utimesSync(
    path.join(models, DS, 'run_b', 'model.json'),
    new Date(),
    new Date(Date.now() + 60_000),
  );
  expect((await models_('promote', DS)).stdout).toBe(`production: ${DS}/run_a -> ${DS}/run_b\n`);
  const table = (await models_('list')).stdout.split('\n');
  expect(table[0].split(/\s{2,}/)).toEqual([
    'date',
    'version',
    'rows',
    'roc_auc',
    'accuracy',
    'f1',
    'verdict',
    'production',
  ]);
  expect(table.filter((l) => l.endsWith('yes'))).toHaveLength(1);
  expect(table.find((l) => l.endsWith('yes'))?.startsWith(`${DS}  run_b`)).toBe(true);
});

test('show writes a self-contained HTML card with the ROC curve and the confusion matrix', async () => {
  const file = path.join(tmpDir(), 'card.html');
  const r = await models_('show', `${DS}/run_b`, '--output', file);
  expect(r.stdout).toBe(`wrote ${file} (model ${DS}/run_b)\n`);
  const html = fs.readFileSync(file, 'utf8');
  expect(html).toContain(`<title>Model card ${DS}/run_b</title>`);
  expect(html).toContain('<span class="badge ok">passed the gate</span>');
  expect(html).toContain('<span class="badge ok">in production</span>');
  expect(html.match(/<polyline /g)).toHaveLength(1);
  // Self-contained: no script and no link out (the SVG namespace is the only URL).
  expect(html).not.toMatch(/<script|https:\/\/|http:\/\/(?!www\.w3\.org\/2000\/svg)/i);
  const metrics = JSON.parse(
    fs.readFileSync(path.join(models, DS, 'run_b', 'metrics.json'), 'utf8'),
  );
  expect(html).toContain(
    `<tr><th>actual 1</th><td>${metrics.confusion.fn}</td><td>${metrics.confusion.tp}</td></tr>`,
  );
});

test('a hostile model file stays text in the card, and a broken alias is a clear error', async () => {
  const dir = path.join(models, DS, 'run_evil');
  fs.mkdirSync(dir, { recursive: true });
  const good = JSON.parse(fs.readFileSync(p.model, 'utf8'));
  const evil = '<script>alert(1)</script>';
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    JSON.stringify({
      ...good,
      features: [evil, ...good.features.slice(1)],
      training: { ...good.training, iterations: evil, rows: evil },
    }),
  );
  const file = path.join(tmpDir(), 'evil.html');
  expect((await models_('show', `${DS}/run_evil`, '--output', file)).code).toBe(0);
  const html = fs.readFileSync(file, 'utf8');
  expect(html).not.toContain('<script>');
  expect(html.split('&#60;script&#62;alert(1)&#60;/script&#62;')).toHaveLength(4);

  const alias = path.join(models, 'production');
  fs.rmSync(alias);
  fs.symlinkSync('../../etc', alias);
  const listed = await models_('list');
  expect(listed.code).toBe(9);
  expect(listed.stderr).toContain(
    `${alias}: points to "../../etc", which is not a model folder <ds>/<version>`,
  );
  fs.rmSync(alias);
});

test('show into a folder that does not exist: a clear error naming the path, nothing written', async () => {
  const file = path.join(tmpDir(), 'missing', 'card.html');
  const r = await models_('show', `${DS}/run_a`, '--output', file);
  expect(r.code).toBe(9);
  expect(r.stderr).toContain(`cannot write the model card to ${file}: ENOENT`);
  expect(fs.existsSync(path.dirname(file))).toBe(false);
});

test('show -o -: the card on standard output, the note on stderr', async () => {
  const r = await models_('show', `${DS}/run_a`, '--output', '-');
  expect(r.code).toBe(0);
  expect(r.stdout.slice(0, 15)).toBe('<!doctype html>');
  expect(r.stdout).toContain(`<title>Model card ${DS}/run_a</title>`);
  expect(r.stderr).toBe(`wrote the model card of ${DS}/run_a to standard output\n`);
});

test('show renders a gradient-boosted model (gbm-train) with its trees instead of coefficients', async () => {
  const dir = path.join(models, DS, 'run_gbm');
  fs.mkdirSync(dir, { recursive: true });
  const good = JSON.parse(fs.readFileSync(p.model, 'utf8'));
  delete good.weights;
  delete good.intercept;
  const tree = { left: [-1], right: [-1], feature: [-2], threshold: [-2], value: [0.5] };
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    JSON.stringify({
      ...good,
      format: 'airflow-ml/gradient-boosting',
      trees: { init: 0, learningRate: 0.1, trees: [tree, tree, tree] },
      hyperparameters: { nEstimators: 3, learningRate: 0.1, maxDepth: 1, seed: 42 },
    }),
  );
  fs.copyFileSync(path.join(models, DS, 'run_b', 'metrics.json'), path.join(dir, 'metrics.json'));
  const file = path.join(tmpDir(), 'gbm.html');
  expect((await models_('show', `${DS}/run_gbm`, '--output', file)).code).toBe(0);
  const html = fs.readFileSync(file, 'utf8');
  expect(html).toContain(
    `<section><h2>Model</h2><p>Gradient-boosted trees: 3 trees on ${good.features.length} features.</p></section>`,
  );
  expect(html).not.toContain('Largest coefficients');
  expect(html).toContain('<tr><th>nEstimators</th><td class="num">3</td></tr>');
});
