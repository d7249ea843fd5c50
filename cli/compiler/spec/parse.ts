import { isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../../base/errors';
import { MAX_DIAGNOSTICS_PER_SPEC } from './limits';

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
  /**
   * Position of character `offset` inside the string at `path` (e.g. the bad field of a cron
   * expression), when the source spells the string verbatim (plain, or quoted without
   * escapes, on one line); otherwise the value's start.
   */
  locateIn(path: SpecPath, offset: number): Position;
}

/** Parses YAML keeping positions. Syntax errors come back as diagnostics, never thrown. */
export function parseSpec(
  file: string,
  text: string,
): { spec?: ParsedSpec; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const depth = maxNestingHint(text);
  if (depth > MAX_NESTING) {
    return {
      diagnostics: [
        {
          file,
          line: 1,
          col: 1,
          message: `the spec is nested too deeply to read (over ${MAX_NESTING} open brackets or list markers)`,
          hint: 'a pipeline spec needs a few levels of nesting; flatten it',
        },
      ],
    };
  }
  const tokens = countTokens(text, MAX_YAML_TOKENS);
  if (tokens > MAX_YAML_TOKENS) {
    return {
      diagnostics: [
        {
          file,
          line: 1,
          col: 1,
          message: `the spec has over ${MAX_YAML_TOKENS} YAML tokens (keys, values, indicators and spaces)`,
          hint: 'split the pipeline into several specs',
        },
      ],
    };
  }
  // The library's own uniqueKeys check compares each key with every earlier one (quadratic in
  // a map's size); duplicateKeys below does the same with a Set.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const errors: Diagnostic[] = doc.errors.map((e) => {
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
  const diagnostics = errors.length > 0 ? errors : duplicateKeys(file, doc.contents, lineCounter);
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

  const locateIn = (path: SpecPath, offset: number): Position => {
    const node = doc.getIn(path, true);
    if (isScalar(node) && typeof node.value === 'string' && node.range) {
      const source = text.slice(node.range[0], node.range[1]);
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      const inner = quoted ? source.slice(1, -1) : source;
      if (inner === node.value && !inner.includes('\n') && offset <= inner.length) {
        return at(node.range[0] + (quoted ? 1 : 0) + offset);
      }
    }
    return locate(path);
  };

  return {
    spec: { file, data: doc.toJS({ maxAliasCount: 100 }), locate, locateIn },
    diagnostics,
  };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

/**
 * Compiling costs time and memory per YAML token (about 5 µs and 0.6 KB here, parse to
 * emit), so a bound on bytes alone is not enough: 1 MiB of dense YAML holds 400,000 tokens.
 * 100,000 is room for about a thousand typical tasks (the shipped train_model.yaml is 532
 * tokens for six) and keeps the worst case near half a second (docs/benchmarks.md).
 */
export const MAX_YAML_TOKENS = 100_000;

/** Lexer tokens in `text`, counting no further than limit + 1 (the lexer is ~5x the parser's speed). */
function countTokens(text: string, limit: number): number {
  let n = 0;
  for (const token of new Lexer().lex(text)) {
    if (token.length > 0 && ++n > limit) break;
  }
  return n;
}

/**
 * More nesting than any pipeline needs; deeper input costs the YAML parser memory per level
 * (about 1.4 KB), so it is refused before parsing.
 */
const MAX_NESTING = 1000;

/**
 * An upper bound on how deep flow collections (`[`, `{`) and compact block sequences (`- - -`)
 * nest, from one pass over the text. Brackets inside quoted strings count too, so a string
 * full of unmatched brackets may be refused; block nesting by indentation alone cannot get
 * deep within MAX_SPEC_BYTES (it costs the square of the depth in spaces).
 */
function maxNestingHint(text: string): number {
  let flow = 0;
  let max = 0;
  let dashes = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) max = Math.max(max, ++flow);
    else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
    else if (c === 0x0a) {
      lineStart = true;
      dashes = 0;
      continue;
    }
    if (lineStart && (c === 0x2d || c === 0x3f) && text.charCodeAt(i + 1) === 0x20) {
      max = Math.max(max, ++dashes);
    } else if (c !== 0x20 && c !== 0x2d && c !== 0x3f) {
      lineStart = false;
    }
  }
  return max;
}

/** "duplicate key" diagnostics for every map in the document, in one pass. */
function duplicateKeys(file: string, root: unknown, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0 && out.length < MAX_DIAGNOSTICS_PER_SPEC) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const pos = lineCounter.linePos(rangeStart(pair.key) ?? 0);
          out.push({
            file,
            line: pos.line,
            col: pos.col,
            message: `YAML syntax error: duplicate key ${JSON.stringify(String(key)).slice(0, 80)}`,
            hint: 'each key may appear once in a mapping; remove or rename one',
          });
        }
        seen.add(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out;
}
