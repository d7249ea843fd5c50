import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../base/errors';

/**
 * The versioned DAG bundle: a bare git repository whose branch `main` holds, one commit per
 * deploy that changed something, exactly what the DAGs folder held after that deploy. The
 * compose stack reads its DAGs from this repository only (Airflow's GitDagBundle, see
 * docker-compose.yml), so a DAG run records the commit it started with and every task of the
 * run executes that commit, whatever is deployed meanwhile (docs/stack.md, "DAG versions").
 *
 * This module is the one writer of that repository. git runs with a controlled environment:
 * no system, user or repository-template configuration, no hooks, our excludes only, a fixed
 * author, and a private index, so a commit depends on the DAGs folder alone and a concurrent
 * deploy can never see a half-built index.
 */

export const BUNDLE_BRANCH = 'main';
export const BUNDLE_AUTHOR = 'airflow-ml deploy';
export const BUNDLE_EMAIL = 'deploy@airflow-ml.invalid';
const REF = `refs/heads/${BUNDLE_BRANCH}`;
/** Python's caches and the DAG folder writer's temps (dag-folder.ts) are never committed. */
const EXCLUDES = ['__pycache__/', '*.pyc', '/.*.new.tmp', '/.*.old.tmp'];
/** A ref lock older than this belongs to no git process still running (they take ms). */
const STALE_LOCK_MS = 60_000;

/** Where deploy keeps the bundle unless told otherwise: beside the DAGs folder. */
export function defaultBundleRepo(dagsFolder: string): string {
  return path.join(path.dirname(path.resolve(dagsFolder)), 'bundle.git');
}

export interface BundleCommit {
  repo: string;
  /** The full commit id `main` points to after the call. */
  commit: string;
  /** Whether this call made that commit (false: the folder matched the last one). */
  changed: boolean;
  /** What the commit changed, as git's name-status lines (`A\tnew.py`, `M\t...`, `D\t...`). */
  changes: string[];
}

/** Throws a ConfigError saying how to get git when there is none; changes nothing. */
export function requireGit(): void {
  withGit((git) => git(['--version']));
}

/** The commit `main` points to, or undefined when the repository or the branch is missing. */
export function bundleHead(repo: string): string | undefined {
  if (!fs.existsSync(path.join(repo, 'HEAD'))) return undefined;
  return withGit((git) => headOf(git, path.resolve(repo)));
}

/**
 * Commit the DAGs folder's content (every file, minus EXCLUDES) to `main` when it differs
 * from the last commit; creates the repository first if it does not exist. Safe against a
 * concurrent deploy: the branch moves only from the commit this call started from
 * (compare-and-swap), and is retried from the new one.
 */
export function commitDagFolder(repo: string, folder: string): BundleCommit {
  const absRepo = path.resolve(repo);
  const absFolder = path.resolve(folder);
  return withGit((git, tmp) => {
    ensureBareRepo(git, absRepo);
    const excludes = path.join(tmp, 'exclude');
    fs.writeFileSync(excludes, `${EXCLUDES.join('\n')}\n`);
    const index = { GIT_INDEX_FILE: path.join(tmp, 'index') };
    const inRepo = (args: string[], options: GitOptions = {}) =>
      git(['--git-dir', absRepo, ...args], options);
    for (let attempt = 1; ; attempt++) {
      fs.rmSync(index.GIT_INDEX_FILE, { force: true });
      const worktree = ['--work-tree', absFolder, '-c', `core.excludesFile=${excludes}`];
      inRepo([...worktree, 'add', '--all', '--', '.'], { env: index });
      const tree = inRepo(['write-tree'], { env: index }).stdout;
      const parent = headOf(git, absRepo);
      const parentTree = parent
        ? inRepo(['rev-parse', `${parent}^{tree}`]).stdout
        : inRepo(['hash-object', '-t', 'tree', '--stdin'], { input: '' }).stdout; // empty tree, not written
      if (parent && parentTree === tree) {
        return { repo: absRepo, commit: parent, changed: false, changes: [] };
      }
      const changes = inRepo(['diff-tree', '-r', '--no-renames', '--name-status', parentTree, tree])
        .stdout.split('\n')
        .filter(Boolean);
      const commit = inRepo(['commit-tree', tree, ...(parent ? ['-p', parent] : [])], {
        input: `deploy: ${changes.length} file(s) changed\n\n${changes.join('\n')}\n`,
      }).stdout;
      sweepStaleRefLock(absRepo);
      // Compare-and-swap: refused when another deploy moved main since we read it.
      const moved = inRepo(['update-ref', '-m', 'deploy', REF, commit, parent ?? '0'.repeat(40)], {
        ok: [0, 128],
      });
      if (moved.code === 0) return { repo: absRepo, commit, changed: true, changes };
      if (attempt >= 3) {
        throw new ConfigError(
          `could not move ${BUNDLE_BRANCH} of the DAG bundle ${absRepo}: ${moved.stderr.split('\n')[0]}`,
          'another deploy is changing it (a lock older than a minute is removed by the next deploy), or the repository is not writable; deploy again',
        );
      }
    }
  });
}

