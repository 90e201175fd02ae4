/**
 * Concentration and inequality measures over neighbourhood layers (MODEL.md §5, "Concentration").
 *
 * Pure functions over typed arrays: segregation of the poor (dissimilarity, isolation, share in
 * high-poverty cells), spatial clustering of a layer (global Moran's I, high-high LISA hotspots),
 * and distribution summaries of incomes (Gini, median, quantiles). They read the arrays they are
 * given and write nothing outside the values they return; the permutation test draws only from the
 * stream it is handed, so a reporter gives the same figure for the same seed.
 *
 * Conventions: `poor[i]` and `total[i]` are head counts of cell i with 0 ≤ poor[i] ≤ total[i];
 * the neighbour structure is a geography's compressed lists (`nbrIndex[nbrOffset[i] ..
 * nbrOffset[i+1])`), so grids and irregular small areas go through the same code. Array lengths
 * are checked, because reading past the end of a typed array yields `undefined`, not an error.
 */
import type { Geography } from '../geography.ts';
import { checkCount } from '../stats.ts';

export { median, quantile } from '../stats.ts';
import type { Stream } from '../rng.ts';

/** The part of a geography the spatial statistics need: cell count and neighbour lists. */
export type NeighbourLists = Pick<Geography, 'n' | 'nbrOffset' | 'nbrIndex'>;

/** Result of {@link lisaHotspots}. */
export interface LisaHotspots {
  /** Number of significant high-high cells. */
  count: number;
  /** 1 where cell i is a significant high-high cell, else 0 (length `geo.n`). */
  hotspot: Uint8Array;
}

function checkCounts(poor: ArrayLike<number>, total: ArrayLike<number>): void {
  if (poor.length !== total.length) {
    throw new RangeError(`concentration: poor has ${poor.length} cells but total has ${total.length}`);
  }
}

function checkLayer(values: ArrayLike<number>, geo: NeighbourLists, include: Uint8Array | undefined): void {
  if (values.length < geo.n) {
    throw new RangeError(`concentration: values has ${values.length} entries for ${geo.n} cells`);
  }
  if (include && include.length < geo.n) {
    throw new RangeError(`concentration: include has ${include.length} entries for ${geo.n} cells`);
  }
}

/**
 * Whether deviations with sum of squares `ss` over m values of magnitude up to `scale` are only
 * the rounding error of the mean: a constant layer such as 0.3 everywhere leaves residues near
 * 1e-17 whose ratio is an arbitrary ±1 instead of 0. Real variation below 1e-10 of the values'
 * magnitude carries no meaning for rates or incomes.
 */
function isConstant(ss: number, m: number, scale: number): boolean {
  const tol = 1e-10 * scale;
  return ss <= m * tol * tol;
}

/**
 * Index of dissimilarity of the poor versus the non-poor across cells:
 *
 *   D = ½ Σ_i | p_i / P − (t_i − p_i) / (T − P) |,   P = Σ p_i, T = Σ t_i.
 *
 * The share of the poor (equivalently of the non-poor) who would have to move for both groups to
 * be spread in the same proportions; 0 is an even spread, 1 complete separation.
 * Source: Duncan & Duncan (1955), "A methodological analysis of segregation indexes",
 * American Sociological Review 20(2): 210–217.
 *
 * @returns D in [0, 1]; 0 when there are no poor or nobody else (P = 0 or P = T), where the
 *   index is undefined.
 */
export function dissimilarity(poor: ArrayLike<number>, total: ArrayLike<number>): number {
  checkCounts(poor, total);
  const n = poor.length;
  let P = 0;
  let T = 0;
  for (let i = 0; i < n; i++) {
    P += poor[i]!;
    T += total[i]!;
  }
  const Q = T - P;
  if (P <= 0 || Q <= 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = poor[i]!;
    sum += Math.abs(p / P - (total[i]! - p) / Q);
  }
  return 0.5 * sum;
}

