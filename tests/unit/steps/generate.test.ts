import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { parseCsv } from '../../../docker/steps/src/lib/csv-read';
import { FEATURE_COLUMNS, TARGET_COLUMNS } from '../../../docker/steps/src/lib/schema';
import { run } from '../../../docker/steps/generate/main';
import { DS, listFiles, paths, runGenerate, tmpDir } from './helpers';

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('generate', () => {
  it('writes data.csv and target.csv with the documented schema', () => {
    const p = paths(tmpDir());
    runGenerate(p, 2000, 3);
    const lines = fs.readFileSync(p.data, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('age,region,plan,income,tenure_months,monthly_spend,support_calls');
    expect(lines).toHaveLength(2001);
    expect(lines[1]).toMatch(
      /^\d+,(north|south|east|west|central),(basic|standard|premium),\d+\.\d\d,\d+,\d+\.\d\d,\d+$/,
    );
    expect(fs.readFileSync(p.target, 'utf8').split('\n')[0]).toBe('target');

    const data = parseCsv(p.data, fs.readFileSync(p.data), FEATURE_COLUMNS);
    const target = parseCsv(p.target, fs.readFileSync(p.target), TARGET_COLUMNS).binary.get(
      'target',
    ) as Uint8Array;
    expect(data.rows).toBe(2000);
    const age = data.numeric.get('age') as Float64Array;
    expect(Math.min(...age)).toBeGreaterThanOrEqual(18);
    expect(Math.max(...age)).toBeLessThanOrEqual(85);
    expect(Array.from(age).filter((a) => !Number.isInteger(a))).toEqual([]);
    // income is lognormal: right-skewed, so the mean sits well above the median.
    const income = [...(data.numeric.get('income') as Float64Array)].sort((a, b) => a - b);
    const mean = income.reduce((s, v) => s + v, 0) / income.length;
    expect(mean).toBeGreaterThan(income[1000] * 1.05);
    expect(data.categorical.get('region')?.levels.sort()).toEqual([
      'central',
      'east',
      'north',
      'south',
      'west',
    ]);
    expect(data.categorical.get('plan')?.levels.sort()).toEqual(['basic', 'premium', 'standard']);
    const rate = target.reduce((s, v) => s + v, 0) / target.length;
    expect(rate).toBeGreaterThan(0.3);
    expect(rate).toBeLessThan(0.7);
  });

  it('is reproducible from --seed and --ds: same inputs, same bytes', () => {
    const a = paths(tmpDir());
    const b = paths(tmpDir());
    runGenerate(a, 500, 11);
    runGenerate(b, 500, 11);
    expect(sha(a.data)).toBe(sha(b.data));
    expect(sha(a.target)).toBe(sha(b.target));
  });

  it('changes with the seed and with the ds', () => {
    const a = paths(tmpDir());
    const b = paths(tmpDir());
    const c = tmpDir();
    runGenerate(a, 300, 11);
    runGenerate(b, 300, 12);
    run([
      '--ds',
      '2024-03-02',
      '--rows',
      '300',
      '--seed',
      '11',
      '--data',
      `${c}/d.csv`,
      '--target',
      `${c}/t.csv`,
    ]);
    expect(sha(a.data)).not.toBe(sha(b.data));
    expect(sha(a.data)).not.toBe(sha(`${c}/d.csv`));
  });

  it('pins the exact bytes for one seed (catches accidental generator changes)', () => {
    const p = paths(tmpDir());
    runGenerate(p, 5, 42);
    expect(fs.readFileSync(p.data, 'utf8')).toMatchSnapshot();
    expect(fs.readFileSync(p.target, 'utf8')).toMatchSnapshot();
  });

  it('creates parent folders and leaves no temp files', () => {
    const root = tmpDir();
    const p = paths(root);
    runGenerate(p, 10, 1);
    expect(listFiles(root)).toEqual([`raw/${DS}/data.csv`, `raw/${DS}/target.csv`]);
  });
});
