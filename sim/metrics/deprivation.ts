/**
 * A deprivation index computed from the simulated city, built the way the English Indices of
 * Deprivation build theirs (MHCLG, IoD2019 Technical Report, ch. 3):
 *
 * 1. seven domain scores per neighbourhood (higher = more deprived);
 * 2. each domain ranked and transformed to an exponential distribution,
 *    X = −23 ln(1 − R (1 − e^(−100/23))), R the rank scaled to (0, 1] with 1 the most deprived,
 *    so that a little of one domain's deprivation cannot be cancelled by another's advantage;
 * 3. the weighted sum of the transformed domains.
 *
 * Domains and their simulated indicators:
 * income (poverty rate), employment (working-age heads out of work, unemployed or sick, over the
 * last four quarters), education
 * (1 − mean skill of working-age residents, 1 − children's attainment), health (1 − mean health),
 * crime (crime), barriers to housing and services (rent burden of renters, distance to school and
 * clinic), living environment (1 − housing quality, 1 − environment).
 *
 * The employment domain counts the working-age out of work — the unemployed and the sick
 * (`households.sick`, sim/subsystems/labour.ts) — as the IoD counts its claimants of unemployment and
 * incapacity benefits (JSA, ESA, incapacity benefit, and Universal Credit's equivalents) over the
 * working-age population; and like the IoD it averages them over four
 * quarters (IoD2019 Technical Report: the employment domain's benefit counts are four-quarter
 * averages, which takes seasonal and short-term variation out; the income domain's are taken at one
 * time point, and so is the model's poverty count). The rate is those out of work summed over the
 * last four quarterly censuses over the working-age heads summed over the same quarters
 * (`cells.outOfWorkQuarters`, `workingAgeQuarters`, written by `recordEmploymentQuarter`).
 */
import { outOfWork, workingAge } from '../census.ts';
import type { World } from '../world.ts';
import { PRIVATE } from '../world.ts';

export const DOMAINS = ['income', 'employment', 'education', 'health', 'crime', 'barriers', 'environment'] as const;
export type Domain = (typeof DOMAINS)[number];
export type DomainWeights = Record<Domain, number>;

/** IoD2019 domain weights. */
export const IMD_2019: DomainWeights = {
  income: 0.225, employment: 0.225, education: 0.135, health: 0.135, crime: 0.093, barriers: 0.093, environment: 0.093,
};

/**
 * An older, income-and-employment-heavy weighting in the spirit of the Index of Local Deprivation
 * (DETR 1998), which counted fewer, mostly economic indicators.
 */
export const ILD_1998: DomainWeights = {
  income: 0.3, employment: 0.3, education: 0.15, health: 0.15, crime: 0, barriers: 0.1, environment: 0,
};

/** Each cell's sums over its residents, the household side of the domain scores. */
export interface ResidentSums {
  /** Skill of the working-age, and their number. */
  skill: Float64Array;
  adults: Float64Array;
  /** Children's attainment of households with children, and their number. */
  att: Float64Array;
  pupils: Float64Array;
  health: Float64Array;
  /** Rent burden of private renters, and their number. */
  burden: Float64Array;
  renters: Float64Array;
}

export function newResidentSums(n: number): ResidentSums {
  return {
    skill: new Float64Array(n), adults: new Float64Array(n), att: new Float64Array(n), pupils: new Float64Array(n),
    health: new Float64Array(n), burden: new Float64Array(n), renters: new Float64Array(n),
  };
}

/**
 * The residents' sums of every cell, households in slot order (the metrics' pass over households,
 * sim/metrics/programme.ts, adds the same values in the same order when it gathers them too).
 * A loop in a function of its own (see sim/census.ts).
 */
