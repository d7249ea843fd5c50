import { applyDagFolder } from '../../compiler/dag-folder';
import type { DeployPlan } from './types';

/**
 * Put new and changed DAG files into the DAGs folder, all or nothing, through the one DAG
 * folder writer (dag-folder.ts): Airflow never parses a half-written file, a failure leaves
 * the folder as it was, and unchanged files are not touched (their mtime and parse stay).
 * Returns the names written.
 */
export function copyDagFiles(plan: DeployPlan): string[] {
  const byAction = (action: string) =>
    plan.files.filter((f) => f.action === action).map((f) => f.name);
  applyDagFolder({
    folder: plan.dagsFolder,
    create: byAction('create'),
    update: byAction('update'),
    unchanged: byAction('unchanged'),
    remove: [],
    conflicts: plan.conflicts,
    contents: new Map(plan.files.map((f) => [f.name, f.content])),
  });
  return plan.files.filter((f) => f.action !== 'unchanged').map((f) => f.name);
}
