import * as fs from 'node:fs';
import { fsError, inputError, locatedError } from './errors';
import { parseDecimal, POW10 } from './numparse';
import type { ColumnSpec } from './schema';

/**
 * A strict, columnar CSV reader for the raw inputs. The header must name exactly the
 * expected columns (any order); every row must have every field; numeric cells must be plain
 * decimals; binary cells 0 or 1. Any violation is an error naming file:line:col and the
 * column, never a silently coerced value. Cells may be RFC 4180 quoted.
 *
 * The file is streamed: read with fs.readSync into one fixed buffer and parsed from bytes
 * (one pass, no string per numeric cell) in batches of whole rows, so memory is set by the
 * buffer, not by the file. Each batch parses the bytes up to the last line feed read so far;
 * the partial line after it moves to the front of the buffer before the next read. A quoted
 * cell that holds a line feed can run past that point: the parser then stops at the start
 * of its row and the row is parsed again once more bytes are in (the buffer doubles only
 * for a row longer than itself).
 */

export interface Categorical {
  /** Index into `levels` for each row. */
  codes: Uint32Array;
  /** Distinct values in order of first appearance. */
  levels: string[];
}

export interface CsvColumns {
  file: string;
  rows: number;
  numeric: Map<string, Float64Array>;
  categorical: Map<string, Categorical>;
  binary: Map<string, Uint8Array>;
}

/** One batch of rows: column views valid until the next call to `next()`. */
export interface CsvBatch extends CsvColumns {
  /** 0-based index of the batch's first data row in the file. */
  firstRow: number;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Bytes read at a time: a batch is at most this much CSV. */
export const CSV_CHUNK_BYTES = 1 << 22;
/** A row longer than this is refused rather than grown into. */
const MAX_ROW_BYTES = 1 << 28;

/** Where the bytes come from: a file descriptor, or (tests) a buffer in memory. */
type Fill = (into: Uint8Array, offset: number, length: number) => number;

/** Thrown by the cell reader when a quoted cell runs past the bytes read so far. */
const NEED_MORE = Symbol('need more bytes');

export class CsvStream {
  private buf: Uint8Array;
  /** Bytes [pos, end) of buf are read and not yet parsed; pos is always at a row start. */
  private pos = 0;
  private end = 0;
  private eof = false;
  private table: ColumnTable | undefined;
  private slots: ColumnSpec[] | undefined;
  /** Physical line of the last line parsed (1 = the header). */
  private line = 1;
  private rows = 0;
  private readonly cursor = { pos: 0, line: 1, row: 0 };

  constructor(
    readonly file: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly fill: Fill,
    chunkBytes = CSV_CHUNK_BYTES,
  ) {
    this.buf = new Uint8Array(chunkBytes);
  }

  /** Opens `file` for streaming; `close()` it when done (also on error). */
  static open(file: string, columns: readonly ColumnSpec[], chunkBytes?: number): CsvStream {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      throw fsError(file, err);
    }
    const s = new CsvStream(
      file,
      columns,
      (into, offset, length) => {
        try {
          return fs.readSync(fd, into, offset, length, null);
        } catch (err) {
          throw fsError(file, err);
        }
      },
      chunkBytes,
    );
    s.closeFn = () => fs.closeSync(fd);
    return s;
  }

  private closeFn: (() => void) | undefined;

  close(): void {
    const f = this.closeFn;
    this.closeFn = undefined;
    if (f) f();
  }

  /** Data rows returned so far. */
  get rowsRead(): number {
    return this.rows;
  }

  /** The distinct values of a categorical column so far, in order of first appearance. */
  levels(column: string): string[] {
    const f = (this.slots ?? []).findIndex((s) => s.name === column);
    const cat = f >= 0 ? this.table?.catSlots[f] : null;
    return cat ? cat.levels : [];
  }

