import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageTags, stepInputs } from '../../../../cli/compiler/steps/tags';
import { ConfigError } from '../../../../cli/base/errors';
import { copyProject, REPO, touch } from '../../ops/images/project-copy';

const STEPS = ['generate', 'predict', 'preprocess', 'promote', 'split', 'train', 'validate'];
const changed = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).filter((k) => a[k] !== b[k]);

describe('imageTags', () => {
  const root = copyProject();
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('gives every step of steps.json an airflow-ml-<step>:<12 hex> tag', () => {
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

  it('hashes the Dockerfile, steps.json, the bundler, all of lib/ and the entry, sorted', () => {
    const inputs = stepInputs(REPO, 'train');
    expect(inputs).toEqual([...inputs].sort());
    expect(inputs).toEqual(
      expect.arrayContaining([
        'docker/Dockerfile',
        'docker/steps/steps.json',
        'scripts/bundle-steps.mjs',
        'docker/steps/src/lib/logreg.ts',
        'docker/steps/src/train.ts',
      ]),
    );
    expect(inputs).not.toContain('docker/steps/src/predict.ts');
  });

  it('changes only one step when its entry changes by one line', () => {
    const before = imageTags(root);
    touch(root, 'docker/steps/src/split.ts');
    expect(changed(before, imageTags(root))).toEqual(['split']);
  });

  it('changes every step when shared inputs change', () => {
    for (const rel of [
      'docker/steps/src/lib/metrics.ts',
      'docker/Dockerfile',
      'docker/steps/steps.json',
    ]) {
      const before = imageTags(root);
      touch(root, rel, rel.endsWith('.json') ? '' : '# touched');
      expect(changed(before, imageTags(root)).sort()).toEqual(STEPS);
    }
    const before = imageTags(root);
    fs.writeFileSync(
      path.join(root, 'docker/steps/src/lib/new-helper.ts'),
      'export const x = 1;\n',
    );
    expect(changed(before, imageTags(root)).sort()).toEqual(STEPS);
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
    fs.rmSync(path.join(other, 'docker/steps/src/validate.ts'));
    expect(() => imageTags(other)).toThrow(ConfigError);
    expect(() => imageTags(other)).toThrow(
      /cannot read image build input docker\/steps\/src\/validate\.ts/,
    );
    fs.rmSync(other, { recursive: true, force: true });
  });
});