/**
 * Isolation index of the poor: the poverty rate of the cell of the average poor person,
 *
 *   xPx* = Σ_i (p_i / P) (p_i / t_i),   over cells with t_i > 0.
 *
 * Equals the overall poverty share P/T when the poor are evenly spread and 1 when they live
 * only among themselves. Source: Lieberson (1981), "An asymmetrical approach to segregation", in
 * Peach, Robinson & Smith (eds.) Ethnic Segregation in Cities; Massey & Denton (1988),
 * "The dimensions of residential segregation", Social Forces 67(2): 281–315.
 *
 * @returns xPx* in [0, 1]; 0 when there are no poor.
 */
export function isolation(poor: ArrayLike<number>, total: ArrayLike<number>): number {
  checkCounts(poor, total);
  const n = poor.length;
  let P = 0;
  for (let i = 0; i < n; i++) P += poor[i]!;
  if (P <= 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = total[i]!;
    if (t > 0) {
      const p = poor[i]!;
      sum += p * (p / t);
    }
  }
  return sum / P;
}

/**
 * Share of all the poor who live in cells whose poverty rate p_i / t_i is at least `threshold`:
 *
 *   C = Σ_{i : t_i > 0, p_i / t_i ≥ threshold} p_i / P.
 *
 * The 40% default is the usual line for "high-poverty" or "concentrated poverty" neighbourhoods.
 * Source: Jargowsky & Bane (1991), "Ghetto poverty in the United States, 1970–1980", in Jencks &
 * Peterson (eds.) The Urban Underclass; Jargowsky (1997), Poverty and Place.
 *
 * The rate is compared as the quotient p_i / t_i: division is correctly rounded, so a rate that
 * equals the threshold exactly (2 of 5 against 0.4) counts as at or above it.
 *
 * @returns C in [0, 1]; 0 when there are no poor.
 */
export function concentratedPovertyShare(poor: ArrayLike<number>, total: ArrayLike<number>, threshold = 0.4): number {
  checkCounts(poor, total);
  const n = poor.length;
  let P = 0;
  let inHigh = 0;
  for (let i = 0; i < n; i++) {
    const p = poor[i]!;
    const t = total[i]!;
    P += p;
    if (t > 0 && p / t >= threshold) inHigh += p;
  }
  return P > 0 ? inHigh / P : 0;
}

/**
 * Global Moran's I with binary contiguity weights (w_ij = 1 if j is in i's neighbour list):
 *
 *   I = (n / W) Σ_i Σ_j w_ij z_i z_j / Σ_i z_i²,   z_i = x_i − mean(x),   W = Σ_i Σ_j w_ij.
 *
 * Positive when like values sit next to like, negative for a checkerboard; its expectation
 * when values are placed at random is −1/(n − 1). Source: Moran (1950), "Notes on continuous
 * stochastic phenomena", Biometrika 37: 17–23; Cliff & Ord (1981), Spatial Processes.
 *
 * @param include Optional mask: cells with include[i] = 0 (e.g. empty cells, whose rate is
 *   undefined) are dropped, together with every link to or from them; n, the mean and W are
 *   then those of the included cells.
 * @returns I; 0 when the included values have no variance (up to the rounding of their mean) or
 *   there are no links.
 */
export function moransI(values: ArrayLike<number>, geo: NeighbourLists, include?: Uint8Array): number {
  checkLayer(values, geo, include);
  const { n, nbrOffset, nbrIndex } = geo;
  let m = 0;
  let mean = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    if (include && include[i] === 0) continue;
    const v = values[i]!;
    mean += v;
    scale = Math.max(scale, Math.abs(v));
    m++;
  }
  if (m < 2) return 0;
  mean /= m;
  let ss = 0;
  let cross = 0;
  let W = 0;
  for (let i = 0; i < n; i++) {
    if (include && include[i] === 0) continue;
    const zi = values[i]! - mean;
    ss += zi * zi;
    let lag = 0;
    for (let k = nbrOffset[i]!; k < nbrOffset[i + 1]!; k++) {
      const j = nbrIndex[k]!;
      if (include && include[j] === 0) continue;
      lag += values[j]! - mean;
      W++;
    }
    cross += zi * lag;
  }
  if (W === 0 || isConstant(ss, m, scale)) return 0;
  return ((m / W) * cross) / ss;
}