  /** The next batch of rows, or null after the last (an error if the file has none). */
  next(): CsvBatch | null {
    for (;;) {
      const lastLf = this.lastLineFeed();
      if (lastLf < 0 && !this.eof) {
        this.refill();
        continue;
      }
      const view = this.eof ? this.buf.subarray(0, this.end) : this.buf.subarray(0, lastLf + 1);
      const final = this.eof;
      try {
        if (!this.slots) {
          const { slots, bodyStart } = readHeader(this.file, view, this.columns, final);
          this.slots = slots;
          this.pos = bodyStart;
        }
        if (!this.table || this.table.capacity < rowCapacity(this.buf.length, this.slots.length)) {
          this.table = new ColumnTable(
            this.file,
            this.slots,
            rowCapacity(this.buf.length, this.slots.length),
            this.table,
          );
        }
        const c = this.cursor;
        c.pos = this.pos;
        c.line = this.line;
        c.row = 0;
        const n = readRows(this.file, view, this.table, c, this.rows, final);
        this.pos = c.pos;
        this.line = c.line;
        if (n > 0) return this.emit(n);
        if (final) return this.finish();
      } catch (err) {
        if (err !== NEED_MORE) throw err;
        // The cursor holds the start of the unfinished row: keep what came before it.
        const n = this.cursor.row;
        this.pos = this.cursor.pos;
        this.line = this.cursor.line;
        if (n > 0) return this.emit(n);
      }
      if (this.eof) return this.finish();
      this.refill();
    }
  }

  private emit(n: number): CsvBatch {
    const firstRow = this.rows;
    this.rows += n;
    return { ...(this.table as ColumnTable).result(n), firstRow };
  }

  private finish(): null {
    if (this.rows === 0) throw locatedError(this.file, 2, 1, 'no data rows after the header');
    return null;
  }

  /** Index of the last LF in the unparsed bytes, or -1. */
  private lastLineFeed(): number {
    const b = this.buf;
    for (let i = this.end - 1; i >= this.pos; i--) if (b[i] === LF) return i;
    return -1;
  }

  /** Moves the unparsed tail to the front and reads more after it (doubling when full). */
  private refill(): void {
    const rest = this.end - this.pos;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.pos = 0;
      this.end = rest;
    }
    if (this.end === this.buf.length) {
      if (this.buf.length >= MAX_ROW_BYTES) {
        throw locatedError(
          this.file,
          this.line + 1,
          1,
          `a row longer than ${MAX_ROW_BYTES} bytes; is this a CSV file?`,
        );
      }
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf.subarray(0, this.end));
      this.buf = bigger;
    }
    // Read until the buffer is full or the file ends (a read of 0 bytes).
    while (this.end < this.buf.length) {
      const n = this.fill(this.buf, this.end, this.buf.length - this.end);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
    }
    if (this.end === 0 && !this.slots) {
      const expected = this.columns.map((c) => c.name).join(',');
      throw inputError(`${this.file}: file is empty; expected a header line "${expected}"`);
    }
  }
}

/** Rows a view of `bytes` can hold: every field is at least one byte, plus its separator. */
function rowCapacity(bytes: number, fields: number): number {
  return Math.floor(bytes / Math.max(1, 2 * fields - 1)) + 2;
}

/**
 * Every row of an in-memory CSV (tests and small files): the stream over one buffer, so the
 * same code and the same errors as the steps' streaming reads.
 */
export function parseCsv(
  file: string,
  buf: Uint8Array,
  columns: readonly ColumnSpec[],
): CsvColumns {
  let used = 0;
  const s = new CsvStream(
    file,
    columns,
    (into, offset, length) => {
      const n = Math.min(length, buf.length - used);
      into.set(buf.subarray(used, used + n), offset);
      used += n;
      return n;
    },
    Math.max(16, buf.length + 1),
  );
  const batch = s.next();
  if (!batch) throw new Error('unreachable: next() throws on a file without rows');
  if (s.next() !== null) throw new Error('unreachable: a buffer-sized stream has one batch');
  return batch;
}

/** The header line: which column spec each field position holds, and where the rows start. */
function readHeader(
  file: string,
  buf: Uint8Array,
  columns: readonly ColumnSpec[],
  final: boolean,
): { slots: ColumnSpec[]; bodyStart: number } {
  const expected = columns.map((c) => c.name).join(',');
  if (buf.length === 0)
    throw inputError(`${file}: file is empty; expected a header line "${expected}"`);
  let pos = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; // UTF-8 BOM
  const header: string[] = [];
  const headerCols: number[] = [];
  for (;;) {
    const cell = readCell(buf, pos, final);
    if (cell.error) throw locatedError(file, 1, col(buf, 0, pos), cell.error);
    header.push(decode(buf, cell.start, cell.end, cell.quoted));
    headerCols.push(col(buf, 0, pos));
    pos = cell.next;
    if (buf[pos] === COMMA) pos++;
    else break;
  }
  const slots = header.map((name, i) => {
    const spec = columns.find((c) => c.name === name);
    if (!spec) {
      throw locatedError(
        file,
        1,
        headerCols[i],
        `unexpected column "${name}"; expected columns: ${expected}`,
      );
    }
    if (header.indexOf(name) !== i)
      throw locatedError(file, 1, headerCols[i], `duplicate column "${name}"`);
    return spec;
  });
  for (const c of columns) {
    if (!header.includes(c.name)) {
      throw locatedError(file, 1, 1, `missing column "${c.name}"; expected columns: ${expected}`);
    }
  }
  return { slots, bodyStart: skipEol(buf, pos) };
}

