import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bundleHead,
  commitDagFolder,
  defaultBundleRepo,
  requireGit,
} from '../../../../cli/ops/deploy/bundle-repo';
import { ConfigError } from '../../../../cli/base/errors';

/**
 * The DAG bundle repository with the host's real git, in temp folders: one commit per change
 * of the DAGs folder, none when nothing changed, nothing of the user's git setup applied,
 * objects readable by other uids, and clean errors when git is missing or something is in
 * the way.
 */
let work: string;
let repo: string;
let dags: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-repo-test-'));
  repo = path.join(work, 'bundle.git');
  dags = path.join(work, 'dags');
  fs.mkdirSync(dags);
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** git on the test's side, with no user config either. */
function git(...args: string[]): string {
  return execFileSync('git', ['--git-dir', repo, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();
}

function write(name: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dags, name)), { recursive: true });
  fs.writeFileSync(path.join(dags, name), content);
}

test('the default repository sits beside the DAGs folder', () => {
  expect(defaultBundleRepo('/srv/project/airflow/dags')).toBe('/srv/project/airflow/bundle.git');
  expect(defaultBundleRepo('/srv/project/airflow/dags/')).toBe('/srv/project/airflow/bundle.git');
});

test('the first deploy creates the repository and commits the folder, minus caches and temps', () => {
  write('a.py', 'A = 1\n');
  write('b.py', 'B = 1\n');
  write('lib/helper.py', 'H = 1\n');
  write('__pycache__/a.cpython-311.pyc', 'cache');
  write('lib/__pycache__/helper.cpython-311.pyc', 'cache');
  write('.b.py.0123456789abcdef.new.tmp', 'half-written');
  expect(bundleHead(repo)).toBeUndefined();

  const first = commitDagFolder(repo, dags);

  expect(first).toEqual({
    repo,
    commit: git('rev-parse', 'refs/heads/main'),
    changed: true,
    changes: ['A\ta.py', 'A\tb.py', 'A\tlib/helper.py'],
  });
  expect(bundleHead(repo)).toBe(first.commit);
  expect(git('rev-parse', '--is-bare-repository')).toBe('true');
  expect(git('symbolic-ref', 'HEAD')).toBe('refs/heads/main');
  expect(git('ls-tree', '-r', '--name-only', 'main').split('\n')).toEqual([
    'a.py',
    'b.py',
    'lib/helper.py',
  ]);
  expect(git('show', 'main:b.py')).toBe('B = 1');
  expect(git('log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', 'main')).toBe(
    'airflow-ml deploy <deploy@airflow-ml.invalid>|airflow-ml deploy <deploy@airflow-ml.invalid>|' +
      'deploy: 3 file(s) changed\n\nA\ta.py\nA\tb.py\nA\tlib/helper.py',
  );
  // No sample hooks or other template files: the repository holds only what git needs.
  expect(fs.existsSync(path.join(repo, 'hooks'))).toBe(false);
  expect(fs.existsSync(path.join(repo, 'info', 'exclude'))).toBe(false);
});

test('an unchanged folder makes no commit; each change makes exactly one', () => {
  write('a.py', 'A = 1\n');
  write('b.py', 'B = 1\n');
  const first = commitDagFolder(repo, dags);

  const again = commitDagFolder(repo, dags);
  expect(again).toEqual({ repo, commit: first.commit, changed: false, changes: [] });
  expect(git('rev-list', '--count', 'main')).toBe('1');

  fs.rmSync(path.join(dags, 'a.py'));
  write('b.py', 'B = 2\n');
  write('c.py', 'C = 1\n');
  const second = commitDagFolder(repo, dags);
  expect(second.changed).toBe(true);
  expect(second.changes).toEqual(['D\ta.py', 'M\tb.py', 'A\tc.py']);
  expect(git('rev-list', '--count', 'main')).toBe('2');
  expect(git('rev-parse', 'main^')).toBe(first.commit);
  expect(git('rev-parse', 'main')).toBe(second.commit);
  expect(git('show', 'main:b.py')).toBe('B = 2');
  expect(git('show', `${first.commit}:b.py`)).toBe('B = 1');

  expect(commitDagFolder(repo, dags).changed).toBe(false);
  expect(git('rev-list', '--count', 'main')).toBe('2');
});