/**
 * Significant high-high clusters of a layer by local Moran's I with a conditional permutation
 * test. Source: Anselin (1995), "Local indicators of spatial association—LISA", Geographical
 * Analysis 27(2): 93–115; the pseudo p-value as in GeoDa and PySAL's `esda.Moran_Local`.
 *
 * For each included cell i with k_i included neighbours:
 *
 *   z_i = x_i − mean(x),   lag_i = (1/k_i) Σ_{j ∈ N(i)} z_j  (row-standardised weights),
 *   I_i = z_i · lag_i  (up to the positive factor 1/m₂, which changes neither sign nor test).
 *
 * Conditional permutation: z_i stays in place and k_i values are drawn without replacement from
 * the other included cells, `permutations` times; one-sided in the direction of the observed
 * statistic,
 *
 *   p_i = (1 + #{perm : I_perm ≥ I_i}) / (permutations + 1)   if I_i ≥ 0,   with ≤ otherwise.
 *
 * Ties count as at least as extreme (conservative), with a relative tolerance of 1e-12 so that
 * summing the same values in another order cannot break a tie. A cell is a high-high hotspot
 * when z_i > 0, lag_i > 0 and p_i ≤ alpha. With 199 permutations the smallest p is 0.005.
 * The p-values are not corrected for multiple testing (as in the source, read as a map).
 *
 * Only cells that can be high-high (z_i > 0, lag_i > 0, so I_i > 0 and the test is upper-tailed)
 * are tested; the others cannot be hotspots whatever their p-value, and skipping them saves most
 * of the draws. Draws: tested cells in index order, permutations in order, one `stream.next()`
 * per drawn neighbour (a partial Fisher–Yates over the pool of included cells with i set aside,
 * undone after each permutation), so the result depends only on the stream's state, the values
 * and the mask.
 * Cost O(Σ_i k_i × permutations); the working arrays are allocated once per call.
 *
 * @param include Optional mask as in {@link moransI}: excluded cells are neither tested, nor
 *   neighbours, nor drawn.
 */
export function lisaHotspots(
  values: ArrayLike<number>,
  geo: NeighbourLists,
  stream: Stream,
  permutations = 199,
  alpha = 0.05,
  include?: Uint8Array,
): LisaHotspots {
  checkLayer(values, geo, include);
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new RangeError(`lisaHotspots: permutations must be a positive integer, got ${permutations}`);
  }
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`lisaHotspots: alpha must be in (0, 1], got ${alpha}`);
  const { n, nbrOffset, nbrIndex } = geo;
  const hotspot = new Uint8Array(n);

  // Pool of included cells and each cell's position in it.
  const pool = new Int32Array(n);
  const pos = new Int32Array(n).fill(-1);
  let m = 0;
  let mean = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    if (include && include[i] === 0) continue;
    pos[i] = m;
    pool[m++] = i;
    mean += values[i]!;
    scale = Math.max(scale, Math.abs(values[i]!));
  }
  if (m < 2) return { count: 0, hotspot };
  mean /= m;
  const z = new Float64Array(n);
  let maxAbs = 0;
  let ss = 0;
  for (let a = 0; a < m; a++) {
    const i = pool[a]!;
    const zi = values[i]! - mean;
    z[i] = zi;
    ss += zi * zi;
    if (Math.abs(zi) > maxAbs) maxAbs = Math.abs(zi);
  }
  if (isConstant(ss, m, scale)) return { count: 0, hotspot };

  let maxK = 0;
  for (let i = 0; i < n; i++) maxK = Math.max(maxK, nbrOffset[i + 1]! - nbrOffset[i]!);
  const swaps = new Int32Array(maxK);
  const last = m - 1; // i is parked here; draws come from pool[0 .. last).

  let count = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i]!;
    // Only candidates can become high-high; skipping the rest saves their draws.
    if (pos[i]! < 0 || !(zi > 0)) continue;
    let k = 0;
    let obs = 0;
    for (let e = nbrOffset[i]!; e < nbrOffset[i + 1]!; e++) {
      const j = nbrIndex[e]!;
      if (pos[j]! < 0) continue;
      obs += z[j]!;
      k++;
    }
    // k > last only with repeated neighbours: there are not enough other cells to draw from.
    if (k === 0 || !(obs > 0) || k > last) continue;

    // Park i at the end of the pool so that it is never drawn.
    const pi = pos[i]!;
    pool[pi] = pool[last]!;
    pool[last] = i;

    // zi > 0 and obs > 0, so I_i > 0 and "at least as extreme" means a lag sum ≥ obs.
    const bound = obs - 1e-12 * k * maxAbs;
    let extreme = 0;
    for (let r = 0; r < permutations; r++) {
      let sum = 0;
      for (let t = 0; t < k; t++) {
        const s = t + Math.floor(stream.next() * (last - t));
        swaps[t] = s;
        const c = pool[s]!;
        pool[s] = pool[t]!;
        pool[t] = c;
        sum += z[c]!;
      }
      if (sum >= bound) extreme++;
      for (let t = k - 1; t >= 0; t--) {
        const s = swaps[t]!;
        const c = pool[s]!;
        pool[s] = pool[t]!;
        pool[t] = c;
      }
    }
    pool[last] = pool[pi]!;
    pool[pi] = i;

    if ((1 + extreme) / (permutations + 1) <= alpha) {
      hotspot[i] = 1;
      count++;
    }
  }
  return { count, hotspot };
}

