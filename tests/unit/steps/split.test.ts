import * as fs from 'node:fs';
import * as path from 'node:path';
import { StepExit } from '../../../docker/steps/src/lib/errors';
import { readMatrix } from '../../../docker/steps/src/lib/matrix';
import { run as preprocess } from '../../../docker/steps/preprocess/main';
import { run } from '../../../docker/steps/split/main';
import { DS, expectStepError, listFiles, paths, runGenerate, tmpDir } from './helpers';

function processed(rows: number) {
  const p = paths(tmpDir());
  runGenerate(p, rows, 5);
  preprocess(['--ds', DS, '--data', p.data, '--target', p.target, '--out-dir', p.processed]);
  return p;
}

describe('split', () => {
  const p = processed(3000);

  it('splits stratified, disjoint and complete, keeping raw row indices', () => {
    const out = path.join(tmpDir(), 'splits');
    run([
      '--ds',
      DS,
      '--in-dir',
      p.processed,
      '--out-dir',
      out,
      '--val-fraction',
      '0.25',
      '--seed',
      '9',
    ]);
    expect(listFiles(out)).toEqual(['train.bin', 'val.bin']);
    const all = readMatrix(path.join(p.processed, 'matrix.bin'));
    const tr = readMatrix(path.join(out, 'train.bin'));
    const va = readMatrix(path.join(out, 'val.bin'));
    expect(tr.rows + va.rows).toBe(all.rows);
    const seen = new Set([...tr.rowIndex, ...va.rowIndex]);
    expect(seen.size).toBe(all.rows);
    const pos = (y: Uint8Array) => y.reduce((s, v) => s + v, 0);
    expect(pos(va.y)).toBe(Math.round(pos(all.y) * 0.25));
    expect(va.rows - pos(va.y)).toBe(Math.round((all.rows - pos(all.y)) * 0.25));
    // Each row's features travel with it.
    const r = va.rowIndex[7];
    expect(Array.from(va.x.subarray(7 * va.cols, 8 * va.cols))).toEqual(
      Array.from(all.x.subarray(r * all.cols, (r + 1) * all.cols)),
    );
    expect(va.y[7]).toBe(all.y[r]);
    // Original order within each part.
    expect([...tr.rowIndex].filter((v, i, a) => i > 0 && a[i - 1] >= v)).toEqual([]);
  });

  it('is reproducible from the seed, and the seed matters', () => {
    const split = (seed: number) => {
      const out = path.join(tmpDir(), 's');
      run(['--ds', DS, '--in-dir', p.processed, '--out-dir', out, '--seed', `${seed}`]);
      return Array.from(readMatrix(path.join(out, 'val.bin')).rowIndex);
    };
    expect(split(1)).toEqual(split(1));
    expect(split(1)).not.toEqual(split(2));
  });

  it('rejects a missing matrix, a corrupt one, and a fraction that leaves a part empty', () => {
    const out = path.join(tmpDir(), 'splits');
    const go =
      (inDir: string, extra: string[] = []) =>
      () =>
        run(['--ds', DS, '--in-dir', inDir, '--out-dir', out, ...extra]);
    expectStepError(
      go(tmpDir()),
      /matrix\.bin: cannot read: no such file or directory/,
      StepExit.input,
    );
    const corrupt = tmpDir();
    fs.writeFileSync(path.join(corrupt, 'matrix.bin'), 'age,region\n1,2\n');
    expectStepError(go(corrupt), /matrix\.bin: not an airflow-ml matrix file \(bad magic\)/);
    const truncated = tmpDir();
    const bytes = fs.readFileSync(path.join(p.processed, 'matrix.bin'));
    fs.writeFileSync(path.join(truncated, 'matrix.bin'), bytes.subarray(0, bytes.length - 10));
    expectStepError(
      go(truncated),
      /matrix\.bin: size \d+ bytes, expected \d+ for 3000x13; truncated or corrupt/,
    );
    const tiny = processed(2);
    expectStepError(
      go(tiny.processed, ['--val-fraction', '0.1']),
      /2 rows give 2 training and 0 validation rows/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
