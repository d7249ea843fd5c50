import { parseStepArgs } from './lib/args';
import { withOutputs } from './lib/atomic';
import { readCsv } from './lib/csv-read';
import { CsvBytes } from './lib/csv-write';
import { runMain, type StepResult } from './lib/main';
import { readModel } from './lib/model';
import { scoreRows } from './lib/score';
import { transformColumns } from './lib/transform';

/**
 * predict: apply model.json (its preprocessing, then its weights) to a raw data.csv and write
 * predictions.csv: header "class,probability", one row per input row in input order, where
 * probability is P(target = 1) and class is 1 when it exceeds 0.5.
 */
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
    const rows = new CsvBytes(f);
    for (let i = 0; i < prob.length; i++) {
      const cls = prob[i] > 0.5 ? 1 : 0;
      positives += cls;
      rows.reserve(16); // "c,0.dddddd\n" is 11 bytes
      rows.byte(48 + cls);
      rows.byte(44);
      rows.fixed(prob[i], 6);
      rows.byte(10);
    }
    rows.flush();
  });
  const notes = [...unseen].map(
    ([col, n]) => `; ${n} rows with a ${col} unseen in training (encoded as all zeros)`,
  );
  return {
    summary: `scored ${data.rows} rows (${positives} predicted positive)${notes.join('')}; wrote ${args.paths.predictions}`,
  };
}

if (require.main === module) runMain('predict', run);
