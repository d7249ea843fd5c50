import type { Command } from 'commander';
import { runUp } from '../actions/up';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'Start the local Airflow 3.3 stack (docker-compose.yml): fill in .env, write the secret files from it, check the SMTP server when SMTP_HOST is set, build the images, wait until every service is healthy, deploy the DAGs, print the UI URL, where the login is kept and where alerts go.',
    )
    .option(
      '--stack-env-file <file>',
      'stack settings (default <project>/.env; missing values are added)',
    )
    .option('--health-timeout <seconds>', 'how long services may take to become healthy', '600')
    .option('--no-deploy', 'start the stack without deploying the DAGs')
    .option('--dry-run', 'print what up would do; write and start nothing')
    .option(
      '--executor <name>',
      'local (the default: the scheduler runs the tasks) or celery (docker-compose.celery.yml: Redis and Celery workers); recorded in the env file',
    )
    .option('--workers <n>', 'Celery mode: how many default-queue workers (recorded; first 1)')
    .option(
      '--queues <names>',
      'Celery mode: one more worker that serves only these queues, comma-separated (e.g. heavy); "" for none',
    )
    .action(runUp);
}
