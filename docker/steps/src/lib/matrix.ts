import * as fs from 'node:fs';
import type { AtomicFile, OutputSet } from './atomic';
import { fsError, inputError } from './errors';

/**
 * The intermediate format between preprocess, split, train and validate: a dense row-major
 * float32 feature matrix with its 0/1 target and each row's index in the raw CSV (so a split
 * can be traced back, and reproduced by other tools). Float32 halves I/O and memory against
 * float64 and is ample for standardised features; all arithmetic on it is done in float64.
 *
 * Layout (little-endian):
 *   "AFMLMAT1" | u32 header bytes | JSON header, space-padded to a multiple of 8
 *   | x: rows*cols float32 | rowIndex: rows uint32 | y: rows uint8
 * Steps read and write it a chunk of rows at a time (MatrixReader, MatrixWriter): no parsing,
 * and memory set by the chunk, not the file.
 */
export const MATRIX_MAGIC = 'AFMLMAT1';
export const MATRIX_VERSION = 1;

export interface Matrix {
  rows: number;
  cols: number;
  features: string[];
  x: Float32Array;
  rowIndex: Uint32Array;
  y: Uint8Array;
}

interface Header {
  formatVersion: number;
  rows: number;
  cols: number;
  dtype: 'float32';
  layout: 'row-major';
  features: string[];
}

function layout(rows: number, cols: number, headerBytes: number) {
  const xOff = 12 + headerBytes;
  const idxOff = xOff + rows * cols * 4;
  const yOff = idxOff + rows * 4;
  return { xOff, idxOff, yOff, total: yOff + rows };
}

/** Rows per chunk when steps stream a matrix: ~3 MiB of features at 13 columns. */
export const MATRIX_CHUNK_ROWS = 1 << 16;

function headerBytes(rows: number, cols: number, features: string[]): Buffer {
  const header: Header = {
    formatVersion: MATRIX_VERSION,
    rows,
    cols,
    dtype: 'float32',
    layout: 'row-major',
    features,
  };
  const json = Buffer.from(JSON.stringify(header));
  const padded = Math.ceil((12 + json.length) / 8) * 8 - 12;
  const out = Buffer.alloc(12 + padded, 0x20);
  out.write(MATRIX_MAGIC, 0, 'latin1');
  out.writeUInt32LE(padded, 8);
  json.copy(out, 12);
  return out;
}

/**
 * Writes a matrix whose row count is known up front, a chunk of rows at a time: the three
 * regions (features, row indices, targets) fill side by side with positioned writes, so
 * nothing is held beyond the chunk being written.
 */
export class MatrixWriter {
  private written = 0;
  private readonly l: ReturnType<typeof layout>;

  constructor(
    private readonly f: AtomicFile,
    readonly rows: number,
    readonly cols: number,
    features: string[],
  ) {
    const head = headerBytes(rows, cols, features);
    this.l = layout(rows, cols, head.length - 12);
    f.writeAt(0, head);
  }

  /** The next n rows: x is n*cols row-major, rowIndex and y n each. */
  append(x: Float32Array, rowIndex: Uint32Array, y: Uint8Array, n: number): void {
    if (this.written + n > this.rows) throw new Error(`matrix: more than ${this.rows} rows`);
    const d = this.cols;
    const at = this.written;
    this.f.writeAt(this.l.xOff + at * d * 4, bytesOf(x.subarray(0, n * d)));
    this.f.writeAt(this.l.idxOff + at * 4, bytesOf(rowIndex.subarray(0, n)));
    this.f.writeAt(this.l.yOff + at, y.subarray(0, n));
    this.written += n;
  }

  finish(): void {
    if (this.written !== this.rows) {
      throw new Error(`matrix: ${this.written} rows written, header says ${this.rows}`);
    }
  }
}

/** A whole in-memory matrix (tests and small tools; the steps stream with MatrixWriter). */
export function writeMatrix(out: OutputSet, file: string, m: Matrix): void {
  const w = new MatrixWriter(out.open(file), m.rows, m.cols, m.features);
  w.append(m.x, m.rowIndex, m.y, m.rows);
  w.finish();
}

/** One chunk of rows read from a matrix: views valid until the next chunk. */
export interface MatrixChunk {
  /** Index of the chunk's first row in the file. */
  first: number;
  n: number;
  x: Float32Array;
  rowIndex: Uint32Array;
  y: Uint8Array;
}

/**
 * A matrix file opened for streaming: the header checked at open, rows read a chunk at a
 * time with positioned reads into fixed buffers, every target checked as it is read.
 */
export class MatrixReader {
  readonly rows: number;
  readonly cols: number;
  readonly features: string[];
  private fd: number | undefined;
  private readonly l: ReturnType<typeof layout>;