/** The output columns, sized for `capacity` rows, and per field position the one it fills. */
class ColumnTable {
  readonly numeric = new Map<string, Float64Array>();
  readonly binary = new Map<string, Uint8Array>();
  readonly numSlots: (Float64Array | null)[] = [];
  readonly catSlots: (LevelIndex | null)[] = [];
  readonly binSlots: (Uint8Array | null)[] = [];

  constructor(
    readonly file: string,
    readonly slots: readonly ColumnSpec[],
    readonly capacity: number,
    /** A smaller table this one replaces: its categories (and their codes) carry over. */
    previous?: ColumnTable,
  ) {
    for (const [f, s] of slots.entries()) {
      const n = s.kind === 'numeric' ? new Float64Array(capacity) : null;
      const old = previous?.catSlots[f];
      const c =
        s.kind === 'categorical'
          ? old
            ? old.resize(capacity)
            : new LevelIndex(capacity, file, s.name)
          : null;
      const b = s.kind === 'binary' ? new Uint8Array(capacity) : null;
      if (n) this.numeric.set(s.name, n);
      if (b) this.binary.set(s.name, b);
      this.numSlots.push(n);
      this.catSlots.push(c);
      this.binSlots.push(b);
    }
  }

  result(rows: number): CsvColumns {
    const categorical = new Map<string, Categorical>();
    for (const [f, s] of this.slots.entries()) {
      const cat = this.catSlots[f];
      if (cat) categorical.set(s.name, { codes: cat.codes.subarray(0, rows), levels: cat.levels });
    }
    const numeric = new Map([...this.numeric].map(([k, v]) => [k, v.subarray(0, rows)]));
    const binary = new Map([...this.binary].map(([k, v]) => [k, v.subarray(0, rows)]));
    return { file: this.file, rows, numeric, categorical, binary };
  }
}

/**
 * The rows of the view from cursor.pos into the table; returns how many. The cursor holds
 * the start (byte, line, row) of the row being read, so a NEED_MORE thrown mid-row leaves it
 * at that row; on return it holds where the next batch starts. `firstRow` numbers rows in
 * the file for messages; `final` says the view ends where the file does.
 */
type RowReader = (
  file: string,
  buf: Uint8Array,
  table: ColumnTable,
  cursor: { pos: number; line: number; row: number },
  firstRow: number,
  final: boolean,
  h: typeof HELPERS,
) => number;

const HELPERS = {
  POW10,
  NEED_MORE,
  skipBlank,
  locatedError,
  readGeneralCell,
  separatorError,
};

const readers = new Map<string, RowReader>();

function readRows(
  file: string,
  buf: Uint8Array,
  table: ColumnTable,
  cursor: { pos: number; line: number; row: number },
  firstRow: number,
  final: boolean,
): number {
  const kinds = table.slots.map((s) => s.kind);
  const key = kinds.join(',');
  let reader = readers.get(key);
  if (!reader) {
    reader = compileRowReader(kinds);
    readers.set(key, reader);
  }
  return reader(file, buf, table, cursor, firstRow, final, HELPERS);
}

/**
 * The row loop, generated for the file's column kinds in header order (as kernel.ts does for
 * training): each field's fast path is inlined with its column array a local, so there is no
 * per-cell dispatch on the kind. Fast paths: a plain decimal of up to 9 digits parsed while
 * scanning, a bare category matched against the known level with its first byte (else
 * hashed while scanning), a bare 0/1; anything else takes the strict general path
 * (readGeneralCell), so errors and accepted forms are exactly those of the general path.
 * Only the kinds' fixed code and small integers are spliced in: nothing from the data.
 */
