import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError } from '../../../../cli/base/errors';
import { compile } from '../../../../cli/compiler/compile';
import { compileToFolder } from '../../../../cli/compiler/compile-folder';
import { stepSchema } from '../../../../cli/compiler/steps/contract-schema';
import {
  compiledContract,
  loadStepCatalog,
  readStepContract,
} from '../../../../cli/compiler/steps/contract';
import { copyProject, REPO } from '../../ops/images/project-copy';

const write = (root: string, rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const messages = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpecError) return err.message;
    throw err;
  }
  throw new Error('no SpecError');
};

test('dag-specs/step.schema.json matches cli/compiler/steps/contract-schema.ts', () => {
  const file = path.join(REPO, 'dag-specs', 'step.schema.json');
  const want = JSON.stringify(stepSchema, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, want);
  expect(fs.readFileSync(file, 'utf8')).toBe(want);
});

describe('the shipped contracts', () => {
  const catalog = loadStepCatalog(REPO);

  it('are the step folders, by kind', () => {
    expect(Object.entries(catalog).map(([n, c]) => `${n}:${c.kind}:${c.base}`)).toEqual([
      'gbm-train:dockerfile:python',
      'generate:typescript:node',
      'predict:typescript:node',
      'preprocess:typescript:node',
      'promote:typescript:node',
      'split:typescript:node',
      'train:typescript:node',
      'validate:typescript:node',
    ]);
  });

  it("compile to what a step's flag parser reads", () => {
    expect(JSON.parse(JSON.stringify(compiledContract(catalog.split)))).toEqual({
      name: 'split',
      inputs: { 'in-dir': { type: 'directory', description: 'holds matrix.bin (preprocess)' } },
      outputs: { 'out-dir': { type: 'directory', description: 'train.bin and val.bin' } },
      params: {
        'val-fraction': {
          type: 'number',
          exclusiveMinimum: 0,
          exclusiveMaximum: 1,
          default: 0.2,
          description: 'share of each class sent to validation',
        },
        seed: {
          type: 'integer',
          minimum: 0,
          default: 42,
          description: 'seed of the selection draws',
        },
      },
    });
    expect(catalog.train.entry).toBe('docker/steps/train/main.ts');
    expect(catalog['gbm-train'].dockerfile).toBe('docker/steps/gbm-train/Dockerfile');
    expect(catalog['gbm-train'].resources).toEqual({ mem_limit: '2g', cpus: 1 });
  });
});

describe('a contract with a problem', () => {
  const root = copyProject();
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const TRAIN = 'docker/steps/train/step.yaml';
  const original = fs.readFileSync(path.join(REPO, TRAIN), 'utf8');
  afterEach(() => write(root, TRAIN, original));

  it('names an unknown key at its line and column', () => {
    write(root, TRAIN, original.replace('    default: 1.0\n', '    defualt: 1.0\n'));
    expect(messages(() => loadStepCatalog(root))).toBe(
      `${TRAIN}:14:5: params.c: unknown key "defualt"\n` +
        '  hint: allowed keys: type, minimum, maximum, exclusiveMinimum, exclusiveMaximum, default, description',
    );
  });

  it('checks defaults against type and bounds, keys against the kind, and reserved names', () => {
    write(
      root,
      TRAIN,
      original
        .replace('    default: 100\n', '    default: 0\n')
        .replace('entry: main.ts\n', 'entry: main.ts\nimage: x/y:1\n')
        .replace('  model: { type: file', '  ds: { type: file }\n  model: { type: file'),
    );
    expect(messages(() => loadStepCatalog(root)).split('\n')).toEqual([
      `${TRAIN}:5:1: step: "image" applies only to kind image`,
      `${TRAIN}:10:3: outputs: "ds" is reserved: every step gets --ds`,
      `${TRAIN}:21:14: params.max-iter.default: must be >= 1`,
    ]);
  });

  it('names a missing entry and a bad folder name', () => {
    write(root, TRAIN, original.replace('entry: main.ts', 'entry: mian.ts'));
    write(root, 'docker/steps/Bad_Name/step.yaml', 'description: x\nkind: image\nimage: a/b:1\n');
    expect(messages(() => loadStepCatalog(root)).split('\n')).toEqual([
      'docker/steps/Bad_Name/step.yaml:1:1: step folder name "Bad_Name" is not valid',
      '  hint: a step is named by its folder: a lower-case letter, then lower-case letters, digits or dashes (at most 40)',
      `${TRAIN}:4:8: entry: docker/steps/train/mian.ts does not exist`,
    ]);
    fs.rmSync(path.join(root, 'docker/steps/Bad_Name'), { recursive: true });
  });

  it('refuses a step folder named base, the shared base image', () => {
    write(root, 'docker/steps/base/step.yaml', 'description: x\nkind: image\nimage: a/b:1\n');
    expect(messages(() => loadStepCatalog(root)).split('\n')).toEqual([
      `docker/steps/base/step.yaml:1:1: step folder name "base" is reserved: it is the shared base image's`,
      '  hint: rename the folder; the folder name is the step name',
    ]);
    fs.rmSync(path.join(root, 'docker/steps/base'), { recursive: true });
  });

  it('fails at once on a step.yaml that is a FIFO or a link to /dev/zero, reading nothing', () => {
    const fifo = 'docker/steps/fifo/step.yaml';
    const zero = 'docker/steps/zero/step.yaml';
    fs.mkdirSync(path.join(root, 'docker/steps/fifo'));
    fs.mkdirSync(path.join(root, 'docker/steps/zero'));
    expect(spawnSync('mkfifo', [path.join(root, fifo)]).status).toBe(0);
    fs.symlinkSync('/dev/zero', path.join(root, zero));
    const t = Date.now();
    expect(messages(() => loadStepCatalog(root)).split('\n')).toEqual([
      `${fifo}:1:1: not a regular file (a folder, device, FIFO or socket)`,
      `${zero}:1:1: not a regular file (a folder, device, FIFO or socket)`,
    ]);
    expect(Date.now() - t).toBeLessThan(5_000);
    fs.rmSync(path.join(root, 'docker/steps/fifo'), { recursive: true });
    fs.rmSync(path.join(root, 'docker/steps/zero'), { recursive: true });
  });

  it('reads an image-only step: its image is its tag', () => {
    write(
      root,
      'docker/steps/scorer/step.yaml',
      'description: a prebuilt scorer\nkind: image\nimage: registry.example.com/team/scorer:1.4\noutputs:\n  out: { type: file }\n',
    );
    const { contract } = readStepContract(root, 'scorer');
    expect(contract?.image).toBe('registry.example.com/team/scorer:1.4');
    fs.rmSync(path.join(root, 'docker/steps/scorer'), { recursive: true });
  });
});

