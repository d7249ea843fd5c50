import type { Command } from 'commander';
import { runFernetGenerate } from '../actions/fernet';

export function registerFernet(program: Command): void {
  program
    .command('fernet-key')
    .description("Manage Airflow's Fernet key (encrypts connections and variables).")
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
    .action(runFernetGenerate);
}
