import * as path from 'node:path';
import { param, parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { inputError } from './lib/errors';
import { runMain, type StepResult } from './lib/main';
import { readMatrix, writeMatrix, type Matrix } from './lib/matrix';
import { Rng } from './lib/rng';

/**
 * split: seeded stratified train/validation split of in-dir/matrix.bin into out-dir/train.bin
 * and out-dir/val.bin. Each class is shuffled on its own and round(n_class * val-fraction)
 * of it goes to validation, so both parts keep the class balance. Rows keep their original
 * order within each part, and their raw row index, so the split is reproducible elsewhere.
 */
export const TRAIN_FILE = 'train.bin';
export const VAL_FILE = 'val.bin';

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('split', argv);
  const fraction = param(args, 'val-fraction');
  const seed = param(args, 'seed');
  const inFile = path.join(args.paths['in-dir'], 'matrix.bin');
  const m = readMatrix(inFile);

  const isVal = new Uint8Array(m.rows);
  const rng = new Rng(`airflow-ml/split/v1:${seed}`);
  for (const cls of [0, 1]) {
    let count = 0;
    for (let i = 0; i < m.rows; i++) if (m.y[i] === cls) count++;
    const idx = new Uint32Array(count);
    for (let i = 0, k = 0; i < m.rows; i++) if (m.y[i] === cls) idx[k++] = i;
    const take = Math.round(count * fraction);
    // Partial Fisher-Yates: the first `take` slots become a uniform random sample.
    for (let k = 0; k < take; k++) {
      const j = k + rng.below(count - k);
      const t = idx[j];
      idx[j] = idx[k];
      idx[k] = t;
      isVal[t] = 1;
    }
  }
  let nVal = 0;
  for (let i = 0; i < m.rows; i++) nVal += isVal[i];
  const nTrain = m.rows - nVal;
  if (nVal === 0 || nTrain === 0) {
    throw inputError(
      `${inFile}: ${m.rows} rows give ${nTrain} training and ${nVal} validation rows with --val-fraction ${fraction}; need at least one of each`,
    );
  }
  const outDir = args.paths['out-dir'];
  withOutputs((out) => {
    writeMatrix(out, path.join(outDir, TRAIN_FILE), subset(m, isVal, 0, nTrain));
    writeMatrix(out, path.join(outDir, VAL_FILE), subset(m, isVal, 1, nVal));
  });
  return {
    summary: `${m.rows} rows -> ${nTrain} train, ${nVal} validation; wrote ${TRAIN_FILE} and ${VAL_FILE} to ${outDir}`,
  };
}

function subset(m: Matrix, isVal: Uint8Array, want: number, count: number): Matrix {
  const d = m.cols;
  const x = new Float32Array(count * d);
  const rowIndex = new Uint32Array(count);
  const y = new Uint8Array(count);
  for (let i = 0, k = 0; i < m.rows; i++) {
    if (isVal[i] !== want) continue;
    for (let j = 0, src = i * d, dst = k * d; j < d; j++) x[dst + j] = m.x[src + j];
    rowIndex[k] = m.rowIndex[i];
    y[k] = m.y[i];
    k++;
  }
  return { rows: count, cols: d, features: m.features, x, rowIndex, y };
}

if (require.main === module) runMain('split', run);
