import { getVariable, setVariable } from '../ops/airflow/variables';
import {
  exportVariablesFile,
  importVariables,
  readVariablesFile,
  STDIO,
} from '../ops/airflow/variables-io';
import { envValue, loadEnv } from '../base/env';
import { checkProdDir } from '../ops/models/prod-dir';
import { variableJson } from '../output/json';
import { clientFromFlags, type AirflowCommandFlags } from '../config/cli-options';
import { note, out, outJson, outText } from '../output/print';

export interface SetVariableFlags extends AirflowCommandFlags {
  dataRoot?: string;
  force?: boolean;
  dryRun?: boolean;
}

/** `set-variable KEY VALUE`: PROD_DIR is checked against the data root before it is sent. */
export async function runSetVariable(
  key: string,
  value: string,
  flags: SetVariableFlags,
): Promise<void> {
  if (key === 'PROD_DIR') {
    const dataRoot = flags.dataRoot ?? envValue(loadEnv(), 'AIRFLOW_ML_DATA_ROOT');
    for (const line of checkProdDir(value, dataRoot, flags.force)) note(line);
  }
  if (flags.dryRun) return out(`dry run: would set ${key} = ${JSON.stringify(value)}`);
  await setVariable(clientFromFlags(flags), key, value);
  out(`set ${key}`);
}

/** `get-variable KEY`: the value, or JSON; a value Airflow masks is said to be masked. */
export async function runGetVariable(
  key: string,
  flags: AirflowCommandFlags & { json?: boolean },
): Promise<void> {
  const v = await getVariable(clientFromFlags(flags), key);
  if (v.value === '***')
    note(`note: Airflow masks the value of "${key}" because its name looks sensitive`);
  if (flags.json) outJson(variableJson(v));
  else out(v.value ?? '');
}

/** `variables import FILE`: the whole file is checked before anything is sent. */
export async function runVariablesImport(
  file: string,
  flags: AirflowCommandFlags & { dryRun?: boolean },
): Promise<void> {
  const parsed = readVariablesFile(file);
  if (flags.dryRun) {
    const keys = parsed.map((v) => v.key);
    return out(`dry run: would set ${keys.length} variable(s): ${keys.join(', ')}`);
  }
  const keys = await importVariables(clientFromFlags(flags), parsed);
  out(`imported ${keys.length} variable(s): ${keys.join(', ')}`);
}

/** `variables export FILE`: mode 0600; with "-" the JSON alone goes to standard output. */
export async function runVariablesExport(file: string, flags: AirflowCommandFlags): Promise<void> {
  const { exported, masked } = await exportVariablesFile(clientFromFlags(flags), file, outText);
  // With "-" the JSON alone goes to standard output; the summary goes to stderr.
  const summary = `exported ${exported.length} variable(s) to ${file === STDIO ? 'standard output' : file}`;
  if (file === STDIO) note(summary);
  else out(summary);
  if (masked.length > 0) {
    note(
      `left out ${masked.join(', ')}: Airflow shows their values as "***" (names that look sensitive)`,
    );
  }
}
