import type { AirflowClient } from '../airflow/client';
import { upsertConnections } from '../airflow/connections';
import { setPaused } from '../airflow/dags';
import { upsertVariables } from '../airflow/variables';
import { requireNoConflicts } from '../../compiler/dag-folder';
import { commitDagFolder, requireGit } from './bundle-repo';
import { copyDagFiles } from './copy';
import { applyFirstRuns } from './first-runs';
import type { DeployEvent, DeployPlan, DeployResult } from './types';
import { waitForParsedDags } from './wait-parsed';

export interface ApplyOptions {
  /** How long to wait for Airflow to parse the deployed DAGs. Default 6 minutes. */
  parseTimeoutMs?: number;
  pollMs?: number;
  report?: (event: DeployEvent) => void;
}

export const DEFAULT_PARSE_TIMEOUT_MS = 6 * 60_000;

/**
 * Execute a plan against the real Airflow and DAGs folder. Idempotent: files already in
 * place are not rewritten, PROD_DIR is kept when it exists, connections are overwritten
 * with the same values, and unpausing an unpaused DAG is a no-op.
 *
 * Variables and connections come before the files: the first API call proves Airflow is
 * reachable and the credentials work before anything on disk changes, and no DAG can
 * start before what it reads exists.
 */
export async function applyDeploy(
  client: AirflowClient,
  plan: DeployPlan,
  options: ApplyOptions = {},
): Promise<DeployResult> {
  const report = options.report ?? (() => undefined);
  // Before any side effect: a deploy that cannot write its files changes nothing.
  requireNoConflicts({ folder: plan.dagsFolder, conflicts: plan.conflicts });
  if (plan.bundleRepo) requireGit();
  const result: DeployResult = {
    written: [],
    unchanged: [],
    variablesWritten: [],
    variablesKept: [],
    connections: [],
    parsed: [],
    unpaused: [],
    alreadyUnpaused: [],
    firstRuns: [],
  };

  for (const mode of ['overwrite', 'skip'] as const) {
    const vars = plan.variables.filter((v) => v.onExistence === mode);
    if (vars.length === 0) continue;
    const written = await upsertVariables(client, vars, mode);
    result.variablesWritten.push(...written);
    result.variablesKept.push(...vars.map((v) => v.key).filter((k) => !written.includes(k)));
  }
  report({
    phase: 'variables',
    message:
      [
        result.variablesWritten.length > 0 ? `set ${result.variablesWritten.join(', ')}` : '',
        result.variablesKept.length > 0 ? `kept existing ${result.variablesKept.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ') || 'nothing to do',
  });

  result.connections = await upsertConnections(client, plan.connections);
  report({ phase: 'connections', message: `upserted ${result.connections.join(', ') || 'none'}` });
  for (const note of plan.notes) report({ phase: 'connections', message: note });

  result.written = copyDagFiles(plan);
  result.unchanged = plan.files.filter((f) => f.action === 'unchanged').map((f) => f.name);
  report({
    phase: 'copy',
    message: `${result.written.length} written${result.written.length ? ` (${result.written.join(', ')})` : ''}, ${result.unchanged.length} unchanged, into ${plan.dagsFolder}`,
  });

  // Before the parse wait: a bundle-reading Airflow sees the files only once committed.
  if (plan.bundleRepo) {
    const bundle = commitDagFolder(plan.bundleRepo, plan.dagsFolder);
    result.bundle = bundle;
    report({
      phase: 'bundle',
      message: bundle.changed
        ? `committed ${bundle.commit.slice(0, 12)} to ${bundle.repo} (${bundle.changes.join(', ').replace(/\t/g, ' ')})`
        : `unchanged at ${bundle.commit.slice(0, 12)} in ${bundle.repo}`,
    });
  }

  const dags = await waitForParsedDags(client, plan.files, {
    timeoutMs: options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS,
    bundleVersion: result.bundle?.commit,
    pollMs: options.pollMs,
    report: (message) => report({ phase: 'parse', message }),
  });
  result.parsed = [...plan.dagIds];
  report({
    phase: 'parse',
    message: `Airflow has parsed ${plan.dagIds.join(', ') || 'nothing'}, no import errors`,
  });

  if (plan.firstRunsFor.length > 0) {
    result.firstRuns = await applyFirstRuns(client, plan.firstRunsFor, (message) =>
      report({ phase: 'first-runs', message }),
    );
  }

  if (plan.unpause) {
    for (const dagId of plan.dagIds) {
      if (dags.get(dagId)?.is_paused === false) {
        result.alreadyUnpaused.push(dagId);
        continue;
      }
      await setPaused(client, dagId, false);
      result.unpaused.push(dagId);
    }
    report({
      phase: 'unpause',
      message:
        [
          result.unpaused.length ? `unpaused ${result.unpaused.join(', ')}` : '',
          result.alreadyUnpaused.length
            ? `already unpaused ${result.alreadyUnpaused.join(', ')}`
            : '',
        ]
          .filter(Boolean)
          .join('; ') || 'no DAGs',
    });
  }
  return result;
}