test("the user's git setup does not apply: global excludes, identity, hooks and umask", () => {
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, 'ignore'), '*.py\n');
  const hook = path.join(home, 'hooks');
  fs.mkdirSync(hook);
  fs.writeFileSync(path.join(hook, 'post-commit'), '#!/bin/sh\ntouch "$HOME/hook-ran"\n', {
    mode: 0o755,
  });
  fs.writeFileSync(
    path.join(home, '.gitconfig'),
    `[user]\n\tname = Someone Else\n\temail = someone@example.com\n` +
      `[core]\n\texcludesFile = ${path.join(home, 'ignore')}\n\thooksPath = ${hook}\n`,
  );
  const saved = { HOME: process.env.HOME, GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME };
  process.env.HOME = home;
  process.env.GIT_AUTHOR_NAME = 'From The Environment';
  const umask = process.umask(0o077);
  try {
    write('a.py', 'A = 1\n');
    commitDagFolder(repo, dags);
  } finally {
    process.umask(umask);
    process.env.HOME = saved.HOME;
    if (saved.GIT_AUTHOR_NAME === undefined) delete process.env.GIT_AUTHOR_NAME;
    else process.env.GIT_AUTHOR_NAME = saved.GIT_AUTHOR_NAME;
  }
  expect(git('ls-tree', '-r', '--name-only', 'main')).toBe('a.py');
  expect(git('log', '-1', '--format=%an <%ae>', 'main')).toBe(
    'airflow-ml deploy <deploy@airflow-ml.invalid>',
  );
  expect(fs.existsSync(path.join(home, 'hook-ran'))).toBe(false);
  // The Airflow containers run as another uid: every object must be readable by others.
  const objects = path.join(repo, 'objects');
  const files = fs
    .readdirSync(objects, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  expect(files.length).toBe(3); // the commit, its tree, a.py's blob
  for (const file of files) expect([file, fs.statSync(file).mode & 0o777]).toEqual([file, 0o444]);
  expect(fs.statSync(objects).mode & 0o777).toBe(0o755);
});

test('no git on PATH is a clean error that says what to do, and nothing is created', () => {
  write('a.py', 'A = 1\n');
  const emptyBin = path.join(work, 'bin');
  fs.mkdirSync(emptyBin);
  const savedPath = process.env.PATH;
  process.env.PATH = emptyBin;
  let error: unknown;
  try {
    commitDagFolder(repo, dags);
  } catch (err) {
    error = err;
  }
  try {
    requireGit();
  } catch (err) {
    expect(err).toEqual(error);
  } finally {
    process.env.PATH = savedPath;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message).toBe(
    'deploy commits the DAGs to a git repository (the stack reads them from it, one version per deploy), but there is no `git` command on PATH',
  );
  expect((error as ConfigError).hint).toBe(
    'install git (Debian/Ubuntu: apt-get install git; scripts/setup.sh does) and deploy again',
  );
  expect(fs.existsSync(repo)).toBe(false);
});

test('a folder in the way that is not a bare repository is refused, untouched', () => {
  fs.mkdirSync(repo);
  fs.writeFileSync(path.join(repo, 'notes.txt'), 'mine');
  write('a.py', 'A = 1\n');
  expect(() => commitDagFolder(repo, dags)).toThrow(
    new ConfigError(
      `${repo} is in the way of the DAG bundle: it is not empty and not a bare git repository`,
    ),
  );
  expect(fs.readdirSync(repo)).toEqual(['notes.txt']);
});

test('a ref lock a killed deploy left behind is swept once stale; a live one is respected', () => {
  write('a.py', 'A = 1\n');
  const first = commitDagFolder(repo, dags);
  const lock = path.join(repo, 'refs', 'heads', 'main.lock');

  fs.writeFileSync(lock, '');
  write('a.py', 'A = 2\n');
  let error: unknown;
  try {
    commitDagFolder(repo, dags);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).message).toBe(
    `could not move main of the DAG bundle ${repo}: fatal: update_ref failed for ref 'refs/heads/main': cannot lock ref 'refs/heads/main': Unable to create '${lock}': File exists.`,
  );
  expect(git('rev-parse', 'main')).toBe(first.commit);

  const old = new Date(Date.now() - 61_000);
  fs.utimesSync(lock, old, old);
  const second = commitDagFolder(repo, dags);
  expect(second.changes).toEqual(['M\ta.py']);
  expect(git('rev-parse', 'main^')).toBe(first.commit);
  expect(fs.existsSync(lock)).toBe(false);
});