  private constructor(
    readonly file: string,
    fd: number,
    h: Header,
    hlen: number,
  ) {
    this.fd = fd;
    this.rows = h.rows;
    this.cols = h.cols;
    this.features = h.features;
    this.l = layout(h.rows, h.cols, hlen);
  }

  static open(file: string): MatrixReader {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      throw fsError(file, err);
    }
    try {
      const { h, hlen } = readHeader(file, fd);
      return new MatrixReader(file, fd, h, hlen);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Calls fn for each chunk of rows, in order. `parts` skips what the caller does not need:
   * a pass over the targets alone reads 1 byte a row instead of 4 * cols + 5. `from` (a
   * multiple of chunkRows) starts later, `to` stops earlier.
   */
  forEach(
    fn: (c: MatrixChunk) => void,
    parts: { x?: boolean; rowIndex?: boolean } = { x: true, rowIndex: true },
    chunkRows = MATRIX_CHUNK_ROWS,
    from = 0,
    to = this.rows,
  ): void {
    const d = this.cols;
    const end = Math.min(to, this.rows);
    const x = new Float32Array(parts.x ? chunkRows * d : 0);
    const rowIndex = new Uint32Array(parts.rowIndex ? chunkRows : 0);
    const y = new Uint8Array(chunkRows);
    for (let first = from; first < end; first += chunkRows) {
      const n = Math.min(chunkRows, end - first);
      if (parts.x) this.read(bytesOf(x.subarray(0, n * d)), this.l.xOff + first * d * 4);
      if (parts.rowIndex) this.read(bytesOf(rowIndex.subarray(0, n)), this.l.idxOff + first * 4);
      this.read(y.subarray(0, n), this.l.yOff + first);
      for (let i = 0; i < n; i++) {
        if (y[i] > 1) {
          throw inputError(
            `${this.file}: row ${first + i} has target ${y[i]}; a target is 0 or 1 (corrupt file?)`,
          );
        }
      }
      fn({ first, n, x, rowIndex, y });
    }
  }

  private read(into: Uint8Array, position: number): void {
    let off = 0;
    while (off < into.byteLength) {
      const got = fs.readSync(this.fd as number, into, off, into.byteLength - off, position + off);
      if (got === 0) throw inputError(`${this.file}: file shrank while reading`);
      off += got;
    }
  }
}

/** Checks magic, header and size; returns the header and its padded length. */
function readHeader(file: string, fd: number): { h: Header; hlen: number } {
  const size = fs.fstatSync(fd).size;
  if (size === 0)
    throw inputError(`${file}: file is empty; expected a matrix written by preprocess`);
  const pre = Buffer.alloc(12);
  fs.readSync(fd, pre, 0, 12, 0);
  if (size < 12 || pre.toString('latin1', 0, 8) !== MATRIX_MAGIC) {
    throw inputError(
      `${file}: not an airflow-ml matrix file (bad magic); was it written by preprocess?`,
    );
  }
  const hlen = pre.readUInt32LE(8);
  if (12 + hlen > size) throw inputError(`${file}: truncated header`);
  const hbuf = Buffer.alloc(hlen);
  fs.readSync(fd, hbuf, 0, hlen, 12);
  let h: Header;
  try {
    h = JSON.parse(hbuf.toString('utf8')) as Header;
  } catch {
    throw inputError(`${file}: corrupt matrix header`);
  }
  if (h.formatVersion !== MATRIX_VERSION) {
    throw inputError(
      `${file}: matrix format version ${String(h.formatVersion)} is not supported (expected ${MATRIX_VERSION}); re-run preprocess`,
    );
  }
  const validShape =
    Number.isSafeInteger(h.rows) && h.rows >= 0 && Number.isSafeInteger(h.cols) && h.cols >= 0;
  if (!validShape || !Array.isArray(h.features) || h.features.length !== h.cols) {
    throw inputError(`${file}: corrupt matrix header (rows/cols/features disagree)`);
  }
  const l = layout(h.rows, h.cols, hlen);
  if (size !== l.total) {
    throw inputError(
      `${file}: size ${size} bytes, expected ${l.total} for ${h.rows}x${h.cols}; truncated or corrupt`,
    );
  }
  return { h, hlen };
}

/** The whole matrix in memory (tests and small tools; the steps stream with MatrixReader). */
export function readMatrix(file: string): Matrix {
  const r = MatrixReader.open(file);
  try {
    const x = new Float32Array(r.rows * r.cols);
    const rowIndex = new Uint32Array(r.rows);
    const y = new Uint8Array(r.rows);
    r.forEach((c) => {
      x.set(c.x.subarray(0, c.n * r.cols), c.first * r.cols);
      rowIndex.set(c.rowIndex.subarray(0, c.n), c.first);
      y.set(c.y.subarray(0, c.n), c.first);
    });
    return { rows: r.rows, cols: r.cols, features: r.features, x, rowIndex, y };
  } finally {
    r.close();
  }
}

function bytesOf(a: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
