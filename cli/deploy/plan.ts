import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { deployConnections, deployVariables, type DeploySettingsInput } from './settings';
import type { CompiledDags, DeployPlan, PlannedFile } from './types';

export interface PlanOptions extends DeploySettingsInput {
  /** Absolute path of the DAGs folder Airflow reads. */
  dagsFolder: string;
  unpause?: boolean;
}

/**
 * Compiled files + settings -> what deploy will do. Reads the DAGs folder (to tell new,
 * changed and unchanged files apart) and nothing else; touches nothing.
 */
export function planDeploy(compiled: CompiledDags, options: PlanOptions): DeployPlan {
  const files: PlannedFile[] = [...compiled.files]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, content]) => {
      checkName(name);
      const current = readIfExists(path.join(options.dagsFolder, name));
      return {
        name,
        dagId: name.endsWith('.py') ? name.slice(0, -3) : undefined,
        action: current === undefined ? 'create' : current === content ? 'unchanged' : 'update',
        content,
      };
    });
  const { connections, notes } = deployConnections(options);
  return {
    dagsFolder: options.dagsFolder,
    files,
    dagIds: files.flatMap((f) => (f.dagId ? [f.dagId] : [])),
    variables: deployVariables(options),
    connections,
    notes,
    unpause: options.unpause ?? true,
  };
}

/** A human-readable plan; connection passwords are masked. */
export function describePlan(plan: DeployPlan): string[] {
  return [
    `DAGs folder: ${plan.dagsFolder}`,
    ...plan.files.map((f) => `  ${f.action.padEnd(9)} ${f.name}`),
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

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