function compileRowReader(kinds: readonly ColumnSpec['kind'][]): RowReader {
  const nf = kinds.length;
  if (nf < 1 || nf > 1024) throw new Error(`csv: bad field count ${nf}`);
  const field = (f: number, kind: ColumnSpec['kind']): string => {
    const last = f === nf - 1;
    const fast =
      kind === 'numeric'
        ? `
      {
        let i = pos;
        const neg = buf[i] === 45;
        if (neg) i++;
        // At most 9 digits in int32 arithmetic (no float multiply-add chain per digit, and
        // no overflow: 999,999,999 < 2^31); a longer number takes the general path.
        let mant = 0, digits = 0, frac = 0;
        let b = buf[i];
        while (b >= 48 && b <= 57 && digits < 9) { mant = (mant * 10 + (b - 48)) | 0; digits++; b = buf[++i]; }
        if (b === 46) {
          b = buf[++i];
          while (b >= 48 && b <= 57 && digits < 9) { mant = (mant * 10 + (b - 48)) | 0; digits++; frac++; b = buf[++i]; }
        }
        // Exact in a double, and divided by an exact power of ten: correctly rounded.
        if (digits > 0 && (b === 44 || b === 10 || b === 13 || i >= len)) {
          const v = frac === 0 ? mant : mant / POW10[frac];
          s${f}[row] = neg ? -v : v;
          end = i;
        }
      }`
        : kind === 'categorical'
          ? `
      {
        // A level known by its first byte: compare its bytes, then the byte after.
        const code = s${f}.byFirst[buf[pos]];
        if (code >= 0) {
          const off = s${f}.offset[code];
          const n = s${f}.length[code];
          const pool = s${f}.pool;
          let k = 0;
          while (k < n && buf[pos + k] === pool[off + k]) k++;
          const after = buf[pos + n];
          if (k === n && (after === 44 || after === 10 || after === 13 || pos + n >= len)) {
            s${f}.codes[row] = code;
            end = pos + n;
          }
        }
      }
      if (end < 0 && buf[pos] !== 34) {
        let i = pos;
        let hash = ${FNV_OFFSET};
        let b = buf[i];
        while (i < len && b !== 44 && b !== 10 && b !== 13) { hash = Math.imul(hash ^ b, ${FNV_PRIME}); b = buf[++i]; }
        if (i > pos) { s${f}.addBytes(buf, pos, i, hash >>> 0, row, firstRow); end = i; }
      }`
          : `
      {
        const b = buf[pos];
        const after = buf[pos + 1];
        if ((b === 48 || b === 49) && (after === 44 || after === 10 || after === 13 || pos + 1 >= len)) {
          s${f}[row] = b - 48;
          end = pos + 1;
        }
      }`;
    return `
    {
      const cellStart = pos;
      let end = -1;${fast}
      if (end < 0) end = h.readGeneralCell(file, buf, line, lineStart, cellStart, table, ${f}, row, firstRow, final);
      // The byte after the field: ${last ? 'no comma after the last field' : 'a comma'}.
      if (buf[end] ${last ? '===' : '!=='} 44) throw h.separatorError(file, buf, line, lineStart, end, ${f}, ${nf});
      pos = ${last ? 'end' : 'end + 1'};
    }`;
  };
  const slot = (f: number, kind: ColumnSpec['kind']) =>
    `const s${f} = table.${kind === 'numeric' ? 'numSlots' : kind === 'categorical' ? 'catSlots' : 'binSlots'}[${f}];`;
  const src = `
  const { POW10, NEED_MORE } = h;
  ${kinds.map((k, f) => slot(f, k)).join('\n  ')}
  const len = buf.length;
  let pos = cursor.pos;
  let row = 0;
  let line = cursor.line;
  let lineStart = pos;
  // The row's start (lineStart, line - 1, row) goes to the cursor only when a cell needs
  // more bytes (NEED_MORE), not on every row.
  try {
  while (pos < len) {
    line++;
    lineStart = pos;
    if (buf[pos] === 10 || buf[pos] === 13) {
      if (h.skipBlank(buf, pos) === len) {
        if (!final) throw NEED_MORE; // blank up to here: trailing only if the file ends too
        break; // trailing blank lines at the end are harmless
      }
      throw h.locatedError(file, line, 1, 'empty line; expected ${nf} fields');
    }
    ${kinds.map((k, f) => field(f, k)).join('')}
    if (buf[pos] === 13) pos++;
    if (buf[pos] === 10) pos++;
    row++;
  }
  } catch (err) {
    if (err === NEED_MORE) {
      cursor.pos = lineStart;
      cursor.line = line - 1;
      cursor.row = row;
    }
    throw err;
  }
  cursor.pos = pos;
  cursor.line = line;
  cursor.row = row;
  return row;`;
  return new Function(
    'file',
    'buf',
    'table',
    'cursor',
    'firstRow',
    'final',
    'h',
    `${src}\n//# sourceURL=generated-csvrows.js`,
  ) as RowReader;
}

