import { NoComposeError, StackCommandError } from './errors';
import { execFile, type ExecResult } from './exec';

/**
 * The compose command this machine has: the v2 plugin (`docker compose`) first, then the
 * v1 program (`docker-compose`, Debian bookworm's 1.29). docker-compose.yml works with both.
 */
export interface ComposeCommand {
  program: string;
  /** Arguments before the compose arguments: ['compose'] for the plugin, [] for v1. */
  prefix: string[];
  version: string;
}

export async function detectCompose(): Promise<ComposeCommand> {
  const candidates: Omit<ComposeCommand, 'version'>[] = [
    { program: 'docker', prefix: ['compose'] },
    { program: 'docker-compose', prefix: [] },
  ];
  for (const c of candidates) {
    const res = await execFile(c.program, [...c.prefix, 'version']);
    if (res.code === 0) return { ...c, version: res.stdout.split('\n')[0].trim() };
  }
  throw new NoComposeError(
    'no compose command: neither `docker compose` nor `docker-compose` works',
    'install the Compose plugin, or on Debian: apt-get install docker-compose',
  );
}

export interface ComposeProject {
  compose: ComposeCommand;
  /** Folder of docker-compose.yml; relative paths in it are resolved from here. */
  root: string;
  /** Compose project name: container, network and volume names start with it. */
  name: string;
  /** The env file compose reads for ${...} substitution. */
  envFile: string;
  /** Compose files relative to root: docker-compose.yml, then the Celery overlay if chosen. */
  files: string[];
  /** Profiles to enable (Celery mode's worker services). */
  profiles: string[];
}

/** Run `<compose> -p NAME -f ROOT/docker-compose.yml --env-file FILE <args>` in ROOT. */
export function runCompose(
  project: ComposeProject,
  args: string[],
  onLine?: (line: string) => void,
  extraEnv: Record<string, string> = {},
): Promise<ExecResult> {
  return execFile(project.compose.program, composeArgs(project, args), {
    cwd: project.root,
    env: { ...process.env, ...extraEnv },
    onLine,
  });
}

/** The arguments runCompose gives the compose program (after it), e.g. for a plan to show. */
export function composeArgs(project: ComposeProject, args: string[]): string[] {
  return [
    ...project.compose.prefix,
    '--project-name',
    project.name,
    ...project.files.flatMap((f) => ['--file', `${project.root}/${f}`]),
    ...project.profiles.flatMap((p) => ['--profile', p]),
    '--project-directory',
    project.root,
    '--env-file',
    project.envFile,
    ...args,
  ];
}

/** Like runCompose, but a non-zero exit is an error carrying the command's output. */
export async function mustCompose(
  project: ComposeProject,
  args: string[],
  onLine?: (line: string) => void,
  extraEnv: Record<string, string> = {},
): Promise<ExecResult> {
  const res = await runCompose(project, args, onLine, extraEnv);
  if (res.code !== 0) {
    throw new StackCommandError(
      `${describe(project, args)} failed (exit ${res.code}):\n${tailLines(res.stderr || res.stdout, 20)}`,
      'see the output above; `airflow-ml down` then `airflow-ml up` starts over with the data kept',
    );
  }
  return res;
}

/** The last `lines` lines of a service's log, for error messages. */
export async function serviceLogTail(
  project: ComposeProject,
  service: string,
  lines = 40,
): Promise<string> {
  const res = await runCompose(project, ['logs', '--no-color', '--tail', String(lines), service]);
  return tailLines(res.stdout + res.stderr, lines);
}

export function tailLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

function describe(project: ComposeProject, args: string[]): string {
  return [project.compose.program, ...project.compose.prefix, ...args.slice(0, 2)].join(' ');
}
