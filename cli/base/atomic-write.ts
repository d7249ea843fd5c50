import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Write `content` to `file` so that readers see the old file or the new one, never half of
 * either: a temporary file in the same folder (same filesystem), flushed, then renamed over
 * the target. `mode` is applied to the temporary file before it becomes visible, so a secret
 * is never readable by others even for a moment. Without `mode`, an existing file keeps its
 * mode. A symlinked target is followed, so the link survives.
 */
export function writeFileAtomic(file: string, content: string, mode?: number): void {
  const target = resolveLink(file);
  const finalMode = mode ?? existingMode(target) ?? 0o644;
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  writeNewFile(temp, content, finalMode);
  try {
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * Creates `file` with `content` and exactly `mode`, flushed to disk. The open is exclusive
 * (O_CREAT|O_EXCL): it fails on any existing entry, a planted symlink included, so it never
 * writes through someone else's file. On failure nothing is left behind.
 */
export function writeNewFile(file: string, content: string, mode: number): void {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.writeSync(fd, content);
    // open()'s mode is masked by the umask; set it exactly.
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
}

function resolveLink(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function existingMode(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}
