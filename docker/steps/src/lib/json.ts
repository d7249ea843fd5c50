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
    // V8 names a position for some errors only; keep the message on one line either way.
    const why = (err as Error).message.replace(/\s+/g, ' ');
    const m = /position (\d+)/.exec(why);
    if (m) {
      const before = text.slice(0, Number(m[1])).split('\n');
      const where = `${before.length}:${before[before.length - 1].length + 1}`;
      throw inputError(`${file}:${where}: invalid JSON: ${why}`);
    }
    throw inputError(`${file}: invalid JSON: ${why}`);
  }
}

/**
 * JSON for an output file. JSON has no NaN or Infinity (JSON.stringify writes null), so a
 * non-finite number would silently become null in a model or metrics file: every number must
 * be finite, or the step fails naming where it is.
 */
export function toJson(value: unknown, what = 'output'): string {
  const text = JSON.stringify(
    value,
    function (key, v: unknown) {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw inputError(
          `${what}: "${key}" is ${v}; every number written must be finite (inputs too large or degenerate?)`,
        );
      }
      return v;
    },
    2,
  );
  return `${text}\n`;
}
