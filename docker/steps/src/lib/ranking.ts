import { sortScores } from './sort-scores';

/**
 * Exact ROC AUC and ROC curve over more scores than memory holds, from a source that can
 * be streamed again (scores are recomputed from a matrix file on each pass). The same
 * figures as metrics.ts's rocAuc and rocCurve, which sort every score at once:
 *
 * - a histogram pass over score bins (monotone in the score, so rows in different bins are
 *   ordered by their bins alone) gives each bin's class counts;
 * - consecutive bins are grouped into windows of at most `budget` rows; a window with both
 *   classes (or any window, when the curve is wanted) is collected in one more pass, sorted,
 *   and swept tie group by tie group; a one-class window needs only its counts;
 * - a bin with more than `budget` rows is split again by its own histogram (or, when all its
 *   scores are equal, is one tie group).
 *
 * Memory: the bins and one window (8 bytes a row); passes: about rows / budget + 1.
 */
export type ScorePass = (visit: (score: Float64Array, y: Uint8Array, n: number) => void) => void;

/** Chunks of rows to score: fn gets each chunk's size, targets and a filler of its scores. */
export type ScoreChunks = (
  fn: (n: number, y: Uint8Array, score: (out: Float64Array) => void) => void,
) => void;

/**
 * Scores kept after a pass's first run when there are at most this many rows (9 bytes a
 * row, 18 MB), so the ranking's later passes replay them instead of scoring again.
 */
export const SCORE_MEMO_ROWS = 2_000_000;

/** A ScorePass over chunks, replaying its first run's scores when `rows` is small enough. */
export function replayablePass(rows: number, chunks: ScoreChunks): ScorePass {
  let memo: { s: Float64Array; y: Uint8Array } | undefined;
  return (visit) => {
    if (memo) {
      visit(memo.s, memo.y, rows);
      return;
    }
    const all =
      rows <= SCORE_MEMO_ROWS ? { s: new Float64Array(rows), y: new Uint8Array(rows) } : undefined;
    let at = 0;
    let out = new Float64Array(0);
    chunks((n, y, score) => {
      if (all) out = all.s.subarray(at, at + n);
      else if (out.length < n) out = new Float64Array(n);
      score(out);
      all?.y.set(y.subarray(0, n), at);
      at += n;
      visit(out, y, n);
    });
    if (at !== rows) throw new Error(`ranking: a pass gave ${at} scores, expected ${rows}`);
    memo = all;
  };
}

export interface ScoreTotals {
  rows: number;
  positives: number;
  min: number;
  max: number;
}

export interface Ranking {
  rocAuc: number;
  /** [false positive rate, true positive rate] pairs, as rocCurve; [] without `points`. */
  curve: [number, number][];
}

const BINS = 1 << 16;
/** Rows sorted at once: 48 MB of float64. */
export const RANK_BUDGET = 6_000_000;

/**
 * The scores a window holds: those from the lowest score of its first bin to the highest of
 * its last. binOf is monotone, so a score is in those bins exactly when it is in this
 * interval: two comparisons a row, where testing its bins meant a bin per level.
 */
export interface Window {
  lo: number;
  hi: number;
}

function binOf(s: number, lo: number, width: number): number {
  if (!(width > 0)) return 0;
  const b = Math.floor(((s - lo) / width) * BINS);
  return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
}

/** Whether s is in the window (every score when there is none; NaN as before: inside). */
function inside(w: Window | undefined, s: number): boolean {
  return !w || !(s < w.lo || s > w.hi);
}

/**
 * Class counts and the range of the scores in each of BINS bins over [lo, hi] (binOf is
 * monotone in the score, so rows in different bins are ordered by their bins alone). The
 * ranking fills one per pass; a caller that sees every score anyway (train's last Newton
 * pass, over probabilities in [0, 1]) can fill the first itself and save that pass.
 */
export class ScoreHistogram {
  readonly pos = new Float64Array(BINS);
  readonly neg = new Float64Array(BINS);
  readonly mn = new Float64Array(BINS).fill(Infinity);
  readonly mx = new Float64Array(BINS).fill(-Infinity);
  readonly width: number;
  seen = 0;

  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    this.width = hi - lo;
  }

  /** The scores of a chunk (those inside `window`, the bins being refined). */
  add(s: Float64Array, y: Uint8Array, m: number, window?: Window): void {
    const { pos, neg, mn, mx, lo, width } = this;
    let seen = this.seen;
    for (let i = 0; i < m; i++) {
      const v = s[i];
      if (window && !inside(window, v)) continue;
      const k = binOf(v, lo, width);
      // Counted without a branch on the class (random, so mispredicted).
      const yi = y[i];
      pos[k] += yi;
      neg[k] += 1 - yi;
      if (v < mn[k]) mn[k] = v;
      if (v > mx[k]) mx[k] = v;
      seen++;
    }
    this.seen = seen;
  }
}

