import { InternalError } from '../../base/errors';
/**
 * A tiny Python expression builder. Every value that reaches generated Python goes through
 * here: user strings only ever become string literals (see `str`), never source text.
 *
 * Layout follows `ruff format`: an expression stays on one line when it fits in 88 columns,
 * otherwise its brackets explode one item per line with a trailing comma (which ruff keeps).
 */

export type Py =
  | { kind: 'str'; value: string }
  | { kind: 'num'; text: string }
  | { kind: 'name'; id: string }
  | { kind: 'call'; fn: string; args: Py[]; kwargs: [string, Py][] }
  | { kind: 'list'; items: Py[] }
  | { kind: 'dict'; entries: [Py, Py][] };

const LINE_LENGTH = 88;
const INDENT = '    ';

export const str = (value: string): Py => ({ kind: 'str', value });
export const int = (value: number): Py => {
  if (!Number.isSafeInteger(value)) throw new InternalError(`not a safe integer: ${value}`);
  return { kind: 'num', text: String(value) };
};
export const float = (value: number): Py => {
  if (!Number.isFinite(value)) throw new InternalError(`not a finite number: ${value}`);
  return { kind: 'num', text: Number.isInteger(value) ? `${value}.0` : String(value) };
};
export const bool = (value: boolean): Py => ({ kind: 'name', id: value ? 'True' : 'False' });
export const none: Py = { kind: 'name', id: 'None' };
/** A reference to a name the emitter itself defines or imports; never user input. */
export const name = (id: string): Py => {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(id)) throw new InternalError(`not a Python name: ${id}`);
  return { kind: 'name', id };
};
export const call = (fn: string, kwargs: [string, Py][] = [], args: Py[] = []): Py => {
  name(fn);
  kwargs.forEach(([k]) => name(k));
  return { kind: 'call', fn, args, kwargs };
};
export const list = (items: Py[]): Py => ({ kind: 'list', items });
export const dict = (entries: [Py, Py][]): Py => ({ kind: 'dict', entries });
export const strList = (values: string[]): Py => list(values.map(str));

/**
 * A Python string literal whose value is exactly `value`. Quotes follow ruff's preference
 * (double, unless that needs more escapes). Everything outside printable ASCII, letters and
 * digits is escaped, so a literal can never break out of its quotes or hide a control byte.
 */
export function stringLiteral(value: string): string {
  let doubles = 0;
  let singles = 0;
  for (const ch of value) {
    if (ch === '"') doubles++;
    else if (ch === "'") singles++;
  }
  const quote = doubles > singles ? "'" : '"';
  let out = quote;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const ch = value[i];
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code < 0x100 && !(code >= 0xc0 && /\p{L}/u.test(ch))) out += `\\x${hex(code, 2)}`;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      const point = value.codePointAt(i) as number;
      out += /[\p{L}\p{N}]/u.test(String.fromCodePoint(point))
        ? String.fromCodePoint(point)
        : `\\U${hex(point, 8)}`;
      i++;
    } else if (/[\p{L}\p{N}]/u.test(ch)) out += ch;
    else out += `\\u${hex(code, 4)}`;
  }
  return out + quote;
}

/**
 * The value of a literal that `stringLiteral` wrote, or undefined for anything else. Only the
 * escapes `stringLiteral` uses are understood; any other text is not ours.
 */
export function parseStringLiteral(literal: string): string | undefined {
  const quote = literal[0];
  if ((quote !== '"' && quote !== "'") || literal.length < 2 || !literal.endsWith(quote)) {
    return undefined;
  }
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === quote) return undefined;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const kind = body[++i];
    const simple: Record<string, string> = {
      n: '\n',
      r: '\r',
      t: '\t',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (kind in simple) {
      out += simple[kind];
      continue;
    }
    const width = kind === 'x' ? 2 : kind === 'u' ? 4 : kind === 'U' ? 8 : 0;
    const digits = body.slice(i + 1, i + 1 + width);
    if (width === 0 || !new RegExp(`^[0-9a-f]{${width}}$`).test(digits)) return undefined;
    const point = parseInt(digits, 16);
    if (point > 0x10ffff) return undefined;
    out += String.fromCodePoint(point);
    i += width;
  }
  return out;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** One line, no trailing commas. */
export function flat(e: Py): string {
  switch (e.kind) {
    case 'str':
      return stringLiteral(e.value);
    case 'num':
      return e.text;
    case 'name':
      return e.id;
    case 'call':
      return `${e.fn}(${[...e.args.map(flat), ...e.kwargs.map(([k, v]) => `${k}=${flat(v)}`)].join(', ')})`;
    case 'list':
      return `[${e.items.map(flat).join(', ')}]`;
    case 'dict':
      return `{${e.entries.map(([k, v]) => `${flat(k)}: ${flat(v)}`).join(', ')}}`;
  }
}

/**
 * Renders `e` that starts after `prefix` on a line indented by `depth` levels and is followed
 * by `suffix` on the same line. Returns the text after the prefix (may span lines).
 */
export function render(e: Py, depth: number, prefix = '', suffix = ''): string {
  const oneLine = flat(e);
  if (INDENT.length * depth + prefix.length + oneLine.length + suffix.length <= LINE_LENGTH)
    return oneLine;
  const inner = INDENT.repeat(depth + 1);
  const item = (p: string, v: Py) => `${inner}${p}${render(v, depth + 1, p, ',')},`;
  switch (e.kind) {
    case 'call': {
      if (e.args.length + e.kwargs.length === 0) return oneLine;
      const lines = [
        ...e.args.map((a) => item('', a)),
        ...e.kwargs.map(([k, v]) => item(`${k}=`, v)),
      ];
      return `${e.fn}(\n${lines.join('\n')}\n${INDENT.repeat(depth)})`;
    }
    case 'list':
      if (e.items.length === 0) return oneLine;
      return `[\n${e.items.map((v) => item('', v)).join('\n')}\n${INDENT.repeat(depth)}]`;
    case 'dict':
      if (e.entries.length === 0) return oneLine;
      return `{\n${e.entries.map(([k, v]) => item(`${flat(k)}: `, v)).join('\n')}\n${INDENT.repeat(depth)}}`;
    default:
      // Literals cannot be split; ruff leaves an over-long string as it is.
      return oneLine;
  }
}

/** `target = <expr>` at `depth`. */
export function assign(target: string, e: Py, depth: number): string {
  name(target);
  const prefix = `${target} = `;
  return `${INDENT.repeat(depth)}${prefix}${render(e, depth, prefix)}`;
}
