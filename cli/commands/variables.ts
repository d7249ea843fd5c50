import type { Command } from 'commander';
import { getVariable, setVariable } from '../airflow/variables';
import { exportVariablesFile, importVariablesFile } from '../airflow/variables-io';
import { envValue, loadEnv } from '../config/env';
import { checkProdDir } from '../models/prod-dir';
import { projectRoot } from '../paths';
import {
  clientFromFlags,
  note,
  out,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';

interface SetVariableFlags extends AirflowCommandFlags {
  dataRoot?: string;
  force?: boolean;
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
    .action(async (key: string, value: string, flags: SetVariableFlags) => {
      if (key === 'PROD_DIR') {
        const dataRoot = flags.dataRoot ?? envValue(loadEnv(projectRoot()), 'AIRFLOW_ML_DATA_ROOT');
        for (const line of checkProdDir(value, dataRoot, flags.force)) note(line);
      }
      await setVariable(clientFromFlags(flags), key, value);
      out(`set ${key}`);
    });

  withAirflowOptions(program.command('get-variable'))
    .description("Print an Airflow variable's value.")
    .argument('<key>')
    .action(async (key: string, flags: AirflowCommandFlags) => {
      const v = await getVariable(clientFromFlags(flags), key);
      if (v.value === '***')
        note(`note: Airflow masks the value of "${key}" because its name looks sensitive`);
      out(v.value ?? '');
    });

  const variables = program
    .command('variables')
    .description(
      'Import or export variables as JSON, in the format of `airflow variables import/export`.',
    );
  withAirflowOptions(variables.command('import'))
    .description('Create or overwrite every variable in FILE.')
    .argument('<file>')
    .action(async (file: string, flags: AirflowCommandFlags) => {
      const keys = await importVariablesFile(clientFromFlags(flags), file);
      out(`imported ${keys.length} variable(s): ${keys.join(', ')}`);
    });
  withAirflowOptions(variables.command('export'))
    .description('Write every variable to FILE (mode 0600).')
    .argument('<file>')
    .action(async (file: string, flags: AirflowCommandFlags) => {
      const { exported, masked } = await exportVariablesFile(clientFromFlags(flags), file);
      out(`exported ${exported.length} variable(s) to ${file}`);
      if (masked.length > 0) {
        note(
          `left out ${masked.join(', ')}: Airflow shows their values as "***" (names that look sensitive)`,
        );
      }
    });
}
