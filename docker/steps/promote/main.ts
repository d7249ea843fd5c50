import * as fs from 'node:fs';
import * as path from 'node:path';
import { param, parseStepArgs } from '../src/lib/args';
import { checkError, inputError, usageError } from '../src/lib/errors';
import { readJson } from '../src/lib/json';
import { runMain, type StepResult } from '../src/lib/main';
import { MatrixReader } from '../src/lib/matrix';
import { streamMetrics } from '../src/lib/metrics';
import { matrixScorePass, modelFeatures, readAnyModel } from '../src/lib/any-model';
import {
  MODEL_FILE,
  readProduction,
  refOfFolder,
  refPath,
  switchProduction,
  type ModelRef,
} from '../src/lib/registry';

/**
 * promote: the quality gate, then the switch. The candidate (a model folder
 * models/<ds>/<version>) goes to production when
 *   1. its metrics.json says it passed validate's threshold, and
 *   2. its ROC AUC on the same validation rows is at most --tolerance below the current
 *      production model's (the production model is scored here, on this run's val.bin).
 * The switch is registry.switchProduction: an atomic swap of models/production plus a line
 * in models/history.jsonl. A candidate that fails stays where it is, listed but not
 * promoted, and the step exits 4 with the figures, which the failure alert carries.
 */
export function run(argv: readonly string[]): StepResult {
  const args = parseStepArgs('promote', argv);
  const tolerance = param(args, 'tolerance');
  const modelsRoot = args.paths.models;
  const candidate = refOfFolder(modelsRoot, path.dirname(args.paths.model));
  if (!candidate) {
    throw usageError(
      `--model ${args.paths.model} is not <models>/<ds>/<version>/${MODEL_FILE} under --models ${modelsRoot}`,
    );
  }
  const metrics = readJson(args.paths.metrics) as {
    passed?: unknown;
    rocAuc?: unknown;
    reason?: unknown;
  };
  if (metrics.passed !== true || typeof metrics.rocAuc !== 'number') {
    throw checkError(
      `${refPath(candidate)} did not pass validation${typeof metrics.reason === 'string' ? ` (${metrics.reason})` : ''}; not promoted`,
    );
  }
  const candidateAuc = metrics.rocAuc;
  const production = readProduction(modelsRoot);
  if (production && refPath(production) === refPath(candidate)) {
    return { summary: `${refPath(candidate)} is already the production model` };
  }

  let reason = `ROC AUC ${candidateAuc.toFixed(4)} passed validation; no model was in production`;
  const productionAuc = production
    ? scoreOnSameRows(modelsRoot, production, args.paths['in-dir'])
    : undefined;
  if (production && productionAuc === undefined) {
    reason = `ROC AUC ${candidateAuc.toFixed(4)} passed validation; production ${refPath(production)} uses other features, so it cannot be scored on these rows`;
  } else if (production && productionAuc !== undefined) {
    const gap = productionAuc - candidateAuc;
    if (gap > tolerance) {
      throw checkError(
        `${refPath(candidate)} not promoted: ROC AUC ${candidateAuc.toFixed(4)} is worse than production ${refPath(production)} (${productionAuc.toFixed(4)} on the same validation rows) by ${gap.toFixed(4)}, more than the tolerance ${tolerance}`,
      );
    }
    reason = `ROC AUC ${candidateAuc.toFixed(4)} against production ${refPath(production)}'s ${productionAuc.toFixed(4)} on the same validation rows (tolerance ${tolerance})`;
  }
  switchProduction(modelsRoot, candidate, reason, 'promote step');
  return {
    summary: `promoted ${refPath(candidate)} to production${production ? ` (was ${refPath(production)})` : ''}: ${reason}`,
  };
}

/** The production model's ROC AUC on the candidate's validation split (undefined: other features). */
function scoreOnSameRows(
  modelsRoot: string,
  production: ModelRef,
  valDir: string,
): number | undefined {
  const file = path.join(modelsRoot, production.ds, production.version, MODEL_FILE);
  if (!fs.existsSync(file)) {
    throw inputError(
      `the production alias points to ${refPath(production)}, which has no ${MODEL_FILE}`,
    );
  }
  const model = readAnyModel(file);
  const valFile = path.join(valDir, 'val.bin');
  const m = MatrixReader.open(valFile);
  try {
    if (m.features.join('\u0000') !== modelFeatures(model).join('\u0000')) {
      // A new feature set cannot be compared row for row; the candidate's own gate decides.
      return undefined;
    }
    return streamMetrics(matrixScorePass(model, m)).metrics.rocAuc;
  } finally {
    m.close();
  }
}

if (require.main === module) runMain('promote', run);
