import {
  imageTargets,
  planImages,
  resolveBaseImage,
  type ImageTarget,
} from '../../../../cli/ops/images/plan';
import { REPO } from './project-copy';

const T: ImageTarget[] = [
  { name: 'train', target: 'train', tag: 'airflow-ml-train:111111111111' },
  { name: 'base', target: 'base', tag: 'airflow-ml-base:000000000000' },
  { name: 'split', target: 'split', tag: 'airflow-ml-split:222222222222' },
];
const BASE = 'airflow-ml-local/node:bookworm';

describe('planImages', () => {
  it('builds everything on a clean engine, base first', () => {
    const plan = planImages(T, BASE, new Map());
    expect(plan.baseImage).toBe(BASE);
    expect(plan.images.map((i) => [i.name, i.build])).toEqual([
      ['base', true],
      ['train', true],
      ['split', true],
    ]);
  });

  it('skips tags that exist with the same base label, and only those', () => {
    const existing = new Map<string, string | undefined>([
      ['airflow-ml-base:000000000000', BASE],
      ['airflow-ml-train:111111111111', 'node:20-bookworm-slim'],
      ['airflow-ml-split:222222222222', BASE],
    ]);
    const plan = planImages(T, BASE, existing);
    expect(plan.images.map((i) => [i.name, i.build, i.reason])).toEqual([
      ['base', false, 'up to date'],
      ['train', true, 'exists, but built on node:20-bookworm-slim'],
      ['split', false, 'up to date'],
    ]);
  });

  it('rebuilds an image that carries no base label', () => {
    const plan = planImages(T, BASE, new Map([['airflow-ml-split:222222222222', undefined]]));
    expect(plan.images.find((i) => i.name === 'split')?.reason).toBe(
      'exists, but built on an unknown base',
    );
  });

  it('is pure: same input, same plan, input untouched', () => {
    const copy = JSON.parse(JSON.stringify(T)) as ImageTarget[];
    expect(planImages(T, BASE, new Map())).toEqual(planImages(T, BASE, new Map()));
    expect(T).toEqual(copy);
  });
});

describe('imageTargets', () => {
  it('lists the base stage then every step with its content tag', () => {
    const t = imageTargets(REPO);
    expect(t[0]).toEqual({
      name: 'base',
      target: 'base',
      tag: expect.stringMatching(/^airflow-ml-base:[0-9a-f]{12}$/),
    });
    // TypeScript steps are the `step` stage; a Dockerfile step is built from its folder.
    expect(t.slice(1).map((x) => [x.name, x.target, x.family, x.folder])).toEqual([
      ['generate', 'step', undefined, undefined],
      ['predict', 'step', undefined, undefined],
      ['preprocess', 'step', undefined, undefined],
      ['promote', 'step', undefined, undefined],
      ['split', 'step', undefined, undefined],
      ['train', 'step', undefined, undefined],
      ['validate', 'step', undefined, undefined],
      ['gbm-train', '', 'python', 'docker/steps/gbm-train'],
    ]);
  });

  it('plans each image on its own base family', () => {
    const plan = planImages(
      [...T, { name: 'gbm-train', target: '', tag: 'g:1', family: 'python', folder: 'x' }],
      { node: BASE, python: 'airflow-ml-local/python:bookworm' },
      new Map([['g:1', 'airflow-ml-local/python:bookworm']]),
    );
    expect(plan.images.map((i) => [i.name, i.baseImage, i.build])).toEqual([
      ['base', BASE, true],
      ['train', BASE, true],
      ['split', BASE, true],
      ['gbm-train', 'airflow-ml-local/python:bookworm', false],
    ]);
  });
});

describe('resolveBaseImage', () => {
  it('prefers the flag, then $AIRFLOW_ML_NODE_BASE, then node:20-bookworm-slim', () => {
    expect(resolveBaseImage('a:1', { AIRFLOW_ML_NODE_BASE: 'b:2' })).toBe('a:1');
    expect(resolveBaseImage(undefined, { AIRFLOW_ML_NODE_BASE: 'b:2' })).toBe('b:2');
    expect(resolveBaseImage(undefined, {})).toBe('node:20-bookworm-slim');
    expect(resolveBaseImage('', { AIRFLOW_ML_NODE_BASE: '' })).toBe('node:20-bookworm-slim');
  });
});
