/**
 * Sorts scores ascending, in place, as Float64Array.prototype.sort does, but about twice as
 * fast on the ranking's large windows (10^6-10^7 probabilities): one pass finds the range,
 * one counts the values per bucket (a bucket is floor((v - lo) * scale), monotone in v, so
 * buckets are ordered), the values are moved into their buckets in place (American flag
 * sort: no second buffer, so memory stays what the caller sized), and each bucket is sorted
 * the same way or, when it holds a few values, by insertion. Input with NaN or an infinite
 * range, and crowded buckets, fall back to the native sort. The result is the native order
 * (a -0 and a 0, equal in every comparison the ranking makes, may come in either order).
 */
/**
 * Below this many values the native sort wins in a step's process: the bucket sort's loops
 * run a while in V8's interpreter before they are optimised, which costs more than they save
 * on fewer values (measured cold: 2 x 400,000 probabilities 80 ms native, 140 ms bucketed;
 * at 1M and above the bucket sort is ahead, and it is 2x ahead on the ranking's 6M windows).
 */
export const NATIVE_BELOW = 1 << 20;
/**
 * Buckets per level: about 6 values each, at most MAX_BUCKETS (the counts stay in L2). A
 * larger input is first split into WIDE_BUCKETS, whose moves write to few enough places to
 * stay in cache; each of those buckets is then sorted in cache the same way.
 */
const MAX_BUCKETS = 1 << 16;
const WIDE_INPUT = 1 << 19;
const WIDE_BUCKETS = 4096;
const INSERTION_MAX = 32;

export function sortScores(a: Float64Array, nativeBelow = NATIVE_BELOW): void {
  const n = a.length;
  if (n < Math.max(2, nativeBelow)) {
    a.sort();
    return;
  }
  for (let i = 0; i < n; i++) {
    if (a[i] !== a[i]) {
      a.sort(); // NaN: the native sort puts it last
      return;
    }
  }
  sortRange(a, 0, n);
}

/**
 * Sorts a[from, to) (no NaN): buckets by value in place, then each bucket by insertion or,
 * when it holds more than a few values, the same way again.
 */
function sortRange(a: Float64Array, from: number, to: number): void {
  const n = to - from;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  if (range === 0) return; // all equal (0 and -0 compare equal: the sweeps treat them alike)
  const cap = n > WIDE_INPUT ? WIDE_BUCKETS : MAX_BUCKETS;
  let buckets = 8;
  while (buckets < cap && buckets * 6 < n) buckets *= 2;
  const scale = buckets / range;
  if (!Number.isFinite(scale) || !Number.isFinite(range)) {
    a.subarray(from, to).sort();
    return;
  }
  const last = buckets - 1;
  const next = new Uint32Array(buckets + 1);
  for (let i = from; i < to; i++) {
    const k = Math.floor((a[i] - lo) * scale);
    next[(k > last ? last : k) + 1]++;
  }
  // next[b]: where bucket b's next value goes; end[b] = next[b + 1] before any move.
  next[0] = from;
  for (let b = 0; b < buckets; b++) next[b + 1] += next[b];
  const end = next.slice(1);
  for (let b = 0; b < buckets; b++) {
    const stop = end[b];
    while (next[b] < stop) {
      let v = a[next[b]];
      let k = Math.floor((v - lo) * scale);
      if (k > last) k = last;
      // Follow the cycle: each value displaces the one in its bucket's next slot.
      while (k !== b) {
        const at = next[k]++;
        const w = a[at];
        a[at] = v;
        v = w;
        k = Math.floor((v - lo) * scale);
        if (k > last) k = last;
      }
      a[next[b]++] = v;
    }
  }
  for (let b = 0, start = from; b < buckets; start = end[b], b++) {
    const stop = end[b];
    const m = stop - start;
    if (m < 2) continue;
    if (m > INSERTION_MAX) {
      // A bucket holding most values (crowded scores) would not shrink: sort it natively.
      if (m > n / 2) a.subarray(start, stop).sort();
      else sortRange(a, start, stop);
      continue;
    }
    for (let i = start + 1; i < stop; i++) {
      const v = a[i];
      let j = i - 1;
      while (j >= start && a[j] > v) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = v;
    }
  }
}
