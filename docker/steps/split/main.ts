import * as path from 'node:path';
import { param, parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { inputError } from '../src/lib/errors';
import { runMain, type StepResult } from '../src/lib/main';
import { MatrixReader, MatrixWriter } from '../src/lib/matrix';
import { Rng } from '../src/lib/rng';

/**
 * split: seeded stratified train/validation split of in-dir/matrix.bin into out-dir/train.bin
 * and out-dir/val.bin, streamed in two passes and without a shuffle, so memory is set by a
 * chunk of rows, not the file.
 *
 * Each class gets exactly round(n_class * val-fraction) validation rows: the first pass
 * counts the classes; the second walks the rows in order and sends a row of class c to
 * validation with probability (validation rows c still needs) / (rows of c still to come)
 * (selection sampling, Knuth's Algorithm S), one draw per row from a generator seeded by
 * --seed. Every subset of that size is equally likely, the stratification is exact, and
 * rows keep their original order within each part, with their raw row index, so the split
 * is reproducible elsewhere.
 */
export const TRAIN_FILE = 'train.bin';
export const VAL_FILE = 'val.bin';

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('split', argv);
  const fraction = param(args, 'val-fraction');
  const seed = param(args, 'seed');
  const inFile = path.join(args.paths['in-dir'], 'matrix.bin');
  const m = MatrixReader.open(inFile);
  try {
    const count = [0, 0];
    m.forEach(
      (c) => {
        for (let i = 0; i < c.n; i++) count[c.y[i]]++;
      },
      { x: false, rowIndex: false },
    );
    const take = count.map((n) => Math.round(n * fraction));
    const nVal = take[0] + take[1];
    const nTrain = m.rows - nVal;
    if (nVal === 0 || nTrain === 0) {
      throw inputError(
        `${inFile}: ${m.rows} rows give ${nTrain} training and ${nVal} validation rows with --val-fraction ${fraction}; need at least one of each`,
      );
    }
    const outDir = args.paths['out-dir'];
    withOutputs((out) => {
      const d = m.cols;
      const parts = [
        new Part(new MatrixWriter(out.open(path.join(outDir, TRAIN_FILE)), nTrain, d, m.features)),
        new Part(new MatrixWriter(out.open(path.join(outDir, VAL_FILE)), nVal, d, m.features)),
      ];
      const rng = new Rng(`airflow-ml/split/v2:${seed}`);
      const need = [...take];
      const left = [...count];
      m.forEach((c) => {
        for (let i = 0; i < c.n; i++) {
          const cls = c.y[i];
          const toVal = rng.uniform() * left[cls] < need[cls] ? 1 : 0;
          need[cls] -= toVal;
          left[cls]--;
          parts[toVal].add(c.x, c.rowIndex, c.y, i, d);
        }
        for (const p of parts) p.flush();
      });
      for (const p of parts) p.w.finish();
    });
    return {
      summary: `${m.rows} rows -> ${nTrain} train, ${nVal} validation; wrote ${TRAIN_FILE} and ${VAL_FILE} to ${outDir}`,
    };
  } finally {
    m.close();
  }
}

/** One output's rows from the current chunk, gathered then appended together. */
class Part {
  private x = new Float32Array(0);
  private rowIndex = new Uint32Array(0);
  private y = new Uint8Array(0);
  private n = 0;

  constructor(readonly w: MatrixWriter) {}

  add(x: Float32Array, rowIndex: Uint32Array, y: Uint8Array, i: number, d: number): void {
    if (this.n === this.y.length) this.grow(d);
    const k = this.n++;
    for (let j = 0, src = i * d, dst = k * d; j < d; j++) this.x[dst + j] = x[src + j];
    this.rowIndex[k] = rowIndex[i];
    this.y[k] = y[i];
  }

  flush(): void {
    if (this.n > 0) this.w.append(this.x, this.rowIndex, this.y, this.n);
    this.n = 0;
  }

  private grow(d: number): void {
    const rows = Math.max(1024, 2 * this.y.length);
    const x = new Float32Array(rows * d);
    x.set(this.x);
    const rowIndex = new Uint32Array(rows);
    rowIndex.set(this.rowIndex);
    const y = new Uint8Array(rows);
    y.set(this.y);
    [this.x, this.rowIndex, this.y] = [x, rowIndex, y];
  }
}

if (require.main === module) runMain('split', run);
