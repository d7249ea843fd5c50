import * as path from 'node:path';
import { compileProject } from '../../../../cli/compiler/project';
import { pipelineIO, planFirstRuns } from '../../../../cli/ops/deploy/first-runs';

/**
 * First runs for the shipped pipelines, planned from their compiled IR and the first logical
 * dates Airflow reports: the weekly train_model's first run (last Sunday) needs data that the
 * daily generate_data, whose own first run is today, would never write.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const io = compileProject({ root: ROOT }).pipelines.map(pipelineIO);
const SATURDAY = '2026-11-28T00:00:00+00:00';
const SUNDAY_BEFORE = '2026-11-22T00:00:00+00:00';

test('what each shipped pipeline waits for and writes', () => {
  expect(io).toEqual([
    {
      dagId: 'generate_data',
      waitsFor: [],
      writes: ['raw/{{ ds }}/data.csv', 'raw/{{ ds }}/target.csv'],
    },
    {
      dagId: 'predict',
      waitsFor: ['raw/{{ ds }}/data.csv', '{{ var.value.PROD_DIR }}/model.json'],
      writes: ['predictions/{{ ds }}/predictions.csv'],
    },
    {
      // On demand (schedule null): Airflow reports no first logical date, so no first run.
      dagId: 'train_model_gbm',
      waitsFor: ['raw/{{ ds }}/data.csv', 'raw/{{ ds }}/target.csv'],
      writes: [
        'processed_gbm/{{ ds }}',
        'splits_gbm/{{ ds }}',
        'models/{{ ds }}/train_model_gbm__{{ run_id }}/model.json',
        'models/{{ ds }}/train_model_gbm__{{ run_id }}/metrics.json',
        'models',
      ],
    },
    {
      dagId: 'train_model',
      waitsFor: ['raw/{{ ds }}/data.csv', 'raw/{{ ds }}/target.csv'],
      writes: [
        'processed/{{ ds }}',
        'splits/{{ ds }}',
        'models/{{ ds }}/train_model__{{ run_id }}/model.json',
        'models/{{ ds }}/train_model__{{ run_id }}/metrics.json',
        'models',
      ],
    },
  ]);
});

test("a fresh stack on a Saturday: generate_data is triggered for train_model's Sunday", () => {
  expect(
    planFirstRuns(io, [
      { dagId: 'generate_data', firstLogicalDate: SATURDAY },
      { dagId: 'predict', firstLogicalDate: SATURDAY },
      { dagId: 'train_model', firstLogicalDate: SUNDAY_BEFORE },
    ]),
  ).toEqual([
    {
      dagId: 'generate_data',
      logicalDate: SUNDAY_BEFORE,
      forDag: 'train_model',
      path: 'raw/{{ ds }}/data.csv',
    },
  ]);
});

test('on a Sunday every first run finds its inputs; DAGs that already ran are left alone', () => {
  const sunday = '2026-11-29T00:00:00+00:00';
  expect(
    planFirstRuns(io, [
      { dagId: 'generate_data', firstLogicalDate: sunday },
      { dagId: 'predict', firstLogicalDate: sunday },
      { dagId: 'train_model', firstLogicalDate: sunday },
    ]),
  ).toEqual([]);
  // generate_data ran before (not fresh); train_model is new: its day still needs data.
  expect(planFirstRuns(io, [{ dagId: 'train_model', firstLogicalDate: SUNDAY_BEFORE }])).toEqual([
    {
      dagId: 'generate_data',
      logicalDate: SUNDAY_BEFORE,
      forDag: 'train_model',
      path: 'raw/{{ ds }}/data.csv',
    },
  ]);
  expect(planFirstRuns(io, [])).toEqual([]);
});
