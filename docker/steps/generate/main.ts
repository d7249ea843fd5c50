import { param, parseStepArgs } from '../src/lib/args';
import { withOutputs } from '../src/lib/atomic';
import { CsvBytes } from '../src/lib/csv-write';
import { runMain, type StepResult } from '../src/lib/main';
import { cumulative, Rng } from '../src/lib/rng';
import { FEATURE_COLUMNS, TARGET_COLUMN } from '../src/lib/schema';

/**
 * generate: seeded synthetic customer-churn-like data. The same --seed and --ds give the
 * same bytes on any machine. The target is a noisy logistic function of the features, part
 * of it through log(income) and a tenure curve the linear model cannot represent exactly,
 * so a logistic regression reaches a ROC AUC of about 0.85, not 1. Schema: ../README.md.
 */
const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const REGION_P = cumulative([0.25, 0.2, 0.2, 0.2, 0.15]);
const REGION_EFFECT = [0, 0.35, -0.25, 0.1, 0.45];
const PLANS = ['basic', 'standard', 'premium'];
const PLAN_P = cumulative([0.5, 0.35, 0.15]);
const PLAN_EFFECT = [0.55, 0, -0.7];
const PLAN_PRICE = [20, 45, 90];
// Category names with the commas around them, encoded once.
const REGION_BYTES = REGIONS.map((r) => Buffer.from(`${r},`));
const PLAN_BYTES = PLANS.map((p) => Buffer.from(`${p},`));
const MAX_ROW_BYTES = 256; // far above the longest possible row
const COMMA = 44;
const LF = 10;

export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('generate', argv);
  const rows = param(args, 'rows');
  const seed = param(args, 'seed');
  const rng = new Rng(`airflow-ml/generate/v1:${seed}:${args.ds}`);
  let positives = 0;

  withOutputs((out) => {
    const data = out.open(args.paths.data);
    const target = out.open(args.paths.target);
    data.write(`${FEATURE_COLUMNS.map((c) => c.name).join(',')}\n`);
    target.write(`${TARGET_COLUMN}\n`);
    const lines = new CsvBytes(data);
    const labels = new CsvBytes(target);
    for (let i = 0; i < rows; i++) {
      const age = Math.min(85, Math.max(18, Math.round(42 + 13 * rng.normal())));
      const region = rng.choice(REGION_P);
      const plan = rng.choice(PLAN_P);
      const income =
        Math.round(Math.exp(10.6 + 0.45 * rng.normal() + 0.008 * (age - 42)) * 100) / 100;
      const tenure = Math.min(120, Math.floor(-Math.log(1 - rng.uniform()) * 28));
      const spend = Math.round(PLAN_PRICE[plan] * Math.exp(0.25 * rng.normal()) * 100) / 100;
      const calls = rng.poisson(plan === 0 ? 1.8 : 1.2);
      const logit =
        -0.9 +
        1.2 * Math.exp(-tenure / 12) - // new customers churn most
        0.03 * tenure +
        0.8 * calls -
        1.8 * (Math.log(income) - 10.6) +
        0.02 * (age - 42) +
        REGION_EFFECT[region] +
        PLAN_EFFECT[plan] +
        0.01 * (spend - PLAN_PRICE[plan]) +
        0.5 * rng.normal(); // unobserved causes: caps the achievable AUC
      const y = rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      positives += y;
      // age,region,plan,income,tenure_months,monthly_spend,support_calls
      lines.reserve(MAX_ROW_BYTES);
      lines.int(age);
      lines.byte(COMMA);
      lines.bytes(REGION_BYTES[region]);
      lines.bytes(PLAN_BYTES[plan]);
      lines.fixed(income, 2);
      lines.byte(COMMA);
      lines.int(tenure);
      lines.byte(COMMA);
      lines.fixed(spend, 2);
      lines.byte(COMMA);
      lines.int(calls);
      lines.byte(LF);
      labels.reserve(2);
      labels.byte(48 + y);
      labels.byte(LF);
    }
    lines.flush();
    labels.flush();
  });
  const pct = ((100 * positives) / rows).toFixed(1);
  return {
    summary: `wrote ${rows} rows (${positives} positive, ${pct}%) to ${args.paths.data} and ${args.paths.target}`,
  };
}

if (require.main === module) runMain('generate', run);
