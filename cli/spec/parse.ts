import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../errors';

/** A JSON-pointer-like path into the spec, e.g. ['tasks', 2, 'depends_on', 0]. */
export type SpecPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** A parsed spec file: plain data plus a way back to line:col for any path in it. */
export interface ParsedSpec {
  file: string;
  data: unknown;
  /** Position of the value at `path`, or of its key when `key` is set; falls back to the nearest parent. */
  locate(path: SpecPath, key?: boolean): Position;
}

/** Parses YAML keeping positions. Syntax errors come back as diagnostics, never thrown. */
export function parseSpec(
  file: string,
  text: string,
): { spec?: ParsedSpec; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    if (/Maximum call stack size exceeded/.test(e.message)) {
      return {
        file,
        line: pos.line,
        col: pos.col,
        message: 'the spec is nested too deeply to read',
        hint: 'a pipeline spec needs a few levels of nesting; flatten it',
      };
    }
    return {
      file,
      line: pos.line,
      col: pos.col,
      message: `YAML syntax error: ${firstLine(e.message)}`,
      hint: 'fix the YAML syntax at this position (indentation, quotes, a missing colon)',
    };
  });
  if (diagnostics.length > 0) return { diagnostics };

  const at = (offset: number | undefined): Position =>
    offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);

  const locate = (path: SpecPath, key = false): Position => {
    let node: unknown = doc.contents;
    let found: Position = at(rangeStart(node));
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && p.key.value === segment,
        );
        if (!pair) return found;
        if (last && key) return at(rangeStart(pair.key));
        node = pair.value;
        found = at(rangeStart(node) ?? rangeStart(pair.key));
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (node === undefined) return found;
        found = at(rangeStart(node));
      } else {
        return found;
      }
    }
    return found;
  };

  return { spec: { file, data: doc.toJS({ maxAliasCount: 100 }), locate }, diagnostics };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