export function residentSums(w: World): ResidentSums {
  const c = w.cells;
  const h = w.households;
  const retire = w.config.labour.retirementAge;
  const r = newResidentSums(c.n);
  const { skill, adults, att, pupils, health, burden, renters } = r;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k < 0) continue;
    health[k]! += h.health[s]!;
    if (h.age[s]! < retire) {
      skill[k]! += h.skill[s]!;
      adults[k]!++;
    }
    if (h.kids[s]! > 0) {
      att[k]! += h.attainment[s]!;
      pupils[k]!++;
    }
    if (h.tenure[s] === PRIVATE) {
      burden[k]! += Math.max(0, c.rent[k]! - h.allowance[s]!) / Math.max(1000, h.income[s]! - h.allowance[s]!);
      renters[k]!++;
    }
  }
  return r;
}

/**
 * Per-cell domain scores (higher = more deprived); cells without residents score 0. `residents`
 * as `residentSums(w)` gives them, when a pass over the households has gathered them already.
 * `into`: arrays of the cells' number to write the scores to (cleared first, as new ones would
 * be), kept by a caller that scores every year.
 */
export function domainScores(w: World, residents: ResidentSums = residentSums(w), into?: Record<Domain, Float64Array>): Record<Domain, Float64Array> {
  const c = w.cells;
  const n = c.n;
  const { skill, adults, att, pupils, health, burden, renters } = residents;
  const out = into ?? newDomainScores(n);
  if (into) for (const d of DOMAINS) into[d].fill(0);
  for (let k = 0; k < n; k++) {
    const hh = c.households[k]!;
    if (hh === 0) continue;
    out.income[k] = c.poor[k]! / hh;
    let un = 0, lf = 0;
    for (let q = 4 * k; q < 4 * k + 4; q++) {
      un += c.outOfWorkQuarters[q]!;
      lf += c.workingAgeQuarters[q]!;
    }
    out.employment[k] = lf > 0 ? un / lf : 0;
    out.education[k] = (adults[k]! > 0 ? 1 - skill[k]! / adults[k]! : 0.5) + (pupils[k]! > 0 ? 1 - att[k]! / pupils[k]! : 0.5);
    out.health[k] = 1 - health[k]! / hh;
    out.crime[k] = c.crime[k]!;
    out.barriers[k] = (renters[k]! > 0 ? burden[k]! / renters[k]! : 0) + 0.05 * (c.schoolDist[k]! + c.clinicDist[k]!);
    out.environment[k] = 2 - c.quality[k]! - c.environment[k]!;
  }
  return out;
}

/** Zeroed score arrays for n cells, one per domain. */
export function newDomainScores(n: number): Record<Domain, Float64Array> {
  return Object.fromEntries(DOMAINS.map((d) => [d, new Float64Array(n)])) as Record<Domain, Float64Array>;
}

/**
 * Records this quarter's census counts of the working-age heads out of work (unemployed or sick) and
 * of all working-age heads, per cell, for the
 * employment domain's four-quarter mean. Called after each tick's census (the neighbourhood step),
 * so that at a year's end the four slots hold that year's four quarters.
 */
export function recordEmploymentQuarter(w: World): void {
  const c = w.cells;
  const q = w.city.tick & 3;
  for (let k = 0; k < c.n; k++) {
    c.outOfWorkQuarters[4 * k + q] = outOfWork(c, k);
    c.workingAgeQuarters[4 * k + q] = workingAge(c, k);
  }
}

/**
 * Fills all four quarters with the current census: a new city has no history, so its employment
 * domain starts as its state at creation (called once, at the end of `createWorld`).
 */
export function startEmploymentQuarters(w: World): void {
  const c = w.cells;
  for (let k = 0; k < c.n; k++) {
    c.outOfWorkQuarters.fill(outOfWork(c, k), 4 * k, 4 * k + 4);
    c.workingAgeQuarters.fill(workingAge(c, k), 4 * k, 4 * k + 4);
  }
}

/** IMD-style exponential transformation of ranks among the included cells (most deprived → ~100). */
export function exponentialTransform(scores: Float64Array, include: Uint8Array): Float64Array {
  return transformInto(scores, include, new Float64Array(scores.length));
}

/**
 * exponentialTransform written to `out` (as long as `scores`; cleared first, so that the cells
 * left out are 0 as in a new array): the index's domains, one after another, take one array.
 */
