import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, type CompileResult, type SpecSource } from './compile';
import { ConfigError } from './errors';
import { imageTags } from './images/tags';
import { loadStepCatalog } from './spec/manifest';

/** Files and folders of a project checkout, and the I/O around the pure compiler. */

export const DEFAULT_SPECS_DIR = 'dag-specs';
export const DEFAULT_DAGS_DIR = path.join('airflow', 'dags');
const GENERATED_MARK = /^# Generated from .* by airflow-ml — do not edit\./;

export interface CompileProjectOptions {
  root: string;
  specsDir?: string;
  /** Compile only these spec files (paths relative to root or absolute). */
  files?: string[];
}

export function loadSpecSources(
  root: string,
  specsDir = DEFAULT_SPECS_DIR,
  files?: string[],
): SpecSource[] {
  const paths = files ?? listSpecFiles(path.resolve(root, specsDir));
  return paths.map((p) => {
    const absolute = path.resolve(root, p);
    let text: string;
    try {
      text = fs.readFileSync(absolute, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `cannot read spec ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        'check the path',
      );
    }
    return { path: toPosix(path.relative(root, absolute)), text };
  });
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

export function compileProject(options: CompileProjectOptions): CompileResult {
  const specs = loadSpecSources(options.root, options.specsDir, options.files);
  return compile(specs, {
    catalog: loadStepCatalog(options.root),
    imageTags: imageTags(options.root),
  });
}

export interface WriteReport {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Writes generated files into `outDir`: each to a temporary name first, then all renamed, so a
 * scheduler never parses a half-written DAG. Generated files whose spec is gone are removed;
 * files we did not generate are never touched.
 */
export function writeGeneratedFiles(outDir: string, files: Map<string, string>): WriteReport {
  fs.mkdirSync(outDir, { recursive: true });
  const report: WriteReport = { written: [], unchanged: [], removed: [] };
  const staged: [string, string][] = [];
  try {
    for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const target = path.join(outDir, name);
      if (readIfExists(target) === content) {
        report.unchanged.push(name);
        continue;
      }
      const temp = path.join(outDir, `.${name}.${process.pid}.tmp`);
      fs.writeFileSync(temp, content);
      staged.push([temp, target]);
      report.written.push(name);
    }
  } catch (err) {
    for (const [temp] of staged) fs.rmSync(temp, { force: true });
    throw err;
  }
  for (const [temp, target] of staged) fs.renameSync(temp, target);
  for (const name of staleGeneratedFiles(outDir, files)) {
    fs.rmSync(path.join(outDir, name));
    report.removed.push(name);
  }
  return report;
}

export interface CheckReport {
  /** Files whose content on disk differs from what compile produces, or that are missing. */
  stale: string[];
  /** Generated files on disk with no spec any more. */
  orphaned: string[];
}

export function checkGeneratedFiles(outDir: string, files: Map<string, string>): CheckReport {
  const stale = [...files]
    .filter(([name, content]) => readIfExists(path.join(outDir, name)) !== content)
    .map(([name]) => name)
    .sort();
  return { stale, orphaned: staleGeneratedFiles(outDir, files) };
}

function staleGeneratedFiles(outDir: string, files: Map<string, string>): string[] {
  if (!fs.existsSync(outDir)) return [];
  return fs
    .readdirSync(outDir)
    .filter((f) => f.endsWith('.py') && !files.has(f))
    .filter((f) => GENERATED_MARK.test(readIfExists(path.join(outDir, f)) ?? ''))
    .sort();
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
