import { formatTable } from './table';

/**
 * Where commands print: results to stdout (a line, a table, or with --json the shapes in
 * ./json.ts), progress and notes to stderr, so `cmd --json | jq` and `cmd > file` get only
 * the result. Commands print through these and nothing else.
 */

/** One line of result. */
export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Result text exactly as given (an HTML page, a completion script, a table with its end). */
export function outText(text: string): void {
  process.stdout.write(text);
}

/** Left-aligned columns under a header row. */
export function outTable(headers: string[], rows: string[][]): void {
  out(formatTable(headers, rows));
}

/** Indented JSON: the stable, documented shape of a command's --json. */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** One line of progress or advice, to stderr. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Progress text exactly as given (a build's streamed output), to stderr. */
export function noteText(text: string): void {
  process.stderr.write(text);
}