/** Any cell the fast paths did not take, checked strictly for its column; returns its end. */
function readGeneralCell(
  file: string,
  buf: Uint8Array,
  line: number,
  lineStart: number,
  cellStart: number,
  table: ColumnTable,
  f: number,
  row: number,
  firstRow: number,
  final: boolean,
): number {
  let pos = cellStart;
  let start = pos;
  let end: number;
  let quoted = false;
  if (buf[pos] === QUOTE) {
    const cell = readCell(buf, pos, final);
    if (cell.error) throw locatedError(file, line, col(buf, lineStart, cellStart), cell.error);
    start = cell.start;
    end = cell.end;
    pos = cell.next;
    quoted = cell.quoted;
  } else {
    while (pos < buf.length) {
      const b = buf[pos];
      if (b === COMMA || b === LF || b === CR) break;
      pos++;
    }
    end = pos;
  }
  const column = table.slots[f].name;
  const num = table.numSlots[f];
  const cat = table.catSlots[f];
  if (num !== null) {
    const v = parseDecimal(buf, start, end);
    if (v !== v) {
      const text = decode(buf, start, end, quoted);
      const what = text === '' ? 'empty cell' : `"${clip(text)}" is not a number`;
      throw cellError(file, line, buf, lineStart, cellStart, column, what);
    }
    num[row] = v;
  } else if (cat !== null) {
    if (end === start) throw cellError(file, line, buf, lineStart, cellStart, column, 'empty cell');
    cat.add(buf, start, end, quoted, row, firstRow);
  } else {
    const bin = table.binSlots[f] as Uint8Array;
    const b = buf[start];
    if (end - start !== 1 || (b !== 48 && b !== 49)) {
      const what = `expected 0 or 1, found "${clip(decode(buf, start, end, quoted))}"`;
      throw cellError(file, line, buf, lineStart, cellStart, column, what);
    }
    bin[row] = b - 48;
  }
  return pos;
}

/** A row with too few or too many fields, at the byte where field f ended. */
function separatorError(
  file: string,
  buf: Uint8Array,
  line: number,
  lineStart: number,
  pos: number,
  f: number,
  nf: number,
): Error {
  const found = f < nf - 1 ? `${f + 1}` : 'more';
  return locatedError(
    file,
    line,
    col(buf, lineStart, pos),
    `expected ${nf} fields, found ${found}`,
  );
}

/**
 * Maps category bytes to codes. Categories are few, so comparing raw bytes against each
 * known level beats decoding a string per cell.
 */
/** Most distinct values a categorical column may have (one one-hot column each). */
export const MAX_CATEGORIES = 1000;

class LevelIndex {
  codes: Uint32Array;
  readonly levels: string[] = [];
  private readonly byName = new Map<string, number>();
  // Open addressing over the raw bytes of each level: slot -> code + 1 (0 = empty). Levels'
  // bytes live in one pool, so a lookup is a hash probe and one byte compare, no string.
  private readonly table = new Int32Array(TABLE_SIZE);
  pool = new Uint8Array(1024);
  private poolUsed = 0;
  readonly offset: number[] = [];
  readonly length: number[] = [];
  /** First byte -> the first plain level starting with it (-1: none), for the fast path. */
  readonly byFirst = new Int32Array(256).fill(-1);

  constructor(
    capacity: number,
    private readonly file: string,
    private readonly column: string,
  ) {
    this.codes = new Uint32Array(capacity);
  }

  /** The same levels with room for `capacity` rows per batch. */
  resize(capacity: number): LevelIndex {
    this.codes = new Uint32Array(capacity);
    return this;
  }

