import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { completionScript, completionTree } from '../../../cli/completion';
import { commandPaths, EXAMPLES } from '../../../cli/examples';
import { buildProgram } from '../../../cli/program';
import { runMain } from '../../support/run-main';

/**
 * Help, README and shell completion all come from the command tree, so none can drift: every
 * command has examples in its --help and its first one in the README's CLI reference, and the
 * completion scripts, loaded in a real bash and zsh, complete what the tree holds.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const paths = commandPaths(buildProgram());

test('every command has examples, and every example belongs to a command', () => {
  expect(Object.keys(EXAMPLES).sort()).toEqual([...paths].sort());
  for (const p of paths.filter(Boolean)) {
    expect([p, EXAMPLES[p].filter(([args]) => !`${args} `.startsWith(`${p} `))]).toEqual([p, []]);
  }
});

test.each(paths.map((p) => [p || '(the program)', p]))(
  '%s --help ends with its examples',
  async (_name, p) => {
    const r = await runMain(...(p ? p.split(' ') : []), '--help');
    expect(r.code).toBe(0);
    const [first] = EXAMPLES[p];
    expect(r.stdout).toContain(`\nExamples:\n  $ airflow-ml ${first[0]} `);
  },
);

test("the README's CLI reference shows every command with its first example", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const reference = readme.slice(
    readme.indexOf('## CLI reference'),
    readme.indexOf('### Exit codes'),
  );
  const leaves = paths.filter((p) => p && !buildCommand(p).commands.length);
  const missing = leaves.filter(
    (p) => !reference.includes(`\`airflow-ml ${EXAMPLES[p][0][0].replace(/\|/g, '\\|')}\``),
  );
  expect(missing).toEqual([]);
});

function buildCommand(p: string) {
  let cmd = buildProgram();
  for (const name of p.split(' ')) cmd = cmd.commands.find((c) => c.name() === name) ?? cmd;
  return cmd;
}

describe('completion', () => {
  const bashFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'afml-compl-')), 'c.bash');
  const zshFile = path.join(path.dirname(bashFile), 'c.zsh');
  beforeAll(() => {
    fs.writeFileSync(bashFile, completionScript(buildProgram(), 'bash'));
    fs.writeFileSync(zshFile, completionScript(buildProgram(), 'zsh'));
  });

  /** What bash completes for the words typed (the last is the one being completed). */
  function bash(...words: string[]): string {
    const script = `source ${JSON.stringify(bashFile)}; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _airflow_ml; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script, 'bash', 'airflow-ml', ...words], {
      encoding: 'utf8',
    });
  }

  /** The same in a real zsh, with the completion system's builtins reduced to printing. */
  function zsh(...words: string[]): string {
    const stubs = [
      'compdef() { :; }',
      '_describe() { local arr=$4; print -rl -- ${(P)arr}; }',
      'compadd() { shift; print -rl -- "$@"; }',
      '_files() { print -r -- "(files)"; }',
    ].join('\n');
    const all = ['airflow-ml', ...words];
    const script = `${stubs}\nsource ${JSON.stringify(zshFile)}\nwords=(${all.map((w) => `'${w}'`).join(' ')}); CURRENT=${all.length}; PREFIX='${all[all.length - 1]}'; _airflow_ml`;
    try {
      return execFileSync('zsh', ['-f', '-c', script], { encoding: 'utf8' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error("zsh is not installed: run scripts/setup.sh (it installs Debian's zsh)");
      }
      throw err;
    }
  }

  test('bash: commands, subcommands, flags, files after a flag that takes a value', () => {
    expect(bash('ba')).toBe('backfill\n');
    expect(bash('variables', '')).toBe('import\nexport\n');
    expect(bash('backfill', 'generate_data', '--re')).toBe('--reprocess\n');
    expect(bash('down', '--')).toBe('--stack-env-file\n--volumes\n--yes\n--help\n');
    expect(bash('compile', '--specs', path.join(ROOT, 'dag-spec'))).toBe(
      `${path.join(ROOT, 'dag-specs')}\n`,
    );
    // Every top-level command, exactly as the tree has them.
    expect(bash('').trimEnd().split('\n')).toEqual(buildProgram().commands.map((c) => c.name()));
  });

  test('zsh: the same tree, with descriptions', () => {
    expect(zsh('variables', '')).toBe(
      'import:Create or overwrite every variable in FILE (- reads standard input).\nexport:Write every variable to FILE (mode 0600; - writes standard output).\n',
    );
    expect(zsh('down', '--')).toBe('--stack-env-file\n--volumes\n--yes\n-y\n--help\n');
    expect(zsh('compile', '--specs', '')).toBe('(files)\n');
    expect(
      zsh('')
        .trimEnd()
        .split('\n')
        .map((l) => l.split(':')[0]),
    ).toEqual(buildProgram().commands.map((c) => c.name()));
  });

  test('zsh: saved as _airflow-ml in $fpath, compinit picks it up for airflow-ml', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-fpath-'));
    fs.copyFileSync(zshFile, path.join(dir, '_airflow-ml'));
    const script = `fpath=(${JSON.stringify(dir)} $fpath); autoload -Uz compinit; compinit -u -D; print -r -- "\${_comps[airflow-ml]}"`;
    expect(execFileSync('zsh', ['-f', '-c', script], { encoding: 'utf8' })).toBe('_airflow-ml\n');
  });

  test('the tree the scripts come from has every command path', () => {
    expect(completionTree(buildProgram()).map((n) => n.path)).toEqual(paths);
  });

  test('completion with an unknown shell is a usage error', async () => {
    const r = await runMain('completion', 'fish');
    expect([r.code, r.stderr]).toEqual([2, 'error: SHELL must be one of bash, zsh, not "fish"\n']);
  });
});
