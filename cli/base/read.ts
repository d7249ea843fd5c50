import * as fs from 'node:fs';

/** A text file's content, or undefined when it does not exist; other errors are thrown. */
export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Why a file where a plain one is expected is refused (readBounded, readRegularFile). */
export const NOT_A_FILE = 'not a regular file (a folder, device, FIFO or socket)';

/** What readBounded found: the text, or why there is none. */
export type BoundedText =
  | { text: string }
  | { problem: 'unreadable'; code: string }
  | { problem: 'not-a-file' }
  | { problem: 'too-large'; size: number };

/**
 * A regular file's text, never reading more than `limit` bytes: a symlink to /dev/zero or a
 * FIFO where a small file is expected must fail at once, not hang or fill memory. O_NONBLOCK
 * keeps the open itself from waiting on a FIFO with no writer.
 */
export function readBounded(file: string, limit: number): BoundedText {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { problem: 'unreadable', code: e.code ?? e.message };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { problem: 'not-a-file' };
    if (stat.size > limit) return { problem: 'too-large', size: stat.size };
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > limit) return { problem: 'too-large', size: length };
    return { text: buffer.toString('utf8', 0, length) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A file's bytes, if it is a regular file: an entry that is a FIFO or a link to a device
 * (/dev/zero) must fail at once, not hang the tagger or fill its memory.
 */
export function readRegularFile(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) {
      throw new Error(NOT_A_FILE);
    }
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
