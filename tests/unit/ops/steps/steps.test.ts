import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../../../cli/base/errors';
import { loadStepCatalog } from '../../../../cli/compiler/steps/contract';
import { imageTags } from '../../../../cli/compiler/steps/tags';
import { dockerRunLine, planStepRun } from '../../../../cli/ops/steps/run';
import { scaffoldStep, STALE_TEMP_MS } from '../../../../cli/ops/steps/scaffold';
import { copyProject } from '../images/project-copy';

const root = copyProject();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('scaffoldStep', () => {
  it('writes a step folder whose contract loads, and re-tags nothing else', () => {
    const before = imageTags(root);
    expect(scaffoldStep(root, 'my-scorer', 'python')).toEqual([
      'docker/steps/my-scorer/Dockerfile',
      'docker/steps/my-scorer/fixture/data.csv',
      'docker/steps/my-scorer/main.py',
      'docker/steps/my-scorer/step.yaml',
      'docker/steps/my-scorer/test_main.py',
    ]);
    const c = loadStepCatalog(root)['my-scorer'];
    expect([c.kind, c.base, Object.keys(c.params)]).toEqual([
      'dockerfile',
      'python',
      ['label', 'scale', 'strict'],
    ]);
    const after = imageTags(root);
    expect(Object.keys(after).filter((k) => after[k] !== before[k])).toEqual(['my-scorer']);
  });

  it('refuses a bad name, a bad language or an existing folder, writing nothing', () => {
    const listing = () => fs.readdirSync(path.join(root, 'docker/steps')).sort();
    const before = listing();
    expect(() => scaffoldStep(root, 'My_Step', 'ts')).toThrow(
      new UsageError('"My_Step" is not a valid step name'),
    );
    expect(() => scaffoldStep(root, 'base', 'ts')).toThrow(
      new UsageError(`"base" is reserved: it is the shared base image's`),
    );
    expect(() => scaffoldStep(root, 'ok', 'rust')).toThrow(
      new UsageError('--lang must be one of ts, python (got "rust")'),
    );
    expect(() => scaffoldStep(root, 'train', 'ts')).toThrow(
      new UsageError('docker/steps/train already exists (a step: docker/steps/train/step.yaml)'),
    );
    expect(listing()).toEqual(before);
  });

  it("removes the temp folders of a killed step new once they are stale, not a running one's", () => {
    const steps = path.join(root, 'docker/steps');
    const stale = path.join(steps, '.killed.tmp-Ab12Cd');
    const young = path.join(steps, '.running.tmp-Ef34Gh');
    for (const d of [stale, young]) fs.mkdirSync(path.join(d, 'fixture'), { recursive: true });
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    fs.utimesSync(stale, old, old);
    scaffoldStep(root, 'next-step', 'ts');
    expect([fs.existsSync(stale), fs.existsSync(young)]).toEqual([false, true]);
    fs.rmSync(young, { recursive: true });
  });
});

describe('planStepRun', () => {
  const request = {
    step: 'train',
    inputs: { transform: 'processed/d/transform.json', 'in-dir': 'splits/d' },
    outputs: { model: 'models/d/v/model.json' },
    params: { 'max-iter': '50', c: '0.5' },
    ds: '2026-03-02',
    dataRoot: root,
    user: '1000:1000',
  };

  it("gives the DAG's argv: inputs and outputs in contract order, params by name, --ds last", () => {
    expect(planStepRun(root, request)).toEqual({
      image: imageTags(root).train,
      argv: [
        '--in-dir',
        '/data/splits/d',
        '--transform',
        '/data/processed/d/transform.json',
        '--model',
        '/data/models/d/v/model.json',
        '--c',
        '0.5',
        '--max-iter',
        '50',
        '--ds',
        '2026-03-02',
      ],
      user: '1000:1000',
      dataRoot: root,
      memLimit: '2g',
      cpus: 1,
    });
  });

  it("renders a spec's {{ ds }}, {{ ds_nodash }} and {{ run_id }} for the run's date", () => {
    const p = planStepRun(root, {
      ...request,
      inputs: { transform: 'processed/{{ ds }}/transform.json', 'in-dir': 'splits/{{ds_nodash}}' },
      outputs: { model: 'models/{{ ds }}/train_model__{{ run_id }}/model.json' },
    });
    expect(p.argv).toEqual([
      '--in-dir',
      '/data/splits/20260302',
      '--transform',
      '/data/processed/2026-03-02/transform.json',
      '--model',
      '/data/models/2026-03-02/train_model__step_run/model.json',
      '--c',
      '0.5',
      '--max-iter',
      '50',
      '--ds',
      '2026-03-02',
    ]);
    expect(dockerRunLine({ ...p, argv: [...p.argv, "it's"] })).toBe(
      `docker run --rm --network none --user 1000:1000 --read-only --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m --cap-drop ALL --security-opt no-new-privileges --pids-limit 256 --memory ${p.memLimit} --memory-swap ${p.memLimit} --cpus ${p.cpus} --init -v ${root}:/data ${p.image} ${p.argv.join(' ')} 'it'\\''s'`,
    );
  });

  it('checks names, params and paths against the contract before any container', () => {
    const plan = (change: object) => () => planStepRun(root, { ...request, ...change });
    expect(plan({ params: { c: 'big' } })).toThrow(
      new UsageError('--param c: must be a number (got "big")'),
    );
    expect(plan({ params: { 'max-iter': '0' } })).toThrow(
      new UsageError('--param max-iter: must be >= 1 (got "0")'),
    );
    expect(plan({ params: { seed: '1' } })).toThrow(
      new UsageError('--param seed: step "train" has no such param'),
    );
    expect(plan({ outputs: {} })).toThrow(new UsageError('missing --output model=PATH'));
    expect(plan({ outputs: { model: '../etc/model.json' } })).toThrow(
      new UsageError(
        '--output model: path "../etc/model.json" leaves the data root (".." or "." segment)',
      ),
    );
    expect(plan({ outputs: { model: '/etc/model.json' } })).toThrow(
      new UsageError(
        '--output model: path "/etc/model.json" is absolute; paths are relative to the data root',
      ),
    );
    // What a step run cannot render (a Variable needs Airflow) or no spec may hold is refused.
    expect(plan({ inputs: { ...request.inputs, 'in-dir': 'splits/{{ var.value.X }}' } })).toThrow(
      new UsageError(
        '--input in-dir: {{ var.value.X }} is an Airflow Variable, which only a DAG run renders',
      ),
    );
    expect(plan({ params: { c: '{% if 1 %}1{% endif %}' } })).toThrow(
      new UsageError('--param c: Jinja "{%" is not allowed here'),
    );
    for (const user of ['0:0', '00:1000', 'root', '']) {
      expect(plan({ user })).toThrow(
        new UsageError(
          `a step runs as a numeric uid:gid other than root, not "${user}": give the uid:gid that owns the data root`,
        ),
      );
    }
  });
});
