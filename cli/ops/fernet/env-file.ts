import { parseDotenvLine } from '../../base/dotenv';

export interface EnvEdit {
  text: string;
  /** The value the key had before (the last assignment wins, as in dotenv), if any. */
  previous: string | undefined;
}

/**
 * Set `key=value` in the text of a `.env` file and leave every other line byte for byte
 * as it was (comments, blank lines, quoting, line endings, a missing final newline). The
 * last assignment of `key` is replaced in place (keeping an `export ` prefix); without one,
 * a line is appended.
 */
export function setEnvValue(text: string, key: string, value: string): EnvEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.length === 0 ? [] : text.split(/\n/);
  let index = -1;
  let previous: string | undefined;
  lines.forEach((raw, i) => {
    const parsed = parseDotenvLine(raw.replace(/\r$/, ''));
    if (parsed?.key === key) {
      index = i;
      previous = parsed.value;
    }
  });
  if (index >= 0) {
    const old = lines[index];
    const prefix = /^\s*export\s+/.exec(old)?.[0] ?? '';
    const cr = old.endsWith('\r') ? '\r' : '';
    lines[index] = `${prefix}${key}=${value}${cr}`;
    return { text: lines.join('\n'), previous };
  }
  if (text.length === 0) return { text: `${key}=${value}${eol}`, previous };
  const sep = text.endsWith('\n') ? '' : eol;
  return { text: `${text}${sep}${key}=${value}${eol}`, previous };
}
