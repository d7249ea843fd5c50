import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsError } from './errors';

/**
 * All-or-nothing outputs. Each output is written to a hidden temp name in its final folder
 * (so the rename is atomic on the same filesystem), and only renamed into place once every
 * output of the step is complete. A FileSensor or a reader therefore never sees a half file,
 * and a failed step leaves nothing behind, not even the folders it created.
 * No fsync: atomicity for readers is the contract; crash durability is not worth the time.
 */

const BUFFER_BYTES = 1 << 20;

export class AtomicFile {
  private fd: number | undefined;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  constructor(
    readonly target: string,
    readonly tmp: string,
  ) {
    try {
      this.fd = fs.openSync(tmp, 'wx', 0o644);
    } catch (err) {
      throw fsError(target, err, 'cannot write');
    }
  }

  write(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this.used + bytes > this.buf.length) this.flush();
    if (bytes > this.buf.length) {
      this.raw(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    } else if (typeof chunk === 'string') {
      this.used += this.buf.write(chunk, this.used);
    } else {
      this.buf.set(chunk, this.used);
      this.used += bytes;
    }
  }

  /**
   * Writes bytes at a fixed offset, unbuffered, leaving the sequential position alone: for
   * files laid out in regions that fill up side by side (the matrix format).
   */
  writeAt(position: number, bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.target}: write after close`);
    let off = 0;
    try {
      while (off < bytes.byteLength) {
        off += fs.writeSync(this.fd, bytes, off, bytes.byteLength - off, position + off);
      }
    } catch (err) {
      throw fsError(this.target, err, 'cannot write');
    }
  }

  /** Closes the temp file; the rename happens in OutputSet.commit. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  discard(): void {
    try {
      if (this.fd !== undefined) fs.closeSync(this.fd);
    } catch {
      // already failing; the unlink below is what matters
    }
    this.fd = undefined;
    fs.rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.used > 0) this.raw(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private raw(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.target}: write after close`);
    let off = 0;
    try {
      while (off < bytes.byteLength) off += fs.writeSync(this.fd, bytes, off);
    } catch (err) {
      throw fsError(this.target, err, 'cannot write');
    }
  }
}

export class OutputSet {
  private readonly files: AtomicFile[] = [];
  private readonly createdDirs: string[] = [];

  /** Opens `target` for writing under a temp name, creating its folder if needed. */
  open(target: string): AtomicFile {
    const dir = path.dirname(target);
    this.ensureDir(dir);
    sweepStaleTemps(dir, path.basename(target));
    const tmp = path.join(dir, `${tempPrefix(path.basename(target))}${process.pid}-${tmpSuffix()}`);
    const file = new AtomicFile(target, tmp);
    this.files.push(file);
    return file;
  }

  writeFile(target: string, content: string | Uint8Array): void {
    const f = this.open(target);
    f.write(content);
  }

  commit(): void {
    for (const f of this.files) f.close();
    const done: string[] = [];
    try {
      for (const f of this.files) {
        fs.renameSync(f.tmp, f.target);
        done.push(f.target);
      }
    } catch (err) {
      // Roll back so a partial set of outputs never survives.
      for (const t of done) fs.rmSync(t, { force: true });
      this.abort();
      throw fsError(this.files[done.length].target, err, 'cannot rename into place');
    }
  }

  abort(): void {
    for (const f of this.files) f.discard();
    for (const dir of this.createdDirs.reverse()) {
      try {
        fs.rmdirSync(dir); // only succeeds when empty: never removes anyone else's files
      } catch {
        // not empty or already gone
      }
    }
  }

  private ensureDir(dir: string): void {
    if (fs.existsSync(dir)) return;
    // Remember each folder we create, deepest last, so abort can remove exactly those.
    const missing: string[] = [];
    for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw fsError(dir, err, 'cannot create folder');
    }
    this.createdDirs.push(...missing);
  }
}

/** Runs `fn` with a fresh OutputSet; commits on success, removes every temp on failure. */
export function withOutputs<T>(fn: (out: OutputSet) => T): T {
  const out = new OutputSet();
  let result: T;
  try {
    result = fn(out);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
  return result;
}

let counter = 0;
function tmpSuffix(): string {
  return `${Date.now().toString(36)}${(counter++).toString(36)}`;
}

function tempPrefix(name: string): string {
  return `.${name}.tmp-`;
}

/**
 * Removes temp files a killed earlier try left for the same output. A step killed by a
 * signal (docker stop, an OOM kill, a lost worker) dies at once, with no chance to clean up;
 * one task owns each output, so any temp of that output found now is stale.
 */
export function sweepStaleTemps(dir: string, name: string): string[] {
  const prefix = tempPrefix(name);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    try {
      fs.rmSync(path.join(dir, entry), { force: true });
      removed.push(entry);
    } catch {
      // not ours to remove (permissions): the new temp name differs anyway
    }
  }
  return removed;
}
