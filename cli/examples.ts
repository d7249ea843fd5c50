import type { Command } from 'commander';

/** One example: the arguments after `airflow-ml`, and what it does. */
export type Example = [args: string, what: string];

const RUN = "'manual__2026-03-02T00:00:00+00:00'";

/**
 * The examples of every command, by command path: the one owner of them. Each command's
 * --help ends with its "Examples:" section, and the README's CLI reference shows the first
 * one (tests/unit/commands/help-completion.test.ts holds both to this table and to the command
 * tree, so a new command without examples fails a test). Keep each runnable as written.
 */
export const EXAMPLES: Record<string, Example[]> = {
  '': [
    ['up', 'start Airflow with the pipelines deployed'],
    ['validate --explain', 'check the specs; when will they run?'],
    ['trigger generate_data --wait', "run today's data, follow it"],
  ],
  compile: [
    ['compile', 'dag-specs/*.yaml into airflow/dags/'],
    ['compile --check', 'exit 1 when the committed DAG files are stale'],
  ],
  validate: [
    ['validate', 'every spec in dag-specs/'],
    ['validate dag-specs/train_model.yaml --explain', 'one spec, and its next three runs'],
    ['validate - < dag-specs/predict.yaml', 'a spec from standard input'],
  ],
  deploy: [
    ['deploy', 'compile, configure, copy, wait for parsing, unpause'],
    ['deploy --dry-run', 'print the plan; change nothing'],
  ],
  trigger: [
    ['trigger generate_data', "today's run"],
    [
      'trigger train_model --date 2026-03-02 --wait',
      'that day, followed to the end (exit 6 if it fails)',
    ],
  ],
  runs: [
    ['runs predict', 'the last 10 runs and their tasks'],
    ['runs train_model --limit 3 --json', 'as JSON, for scripts'],
  ],
  logs: [
    [`logs predict ${RUN} predict`, 'the latest try'],
    [`logs predict ${RUN} predict --try 1`, 'the first try'],
  ],
  backfill: [
    [
      'backfill generate_data --from 2026-03-01 --to 2026-03-07 --wait',
      'a week of data, followed to the end',
    ],
    [
      'backfill train_model --from 2026-01-01 --to 2026-03-01 --reprocess failed',
      'rerun the failed weeks',
    ],
    ['backfill generate_data --status', 'the latest backfill and its runs'],
    ['backfill generate_data --cancel', 'stop it: queued runs fail, running ones finish'],
  ],
  clear: [
    [`clear train_model ${RUN} --failed-only`, 'retry what failed'],
    [`clear train_model ${RUN} --task train validate`, 'rerun two steps'],
  ],
  mark: [
    [`mark predict ${RUN} failed`, 'give up on a run stuck on a sensor'],
    [`mark predict ${RUN} success`, 'accept it as done'],
  ],
  pause: [
    ['pause predict', 'stop scheduling predict'],
    ['pause generate_data train_model predict', 'every shipped DAG'],
  ],
  unpause: [
    ['unpause predict', 'schedule predict again'],
    ['unpause generate_data train_model predict', 'every shipped DAG'],
  ],
  status: [
    ['status', 'version, component health, the alert path'],
    ['status --json', 'for scripts and monitors'],
  ],
  'set-variable': [
    ['set-variable PROD_DIR models/production', 'follow promotions (the default)'],
    ['set-variable LOG_LEVEL debug --dry-run', 'show, change nothing'],
  ],
  'get-variable': [
    ['get-variable PROD_DIR', 'the value alone'],
    ['get-variable PROD_DIR --json', 'with its description, for scripts'],
  ],
  variables: [
    ['variables export - > variables.json', 'every variable, to standard output'],
    ['variables import variables.json', 'create or overwrite them'],
  ],
  'variables import': [
    ['variables import variables.json', 'from a file'],
    ['variables import - < variables.json', 'from standard input'],
    ['variables import variables.json --dry-run', 'check it, change nothing'],
  ],
  'variables export': [
    ['variables export variables.json', 'to a file (mode 0600)'],
    ['variables export -', 'to standard output'],
  ],
  connections: [
    ['connections list', 'what is there'],
    [
      'connections add fs_default --conn-type fs --extra \'{"path": "/data"}\'',
      'create or overwrite one',
    ],
  ],
  'connections add': [
    [
      'connections add fs_default --conn-type fs --extra \'{"path": "/data"}\'',
      "the sensors' base",
    ],
    [
      'connections add warehouse --conn-type postgres --host db --port 5432 --password-env WAREHOUSE_PW',
      'password from the environment',
    ],
    ['connections add fs_default --conn-type fs --dry-run', 'show, change nothing'],
  ],
  'connections list': [
    ['connections list', 'a table; passwords as ***'],
    ['connections list --json', 'for scripts (has_password, never the password)'],
  ],
  'fernet-key': [['fernet-key generate', "a first key into the project's .env"]],
  'fernet-key generate': [
    ['fernet-key generate', "a first key into the project's .env"],
    ['fernet-key generate --rotate', 'a new key in front of the old one'],
    ['fernet-key generate --rotate --dry-run', 'check, write nothing'],
  ],
  models: [
    ['models list', 'every model version and its verdict'],
    ['models rollback', 'back to the previous production model'],
  ],
  'models list': [
    ['models list', 'a table'],
    ['models list --json', 'for scripts'],
  ],
  'models promote': [
    ['models promote 2026-03-02', "that day's newest validated model"],
    ['models promote 2026-03-02/train_model__manual__2026-03-02T00:00:00+00:00', 'one version'],
  ],
  'models rollback': [['models rollback', 'back to the model the current one replaced']],
  'models show': [['models show 2026-03-02 -o card.html', 'a self-contained HTML model card']],
  alerts: [
    ['alerts test --to me@example.com', 'send a test alert'],
    ['alerts list', 'what the local mail sink received'],
  ],
  'alerts test': [['alerts test --to me@example.com', 'through the SMTP settings the DAGs use']],
  'alerts list': [
    ['alerts list', 'newest first'],
    ['alerts list --json --limit 5', 'for scripts'],
  ],
  images: [
    ['images build', 'build what is missing'],
    ['images tags', 'the image each step runs'],
  ],
  'images build': [
    ['images build', 'on node:20-bookworm-slim'],
    ['images build --base-image airflow-ml-local/node:bookworm', 'on the offline stand-in'],
  ],
  'images tags': [
    ['images tags', 'a table'],
    ['images tags --json', 'for scripts'],
  ],
  step: [
    ['step new my-scorer --lang python', 'scaffold a step'],
    [
      'step run my-scorer --input data=raw/2026-03-02/data.csv --output summary=out/s.json',
      'run it as a DAG would',
    ],
  ],
  'step new': [
    ['step new my-scorer --lang python', 'a Python step with its own Dockerfile'],
    ['step new my-filter --lang ts', 'a TypeScript step on the shared Node base'],
  ],
  'step run': [
    [
      'step run my-scorer --input data=raw/2026-03-02/data.csv --output summary=out/s.json',
      'its image, no network, non-root, the data root at /data',
    ],
    [
      'step run train --input in-dir=splits/2026-03-02 --input transform=processed/2026-03-02/transform.json --output model=tmp/model.json --param c=0.5',
      'a shipped step with one param changed',
    ],
  ],
  up: [
    ['up', 'start the stack and deploy'],
    ['up --dry-run', 'print what it would do; write and start nothing'],
  ],
  down: [
    ['down', 'stop; keep runs, variables and connections'],
    ['down --volumes', "also delete Airflow's database (asks first)"],
    ['down --volumes --yes', 'the same, without asking (scripts, CI)'],
  ],
  completion: [
    ['completion bash > ~/.local/share/bash-completion/completions/airflow-ml', 'bash'],
    ['completion zsh > "${fpath[1]}/_airflow-ml"', 'zsh (then compinit)'],
  ],
};

/** Every command's path, e.g. "", "variables", "variables import". */
export function commandPaths(program: Command): string[] {
  const out: string[] = [];
  const walk = (cmd: Command, path: string) => {
    out.push(path);
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return out;
}

export function formatExamples(examples: Example[]): string {
  const width = Math.max(...examples.map(([args]) => args.length));
  return examples
    .map(([args, what]) => `  $ airflow-ml ${args.padEnd(width)}  # ${what}`)
    .join('\n');
}

/** Appends "Examples:" to the help of every command that has some in EXAMPLES. */
export function attachExamples(program: Command): void {
  const walk = (cmd: Command, path: string) => {
    const examples = EXAMPLES[path];
    if (examples) cmd.addHelpText('after', `\nExamples:\n${formatExamples(examples)}`);
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
}
