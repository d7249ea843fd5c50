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
  const fd = fs.openSync(temp, 'wx', finalMode);
  try {
    fs.writeSync(fd, content);
    // open()'s mode is masked by the umask; set it exactly.
    fs.fchmodSync(fd, finalMode);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
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
