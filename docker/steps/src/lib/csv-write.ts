import type { AtomicFile } from './atomic';

/**
 * Builds CSV rows as bytes in a reusable buffer: formatting a million rows through strings
 * (toFixed, concatenation) spends more time in the garbage collector than in the step.
 * `fixed` rounds like toFixed for the values steps write (k / 10^decimals, probabilities);
 * anything out of its exact range is formatted by toFixed itself.
 */
export class CsvBytes {
  private buf: Buffer;
  private pos = 0;

  constructor(
    private readonly out: AtomicFile,
    capacity = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Call once per row, before writing it, with an upper bound of the row's bytes. */
  reserve(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** A safe integer in decimal. */
  int(n: number): void {
    if (n < 0) {
      this.byte(45);
      n = -n;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      this.buf[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.pos += digits;
  }

  /** x with exactly `decimals` (1..9) digits after the point. */
  fixed(x: number, decimals: number): void {
    const scale = 10 ** decimals;
    const v = Math.round(x * scale);
    if (!(x >= 0) || v >= Number.MAX_SAFE_INTEGER) {
      this.pos += this.buf.write(x.toFixed(decimals), this.pos, 'latin1');
      return;
    }
    this.int(Math.floor(v / scale));
    this.byte(46);
    let frac = v % scale;
    for (let i = this.pos + decimals - 1; i >= this.pos; i--) {
      this.buf[i] = 48 + (frac % 10);
      frac = Math.floor(frac / 10);
    }
    this.pos += decimals;
  }

  flush(): void {
    if (this.pos > 0) this.out.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}
