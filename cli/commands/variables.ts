import type { Command } from 'commander';
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
import {
  clientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { note, out, outJson } from '../output/print';

interface SetVariableFlags extends AirflowCommandFlags {
  dataRoot?: string;
  force?: boolean;
  dryRun?: boolean;
}

export function registerVariables(program: Command): void {
  withAirflowOptions(program.command('set-variable'))
    .description(
      'Create or overwrite an Airflow variable. PROD_DIR is checked first: a clean path relative to the data root naming a validated model.',
    )
    .argument('<key>')
    .argument('<value>')
    .option('--data-root <dir>', 'the data root, to check PROD_DIR (default: AIRFLOW_ML_DATA_ROOT)')
    .option('--force', 'set PROD_DIR even when it names no validated model')
    .option('--dry-run', 'check the value and print what would be set; send nothing')
    .action(async (key: string, value: string, flags: SetVariableFlags) => {
      if (key === 'PROD_DIR') {
        const dataRoot = flags.dataRoot ?? envValue(loadEnv(), 'AIRFLOW_ML_DATA_ROOT');
        for (const line of checkProdDir(value, dataRoot, flags.force)) note(line);
      }
      if (flags.dryRun) {
        out(`dry run: would set ${key} = ${JSON.stringify(value)}`);
        return;
      }
      await setVariable(clientFromFlags(flags), key, value);
      out(`set ${key}`);
    });

  withAirflowOptions(program.command('get-variable'))
    .description("Print an Airflow variable's value.")
    .argument('<key>')
    .option('--json', 'print JSON: {"key", "value", "description", "masked"}')
    .action(async (key: string, flags: AirflowCommandFlags & { json?: boolean }) => {
      const v = await getVariable(clientFromFlags(flags), key);
      if (v.value === '***')
        note(`note: Airflow masks the value of "${key}" because its name looks sensitive`);
      if (flags.json) outJson(variableJson(v));
      else out(v.value ?? '');
    });

  const variables = program
    .command('variables')
    .description(
      'Import or export variables as JSON, in the format of `airflow variables import/export`.',
    );
  withAirflowOptions(variables.command('import'))
    .description('Create or overwrite every variable in FILE (- reads standard input).')
    .argument('<file>')
    .option('--dry-run', 'check the file and list what would be set; send nothing')
    .action(async (file: string, flags: AirflowCommandFlags & { dryRun?: boolean }) => {
      const parsed = readVariablesFile(file);
      if (flags.dryRun) {
        const keys = parsed.map((v) => v.key);
        out(`dry run: would set ${keys.length} variable(s): ${keys.join(', ')}`);
        return;
      }
      const keys = await importVariables(clientFromFlags(flags), parsed);
      out(`imported ${keys.length} variable(s): ${keys.join(', ')}`);
    });
  withAirflowOptions(variables.command('export'))
    .description('Write every variable to FILE (mode 0600; - writes standard output).')
    .argument('<file>')
    .action(async (file: string, flags: AirflowCommandFlags) => {
      const { exported, masked } = await exportVariablesFile(clientFromFlags(flags), file);
      // With "-" the JSON alone goes to standard output; the summary goes to stderr.
      const summary = `exported ${exported.length} variable(s) to ${file === STDIO ? 'standard output' : file}`;
      if (file === STDIO) note(summary);
      else out(summary);
      if (masked.length > 0) {
        note(
          `left out ${masked.join(', ')}: Airflow shows their values as "***" (names that look sensitive)`,
        );
      }
    });
}
