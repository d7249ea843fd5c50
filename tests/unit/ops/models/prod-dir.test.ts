import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../../../cli/base/errors';
import { checkProdDir } from '../../../../cli/ops/models/prod-dir';
import { runMain } from '../../../support/run-main';

/** PROD_DIR as `set-variable` and `deploy --prod-dir` check it, before any network call. */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-prod-'));
const model = (rel: string, metrics?: object) => {
  fs.mkdirSync(path.join(root, rel), { recursive: true });
  fs.writeFileSync(path.join(root, rel, 'model.json'), '{}');
  if (metrics) fs.writeFileSync(path.join(root, rel, 'metrics.json'), JSON.stringify(metrics));
};
model('models/2026-03-02/train_model__a', { passed: true });
model('models/2026-03-02/train_model__b', {
  passed: false,
  reason: 'ROC AUC 0.6 is below the threshold 0.7 by 0.1',
});
model('models/2026-03-02/train_model__c');
fs.symlinkSync('/etc', path.join(root, 'models', 'escape'));

const problem = (value: string, force = false): string => {
  try {
    checkProdDir(value, root, force);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
};

test('bad forms are refused with what is wrong', () => {
  expect(
    ['../../etc', '/etc', '', 'models/*', 'models//x', './models', 'models/{{ var.value.X }}'].map(
      (v) => [v, problem(v)],
    ),
  ).toEqual([
    [
      '../../etc',
      'PROD_DIR "../../etc" leaves the data root or is not a clean path (".", ".." or an empty segment)',
    ],
    ['/etc', 'PROD_DIR "/etc" is absolute; it must be relative to the data root'],
    ['', 'PROD_DIR "" is empty'],
    ['models/*', 'PROD_DIR "models/*" has a glob, backslash or control character'],
    [
      'models//x',
      'PROD_DIR "models//x" leaves the data root or is not a clean path (".", ".." or an empty segment)',
    ],
    [
      './models',
      'PROD_DIR "./models" leaves the data root or is not a clean path (".", ".." or an empty segment)',
    ],
    ['models/{{ var.value.X }}', 'PROD_DIR "models/{{ var.value.X }}" contains Jinja'],
  ]);
});

test('with the data root here: a validated model passes; others need --force', () => {
  expect(problem('models/2026-03-02/train_model__a')).toBe('ok');
  expect(problem('models/2026-03-02/train_model__b')).toBe(
    'PROD_DIR models/2026-03-02/train_model__b: the model failed validation (ROC AUC 0.6 is below the threshold 0.7 by 0.1); predict would refuse it',
  );
  expect(problem('models/2026-03-02/train_model__c')).toBe(
    'PROD_DIR models/2026-03-02/train_model__c: the model has no readable metrics.json: it was never validated; predict would refuse it',
  );
  expect(problem('models/nothing')).toBe(
    `PROD_DIR models/nothing: no model.json in ${root}/models/nothing`,
  );
  expect(problem('models/2026-03-02/train_model__b', true)).toBe('ok');
  expect(problem('models/escape')).toBe(
    `PROD_DIR models/escape leads to /etc, outside the data root ${root}`,
  );
});

test('set-variable PROD_DIR ../../etc fails before any network call, with exit 2', async () => {
  const r = await runMain(
    'set-variable',
    'PROD_DIR',
    '../../etc',
    '--airflow-url',
    'http://127.0.0.1:9',
    '--data-root',
    root,
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('PROD_DIR "../../etc" leaves the data root');
});
