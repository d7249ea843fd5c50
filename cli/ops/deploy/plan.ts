import * as path from 'node:path';
import { UsageError } from '../../base/errors';
import { deployConnections, deployVariables, type DeploySettingsInput } from './settings';
import { planDagFolder } from '../../compiler/dag-folder';
import type { CompiledDags, DeployPlan, FileAction, PlannedFile } from './types';

export interface PlanOptions extends DeploySettingsInput {
  /** Absolute path of the DAGs folder Airflow reads. */
  dagsFolder: string;
  /** Commit the DAGs folder to this git repository (the stack's versioned bundle). */
  bundleRepo?: string;
  unpause?: boolean;
  /** Trigger the runs that first scheduled runs need (see first-runs.ts). Default false. */
  firstRuns?: boolean;
}

/**
 * Compiled files + settings -> what deploy will do. Reads the DAGs folder (to tell new,
 * changed and unchanged files apart) and nothing else; touches nothing.
 */
export function planDeploy(compiled: CompiledDags, options: PlanOptions): DeployPlan {
  for (const name of compiled.files.keys()) checkName(name);
  const folder = planDagFolder(options.dagsFolder, compiled.files, {
    specsDir: compiled.specsDir,
    prune: false,
  });
  const actionOf = (name: string): FileAction =>
    folder.create.includes(name) ? 'create' : folder.update.includes(name) ? 'update' : 'unchanged';
  const files: PlannedFile[] = [...compiled.files]
    .sort(([a], [b]) => a.localeCompare(b))
    .filter(([name]) => !folder.conflicts.some((c) => c.name === name))
    .map(([name, content]) => ({
      name,
      dagId: name.endsWith('.py') ? name.slice(0, -3) : undefined,
      action: actionOf(name),
      content,
    }));
  const { connections, notes } = deployConnections(options);
  return {
    dagsFolder: options.dagsFolder,
    bundleRepo: options.bundleRepo,
    files,
    conflicts: folder.conflicts,
    specsDir: compiled.specsDir,
    dagIds: files.flatMap((f) => (f.dagId ? [f.dagId] : [])),
    variables: deployVariables(options),
    connections,
    notes,
    unpause: options.unpause ?? true,
    firstRunsFor: options.firstRuns && (options.unpause ?? true) ? (compiled.pipelines ?? []) : [],
  };
}

/** A human-readable plan; connection passwords are masked. */
export function describePlan(plan: DeployPlan): string[] {
  return [
    `DAGs folder: ${plan.dagsFolder}`,
    ...plan.files.map((f) => `  ${f.action.padEnd(9)} ${f.name}`),
    ...plan.conflicts.map((c) => `  REFUSED   ${c.name}: ${c.reason}`),
    ...(plan.bundleRepo
      ? [`then commit the folder to ${plan.bundleRepo} (a new DAG bundle version if it changed)`]
      : []),
    'variables:',
    ...plan.variables.map(
      (v) =>
        `  ${v.key}=${v.value} (${v.onExistence === 'skip' ? 'only if missing' : 'overwrite'})`,
    ),
    'connections:',
    ...plan.connections.map(
      (c) =>
        `  ${c.connection_id} (${c.conn_type})` +
        `${c.host ? ` host=${c.host}` : ''}${c.port ? ` port=${c.port}` : ''}` +
        `${c.login ? ` login=${c.login}` : ''}${c.password ? ' password=***' : ''}` +
        `${c.extra ? ` extra=${c.extra}` : ''}`,
    ),
    ...plan.notes.map((n) => `note: ${n}`),
    ...(plan.firstRunsFor.length > 0
      ? ['first runs: for DAGs that never ran, trigger the runs that write their first inputs']
      : []),
    plan.unpause
      ? `then unpause: ${plan.dagIds.join(', ') || '(none)'}`
      : 'DAGs stay paused (--no-unpause)',
  ];
}

function checkName(name: string): void {
  if (
    name === '' ||
    path.isAbsolute(name) ||
    name.split(/[\\/]/).includes('..') ||
    /[\\/]/.test(name)
  ) {
    throw new UsageError(
      `compiled file name "${name}" must be a plain file name inside the DAGs folder`,
    );
  }
}
