import * as fs from 'node:fs';
import type { OutputSet } from './atomic';
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
 * Loading is one read into an aligned ArrayBuffer and three views: no parsing.
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

export function writeMatrix(out: OutputSet, file: string, m: Matrix): void {
  const header: Header = {
    formatVersion: MATRIX_VERSION,
    rows: m.rows,
    cols: m.cols,
    dtype: 'float32',
    layout: 'row-major',
    features: m.features,
  };
  let json = Buffer.from(JSON.stringify(header));
  const padded = Math.ceil((12 + json.length) / 8) * 8 - 12;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const pre = Buffer.alloc(12);
  pre.write(MATRIX_MAGIC, 0, 'latin1');
  pre.writeUInt32LE(json.length, 8);
  const f = out.open(file);
  f.write(pre);
  f.write(json);
  f.write(bytesOf(m.x.subarray(0, m.rows * m.cols)));
  f.write(bytesOf(m.rowIndex.subarray(0, m.rows)));
  f.write(m.y.subarray(0, m.rows));
}

export function readMatrix(file: string): Matrix {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw fsError(file, err);
  }
  try {
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
    const ab = new ArrayBuffer(size);
    const all = new Uint8Array(ab);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, all, off, size - off, off);
      if (n === 0) throw inputError(`${file}: file shrank while reading`);
      off += n;
    }
    const y = new Uint8Array(ab, l.yOff, h.rows);
    const bad = y.findIndex((v) => v > 1);
    if (bad >= 0) {
      throw inputError(
        `${file}: row ${bad} has target ${y[bad]}; a target is 0 or 1 (corrupt file?)`,
      );
    }
    return {
      rows: h.rows,
      cols: h.cols,
      features: h.features,
      x: new Float32Array(ab, l.xOff, h.rows * h.cols),
      rowIndex: new Uint32Array(ab, l.idxOff, h.rows),
      y,
    };
  } finally {
    fs.closeSync(fd);
  }
}

function bytesOf(a: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
