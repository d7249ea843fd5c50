import type { Runner } from './spec/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, type CompileResult, type SpecSource } from './compile';
import { applyDagFolder, planDagFolder } from './dag-folder';
import { ConfigError, SpecError, type Diagnostic } from '../base/errors';
import { readBounded } from '../base/read';
import { imageTags } from './steps/tags';
import { MAX_SPEC_BYTES } from './spec/limits';
import { loadStepCatalog } from './steps/contract';
import { tooLarge } from './spec/validate';

/** Files and folders of a project checkout, and the I/O around the pure compiler. */

export const DEFAULT_SPECS_DIR = 'dag-specs';
export const DEFAULT_DAGS_DIR = path.join('airflow', 'dags');

export interface CompileProjectOptions {
  root: string;
  specsDir?: string;
  /** Compile only these spec files (paths relative to root or absolute; `-`: standard input). */
  files?: string[];
  /** Reads standard input (a seam for tests). */
  readStdin?: (limit: number) => Buffer;
  /** Every spec's steps on this backend (`compile --runner`); default: each spec's `runner`. */
  runner?: Runner;
}

/** How a spec read from standard input is named in diagnostics. */
export const STDIN_SPEC = '<stdin>';

export function loadSpecSources(
  root: string,
  specsDir = DEFAULT_SPECS_DIR,
  files?: string[],
  readStdin: (limit: number) => Buffer = readStdinBounded,
): SpecSource[] {
  const paths = files ?? listSpecFiles(path.resolve(root, specsDir));
  const sources: SpecSource[] = [];
  const problems: Diagnostic[] = [];
  for (const p of paths) {
    if (p === '-') {
      const bytes = readStdin(MAX_SPEC_BYTES + 1);
      if (bytes.length > MAX_SPEC_BYTES) problems.push(tooLarge(STDIN_SPEC, bytes.length));
      else sources.push({ path: STDIN_SPEC, text: bytes.toString('utf8') });
      continue;
    }
    const absolute = path.resolve(root, p);
    const shown = toPosix(path.relative(root, absolute));
    const read = readSpecFile(absolute, shown);
    if (typeof read === 'string') sources.push({ path: shown, text: read });
    else problems.push(read);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return sources;
}

/**
 * A spec's text, or a diagnostic saying why it cannot be one. Only regular files of at most
 * MAX_SPEC_BYTES are read, and never more than that many bytes (readBounded).
 */
function readSpecFile(absolute: string, shown: string): string | Diagnostic {
  const problem = (message: string, hint: string): Diagnostic => ({
    file: shown,
    line: 1,
    col: 1,
    message,
    hint,
  });
  const read = readBounded(absolute, MAX_SPEC_BYTES);
  if ('text' in read) return read.text;
  if (read.problem === 'unreadable') {
    return problem(`cannot read the spec: ${read.code}`, 'check the path and its permissions');
  }
  if (read.problem === 'not-a-file') {
    return problem(
      'the spec is not a regular file (a folder, device, FIFO or socket)',
      'a spec must be a plain YAML file; move this entry out of the spec folder',
    );
  }
  return tooLarge(shown, read.size);
}

/** Standard input, but never more than `limit` bytes (a spec piped from /dev/zero stops there). */
function readStdinBounded(limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    let n: number;
    try {
      n = fs.readSync(0, buffer, length, limit - length, null);
    } catch (err) {
      // A non-blocking pipe with nothing yet: wait a moment and read again.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      continue;
    }
    if (n === 0) break;
    length += n;
  }
  return buffer.subarray(0, length);
}

function listSpecFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    throw new ConfigError(`spec folder ${dir} does not exist`, 'create it, or pass --specs DIR');
  }
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Spec files named on the command line, resolved from the working directory; `-` stays as
 * it is (one spec from standard input). Undefined when none is named: the spec folder.
 */
export function specFileArgs(files: string[]): string[] | undefined {
  return files.length ? files.map((f) => (f === '-' ? f : path.resolve(f))) : undefined;
}

export function compileProject(options: CompileProjectOptions): CompileResult {
  const specs = loadSpecSources(options.root, options.specsDir, options.files, options.readStdin);
  return compile(specs, {
    catalog: loadStepCatalog(options.root),
    imageTags: imageTags(options.root),
    runner: options.runner,
  });
}

/**
 * The project's specs compiled, or a SpecError with every diagnostic: the one "compile, or
 * throw" that compile, validate, deploy and `up` share. `specsDir` in the result is the spec
 * folder as the generated headers name it (relative to the project root).
 */
export function compileOrThrow(
  options: CompileProjectOptions,
): Omit<CompileResult, 'diagnostics'> & { specsDir: string } {
  const result = compileProject(options);
  if (result.diagnostics.length > 0) throw new SpecError(result.diagnostics);
  const specsDir = path.relative(
    options.root,
    path.resolve(options.root, options.specsDir ?? DEFAULT_SPECS_DIR),
  );
  return { files: result.files, pipelines: result.pipelines, specsDir };
}

export interface WriteReport {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Writes the generated files into `outDir`, all or nothing (see dag-folder.ts): only files
 * generated from the same spec folder are replaced, and those whose spec is gone are removed.
 */
export function writeGeneratedFiles(
  outDir: string,
  files: Map<string, string>,
  specsDir: string,
): WriteReport {
  const plan = planDagFolder(outDir, files, { specsDir, prune: true });
  applyDagFolder(plan);
  return {
    written: [...plan.create, ...plan.update],
    unchanged: plan.unchanged,
    removed: plan.remove,
  };
}

export interface CheckReport {
  /** Files whose content on disk differs from what compile produces, or that are missing. */
  stale: string[];
  /** Generated files of this spec folder on disk with no spec any more. */
  orphaned: string[];
}

export function checkGeneratedFiles(
  outDir: string,
  files: Map<string, string>,
  specsDir = DEFAULT_SPECS_DIR,
): CheckReport {
  const plan = planDagFolder(outDir, files, { specsDir, prune: true });
  return {
    stale: [...plan.create, ...plan.update, ...plan.conflicts.map((c) => c.name)].sort(),
    orphaned: plan.remove,
  };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