/**
 * Gini coefficient of the first `count` values (incomes; negative values count as 0, since the
 * coefficient is defined for non-negative quantities), from the sorted values x_(1) ≤ … ≤ x_(n):
 *
 *   G = Σ_i (2i − n − 1) x_(i) / (n Σ_i x_i),
 *
 * the rank form of Gini's mean absolute difference G = Σ_i Σ_j |x_i − x_j| / (2 n² mean).
 * Source: Gini (1912), Variabilità e mutabilità; the rank form as in Damgaard & Weiner (2000),
 * "Describing inequality in plant size or fecundity", Ecology 81(4): 1139–1142.
 * O(n log n): sorts a Float64Array copy.
 *
 * @returns G in [0, 1 − 1/n]; 0 when n < 2 or every value is 0.
 */
export function gini(values: ArrayLike<number>, count: number = values.length): number {
  checkCount(values.length, count, 'gini');
  const n = count;
  if (n < 2) return 0;
  return giniOfSorted(sortNonNegative(values, n).sorted, n);
}

/**
 * {@link gini} of n values already clamped at 0 and in ascending order (`sortNonNegative`): a
 * caller that also reads order statistics of the same values sorts them once.
 */
export function giniOfSorted(x: Float64Array, n: number): number {
  if (n < 2) return 0;
  const total = sumOf(x, n);
  const weighted = rankWeightedSum(x, n);
  return total > 0 ? weighted / (n * total) : 0;
}

/*
 * The two sums in loops of their own, each with nothing after it but its return: this runs once a
 * year, V8 optimises the loop while it runs (on-stack replacement), and the comparison after a
 * shared loop, which had no type feedback when that code was compiled, threw it away every year.
 * Each sum adds the same terms in the same order as one loop computing both.
 */
function sumOf(x: Float64Array, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += x[i]!;
  return total;
}

function rankWeightedSum(x: Float64Array, n: number): number {
  let weighted = 0;
  for (let i = 0; i < n; i++) weighted += (2 * i - n + 1) * x[i]!; // 2(i+1) − n − 1 with 1-based ranks
  return weighted;
}

/**
 * The first n values clamped at 0, in ascending order (`sorted`), and where each came from
 * (`order`: sorted[i] is max(0, values[order[i]])). The order comes from an LSD radix sort of
 * their 32-bit float bit patterns (for non-negative IEEE floats the bits order as the values;
 * 3 passes of 11 bits, several times faster than a comparison sort of 50,000 incomes, which the
 * yearly Gini needs); the values returned are the original doubles, so sums keep full precision.
 */