  /** An unquoted cell whose FNV-1a hash the scanner computed on the way. */
  addBytes(
    buf: Uint8Array,
    start: number,
    end: number,
    hash: number,
    row: number,
    firstRow: number,
  ): void {
    const len = end - start;
    const mask = TABLE_SIZE - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot];
      if (entry === 0) break;
      const code = entry - 1;
      if (this.length[code] !== len) continue;
      const off = this.offset[code];
      let i = 0;
      while (i < len && this.pool[off + i] === buf[start + i]) i++;
      if (i === len) {
        this.codes[row] = code;
        return;
      }
    }
    this.codes[row] = this.intern(decode(buf, start, end, false), firstRow + row);
  }

  /** Any cell, quoted or not: the slow path, by string. */
  add(
    buf: Uint8Array,
    start: number,
    end: number,
    quoted: boolean,
    row: number,
    firstRow: number,
  ): void {
    this.codes[row] = this.intern(decode(buf, start, end, quoted), firstRow + row);
  }

  private intern(text: string, row: number): number {
    const known = this.byName.get(text);
    if (known !== undefined) return known;
    const code = this.levels.length;
    if (code >= MAX_CATEGORIES) {
      // One-hot encoding makes a column per category: 20,000 of them turned 600 KB of CSV
      // into a 1.6 GB matrix. An identifier-like column is a data error, not a feature.
      throw inputError(
        `${this.file}:${row + 2}: column "${this.column}" has more than ${MAX_CATEGORIES} distinct values; one-hot encoding needs a column per value, so this looks like an identifier, not a category`,
      );
    }
    this.levels.push(text);
    this.byName.set(text, code);
    const bytes = Buffer.from(text, 'utf8');
    if (this.poolUsed + bytes.length > this.pool.length) {
      const bigger = new Uint8Array(2 * (this.poolUsed + bytes.length));
      bigger.set(this.pool);
      this.pool = bigger;
    }
    this.pool.set(bytes, this.poolUsed);
    this.offset.push(this.poolUsed);
    this.length.push(bytes.length);
    this.poolUsed += bytes.length;
    const plain =
      bytes.length > 0 && !bytes.some((b) => b === 44 || b === 10 || b === 13 || b === 34);
    if (plain && this.byFirst[bytes[0]] < 0) this.byFirst[bytes[0]] = code;
    let slot = fnv1a(bytes, 0, bytes.length) & (TABLE_SIZE - 1);
    while (this.table[slot] !== 0) slot = (slot + 1) & (TABLE_SIZE - 1);
    this.table[slot] = code + 1;
    return code;
  }
}

// More than twice MAX_CATEGORIES, so every level has a slot and a probe always ends.
const TABLE_SIZE = 4096;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function fnv1a(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
  return h >>> 0;
}

interface Cell {
  start: number;
  end: number;
  next: number;
  quoted: boolean;
  error?: string;
}

/**
 * One cell starting at pos: bare up to , or end of line, or RFC 4180 quoted. A quoted cell
 * still open at the end of a view that is not the file's end throws NEED_MORE.
 */
function readCell(buf: Uint8Array, pos: number, final: boolean): Cell {
  if (buf[pos] !== QUOTE) {
    let end = pos;
    while (end < buf.length && buf[end] !== COMMA && buf[end] !== LF && buf[end] !== CR) end++;
    return { start: pos, end, next: end, quoted: false };
  }
  let i = pos + 1;
  for (;;) {
    if (i >= buf.length) {
      if (!final) throw NEED_MORE;
      return { start: pos, end: i, next: i, quoted: true, error: 'unterminated quoted cell' };
    }
    if (buf[i] === QUOTE) {
      if (buf[i + 1] === QUOTE) i += 2;
      else break;
    } else i++;
  }
  const next = i + 1;
  const after = buf[next];
  if (next < buf.length && after !== COMMA && after !== LF && after !== CR) {
    return {
      start: pos,
      end: i,
      next,
      quoted: true,
      error: 'unexpected text after a closing quote',
    };
  }
  return { start: pos + 1, end: i, next, quoted: true };
}

function decode(buf: Uint8Array, start: number, end: number, quoted: boolean): string {
  const s = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  return quoted ? s.replace(/""/g, '"') : s;
}

function skipEol(buf: Uint8Array, pos: number): number {
  if (buf[pos] === CR) pos++;
  if (buf[pos] === LF) pos++;
  return pos;
}

function skipBlank(buf: Uint8Array, pos: number): number {
  while (pos < buf.length && (buf[pos] === LF || buf[pos] === CR)) pos++;
  return pos;
}

/** 1-based character column of byte `pos` on the line that starts at byte `lineStart`. */
function col(buf: Uint8Array, lineStart: number, pos: number): number {
  return decode(buf, lineStart, pos, false).length + 1;
}

// Kept out of the row loop: building the message (and a closure for it) per cell is costly.
function cellError(
  file: string,
  line: number,
  buf: Uint8Array,
  lineStart: number,
  cellStart: number,
  column: string,
  what: string,
): Error {
  return locatedError(file, line, col(buf, lineStart, cellStart), `column "${column}": ${what}`);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
