import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../../../cli/base/errors';
import { loadStepCatalog } from '../../../../cli/compiler/steps/contract';
import { imageTags, stepInputs } from '../../../../cli/compiler/steps/tags';
import { copyProject, REPO, touch } from '../../ops/images/project-copy';

const TS_STEPS = ['generate', 'predict', 'preprocess', 'promote', 'split', 'train', 'validate'];
const STEPS = ['gbm-train', ...TS_STEPS];
const changed = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).filter((k) => a[k] !== b[k]);

describe('imageTags', () => {
  const root = copyProject();
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('gives every step folder an airflow-ml-<step>:<12 hex> tag', () => {
    const tags = imageTags(REPO);
    expect(Object.keys(tags).sort()).toEqual(STEPS);
    for (const [step, tag] of Object.entries(tags))
      expect(tag).toMatch(new RegExp(`^airflow-ml-${step}:[0-9a-f]{12}$`));
    expect(new Set(Object.values(tags)).size).toBe(STEPS.length);
  });

  it('is deterministic, and the same for an identical copy of the sources', () => {
    expect(imageTags(REPO)).toEqual(imageTags(REPO));
    expect(imageTags(root)).toEqual(imageTags(REPO));
  });

  it("hashes a TypeScript step's folder, its entry, the shared Dockerfile, bundler, param checks and lib/", () => {
    const inputs = stepInputs(REPO, loadStepCatalog(REPO).train);
    expect(inputs).toEqual([...inputs].sort());
    expect(inputs).toEqual(
      expect.arrayContaining([
        'cli/compiler/steps/param-check.ts',
        'docker/Dockerfile',
        'docker/steps/src/lib/logreg.ts',
        'docker/steps/train/main.ts',
        'docker/steps/train/step.yaml',
        'scripts/bundle-steps.mjs',
      ]),
    );
    expect(inputs).not.toContain('docker/steps/predict/main.ts');
    expect(inputs).not.toContain('docker/steps/predict/step.yaml');
  });

  it("hashes a Python Dockerfile step's folder and the shared contract helper, nothing of Node", () => {
    expect(stepInputs(REPO, loadStepCatalog(REPO)['gbm-train'])).toEqual([
      'docker/steps/gbm-train/Dockerfile',
      'docker/steps/gbm-train/main.py',
      'docker/steps/gbm-train/matrix.py',
      'docker/steps/gbm-train/requirements.txt',
      'docker/steps/gbm-train/step.yaml',
      'docker/steps/gbm-train/trees.py',
      'docker/steps/python/airflow_ml_step.py',
    ]);
  });

  it('changes only one step when a file in its folder or its entry changes', () => {
    for (const [rel, step] of [
      ['docker/steps/split/main.ts', 'split'],
      ['docker/steps/split/step.yaml', 'split'],
      ['docker/steps/gbm-train/main.py', 'gbm-train'],
    ]) {
      const before = imageTags(root);
      touch(root, rel, rel.endsWith('.ts') ? '// touched' : '# touched');
      expect(changed(before, imageTags(root))).toEqual([step]);
    }
  });

  it('changes every TypeScript step, and no other, when shared inputs change', () => {
    for (const rel of [
      'docker/steps/src/lib/metrics.ts',
      'docker/Dockerfile',
      'cli/compiler/steps/param-check.ts',
    ]) {
      const before = imageTags(root);
      touch(root, rel, '# touched');
      expect(changed(before, imageTags(root)).sort()).toEqual(TS_STEPS);
    }
    const before = imageTags(root);
    fs.writeFileSync(
      path.join(root, 'docker/steps/src/lib/new-helper.ts'),
      'export const x = 1;\n',
    );
    expect(changed(before, imageTags(root)).sort()).toEqual(TS_STEPS);
  });

  it('ignores caches a local run leaves in a step folder', () => {
    const before = imageTags(root);
    fs.mkdirSync(path.join(root, 'docker/steps/gbm-train/__pycache__'));
    fs.writeFileSync(path.join(root, 'docker/steps/gbm-train/__pycache__/main.pyc'), 'x');
    expect(imageTags(root)).toEqual(before);
  });

  it('does not depend on the base image in use', () => {
    const before = imageTags(root);
    process.env.AIRFLOW_ML_NODE_BASE = 'some/other:base';
    try {
      expect(imageTags(root)).toEqual(before);
    } finally {
      delete process.env.AIRFLOW_ML_NODE_BASE;
    }
  });

  it('is fast enough to call at compile time', () => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) imageTags(REPO);
    expect(Number(process.hrtime.bigint() - t) / 1e6 / 20).toBeLessThan(50);
  });

  it('names a missing entry file', () => {
    const other = copyProject();
    try {
      const catalog = loadStepCatalog(other);
      fs.rmSync(path.join(other, 'docker/steps/validate/main.ts'));
      expect(() => imageTags(other, catalog)).toThrow(ConfigError);
      expect(() => imageTags(other, catalog)).toThrow(
        'cannot read image build input docker/steps/validate/main.ts: ENOENT: no such file or directory',
      );
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('fails at once on an entry that links to /dev/zero, not reading it', () => {
    const other = copyProject();
    try {
      const catalog = loadStepCatalog(other);
      const entry = path.join(other, 'docker/steps/validate/main.ts');
      fs.rmSync(entry);
      fs.symlinkSync('/dev/zero', entry);
      expect(() => imageTags(other, catalog)).toThrow(
        'cannot read image build input docker/steps/validate/main.ts: not a regular file (a folder, device, FIFO or socket)',
      );
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
