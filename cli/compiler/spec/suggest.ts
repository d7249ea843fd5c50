/**
 * "did you mean" suggestions by edit distance, for unknown keys, steps and task ids.
 *
 * Bounded on purpose: a spec is untrusted input, and a plain distance over every candidate is
 * quadratic. Words longer than MAX_WORD get no suggestion, candidates whose length alone puts
 * them out of reach are skipped, and the distance is computed in a band of width `limit`,
 * so one call costs O(candidates x MAX_WORD x limit) at worst. Callers also cap how many
 * diagnostics (and so suggestions) one spec can produce.
 */
const MAX_WORD = 64;

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD) return undefined;
  // A suggestion is only useful when it is a near miss, not any word at all.
  const limit = Math.max(1, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const d = boundedDistance(lower, candidate.toLowerCase(), limit);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions, so "trian" is
 * one step from "train"), or limit + 1 when it is larger than `limit`. Only cells within
 * `limit` of the diagonal can stay within the limit, so only those are computed.
 */
let rows = [0, 1, 2].map(() => new Int32Array(128));

export function boundedDistance(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return over;
  const width = b.length + 1;
  // Three rows reused across calls: closest() calls this once per candidate.
  if (rows[0].length < width) rows = [0, 1, 2].map(() => new Int32Array(width * 2));
  let [prev2, prev, row] = rows;
  prev2.fill(over, 0, width);
  prev.fill(over, 0, width);
  for (let j = 0; j <= Math.min(b.length, limit); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row.fill(over, 0, width);
    const from = Math.max(1, i - limit);
    const to = Math.min(b.length, i + limit);
    if (i <= limit) row[0] = i;
    let rowMin = row[0];
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prev2[j - 2] + 1);
      }
      row[j] = Math.min(d, over);
      rowMin = Math.min(rowMin, row[j]);
    }
    if (rowMin > limit) return over;
    [prev2, prev, row] = [prev, row, prev2];
  }
  return Math.min(prev[b.length], over);
}
