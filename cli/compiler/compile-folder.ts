import * as path from 'node:path';
import { CheckFailedError, UsageError } from '../base/errors';
import type { Runner } from './spec/types';
import { checkGeneratedFiles, compileOrThrow, writeGeneratedFiles } from './project';

export interface CompileFolderOptions {
  root: string;
  /** The spec folder, relative to root (as the flag gave it). */
  specs: string;
  /** The output folder, relative to root (as the flag gave it; also how lines name it). */
  out: string;
  /** Write nothing; a CheckFailedError when the files on disk are stale. */
  check?: boolean;
  /** `--runner docker|kubernetes`: every spec's steps on that backend. */
  runner?: string;
}

/**
 * `compile`: the specs into the output folder (all or nothing), or with `check` a comparison
 * that writes nothing. Returns the lines that report it.
 */
export function compileToFolder(options: CompileFolderOptions): string[] {
  const { root, out } = options;
  const result = compileOrThrow({
    root,
    specsDir: options.specs,
    runner: runnerFlag(options.runner),
  });
  const outDir = path.resolve(root, out);
  if (options.check) {
    const { stale, orphaned } = checkGeneratedFiles(outDir, result.files, result.specsDir);
    if (stale.length + orphaned.length > 0) {
      throw new CheckFailedError(
        `generated DAG files are stale in ${out}: ${[...stale, ...orphaned.map((f) => `${f} (no spec)`)].join(', ')}`,
        'run `npx airflow-ml compile` and commit the result',
      );
    }
    return [`${result.files.size} DAG file(s) in ${out} are up to date`];
  }
  const report = writeGeneratedFiles(outDir, result.files, result.specsDir);
  return [
    ...report.written.map((f) => `wrote ${path.join(out, f)}`),
    ...report.removed.map((f) => `removed ${path.join(out, f)} (its spec is gone)`),
    `${result.files.size} DAG file(s): ${report.written.length} written, ${report.unchanged.length} unchanged`,
  ];
}

function runnerFlag(raw: string | undefined): Runner | undefined {
  if (raw === undefined || raw === 'docker' || raw === 'kubernetes') return raw;
  throw new UsageError(`--runner must be docker or kubernetes, not "${raw}"`);
}
