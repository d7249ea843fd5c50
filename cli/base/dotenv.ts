import { readIfExists } from './read';

/**
 * A `.env` reader covering what docker compose and python-dotenv accept: KEY=VALUE lines,
 * optional `export `, comments, single quotes (literal), double quotes (\n and \" escapes),
 * and unquoted values with trailing ` # comments`. No variable expansion, on purpose: a
 * password containing `$` must arrive as written.
 */
export function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const parsed = parseDotenvLine(raw);
    if (parsed) out.set(parsed.key, parsed.value);
  }
  return out;
}

export interface DotenvLine {
  key: string;
  value: string;
}

export function parseDotenvLine(line: string): DotenvLine | undefined {
  const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line.replace(/\r$/, ''));
  if (!m) return undefined;
  return { key: m[1], value: parseValue(m[2]) };
}

function parseValue(rest: string): string {
  const quote = rest[0];
  if (quote === "'" || quote === '"') {
    const end = findClosingQuote(rest, quote);
    if (end > 0) {
      const inner = rest.slice(1, end);
      return quote === "'" ? inner : inner.replace(/\\([\\"nrt])/g, (_m, c: string) => unescape(c));
    }
  }
  return rest.replace(/\s+#.*$/, '').trim();
}

function findClosingQuote(s: string, quote: string): number {
  for (let i = 1; i < s.length; i++) {
    if (quote === '"' && s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === quote) return i;
  }
  return -1;
}

function unescape(c: string): string {
  return c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c;
}

/** The parsed file, or an empty map when it does not exist. */
export function readDotenvFile(file: string): Map<string, string> {
  return parseDotenv(readIfExists(file) ?? '');
}