function headOf(git: Git, repo: string): string | undefined {
  return (
    git(['--git-dir', repo, 'rev-parse', '--verify', '-q', REF], { ok: [0, 1] }).stdout || undefined
  );
}

/** Creates a bare repository at `repo` unless one is there; refuses anything else in the way. */
function ensureBareRepo(git: Git, repo: string): void {
  const entries = fs.existsSync(repo) ? fs.readdirSync(repo) : undefined;
  if (entries === undefined || entries.length === 0) {
    // --template= : no sample hooks or info/exclude from the system's templates.
    // --shared=0644: objects readable by the Airflow containers' uid whatever our umask.
    git(['init', '--quiet', '--bare', '--template=', '--shared=0644', repo]);
    git(['--git-dir', repo, 'symbolic-ref', 'HEAD', REF]);
    return;
  }
  const bare = git(['--git-dir', repo, 'rev-parse', '--is-bare-repository'], { ok: [0, 128] });
  if (bare.stdout !== 'true') {
    throw new ConfigError(
      `${repo} is in the way of the DAG bundle: it is not empty and not a bare git repository`,
      'move it away (deploy creates the repository), or give deploy another --bundle-repo',
    );
  }
}

function sweepStaleRefLock(repo: string): void {
  const lock = path.join(repo, `${REF}.lock`);
  const stat = fs.statSync(lock, { throwIfNoEntry: false });
  if (stat && Date.now() - stat.mtimeMs > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
}

interface GitOptions {
  /** Exit codes that are not an error (default: 0 only). */
  ok?: number[];
  env?: Record<string, string>;
  input?: string;
}
interface GitResult {
  code: number;
  /** Trimmed. */
  stdout: string;
  stderr: string;
}
type Git = (args: string[], options?: GitOptions) => GitResult;

/** Runs `fn` with a git runner whose environment is ours alone, and a private temp folder. */
function withGit<T>(fn: (git: Git, tmp: string) => T): T {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-bundle-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // An empty home and no system or global file: nothing of the user's git setup applies.
    HOME: tmp,
    XDG_CONFIG_HOME: tmp,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GIT_AUTHOR_NAME: BUNDLE_AUTHOR,
    GIT_AUTHOR_EMAIL: BUNDLE_EMAIL,
    GIT_COMMITTER_NAME: BUNDLE_AUTHOR,
    GIT_COMMITTER_EMAIL: BUNDLE_EMAIL,
  };
  const git: Git = (args, options = {}) => {
    const res = spawnSync(
      'git',
      ['-c', 'core.hooksPath=/dev/null', '-c', 'core.autocrlf=false', ...args],
      {
        env: { ...env, ...options.env },
        input: options.input,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (res.error) {
      if ((res.error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ConfigError(
          'deploy commits the DAGs to a git repository (the stack reads them from it, one version per deploy), but there is no `git` command on PATH',
          'install git (Debian/Ubuntu: apt-get install git; scripts/setup.sh does) and deploy again',
        );
      }
      throw res.error;
    }
    const result = {
      code: res.status ?? 128,
      stdout: res.stdout.trim(),
      stderr: res.stderr.trim(),
    };
    if (!(options.ok ?? [0]).includes(result.code)) {
      throw new ConfigError(
        `git ${args.filter((a, i) => a !== '-c' && args[i - 1] !== '-c').join(' ')} failed (exit ${result.code}): ${result.stderr}`,
        'fix what git says (permissions of the bundle repository?) and deploy again',
      );
    }
    return result;
  };
  try {
    return fn(git, tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
