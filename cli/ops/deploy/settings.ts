import * as path from 'node:path';
import { smtpConnection, smtpSettingsFromEnv } from '../alerts/smtp-settings';
import type { ConnectionBody } from '../airflow/api-types';
import { envValue, type Env } from '../../base/env';
import { DATA_ROOT_ENV, FS_CONN_ID } from '../../compiler/emit/settings';
import { UsageError } from '../../base/errors';
import { checkProdDir } from '../models/prod-dir';
import { DEFAULT_DAGS_DIR } from '../../compiler/project';
import { defaultBundleRepo } from './bundle-repo';
import type { PlannedVariable } from './types';

/**
 * What deploy configures in Airflow besides DAG files.
 *
 * - Variable PROD_DIR: the production model folder, as a path relative to the data root
 *   (steps see it under /data). Default "models/production", the alias that promotion
 *   moves (docker/steps/src/lib/registry.ts). Created when missing and otherwise left alone,
 *   because a person may have pinned a model there; --prod-dir (or AIRFLOW_ML_PROD_DIR)
 *   sets it explicitly and overwrites.
 * - Connection fs_default (conn_type fs, extra.path = the data root as Airflow sees it), which
 *   FileSensor needs and `airflow db migrate` does not create.
 * - Connection smtp_default from SMTP_* (see alerts/smtp-settings.ts), when SMTP_HOST is set;
 *   otherwise left alone: in the compose stack, airflow-init made it the local mail sink.
 */

export const DEFAULT_PROD_DIR = 'models/production';

export interface DeploySettingsInput {
  /** The data root as the Airflow processes (FileSensor) see it; absolute. */
  dataRoot: string;
  prodDir?: string;
  /** Extra variables (--var KEY=VALUE), always overwritten. */
  variables?: Record<string, string>;
  env: Env;
}

export function deployVariables(input: DeploySettingsInput): PlannedVariable[] {
  const explicit = input.prodDir ?? envValue(input.env, 'AIRFLOW_ML_PROD_DIR');
  // Its form only: the data root may be another machine's (a remote Airflow's) path.
  if (explicit !== undefined) checkProdDir(explicit);
  const vars: PlannedVariable[] = [
    explicit !== undefined
      ? { key: 'PROD_DIR', value: explicit, onExistence: 'overwrite' }
      : { key: 'PROD_DIR', value: DEFAULT_PROD_DIR, onExistence: 'skip' },
  ];
  for (const [key, value] of Object.entries(input.variables ?? {})) {
    vars.push({ key, value, onExistence: 'overwrite' });
  }
  return vars;
}

export function deployConnections(input: DeploySettingsInput): {
  connections: ConnectionBody[];
  notes: string[];
} {
  if (!path.isAbsolute(input.dataRoot)) {
    throw new UsageError(`the data root must be an absolute path, not "${input.dataRoot}"`);
  }
  const connections: ConnectionBody[] = [
    {
      connection_id: FS_CONN_ID,
      conn_type: 'fs',
      extra: JSON.stringify({ path: input.dataRoot }),
    },
  ];
  const notes: string[] = [];
  const smtp = smtpSettingsFromEnv(input.env);
  if (smtp) connections.push(smtpConnection(smtp));
  else
    notes.push(
      "smtp_default: SMTP_HOST is not set, so the connection is left as it is (the compose stack's airflow-init points it at the local mail sink)",
    );
  return { connections, notes };
}

/** `--var KEY=VALUE` flags as a record. */
export function parseVarFlags(flags: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw new UsageError(`--var expects KEY=VALUE, not "${f}"`);
    out[f.slice(0, i)] = f.slice(i + 1);
  }
  return out;
}

export interface DeployLocationFlags {
  dagsFolder?: string;
  /** A path, or false with --no-bundle-repo. */
  bundleRepo?: string | false;
  dataRoot?: string;
}

export interface DeployLocations {
  dagsFolder: string;
  bundleRepo: string | undefined;
  dataRoot: string;
}

/**
 * Where deploy writes and what it tells Airflow, each from a flag, else the environment and
 * the project's `.env` (`env`), else the default; relative paths from the project root.
 */
export function deployLocations(
  flags: DeployLocationFlags,
  env: Env,
  root: string,
): DeployLocations {
  const dagsFolder = path.resolve(
    root,
    flags.dagsFolder ?? envValue(env, 'AIRFLOW_ML_DAGS_FOLDER') ?? DEFAULT_DAGS_DIR,
  );
  // AIRFLOW_ML_DATA_ROOT is the host path (the DockerOperator mount source). It is also
  // what Airflow sees when Airflow runs on the host or mounts the data root at that same
  // path; a compose stack mounting it elsewhere sets AIRFLOW_ML_AIRFLOW_DATA_ROOT.
  const dataRoot = path.resolve(
    root,
    flags.dataRoot ??
      envValue(env, 'AIRFLOW_ML_AIRFLOW_DATA_ROOT') ??
      envValue(env, DATA_ROOT_ENV) ??
      'data',
  );
  const bundleRepo =
    flags.bundleRepo === false
      ? undefined
      : path.resolve(root, flags.bundleRepo ?? defaultBundleRepo(dagsFolder));
  return { dagsFolder, bundleRepo, dataRoot };
}
