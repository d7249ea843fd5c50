import { parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { readCsv } from './lib/csv-read';
import { runMain, type StepResult } from './lib/main';
import { readModel } from './lib/model';
import { scoreRows } from './lib/score';
import { transformColumns } from './lib/transform';

/**
 * predict: apply model.json (its preprocessing, then its weights) to a raw data.csv and write
 * predictions.csv: header "class,probability", one row per input row in input order, where
 * probability is P(target = 1) and class is 1 when it exceeds 0.5.
 */
const CHUNK_ROWS = 16384;
const ROW_BYTES = 11; // "c,0.dddddd\n"

/**
 * Writes "class,probability" with 6 decimals straight into bytes: toFixed and string
 * concatenation cost more than the model itself on a million rows.
 */
function formatRow(buf: Buffer, o: number, cls: number, p: number): number {
  let v = Math.round(p * 1e6);
  buf[o++] = 48 + cls;
  buf[o++] = 44; // ,
  buf[o++] = v >= 1e6 ? 49 : 48;
  buf[o++] = 46; // .
  if (v >= 1e6) v = 0;
  for (let k = o + 5; k >= o; k--) {
    buf[k] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  buf[o + 6] = 10;
  return o + 7;
}

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('predict', argv);
  const model = readModel(args.paths.model);
  const t = model.preprocessing;
  const data = readCsv(args.paths.data, transformColumns(t));
  const { prob, unseen } = scoreRows(t, model.weights, model.intercept, data);
  let positives = 0;
  withOutputs((out) => {
    const f = out.open(args.paths.predictions);
    f.write('class,probability\n');
    const buf = Buffer.allocUnsafe(CHUNK_ROWS * ROW_BYTES);
    for (let start = 0; start < prob.length; start += CHUNK_ROWS) {
      const end = Math.min(prob.length, start + CHUNK_ROWS);
      let o = 0;
      for (let i = start; i < end; i++) {
        const cls = prob[i] > 0.5 ? 1 : 0;
        positives += cls;
        o = formatRow(buf, o, cls, prob[i]);
      }
      f.write(buf.subarray(0, o));
    }
  });
  const notes = [...unseen].map(
    ([col, n]) => `; ${n} rows with a ${col} unseen in training (encoded as all zeros)`,
  );
  return {
    summary: `scored ${data.rows} rows (${positives} predicted positive)${notes.join('')}; wrote ${args.paths.predictions}`,
  };
}

if (require.main === module) runMain('predict', run);
