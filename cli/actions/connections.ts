import { listConnections, upsertConnections } from '../ops/airflow/connections';
import * as input from '../ops/airflow/connection-input';
import { loadEnv } from '../base/env';
import { clientFromFlags, type AirflowCommandFlags } from '../config/cli-options';
import { connectionsJson } from '../output/json';
import { out, outJson, outTable } from '../output/print';

export type AddConnectionFlags = AirflowCommandFlags & input.ConnectionFlags & { dryRun?: boolean };

/** `connections add ID`: create or overwrite; the password only from an environment variable. */
export async function runConnectionsAdd(id: string, flags: AddConnectionFlags): Promise<void> {
  input.checkConnectionFlags(flags);
  const env = loadEnv();
  const connection = input.connectionFromFlags(id, flags, env);
  if (flags.dryRun)
    return input.describeConnection(connection, flags.passwordEnv).forEach((l) => out(l));
  const ids = await upsertConnections(clientFromFlags(flags, env), [connection]);
  out(`upserted connection ${ids.join(', ')}`);
}

/** `connections list`: passwords never printed. */
export async function runConnectionsList(
  flags: AirflowCommandFlags & { json?: boolean },
): Promise<void> {
  const all = await listConnections(clientFromFlags(flags));
  if (flags.json) outJson(connectionsJson(all));
  else outTable(input.CONNECTION_COLUMNS, input.connectionRows(all));
}