export function sortNonNegative(values: ArrayLike<number>, n: number, scratch?: SortScratch): { sorted: Float64Array; order: Int32Array } {
  // Each loop is a function of its own: this runs once a year, and V8 optimises a loop while it
  // runs; code after a loop that had not run yet would throw that optimised code away every year.
  if (scratch) fitSortScratch(scratch, n);
  const keys = scratch ? scratch.keys : new Float32Array(n);
  clampInto(values, keys, n);
  let ka = scratch ? scratch.keyBits : new Uint32Array(keys.buffer);
  let kb = scratch ? scratch.kb : new Uint32Array(n);
  let ia = scratch ? scratch.ia : new Int32Array(n);
  let ib = scratch ? scratch.ib : new Int32Array(n);
  iota(ia, n);
  const counts = scratch ? scratch.counts : new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    radixPass(ka, kb, ia, ib, n, shift, counts);
    const k = ka;
    ka = kb;
    kb = k;
    const i = ia;
    ia = ib;
    ib = i;
  }
  const out = scratch ? scratch.out.subarray(0, n) : new Float64Array(n);
  gatherClamped(values, ia, out, n);
  settle(out, ia, n);
  return { sorted: out, order: scratch ? ia.subarray(0, n) : ia };
}

/**
 * sortNonNegative's working arrays, kept by a caller that sorts every year (the yearly metrics keep
 * one set per run) so that a year does not allocate six arrays the size of the city. Only their
 * first n entries are read, each written afresh by the sort before it is read (`counts` is cleared
 * by every pass); what the sort returns is views of `out` and of `ia` or `ib`, valid until the next
 * sort with the same scratch.
 */
export interface SortScratch {
  keys: Float32Array;
  /** The bits of `keys` (a view of its buffer). */
  keyBits: Uint32Array;
  kb: Uint32Array;
  ia: Int32Array;
  ib: Int32Array;
  out: Float64Array;
  counts: Uint32Array;
}

export function newSortScratch(): SortScratch {
  const keys = new Float32Array(0);
  return {
    keys, keyBits: new Uint32Array(keys.buffer), kb: new Uint32Array(0), ia: new Int32Array(0), ib: new Int32Array(0),
    out: new Float64Array(0), counts: new Uint32Array(2048),
  };
}

/** Grows the scratch to hold n values (by half again, so that a growing city rarely regrows it). */
function fitSortScratch(s: SortScratch, n: number): void {
  if (s.keys.length >= n) return;
  const size = n + (n >>> 1);
  s.keys = new Float32Array(size);
  s.keyBits = new Uint32Array(s.keys.buffer);
  s.kb = new Uint32Array(size);
  s.ia = new Int32Array(size);
  s.ib = new Int32Array(size);
  s.out = new Float64Array(size);
}

function clampInto(values: ArrayLike<number>, keys: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) keys[i] = Math.max(0, values[i]!);
}

function iota(a: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) a[i] = i;
}

/** One stable counting-sort pass on the 11-bit digit at `shift`: (ka, ia) → (kb, ib). */
function radixPass(ka: Uint32Array, kb: Uint32Array, ia: Int32Array, ib: Int32Array, n: number, shift: number, counts: Uint32Array): void {
  counts.fill(0);
  countDigits(ka, n, shift, counts);
  exclusiveSums(counts);
  scatter(ka, kb, ia, ib, n, shift, counts);
}

function countDigits(ka: Uint32Array, n: number, shift: number, counts: Uint32Array): void {
  for (let i = 0; i < n; i++) counts[(ka[i]! >>> shift) & 2047]!++;
}

function exclusiveSums(counts: Uint32Array): void {
  let sum = 0;
  for (let d = 0; d < counts.length; d++) {
    const c = counts[d]!;
    counts[d] = sum;
    sum += c;
  }
}

function scatter(ka: Uint32Array, kb: Uint32Array, ia: Int32Array, ib: Int32Array, n: number, shift: number, counts: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const j = counts[(ka[i]! >>> shift) & 2047]!++;
    kb[j] = ka[i]!;
    ib[j] = ia[i]!;
  }
}

function gatherClamped(values: ArrayLike<number>, ia: Int32Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.max(0, values[ia[i]!]!);
}

/**
 * Values equal as floats but not as doubles may be out of order by a rounding step: settle them,
 * their origins with them.
 */
function settle(out: Float64Array, ia: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = out[i]!;
    const o = ia[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]! > v) {
      out[j + 1] = out[j]!;
      ia[j + 1] = ia[j]!;
      j--;
    }
    out[j + 1] = v;
    ia[j + 1] = o;
  }
}