function transformInto(scores: Float64Array, include: Uint8Array, out: Float64Array): Float64Array {
  const n = scores.length;
  fitRankScratch(n);
  const idx = rankIdx;
  const keys = rankKeys;
  const m = gatherIncluded(scores, include, idx, keys, 1);
  // Least deprived first; ties broken by cell index so that the order is deterministic.
  sortByKeyThenIndex(scores, 1, keys, idx, m);
  out.fill(0);
  const c = 1 - Math.exp(-100 / 23);
  for (let r = 0; r < m; r++) out[idx[r]!] = -23 * Math.log(1 - ((r + 1) / m) * c);
  return out;
}

/**
 * The ranking's working arrays, shared by every world: only their first m entries are read, each
 * written afresh by gatherIncluded before the sort reads it, so nothing passes from one call to the
 * next. They grow to the largest layer ranked (cells, or statistical units).
 */
let rankIdx = new Int32Array(0);
let rankKeys = new Float64Array(0);

function fitRankScratch(n: number): void {
  if (rankIdx.length >= n) return;
  rankIdx = new Int32Array(n);
  rankKeys = new Float64Array(n);
}

/**
 * Writes the positions k with include[k] > 0, ascending, to idx and sign × values[k] to keys;
 * returns their number. Negating is exact, so ordering by −v ascending is ordering by v descending.
 */
function gatherIncluded(values: Float64Array, include: ArrayLike<number>, idx: Int32Array, keys: Float64Array, sign: 1 | -1): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) {
    if (!(include[k]! > 0)) continue;
    idx[m] = k;
    keys[m++] = sign * values[k]!;
  }
  return m;
}

/**
 * Sorts idx[0 .. m) (ascending positions, keys[r] the key of idx[r]) by key, ties by position: the
 * order `idx.sort((a, b) => key(a) − key(b) || a − b)` gives, since that comparator is a strict
 * total order whenever no key is NaN (−0 and +0 compare equal in both). A quicksort on the two
 * typed arrays, several times faster than sorting a number[] with a closure. With a NaN key the
 * comparator is not an order and the result depends on the engine's sort: that path is kept.
 */
function sortByKeyThenIndex(values: Float64Array, sign: 1 | -1, keys: Float64Array, idx: Int32Array, m: number): void {
  if (hasNaN(keys, m)) {
    // (−a) − (−b) is b − a exactly: the comparator's values are those of the original.
    const order = Array.from(idx.subarray(0, m));
    order.sort((a, b) => sign * values[a]! - sign * values[b]! || a - b);
    idx.set(order);
    return;
  }
  quicksort(keys, idx, 0, m - 1, 0);
}

function hasNaN(keys: Float64Array, m: number): boolean {
  for (let r = 0; r < m; r++) if (keys[r] !== keys[r]) return true;
  return false;
}

/** (key, position) strictly before (key, position) of another entry. */
function before(ka: number, ia: number, kb: number, ib: number): boolean {
  return ka < kb || (ka === kb && ia < ib);
}

function quicksort(keys: Float64Array, idx: Int32Array, lo: number, hi: number, depth: number): void {
  while (hi - lo > 16 && depth < 64) {
    depth++;
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot, with the ends as sentinels.
    if (before(keys[mid]!, idx[mid]!, keys[lo]!, idx[lo]!)) swap(keys, idx, mid, lo);
    if (before(keys[hi]!, idx[hi]!, keys[lo]!, idx[lo]!)) swap(keys, idx, hi, lo);
    if (before(keys[hi]!, idx[hi]!, keys[mid]!, idx[mid]!)) swap(keys, idx, hi, mid);
    const pk = keys[mid]!;
    const pi = idx[mid]!;
    let i = lo;
    let j = hi;
    do {
      while (before(keys[i]!, idx[i]!, pk, pi)) i++;
      while (before(pk, pi, keys[j]!, idx[j]!)) j--;
      if (i <= j) {
        swap(keys, idx, i, j);
        i++;
        j--;
      }
    } while (i <= j);
    // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
    if (j - lo < hi - i) {
      quicksort(keys, idx, lo, j, depth);
      lo = i;
    } else {
      quicksort(keys, idx, i, hi, depth);
      hi = j;
    }
  }
  insertionSort(keys, idx, lo, hi);
}

