import { parseCsv } from '../../../docker/steps/src/lib/csv-read';
import type { ColumnSpec } from '../../../docker/steps/src/lib/schema';
import { expectStepError } from './helpers';

const COLS: ColumnSpec[] = [
  { name: 'n', kind: 'numeric' },
  { name: 'c', kind: 'categorical' },
];
const parse = (text: string, cols = COLS) => parseCsv('f.csv', Buffer.from(text), cols);
const levelsOf = (t: ReturnType<typeof parse>) => {
  const c = t.categorical.get('c');
  return c ? Array.from(c.codes, (k) => c.levels[k]) : [];
};

describe('parseCsv', () => {
  it('reads numbers in every accepted form, fast path or not', () => {
    const t = parse('n,c\n1,a\n-2.5,a\n+3,a\n1e3,a\n12345678901234567,a\n.5,a\n"7",a\n');
    expect(Array.from(t.numeric.get('n') ?? [])).toEqual([
      1,
      -2.5,
      3,
      1000,
      Number('12345678901234567'),
      0.5,
      7,
    ]);
  });

  it('maps quoted and bare spellings of a category to one level, including UTF-8 and ""', () => {
    const t = parse('n,c\n1,"a"\n2,a\n3,zürich\n4,"zürich"\n5,"say ""hi"""\n6,a\n');
    expect(levelsOf(t)).toEqual(['a', 'a', 'zürich', 'zürich', 'say "hi"', 'a']);
    expect(t.categorical.get('c')?.levels).toEqual(['a', 'zürich', 'say "hi"']);
  });

  it('tells apart levels sharing a first byte or a prefix, whichever came first', () => {
    // The fast path matches the first level seen with a cell's first byte; every other
    // spelling must still reach its own level.
    const t = parse('n,c\n1,ab\n2,a\n3,abc\n4,ab\n5,a\n6,"a,b"\n7,b\n8,abc\n');
    expect(levelsOf(t)).toEqual(['ab', 'a', 'abc', 'ab', 'a', 'a,b', 'b', 'abc']);
    expect(t.categorical.get('c')?.levels).toEqual(['ab', 'a', 'abc', 'a,b', 'b']);
  });

  it('reads numbers of 9 digits on the fast path and longer ones exactly', () => {
    const t = parse('n,c\n999999999,a\n1234567890,a\n0.12345678,a\n-12345.6789,a\n0000000001,a\n');
    expect(Array.from(t.numeric.get('n') ?? [])).toEqual([
      999999999, 1234567890, 0.12345678, -12345.6789, 1,
    ]);
  });

  it('keeps a thousand levels apart (the most a column may have)', () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `${i},L${i % 1000}`);
    const t = parse(`n,c\n${rows.join('\n')}\n`);
    expect(t.categorical.get('c')?.levels).toHaveLength(1000);
    expect(levelsOf(t).filter((l, i) => l !== `L${i % 1000}`)).toEqual([]);
  });

  it('refuses a column with more than 1000 distinct values, naming the line', () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `${i},id-${i}`);
    expectStepError(
      () => parse(`n,c\n${rows.join('\n')}\n`),
      /^f\.csv:1002: column "c" has more than 1000 distinct values; one-hot encoding needs a column per value, so this looks like an identifier, not a category$/,
    );
  });

  it('accepts a BOM, CRLF, no final newline and trailing blank lines', () => {
    expect(parse('\ufeffn,c\r\n1,a\r\n2,b').rows).toBe(2);
    expect(parse('n,c\n1,a\n\n\n').rows).toBe(1);
  });

  it('names file, line and column for a bad cell anywhere in a row', () => {
    expectStepError(
      () => parse('n,c\n1,a\n2,b\n3.3.3,c\n'),
      /^f\.csv:4:1: column "n": "3\.3\.3" is not a number$/,
    );
    expectStepError(() => parse('n,c\n1,a\n2,"b\n'), /^f\.csv:3:3: unterminated quoted cell$/);
    expectStepError(
      () => parse('n,c\n1,"a"x\n'),
      /^f\.csv:2:3: unexpected text after a closing quote$/,
    );
  });
});
