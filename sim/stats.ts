/**
 * Order statistics (median, quantiles) shared by mechanisms and metrics: the housing allowance
 * cap is a quantile of rents, the poverty line a share of the median income.
 */

export function checkCount(length: number, count: number, what: string): void {
  if (!Number.isInteger(count) || count < 0 || count > length) {
    throw new RangeError(`${what}: count must be an integer in [0, ${length}], got ${count}`);
  }
}

function copyToScratch(values: Float64Array | Float32Array, count: number, scratch: Float64Array | undefined): Float64Array {
  const a = scratch && scratch.length >= count ? scratch : new Float64Array(count);
  for (let i = 0; i < count; i++) a[i] = values[i]!;
  return a;
}

/**
 * Rearranges a[0 .. n) so that a[k] holds the value of rank k (0-based), everything before it is
 * ≤ it and everything after ≥ it. Hoare's FIND with Wirth's partition loop (Hoare 1961,
 * "Algorithm 65: Find", CACM 4(7): 321–322; Wirth 1976, Algorithms + Data Structures = Programs),
 * pivot by median of three, which handles runs of equal values and sorted input in O(n) on
 * average; if the range stops shrinking (adversarial input) the rest is sorted, bounding the cost
 * at O(n log n).
 */
function select(a: Float64Array, n: number, k: number): number {
  let l = 0;
  let r = n - 1;
  let rounds = 0;
  while (l < r) {
    if (++rounds > 64) {
      a.subarray(l, r + 1).sort();
      break;
    }
    const mid = (l + r) >>> 1;
    // Order a[l] ≤ a[mid] ≤ a[r]; the median becomes the pivot and the ends act as sentinels.
    if (a[mid]! < a[l]!) swap(a, mid, l);
    if (a[r]! < a[l]!) swap(a, r, l);
    if (a[r]! < a[mid]!) swap(a, r, mid);
    const x = a[mid]!;
    let i = l;
    let j = r;
    do {
      while (a[i]! < x) i++;
      while (x < a[j]!) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Median of the first `count` values: the middle value, or the mean of the two middle values
 * when `count` is even. O(n) on average by quickselect on a copy; the input is not reordered.
 * Values must not be NaN.
 *
 * @param scratch Working array reused when it holds at least `count` entries (its contents are
 *   overwritten), so a reporter called every tick allocates nothing.
 * @returns the median, or NaN when `count` is 0.
 */
export function median(values: Float64Array | Float32Array, count: number = values.length, scratch?: Float64Array): number {
  checkCount(values.length, count, 'median');
  if (count === 0) return NaN;
  const a = copyToScratch(values, count, scratch);
  const hi = count >>> 1;
  const upper = select(a, count, hi);
  if (count % 2 === 1) return upper;
  // After selection everything in a[0 .. hi) is ≤ the upper middle: the lower middle is its maximum.
  return 0.5 * (maxOf(a, hi) + upper);
}

/**
 * The largest of a[0 .. n). A loop in a function of its own: callers run once a year, and code
 * after a loop V8 optimised mid-run would throw the optimised code away at every call.
 */
function maxOf(a: Float64Array, n: number): number {
  let m = a[0]!;
  for (let i = 1; i < n; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/**
 * The q-quantile of the first `count` values, taken as the order statistic of rank
 * floor(q × (count − 1)) (0-based) without interpolation: the position of Hyndman & Fan's
 * (1996) type 7 rounded down (numpy's `method='lower'`), so the result is a value that occurs in
 * the data and never needs averaging. q is clamped to [0, 1], so
 * q = 0 is the minimum and q = 1 the maximum. O(n) on average by quickselect on a copy, as in
 * {@link median}; values must not be NaN.
 *
 * @param scratch Working array reused when it holds at least `count` entries.
 * @returns the quantile, or NaN when `count` is 0.
 */
export function quantile(values: Float64Array | Float32Array, count: number, q: number, scratch?: Float64Array): number {
  checkCount(values.length, count, 'quantile');
  if (Number.isNaN(q)) throw new RangeError('quantile: q must be a number in [0, 1], got NaN');
  if (count === 0) return NaN;
  const a = copyToScratch(values, count, scratch);
  const rank = Math.floor(Math.min(1, Math.max(0, q)) * (count - 1));
  return select(a, count, rank);
}

/**
 * Weighted quantile: the smallest value v such that the weights of values ≤ v reach q of the
 * total weight (the "lower" weighted quantile, no interpolation). Used where the population is
 * the weight and the value a per-area figure, e.g. the rent a given share of homes lets at or
 * below. Ties are broken by index, so the result does not depend on the sort's stability.
 *
 * @param order Working index array reused when it holds at least `count` entries.
 * @returns the quantile, or NaN when `count` is 0 or every weight is 0.
 */
export function weightedQuantile(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
  count: number,
  q: number,
  order?: Int32Array,
): number {
  checkCount(values.length, count, 'weightedQuantile');
  checkCount(weights.length, count, 'weightedQuantile');
  if (Number.isNaN(q)) throw new RangeError('weightedQuantile: q must be a number in [0, 1], got NaN');
  let total = 0;
  for (let i = 0; i < count; i++) total += Math.max(0, weights[i]!);
  if (count === 0 || total <= 0) return NaN;
  const idx = order && order.length >= count ? order : new Int32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  const sorted = idx.subarray(0, count).sort((a, b) => values[a]! - values[b]! || a - b);
  const goal = Math.min(1, Math.max(0, q)) * total;
  let acc = 0;
  for (let j = 0; j < count; j++) {
    acc += Math.max(0, weights[sorted[j]!]!);
    if (acc >= goal && acc > 0) return values[sorted[j]!]!;
  }
  return values[sorted[count - 1]!]!;
}
