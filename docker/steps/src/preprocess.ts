import * as path from 'node:path';
import { parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { readCsv } from './lib/csv-read';
import { inputError } from './lib/errors';
import { toJson } from './lib/json';
import { runMain, type StepResult } from './lib/main';
import { writeMatrix } from './lib/matrix';
import { FEATURE_COLUMNS, TARGET_COLUMN, TARGET_COLUMNS } from './lib/schema';
import { applyTransform, fitTransform } from './lib/transform';

/**
 * preprocess: validate data.csv and target.csv strictly, fit the transform on all rows, and
 * write out-dir/transform.json plus out-dir/matrix.bin (features, target, row index).
 */
export const TRANSFORM_FILE = 'transform.json';
export const MATRIX_FILE = 'matrix.bin';

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('preprocess', argv);
  const data = readCsv(args.paths.data, FEATURE_COLUMNS);
  const target = readCsv(args.paths.target, TARGET_COLUMNS);
  if (data.rows !== target.rows) {
    throw inputError(
      `${target.file}: has ${target.rows} data rows but ${data.file} has ${data.rows}; the two files must match row for row`,
    );
  }
  const transform = fitTransform(data, FEATURE_COLUMNS, args.ds);
  const { x } = applyTransform(transform, data);
  const rowIndex = new Uint32Array(data.rows);
  for (let i = 0; i < rowIndex.length; i++) rowIndex[i] = i;
  const outDir = args.paths['out-dir'];
  withOutputs((out) => {
    out.writeFile(
      path.join(outDir, TRANSFORM_FILE),
      toJson(transform, path.join(outDir, TRANSFORM_FILE)),
    );
    writeMatrix(out, path.join(outDir, MATRIX_FILE), {
      rows: data.rows,
      cols: transform.features.length,
      features: transform.features,
      x,
      rowIndex,
      y: target.binary.get(TARGET_COLUMN) as Uint8Array,
    });
  });
  return {
    summary: `${data.rows} rows -> ${transform.features.length} features; wrote ${TRANSFORM_FILE} and ${MATRIX_FILE} to ${outDir}`,
  };
}

if (require.main === module) runMain('preprocess', run);