/** Counts of the scores first, from the caller's own pass over them. */
export interface RankOptions {
  /** Points of the ROC curve wanted (none without). */
  points?: number;
  /** Rows sorted at once (RANK_BUDGET). */
  budget?: number;
  /** The first histogram, filled by the caller on its own pass over every score. */
  histogram?: ScoreHistogram;
  /**
   * Sorts a window's two classes (each ascending, in place), e.g. one on another thread;
   * both are sorted here, one after the other, when absent.
   */
  sortClasses?: (pos: Float64Array, neg: Float64Array) => void;
  /** Makes the window's array (e.g. in shared memory, for sortClasses). */
  window?: (n: number) => Float64Array;
}

export function rankScores(pass: ScorePass, totals: ScoreTotals, opts: RankOptions = {}): Ranking {
  const n = totals.rows;
  const np = totals.positives;
  const nn = n - np;
  if (np === 0 || nn === 0) return { rocAuc: NaN, curve: [] };
  const budget = opts.budget ?? RANK_BUDGET;
  const points = opts.points ?? 0;
  const step = points > 1 ? Math.max(1, Math.floor(n / (points - 1))) : 0;
  let posBelow = 0;
  let negBelow = 0;
  let sum = 0;
  const ascending: [number, number][] = [];
  let scratch: Float64Array = new Float64Array(0);

  /** A group of equal scores, met in ascending order. */
  const group = (cp: number, cn: number) => {
    sum += cp * (negBelow + 0.5 * cn);
    if (step > 0) {
      const below = posBelow + negBelow;
      // Its last row in descending order is a cut when rows at or above it fill a step.
      if ((n - below) % step === 0 || below === 0) {
        ascending.push([round4((nn - negBelow) / nn), round4((np - posBelow) / np)]);
      }
    }
    posBelow += cp;
    negBelow += cn;
  };

  const collect = (window: Window | undefined, cp: number, cn: number) => {
    if (step === 0 && (cp === 0 || cn === 0)) {
      group(cp, 0); // one class: only its count matters for the AUC
      if (cn > 0) negBelow += cn;
      return;
    }
    if (scratch.length < cp + cn) {
      const size = Math.min(budget, n);
      scratch = opts.window ? opts.window(size) : new Float64Array(size);
    }
    const pos = scratch.subarray(0, cp);
    const neg = scratch.subarray(cp, cp + cn);
    let a = 0;
    let b = 0;
    pass((s, y, m) => {
      for (let i = 0; i < m; i++) {
        if (!inside(window, s[i])) continue;
        if (y[i]) pos[a++] = s[i];
        else neg[b++] = s[i];
      }
    });
    if (a !== cp || b !== cn) throw new Error('ranking: a pass saw other scores than the last');
    if (opts.sortClasses) opts.sortClasses(pos, neg);
    else {
      sortScores(pos);
      sortScores(neg);
    }
    let i = 0;
    let j = 0;
    while (i < cp || j < cn) {
      const v = j >= cn || (i < cp && pos[i] < neg[j]) ? pos[i] : neg[j];
      let gp = 0;
      let gn = 0;
      while (i < cp && pos[i] === v) {
        i++;
        gp++;
      }
      while (j < cn && neg[j] === v) {
        j++;
        gn++;
      }
      group(gp, gn);
    }
  };

  const range = (
    window: Window | undefined,
    lo: number,
    hi: number,
    count: number,
    filled?: ScoreHistogram,
  ) => {
    let h = filled;
    if (!h) {
      const fresh = new ScoreHistogram(lo, hi);
      pass((s, y, m) => fresh.add(s, y, m, window));
      h = fresh;
    }
    const { pos, neg, mn, mx } = h;
    if (h.seen !== count) throw new Error('ranking: a pass saw other scores than the last');
    for (let k = 0; k < BINS;) {
      const c = pos[k] + neg[k];
      if (c === 0) {
        k++;
        continue;
      }
      if (c > budget) {
        if (mn[k] === mx[k]) group(pos[k], neg[k]);
        else range({ lo: mn[k], hi: mx[k] }, mn[k], mx[k], c);
        k++;
        continue;
      }
      let e = k;
      let total = c;
      let cp = pos[k];
      let cn = neg[k];
      let highest = mx[k]; // the highest score in bins k..e (an empty bin's is -Infinity)
      while (e + 1 < BINS && total + pos[e + 1] + neg[e + 1] <= budget) {
        e++;
        total += pos[e] + neg[e];
        cp += pos[e];
        cn += neg[e];
        highest = Math.max(highest, mx[e]);
      }
      collect({ lo: mn[k], hi: highest }, cp, cn);
      k = e + 1;
    }
  };

  const top = opts.histogram;
  if (n <= budget) collect(undefined, np, nn);
  else if (totals.min === totals.max) group(np, nn);
  else if (top) range(undefined, top.lo, top.hi, n, top);
  else range(undefined, totals.min, totals.max, n);

  const curve: [number, number][] = step > 0 ? [[0, 0], ...ascending.reverse()] : [];
  return { rocAuc: sum / np / nn, curve };
}

const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;
