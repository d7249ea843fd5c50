import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStepArgs } from '../../../docker/steps/src/lib/args';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import { expectStepError } from './helpers';

const OK = ['--ds', '2024-01-31', '--in-dir', '/data/p', '--out-dir', '/data/s'];

// These flags name paths under /data, the data root in a step container.
let hostRoot: string | undefined;
beforeAll(() => {
  hostRoot = process.env.AIRFLOW_ML_STEP_DATA_ROOT;
  process.env.AIRFLOW_ML_STEP_DATA_ROOT = '/data';
});
afterAll(() => {
  process.env.AIRFLOW_ML_STEP_DATA_ROOT = hostRoot;
});

describe('step flags from the step contract', () => {
  it('parses paths, params and defaults', () => {
    const a = parseStepArgs('split', [...OK, '--val-fraction', '0.25']);
    expect(a).toEqual({
      ds: '2024-01-31',
      paths: { 'in-dir': '/data/p', 'out-dir': '/data/s' },
      params: { 'val-fraction': 0.25, seed: 42 },
    });
  });

  it('accepts --name=value', () => {
    expect(parseStepArgs('split', [...OK, '--seed=7']).params.seed).toBe(7);
  });

  it('leaves an optional param without default undefined', () => {
    const a = parseStepArgs('validate', [
      '--ds',
      '2024-01-31',
      '--in-dir',
      '/data/a',
      '--model',
      '/data/m',
      '--metrics',
      '/data/x',
    ]);
    expect(a.params['min-roc-auc']).toBeUndefined();
  });

  it.each([
    [
      [...OK, '--bogus', '1'],
      /unknown flag --bogus; known: --ds, --in-dir, --out-dir, --val-fraction, --seed/,
    ],
    [['--ds', '2024-01-31', '--in-dir', '/data/p'], /missing required flag --out-dir/],
    [OK.slice(2), /missing required flag --ds/],
    [[...OK, '--seed', 'abc'], /--seed must be an integer \(got "abc"\)/],
    [[...OK, '--seed', '1.5'], /--seed must be an integer \(got "1.5"\)/],
    [[...OK, '--seed', '-1'], /--seed must be >= 0 \(got -1\)/],
    [[...OK, '--val-fraction', '1'], /--val-fraction must be < 1 \(got 1\)/],
    [[...OK, '--val-fraction', '0'], /--val-fraction must be > 0 \(got 0\)/],
    [[...OK, '--val-fraction', '0x10'], /--val-fraction must be a number \(got "0x10"\)/],
    [[...OK, '--seed'], /flag --seed needs a value/],
    [[...OK, '--seed', '1', '--seed', '2'], /flag --seed given twice/],
    [[...OK, 'stray'], /unexpected argument "stray"/],
    [['--ds', '2024-02-30', ...OK.slice(2)], /--ds must be a date YYYY-MM-DD \(got "2024-02-30"\)/],
    [['--ds', '20240101', ...OK.slice(2)], /--ds must be a date/],
    [
      ['--ds', '2024-01-31', '--in-dir', 'data/p', '--out-dir', '/x'],
      /--in-dir must be an absolute path \(got "data\/p"\)/,
    ],
  ])('rejects %j', (argv, message) => {
    expectStepError(() => parseStepArgs('split', argv), message, StepExit.usage);
  });

  it('checks validate thresholds against the manifest bounds', () => {
    const base = [
      '--ds',
      '2024-01-31',
      '--in-dir',
      '/data/a',
      '--model',
      '/data/m',
      '--metrics',
      '/data/x',
    ];
    expectStepError(
      () => parseStepArgs('validate', [...base, '--min-roc-auc', '1.5']),
      /--min-roc-auc must be <= 1/,
    );
  });
});

describe('paths stay in the data root', () => {
  it('refuses a path that leaves it by name ("..") or is elsewhere', () => {
    for (const [dir, shown] of [
      ['/data/../etc', '/data/../etc'],
      ['/data/models/../../x', '/data/models/../../x'],
      ['/etc/models', '/etc/models'],
    ]) {
      expectStepError(
        () =>
          parseStepArgs('split', ['--ds', '2024-01-31', '--in-dir', dir, '--out-dir', '/data/s']),
        new RegExp(`^--in-dir ${shown.replace(/[.]/g, '\\.')} is outside the data root /data$`),
        StepExit.usage,
      );
    }
  });

  it('refuses a path that leads out through a symbolic link', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-root-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-outside-'));
    fs.symlinkSync(outside, path.join(root, 'escape'));
    fs.symlinkSync('models/2024-01-31', path.join(root, 'inside-link'));
    fs.mkdirSync(path.join(root, 'models', '2024-01-31'), { recursive: true });
    process.env.AIRFLOW_ML_STEP_DATA_ROOT = root;
    try {
      expectStepError(
        () =>
          parseStepArgs('split', [
            '--ds',
            '2024-01-31',
            '--in-dir',
            `${root}/escape/p`,
            '--out-dir',
            `${root}/s`,
          ]),
        new RegExp(
          `^--in-dir ${root}/escape/p leads to ${fs.realpathSync(outside)} \\(a symbolic link\\), outside the data root ${root}$`,
        ),
        StepExit.usage,
      );
      // A link that stays inside (like models/production) is fine.
      const ok = parseStepArgs('split', [
        '--ds',
        '2024-01-31',
        '--in-dir',
        `${root}/inside-link`,
        '--out-dir',
        `${root}/s`,
      ]);
      expect(ok.paths['in-dir']).toBe(`${root}/inside-link`);
    } finally {
      process.env.AIRFLOW_ML_STEP_DATA_ROOT = '/data';
    }
  });
});
