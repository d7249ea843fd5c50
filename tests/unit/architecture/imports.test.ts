import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The import graph of cli/, read with TypeScript's own parser (ts.preProcessFile): no file
 * imports one in a higher layer, and there are no cycles, between files or between folders.
 * A failure names the offending edge.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'cli');

/**
 * Layers, lowest first; a file may import its own layer or lower ones. The compiler's phases
 * are layers of their own (spec → ir → emit → compile → project), as in sqlc.
 * The first matching prefix decides.
 */
const LAYERS: [layer: number, name: string, prefixes: string[]][] = [
  [0, 'base', ['base/']],
  // The step contract and pure content hashes of docker/steps: what the compiler writes into
  // DAGs as image names.
  [1, 'compiler: steps', ['compiler/steps/']],
  [2, 'compiler: spec', ['compiler/spec/']],
  [3, 'compiler: ir', ['compiler/ir/']],
  [4, 'compiler: emit', ['compiler/emit/']],
  [5, 'compiler: compile', ['compiler/compile.ts']],
  [
    6,
    'compiler: project',
    ['compiler/project.ts', 'compiler/dag-folder.ts', 'compiler/compile-folder.ts'],
  ],
  // Operating Airflow and Docker; it may use the compiler, never the command line.
  [7, 'operations', ['ops/']],
  // The command line: settings from flags and .env, and printing.
  [8, 'command line: settings and output', ['config/', 'output/']],
  // What each command does: checks its flags, calls the compiler or operations, prints.
  [9, 'command line: actions', ['actions/']],
  // How each command is spelled: its name, arguments, flags and help.
  [
    10,
    'command line: commands',
    ['commands/', 'completion.ts', 'examples.ts', 'program.ts', 'main.ts', 'bin.ts'],
  ],
];

function layerOf(file: string): { layer: number; name: string } {
  const rel = path.relative(CLI, file).split(path.sep).join('/');
  for (const [layer, name, prefixes] of LAYERS) {
    if (prefixes.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p)))
      return { layer, name };
  }
  throw new Error(`cli/${rel} is in no layer: add it to LAYERS in ${__filename}`);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of each file inside cli/, resolved to files. */
function importEdges(): [from: string, to: string][] {
  const edges: [string, string][] = [];
  for (const file of sources(CLI)) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), fileName);
      const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find(
        (p) => fs.existsSync(p) && fs.statSync(p).isFile(),
      );
      if (target === undefined) throw new Error(`${file}: cannot resolve ${fileName}`);
      // docker/steps' registry is a contract boundary, not part of cli/'s layers.
      if (!target.startsWith(CLI + path.sep)) continue;
      edges.push([file, target]);
    }
  }
  return edges;
}

const rel = (f: string) => path.relative(ROOT, f);
const EDGES = importEdges();

test('no import runs from a lower layer to a higher one', () => {
  const upward = EDGES.filter(([a, b]) => layerOf(a).layer < layerOf(b).layer).map(
    ([a, b]) => `${rel(a)} (${layerOf(a).name}) imports ${rel(b)} (${layerOf(b).name})`,
  );
  expect(upward).toEqual([]);
});

/** Every cycle's nodes in order, found by depth-first search (one per back edge). */
function cycles(edges: [string, string][]): string[] {
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) if (a !== b) next.set(a, [...(next.get(a) ?? []), b]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of [...new Set(next.get(n) ?? [])].sort()) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m].join(' -> '));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

test('no import cycle between files', () => {
  expect(cycles(EDGES.map(([a, b]) => [rel(a), rel(b)]))).toEqual([]);
});

test('no import cycle between folders (a file directly in cli/ counts as its own)', () => {
  const unit = (f: string) => (path.dirname(f) === CLI ? rel(f) : path.dirname(rel(f)));
  expect(cycles(EDGES.map(([a, b]) => [unit(a), unit(b)]))).toEqual([]);
});

test('the cycle finder names the edges of a cycle', () => {
  expect(
    cycles([
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
      ['c', 'd'],
    ]),
  ).toEqual(['a -> b -> c -> a']);
});

test('cli/ is the base, the two halves (compiler and operations) and the command line', () => {
  expect(fs.readdirSync(CLI).sort()).toEqual([
    'actions',
    'base',
    'bin.ts',
    'commands',
    'compiler',
    'completion.ts',
    'config',
    'examples.ts',
    'main.ts',
    'ops',
    'output',
    'program.ts',
  ]);
});
