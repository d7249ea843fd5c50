import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileForTest } from '../../../support/compile-fixture';
import { runPythonJson } from '../../../support/python';
import { runMain } from '../../../support/run-main';
import { applyDagFolder, planDagFolder } from '../../../../cli/compiler/dag-folder';
import { generatedHeader, readGeneratedHeader } from '../../../../cli/compiler/emit/file';

/**
 * Hostile files and folders around the compiler (issue 10): spec names that try to end the
 * header comment, specs that are not regular files or are too large, a DAGs folder with
 * someone else's files, planted symlinks and obstacles. Each case failed on the code before.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SPEC = fs.readFileSync(path.join(ROOT, 'dag-specs', 'generate_data.yaml'), 'utf8');

let work: string;
let specs: string;
let out: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-hostile-'));
  specs = path.join(work, 'specs');
  out = path.join(work, 'dags');
  fs.mkdirSync(specs);
  fs.writeFileSync(path.join(specs, 'generate_data.yaml'), SPEC);
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const compileCli = (...extra: string[]) =>
  runMain('compile', '--specs', specs, '--out', out, ...extra);
const listing = (dir: string) => fs.readdirSync(dir).sort();

describe('the spec path reaches the generated file only as data', () => {
  const PAYLOAD = 'x\nimport os; os.system("touch /tmp/pwned")\n#';

  test('a newline in the spec name cannot start code (AST equal to a benign name)', () => {
    const text = SPEC.replace('dag_id: generate_data', 'dag_id: g');
    const benign = compileForTest([{ path: 'dag-specs/g.yaml', text }]);
    const hostile = compileForTest([{ path: `dag-specs/${PAYLOAD}.yaml`, text }]);
    expect(hostile.diagnostics).toEqual([]);
    const source = hostile.files.get('g.py') as string;
    expect(source.split('\n').slice(0, 2)).toEqual([
      `# Generated from 'dag-specs/x\\nimport os; os.system("touch /tmp/pwned")\\n#.yaml' by airflow-ml — do not edit.`,
      '# Change the spec and run `npx airflow-ml compile` instead.',
    ]);
    expect(readGeneratedHeader(source)).toBe(`dag-specs/${PAYLOAD}.yaml`);
    const [a, b] = runPythonJson<{ shape: string }[]>('extract_module.py', [
      benign.files.get('g.py'),
      source,
    ]);
    expect(b.shape).toBe(a.shape);
  });

  test('through the CLI: a spec file and a spec folder named with a newline', async () => {
    const folder = path.join(work, `specs\nimport os\n#`);
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, `g\nraise SystemExit(3)\n#.yaml`), SPEC);
    const r = await runMain('compile', '--specs', folder, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const source = fs.readFileSync(path.join(out, 'generate_data.py'), 'utf8');
    const lines = source.split('\n');
    expect(lines[0].startsWith('# Generated from "')).toBe(true);
    expect(lines[1]).toBe('# Change the spec and run `npx airflow-ml compile` instead.');
    expect(readGeneratedHeader(source)).toBe(
      path.relative(ROOT, path.join(folder, `g\nraise SystemExit(3)\n#.yaml`)),
    );
    // Python sees exactly one comment line where the header is: no statement from the name.
    const firstStatement = execFileSync('python3', [
      '-c',
      'import ast,sys; print(ast.parse(open(sys.argv[1]).read()).body[0].lineno)',
      path.join(out, 'generate_data.py'),
    ]);
    expect(firstStatement.toString().trim()).toBe('4');
  });
});

describe('specs are bounded regular files', () => {
  test('a symlink to /dev/zero and a FIFO fail at once with a positioned error', async () => {
    fs.symlinkSync('/dev/zero', path.join(specs, 'zero.yaml'));
    execFileSync('mkfifo', [path.join(specs, 'fifo.yaml')]);
    const started = Date.now();
    const r = await compileCli();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(3);
    const rel = path.relative(ROOT, specs);
    expect(r.stderr.split('\n').filter((l) => l.includes(':1:1:'))).toEqual([
      `error: ${rel}/fifo.yaml:1:1: the spec is not a regular file (a folder, device, FIFO or socket)`,
      `${rel}/zero.yaml:1:1: the spec is not a regular file (a folder, device, FIFO or socket)`,
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a spec over 1 MiB is refused before it is parsed', async () => {
    fs.writeFileSync(path.join(specs, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const r = await compileCli();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `${path.relative(ROOT, specs)}/big.yaml:1:1: the spec is 1048579 bytes; the limit is 1048576 bytes (1 MiB)`,
    );
  });

  test('a spec nested too deeply is refused before parsing, not a crash', () => {
    for (const nesting of [
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
      '- '.repeat(5000) + 'x',
    ]) {
      const text = `dag_id: deep\nx:\n  ${nesting}\n`;
      const result = compileForTest([{ path: 'deep.yaml', text }]);
      expect(result.diagnostics.map((d) => [d.line, d.col, d.message])).toEqual([
        [1, 1, 'the spec is nested too deeply to read (over 1000 open brackets or list markers)'],
      ]);
    }
  });

  test('a spec over the token cap is refused before it is parsed', () => {
    const tasks = Array.from(
      { length: 4000 },
      (_, i) => `  - { id: t${i}, sensor: { path: p } }\n`,
    );
    const text = `dag_id: many\nschedule: null\nstart_date: "2026-01-01"\ntasks:\n${tasks.join('')}`;
    const started = Date.now();
    const result = compileForTest([{ path: 'many.yaml', text }]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([
      '1:1: the spec has over 100000 YAML tokens (keys, values, indicators and spaces)',
    ]);
  });

  test('a duplicate key is reported at the second one', () => {
    const text = 'dag_id: a\nschedule: null\ndag_id: b\n';
    const result = compileForTest([{ path: 'dup.yaml', text }]);
    expect(result.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([
      '3:1: YAML syntax error: duplicate key "dag_id"',
    ]);
  });

  test('a flood of problems is capped at 50 diagnostics plus a count', () => {
    const tasks = Array.from(
      { length: 3000 },
      (_, i) => `  - id: t${i}\n    step: generate\n    depends_on: [missing_${i}]\n`,
    ).join('');
    const text = `dag_id: flood\nschedule: null\nstart_date: "2026-01-01"\ntasks:\n${tasks}`;
    const result = compileForTest([{ path: 'flood.yaml', text }]);
    expect(result.diagnostics).toHaveLength(51);
    expect(result.diagnostics[50].message).toBe(
      '8950 more problem(s) in this spec are not shown (only the first 50 are)',
    );
  });
});

describe('the DAGs folder: only our own files are replaced, all or nothing', () => {
  test('a hand-written DAG with a generated name is never overwritten', async () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'generate_data.py'), 'from airflow.sdk import DAG\n');
    const r = await compileCli();
    expect(r.code).toBe(9);
    expect(r.stderr).toContain(
      'generate_data.py: was not generated by airflow-ml (no generated header); it is never overwritten',
    );
    expect(fs.readFileSync(path.join(out, 'generate_data.py'), 'utf8')).toBe(
      'from airflow.sdk import DAG\n',
    );
    expect(listing(out)).toEqual(['generate_data.py']);
  });

  test("another spec folder's DAGs are neither pruned nor overwritten", async () => {
    const other = path.join(work, 'other-specs');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'theirs.yaml'), SPEC.replace('generate_data', 'theirs'));
    expect((await runMain('compile', '--specs', other, '--out', out)).code).toBe(0);
    const theirs = fs.readFileSync(path.join(out, 'theirs.py'), 'utf8');
    expect((await compileCli()).code).toBe(0);
    expect(listing(out)).toEqual(['generate_data.py', 'theirs.py']);
    expect(fs.readFileSync(path.join(out, 'theirs.py'), 'utf8')).toBe(theirs);

    fs.writeFileSync(path.join(specs, 'theirs.yaml'), SPEC.replace('generate_data', 'theirs'));
    const clash = await compileCli();
    expect(clash.code).toBe(9);
    expect(clash.stderr).toContain(
      `theirs.py: was generated from another spec folder (${JSON.stringify(path.relative(ROOT, path.join(other, 'theirs.yaml')))})`,
    );
    expect(fs.readFileSync(path.join(out, 'theirs.py'), 'utf8')).toBe(theirs);
  });

  test('a symlink planted at an output name is refused, its target untouched', async () => {
    fs.mkdirSync(out);
    const outside = path.join(work, 'outside.txt');
    fs.writeFileSync(outside, 'precious');
    fs.symlinkSync(outside, path.join(out, 'generate_data.py'));
    const r = await compileCli();
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('generate_data.py: is a symbolic link');
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious');
  });

  test('temp files get random names: planted links at the old predictable names are ignored', async () => {
    fs.mkdirSync(out);
    const outside = path.join(work, 'outside.txt');
    fs.writeFileSync(outside, 'precious');
    for (const pid of [process.pid, process.pid + 1]) {
      fs.symlinkSync(outside, path.join(out, `.generate_data.py.${pid}.tmp`));
    }
    expect((await compileCli()).code).toBe(0);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious');
    expect(fs.readFileSync(path.join(out, 'generate_data.py'), 'utf8')).toContain(
      'dag_id="generate_data"',
    );
  });

  test('a folder in the way of one output leaves the whole output folder as it was', async () => {
    fs.writeFileSync(path.join(specs, 'second.yaml'), SPEC.replace('generate_data', 'second'));
    expect((await compileCli()).code).toBe(0);
    const before = new Map(listing(out).map((f) => [f, fs.readFileSync(path.join(out, f))]));
    fs.writeFileSync(
      path.join(specs, 'generate_data.yaml'),
      SPEC.replace('rows: 20000', 'rows: 100'),
    );
    fs.writeFileSync(path.join(specs, 'third.yaml'), SPEC.replace('generate_data', 'third'));
    fs.rmSync(path.join(out, 'second.py'));
    fs.mkdirSync(path.join(out, 'second.py'));
    const r = await compileCli();
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('second.py: is not a regular file');
    expect(listing(out)).toEqual(['generate_data.py', 'second.py']);
    expect(fs.readFileSync(path.join(out, 'generate_data.py'))).toEqual(
      before.get('generate_data.py'),
    );
  });

  test('a rename that fails part-way is rolled back', () => {
    fs.mkdirSync(out);
    const ours = (name: string, body: string) =>
      `${generatedHeader(`specs/${name}.yaml`)}\n${body}\n`;
    fs.writeFileSync(path.join(out, 'a.py'), ours('a', 'old a'));
    fs.writeFileSync(path.join(out, 'gone.py'), ours('gone', 'old gone'));
    const files = new Map([
      ['a.py', ours('a', 'new a')],
      ['b.py', ours('b', 'new b')],
      ['c.py', ours('c', 'new c')],
    ]);
    const plan = planDagFolder(out, files, { specsDir: 'specs', prune: true });
    expect([plan.create, plan.update, plan.remove]).toEqual([
      ['b.py', 'c.py'],
      ['a.py'],
      ['gone.py'],
    ]);
    // Between plan and apply, something puts a non-empty folder where c.py goes: a real
    // rename(2) failure after a.py and b.py are already in place.
    fs.mkdirSync(path.join(out, 'c.py', 'inside'), { recursive: true });
    expect(() => applyDagFolder(plan)).toThrow(/^EPERM: operation not permitted, link .*c\.py/);
    expect(listing(out)).toEqual(['a.py', 'c.py', 'gone.py']);
    expect(fs.readFileSync(path.join(out, 'a.py'), 'utf8')).toBe(ours('a', 'old a'));
    expect(fs.readFileSync(path.join(out, 'gone.py'), 'utf8')).toBe(ours('gone', 'old gone'));
  });

  test('temps a killed writer left behind are swept once old; young ones are left alone', async () => {
    expect((await compileCli()).code).toBe(0);
    const old = path.join(out, '.generate_data.py.0123456789abcdef.new.tmp');
    const young = path.join(out, '.generate_data.py.fedcba9876543210.old.tmp');
    fs.writeFileSync(old, 'half');
    fs.writeFileSync(young, 'half');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    fs.utimesSync(old, twoMinutesAgo, twoMinutesAgo);
    fs.writeFileSync(
      path.join(specs, 'generate_data.yaml'),
      SPEC.replace('rows: 20000', 'rows: 100'),
    );
    expect((await compileCli()).code).toBe(0);
    expect(listing(out)).toEqual([
      '.generate_data.py.fedcba9876543210.old.tmp',
      'generate_data.py',
    ]);
  });
});
