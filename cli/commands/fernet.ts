import * as path from 'node:path';
import type { Command } from 'commander';
import { out } from '../output/print';
import { projectEnvFile } from '../base/env';
import { describeFernetResult, generateFernetKeyFile } from '../ops/fernet/generate';

export function registerFernet(program: Command): void {
  const fernet = program
    .command('fernet-key')
    .description("Manage Airflow's Fernet key (encrypts connections and variables).");
  fernet
    .command('generate')
    .description(
      'Write a new FERNET_KEY into an env file (mode 0600); refuses to replace one unless --rotate.',
    )
    .option('--env-file <file>', "env file to update (default: the project's .env)")
    .option(
      '--rotate',
      'keep the current key(s) after the new one ("new,old") and explain the rotation',
    )
    .option('--dry-run', 'make every check and say what would be written; write nothing')
    .action((flags: { envFile?: string; rotate?: boolean; dryRun?: boolean }) => {
      const envFile = flags.envFile === undefined ? projectEnvFile() : path.resolve(flags.envFile);
      const result = generateFernetKeyFile({ envFile, rotate: flags.rotate, dryRun: flags.dryRun });
      describeFernetResult(result, envFile, flags.dryRun).forEach((l) => out(l));
    });
}
