import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Design } from './design';
import { MATRIX_CHUNK_ROWS } from './matrix';

/**
 * train's compact rows beyond its cache, written once by the planning pass and read back
 * by every later pass: 4k + 3 bytes a row (k float32 dense values, a uint16 pattern id, the
 * target) instead of train.bin's 4 * cols + 1 bytes, and no compacting again. Chunk j
 * (counted from the first chunk not cached) is one block at j * MATRIX_CHUNK_ROWS rows:
 * its dense values, then its pattern ids, then its targets.
 *
 * The file is anonymous: created beside train.bin (on the data volume, not a tmpfs that
 * would count against the container's memory) and unlinked at once, so a crash leaves
 * nothing behind (but for a kill in the instant between: the next train in that folder
 * removes such a file once it is STALE_SPILL_MS old). It takes 4k + 3 bytes a row beyond
 * the cache, on the data volume, while train runs (about 1.8 GB at 80M training rows). Reads are positioned on one descriptor, which a helper thread shares
 * (descriptors belong to the process). Where it cannot be made or written (a read-only or
 * full volume), train reads train.bin again instead, as it did before: the same rows.
 */
export interface SpillRef {
  fd: number;
  /** Dense values a row. */
  k: number;
}

export class RowSpill {
  private constructor(
    readonly fd: number,
    readonly k: number,
  ) {}

  /** A new anonymous spill file in dir, or undefined where none can be made. */
  static open(dir: string, k: number): RowSpill | undefined {
    sweepStale(dir);
    const file = path.join(dir, `${SPILL_PREFIX}${randomBytes(6).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx+', 0o600);
    } catch {
      return undefined;
    }
    try {
      fs.unlinkSync(file);
    } catch {
      fs.closeSync(fd);
      return undefined;
    }
    return new RowSpill(fd, k);
  }

  get ref(): SpillRef {
    return { fd: this.fd, k: this.k };
  }

  /** Writes a chunk's compact rows as block j; false when the volume refused (full). */
  write(j: number, g: Design, y: Uint8Array): boolean {
    const { dense, pattern, at } = blockOf(this.k, j, g.n);
    try {
      writeAll(this.fd, bytes(g.dense, g.n * this.k), dense);
      writeAll(this.fd, bytes(g.pattern, g.n), pattern);
      writeAll(this.fd, y.subarray(0, g.n), at + g.n * (4 * this.k + 2));
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Reads block j (n rows) of a spill into `into` (sized for n) and `y`. */
export function readSpilled(ref: SpillRef, j: number, n: number, into: Design, y: Uint8Array) {
  const { dense, pattern, at } = blockOf(ref.k, j, n);
  readAll(ref.fd, bytes(into.dense, n * ref.k), dense);
  readAll(ref.fd, bytes(into.pattern, n), pattern);
  readAll(ref.fd, y.subarray(0, n), at + n * (4 * ref.k + 2));
  into.n = n;
}

const SPILL_PREFIX = '.train-rows-';
/** A named spill file this old was left by a kill between its creation and its unlink. */
export const STALE_SPILL_MS = 10 * 60 * 1000;

function sweepStale(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /^\.train-rows-[0-9a-f]{12}\.tmp$/.test(n));
  } catch {
    return;
  }
  for (const n of names) {
    try {
      const st = fs.lstatSync(path.join(dir, n));
      if (st.isFile() && Date.now() - st.mtimeMs > STALE_SPILL_MS) fs.unlinkSync(path.join(dir, n));
    } catch {
      // gone, or not ours to remove: the new spill does not depend on it
    }
  }
}

function blockOf(k: number, j: number, n: number) {
  const at = j * MATRIX_CHUNK_ROWS * (4 * k + 3);
  return { at, dense: at, pattern: at + n * 4 * k };
}

function bytes(a: Float32Array | Uint16Array, count: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);
}

function writeAll(fd: number, b: Uint8Array, position: number): void {
  for (let off = 0; off < b.byteLength;) {
    off += fs.writeSync(fd, b, off, b.byteLength - off, position + off);
  }
}

function readAll(fd: number, b: Uint8Array, position: number): void {
  for (let off = 0; off < b.byteLength;) {
    const got = fs.readSync(fd, b, off, b.byteLength - off, position + off);
    if (got === 0) throw new Error('train: the spill file is shorter than what was written');
    off += got;
  }
}
