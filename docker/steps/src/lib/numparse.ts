/**
 * Decimal parsing straight from CSV bytes, without allocating a string per cell: the hot
 * loop of preprocess and predict. For up to 15 significant digits the result is exact IEEE
 * rounding (an integer < 2^53 divided by an exact power of ten is correctly rounded); longer
 * or exponent forms take the slow path through Number(), after a strict syntax check, so
 * "0x1f", "Infinity", " 1" and "" are all rejected rather than silently converted.
 */
export const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const STRICT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The number in bytes [start, end), or NaN when the cell is not a plain decimal number. */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (i < end && (buf[i] === 45 || buf[i] === 43)) {
    neg = buf[i] === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  while (i < end) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    mant = mant * 10 + d;
    digits++;
    i++;
  }
  if (i < end && buf[i] === 46) {
    i++;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      digits++;
      frac++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i === end && digits <= 15) {
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }
  return slowParse(buf, start, end);
}

function slowParse(buf: Uint8Array, start: number, end: number): number {
  const s = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  if (!STRICT.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}
