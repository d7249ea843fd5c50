import * as path from 'node:path';
import { parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { CsvStream, type CsvBatch } from '../src/lib/csv-read';
import { inputError } from '../src/lib/errors';
import { toJson } from '../src/lib/json';
import { runMain, type StepResult } from '../src/lib/main';
import { MatrixWriter } from '../src/lib/matrix';
import { FEATURE_COLUMNS, TARGET_COLUMN, TARGET_COLUMNS } from '../src/lib/schema';
import { applyTransform, TransformFitter } from '../src/lib/transform';
import type { ColumnSpec } from '../src/lib/schema';

/**
 * preprocess: validate data.csv and target.csv strictly, fit the transform on all rows, and
 * write out-dir/transform.json plus out-dir/matrix.bin (features, target, row index).
 *
 * Two streaming passes, so memory is set by the number of features, not of rows: the first
 * checks both files whole (data.csv first, as its errors come first) and fits the scaler
 * and encoders; the second transforms a batch of rows at a time into matrix.bin.
 */
export const TRANSFORM_FILE = 'transform.json';
export const MATRIX_FILE = 'matrix.bin';

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('preprocess', argv);
  const dataFile = args.paths.data;
  const targetFile = args.paths.target;

  const fitter = new TransformFitter(FEATURE_COLUMNS);
  let levels: (column: string) => string[] = () => [];
  const rows = eachBatch(
    dataFile,
    FEATURE_COLUMNS,
    (b) => fitter.add(b),
    (s) => {
      levels = (c) => s.levels(c);
    },
  );
  const targetRows = eachBatch(targetFile, TARGET_COLUMNS, () => undefined);
  if (rows !== targetRows) {
    throw inputError(
      `${targetFile}: has ${targetRows} data rows but ${dataFile} has ${rows}; the two files must match row for row`,
    );
  }
  const transform = fitter.finish(args.ds, levels);
  const d = transform.features.length;

  const outDir = args.paths['out-dir'];
  withOutputs((out) => {
    out.writeFile(
      path.join(outDir, TRANSFORM_FILE),
      toJson(transform, path.join(outDir, TRANSFORM_FILE)),
    );
    const w = new MatrixWriter(
      out.open(path.join(outDir, MATRIX_FILE)),
      rows,
      d,
      transform.features,
    );
    const data = CsvStream.open(dataFile, FEATURE_COLUMNS);
    const target = new TargetQueue(CsvStream.open(targetFile, TARGET_COLUMNS));
    try {
      let x = new Float32Array(0);
      let rowIndex = new Uint32Array(0);
      for (let b = data.next(); b; b = data.next()) {
        if (x.length < b.rows * d) {
          x = new Float32Array(b.rows * d);
          rowIndex = new Uint32Array(b.rows);
        }
        applyTransform(transform, b, x);
        for (let i = 0; i < b.rows; i++) rowIndex[i] = b.firstRow + i;
        w.append(x, rowIndex, target.take(b.rows), b.rows);
      }
      w.finish();
    } finally {
      data.close();
      target.close();
    }
  });
  return {
    summary: `${rows} rows -> ${d} features; wrote ${TRANSFORM_FILE} and ${MATRIX_FILE} to ${outDir}`,
  };
}

/** Streams a CSV through fn batch by batch; returns its row count. */
function eachBatch(
  file: string,
  columns: readonly ColumnSpec[],
  fn: (b: CsvBatch) => void,
  atEnd?: (s: CsvStream) => void,
): number {
  const s = CsvStream.open(file, columns);
  try {
    for (let b = s.next(); b; b = s.next()) fn(b);
    atEnd?.(s);
    return s.rowsRead;
  } finally {
    s.close();
  }
}

/** target.csv's values in the batch sizes data.csv comes in (the two batch differently). */
class TargetQueue {
  private out = new Uint8Array(0);
  private pending: Uint8Array = new Uint8Array(0);

  constructor(private readonly s: CsvStream) {}

  take(n: number): Uint8Array {
    if (this.out.length < n) this.out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (this.pending.length === 0) {
        const b = this.s.next();
        if (!b) throw new Error('target.csv ended early, though its rows were counted');
        this.pending = b.binary.get(TARGET_COLUMN) as Uint8Array;
      }
      const k = Math.min(n - got, this.pending.length);
      this.out.set(this.pending.subarray(0, k), got);
      this.pending = this.pending.subarray(k);
      got += k;
    }
    return this.out;
  }

  close(): void {
    this.s.close();
  }
}

if (require.main === module) runMain('preprocess', run);