/** Short ranges, and any range whose splits kept failing (a correct order either way). */
function insertionSort(keys: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  for (let a = lo + 1; a <= hi; a++) {
    const k = keys[a]!;
    const x = idx[a]!;
    let b = a - 1;
    while (b >= lo && before(k, x, keys[b]!, idx[b]!)) {
      keys[b + 1] = keys[b]!;
      idx[b + 1] = idx[b]!;
      b--;
    }
    keys[b + 1] = k;
    idx[b + 1] = x;
  }
}

function swap(keys: Float64Array, idx: Int32Array, a: number, b: number): void {
  const k = keys[a]!;
  keys[a] = keys[b]!;
  keys[b] = k;
  const x = idx[a]!;
  idx[a] = idx[b]!;
  idx[b] = x;
}

/** The combined index per cell (0 for cells without residents). */
export function deprivationIndex(w: World, weights: DomainWeights = IMD_2019, scores: Record<Domain, Float64Array> = domainScores(w)): Float64Array {
  const c = w.cells;
  const include = new Uint8Array(c.n);
  for (let k = 0; k < c.n; k++) include[k] = c.households[k]! > 0 ? 1 : 0;
  const index = new Float64Array(c.n);
  // One array for every domain's transform, each read before the next overwrites it.
  const x = new Float64Array(c.n);
  for (const d of DOMAINS) {
    if (weights[d] === 0) continue;
    transformInto(scores[d], include, x);
    for (let k = 0; k < c.n; k++) index[k]! += weights[d] * x[k]!;
  }
  return index;
}

/**
 * The index over groups of cells (statistical units, wards): each domain score is the
 * resident-weighted mean of its cells' scores, then transformed and weighted as for cells.
 * Returns one value per group (groups numbered 0..max of `groupOf`).
 */
export function deprivationIndexByGroup(
  w: World,
  groupOf: Int32Array,
  weights: DomainWeights = IMD_2019,
  scores: Record<Domain, Float64Array> = domainScores(w),
): { index: Float64Array; households: Int32Array } {
  const c = w.cells;
  let g = 0;
  for (let k = 0; k < c.n; k++) g = Math.max(g, groupOf[k]! + 1);
  const households = new Int32Array(g);
  for (let k = 0; k < c.n; k++) households[groupOf[k]!]! += c.households[k]!;
  const include = new Uint8Array(g);
  for (let j = 0; j < g; j++) include[j] = households[j]! > 0 ? 1 : 0;
  const index = new Float64Array(g);
  // One array each for every domain's grouped scores and transform, cleared for each domain.
  const grouped = new Float64Array(g);
  const x = new Float64Array(g);
  for (const d of DOMAINS) {
    if (weights[d] === 0) continue;
    grouped.fill(0);
    for (let k = 0; k < c.n; k++) grouped[groupOf[k]!]! += scores[d][k]! * c.households[k]!;
    for (let j = 0; j < g; j++) if (households[j]! > 0) grouped[j]! /= households[j]!;
    transformInto(grouped, include, x);
    for (let j = 0; j < g; j++) index[j]! += weights[d] * x[j]!;
  }
  return { index, households };
}

/** Cells in the most deprived `share` of populated cells by an index (a 0/1 mask). */
export function mostDeprived(index: Float64Array, households: Int32Array, share: number): Uint8Array {
  const n = index.length;
  fitRankScratch(n);
  const idx = rankIdx;
  const keys = rankKeys;
  // Most deprived first (the index descending), ties broken by cell index.
  const m = gatherIncluded(index, households, idx, keys, -1);
  sortByKeyThenIndex(index, -1, keys, idx, m);
  const mask = new Uint8Array(n);
  const take = Math.max(1, Math.round(share * m));
  for (let r = 0; r < take && r < m; r++) mask[idx[r]!] = 1;
  return mask;
}
