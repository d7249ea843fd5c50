import * as fs from 'node:fs';
import { fsError, inputError } from './errors';

/** Reads and parses a JSON input with one-line errors that name the file (and line:col). */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fsError(file, err);
  }
  if (text.trim() === '') throw inputError(`${file}: file is empty; expected JSON`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    if (m) {
      const before = text.slice(0, Number(m[1])).split('\n');
      const where = `${before.length}:${before[before.length - 1].length + 1}`;
      throw inputError(`${file}:${where}: invalid JSON: ${(err as Error).message}`);
    }
    throw inputError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
