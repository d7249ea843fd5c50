import { parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { readCsv } from './lib/csv-read';
import { predictProba } from './lib/logreg';
import { runMain, type StepResult } from './lib/main';
import { readModel } from './lib/model';
import { applyTransform, transformColumns } from './lib/transform';

/**
 * predict: apply model.json (its preprocessing, then its weights) to a raw data.csv and write
 * predictions.csv: header "class,probability", one row per input row in input order, where
 * probability is P(target = 1) and class is 1 when it exceeds 0.5.
 */
const CHUNK_ROWS = 16384;

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('predict', argv);
  const model = readModel(args.paths.model);
  const t = model.preprocessing;
  const data = readCsv(args.paths.data, transformColumns(t));
  const { x, unseen } = applyTransform(t, data);
  const prob = predictProba(x, data.rows, t.features.length, model.weights, model.intercept);
  let positives = 0;
  withOutputs((out) => {
    const f = out.open(args.paths.predictions);
    f.write('class,probability\n');
    let chunk = '';
    for (let i = 0; i < prob.length; i++) {
      const p = prob[i];
      const cls = p > 0.5 ? 1 : 0;
      positives += cls;
      chunk += `${cls},${p.toFixed(6)}\n`;
      if ((i + 1) % CHUNK_ROWS === 0) {
        f.write(chunk);
        chunk = '';
      }
    }
    f.write(chunk);
  });
  const notes = [...unseen].map(
    ([col, n]) => `; ${n} rows with a ${col} unseen in training (encoded as all zeros)`,
  );
  return {
    summary: `scored ${data.rows} rows (${positives} predicted positive)${notes.join('')}; wrote ${args.paths.predictions}`,
  };
}

if (require.main === module) runMain('predict', run);
