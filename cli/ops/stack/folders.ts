import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleHead, commitDagFolder, defaultBundleRepo } from '../deploy/bundle-repo';
import { DEFAULT_DAGS_DIR } from '../../compiler/project';
import type { StackSettings } from './settings';

/**
 * Host folders the stack bind-mounts, created with owners that work:
 * - the data root, writable by the step containers' uid:gid (they write every artefact; the
 *   Airflow containers only read it, for FileSensor);
 * - airflow/logs, writable by the Airflow uid (task logs, shared by scheduler and api-server);
 * - airflow/bundle.git, the versioned DAG bundle (read-only in the containers), holding at
 *   least one commit: a dag-processor that first meets an empty repository never recovers
 *   (its clone has no branch to check out), so it gets the DAGs folder as it is now; deploy
 *   commits each change after that.
 * Only folders this call creates, or root-owned top folders, are chowned; never recursively,
 * so existing data keeps its owners.
 */
export function prepareHostFolders(root: string, settings: StackSettings): void {
  const isRoot = process.getuid?.() === 0;
  const [stepUid, stepGid] = settings.stepUser.split(':').map(Number);
  ensureDir(settings.dataRoot, isRoot ? [stepUid, stepGid] : undefined);
  ensureDir(path.join(root, 'airflow', 'logs'), isRoot ? [settings.airflowUid, 0] : undefined);
  const dags = path.join(root, DEFAULT_DAGS_DIR);
  const bundle = defaultBundleRepo(dags);
  if (bundleHead(bundle) === undefined) commitDagFolder(bundle, dags);
}

function ensureDir(dir: string, owner: [number, number] | undefined): void {
  fs.mkdirSync(dir, { recursive: true });
  if (owner && fs.statSync(dir).uid === 0) fs.chownSync(dir, owner[0], owner[1]);
}