describe('compile against the contracts', () => {
  const root = copyProject();
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('fails a string passed to a number param at its position, and writes nothing', () => {
    const spec = fs
      .readFileSync(path.join(REPO, 'dag-specs/train_model.yaml'), 'utf8')
      .replace('params: { c: 1.0, max-iter: 100 }', 'params: { c: "1.0", max-iter: 100 }');
    write(root, 'dag-specs/train_model.yaml', spec);
    expect(messages(() => compileToFolder({ root, specs: 'dag-specs', out: 'airflow/dags' }))).toBe(
      'dag-specs/train_model.yaml:55:18: tasks[4].params.c: must be a number',
    );
    expect(fs.existsSync(path.join(root, 'airflow/dags'))).toBe(false);
  });

  it('fails a string param that would read as a flag ("--…") at its position', () => {
    const shipped = 'dag-specs/train_model.yaml';
    write(root, shipped, fs.readFileSync(path.join(REPO, shipped), 'utf8'));
    write(
      root,
      'docker/steps/scorer/step.yaml',
      'description: a prebuilt scorer\nkind: image\nimage: registry.example.com/team/scorer:1.4\noutputs:\n  out: { type: file }\nparams:\n  label: { type: string, default: x }\n',
    );
    write(
      root,
      'dag-specs/score.yaml',
      'dag_id: score\nschedule: null\nstart_date: "2026-01-01"\ntasks:\n  - id: score\n    step: scorer\n    outputs: { out: o.json }\n    params: { label: "--demo" }\n',
    );
    expect(messages(() => compileToFolder({ root, specs: 'dag-specs', out: 'airflow/dags' }))).toBe(
      'dag-specs/score.yaml:8:22: tasks[0].params.label: must not start with "--" (it would read as a flag)',
    );
    expect(fs.existsSync(path.join(root, 'airflow/dags'))).toBe(false);
    fs.rmSync(path.join(root, 'dag-specs/score.yaml'));
    fs.rmSync(path.join(root, 'docker/steps/scorer'), { recursive: true });
  });

  it('fails on a contract with an unknown key at its position, and writes nothing', () => {
    write(
      root,
      'dag-specs/train_model.yaml',
      fs.readFileSync(path.join(REPO, 'dag-specs/train_model.yaml'), 'utf8'),
    );
    const file = 'docker/steps/split/step.yaml';
    write(root, file, fs.readFileSync(path.join(REPO, file), 'utf8') + 'retries: 3\n');
    expect(messages(() => compileToFolder({ root, specs: 'dag-specs', out: 'airflow/dags' }))).toBe(
      `${file}:21:1: step: unknown key "retries"\n` +
        '  hint: allowed keys: description, kind, entry, dockerfile, base, image, inputs, outputs, params, resources, retry',
    );
    expect(fs.existsSync(path.join(root, 'airflow/dags'))).toBe(false);
  });
});

describe("a step's own resources and retry policy", () => {
  const catalog = loadStepCatalog(REPO);
  const withDefaults = {
    ...catalog,
    generate: {
      ...catalog.generate,
      resources: { mem_limit: '512m', cpus: 0.5 },
      retry: { retries: 3, retry_delay: '1m' },
    },
  };
  const spec = (defaults: string) => ({
    path: 'dag-specs/g.yaml',
    text: `dag_id: g\nschedule: null\nstart_date: "2026-01-01"\n${defaults}tasks:\n  - id: generate\n    step: generate\n    outputs: { data: a.csv, target: b.csv }\n`,
  });
  const settings = (defaults: string) => {
    const r = compile([spec(defaults)], { catalog: withDefaults, imageTags: { generate: 'g:1' } });
    expect(r.diagnostics).toEqual([]);
    const py = r.files.get('g.py') as string;
    return ['mem_limit', 'cpus', 'retries', 'retry_delay'].map(
      (k) => new RegExp(`^        ${k}=(.*),$`, 'm').exec(py)?.[1],
    );
  };

  it('apply when the spec says nothing', () => {
    expect(settings('')).toEqual(['"512m"', '0.5', '3', 'timedelta(seconds=60)']);
  });

  it("give way to the spec's defaults (and so to its tasks)", () => {
    expect(settings('defaults: { retries: 1, resources: { mem_limit: 1g } }\n')).toEqual([
      '"1g"',
      '0.5',
      '1',
      'timedelta(seconds=60)',
    ]);
  });
});
