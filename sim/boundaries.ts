/**
 * How a policy draws the area it acts on, as data-driven rules (MODEL.md §1 claim 3, §4
 * "Boundary selection", §5 regions).
 *
 * - `index`: the top-down way of the English area-based initiatives. Rank areas by a deprivation
 *   index (which index and which weights is the rule's choice), start from the most deprived one
 *   and grow a contiguous area until it holds a population quota, as the New Deal for Communities
 *   drew 39 areas of about 9,900 people each. The area either follows statistical units (so that
 *   official data describe it) or cuts across them.
 * - `hub`: the soft boundary of a core resource: the natural catchment of a school, with a weight
 *   that decays with distance from it.
 * - `cells`: an explicit list (a real programme's map).
 *
 * Around the target: the adjacent ring (where displacement lands) and matched comparison areas
 * (the counterfactual of an NDC-style evaluation). Everything here is deterministic: a boundary
 * is a function of the world's state, never of a random draw, so that a policy run and its paired
 * counterfactual can draw the same boundary.
 *
 * Errors are RangeErrors that name the scenario field (`policy.boundary.<field>`) and what it
 * allows, because a rule that selects nothing is a configuration error, not a quiet no-op.
 */
import type { DomainWeights } from './metrics/deprivation.ts';
import { DOMAINS, ILD_1998, IMD_2019, deprivationIndex, deprivationIndexByGroup } from './metrics/deprivation.ts';
import { nearestSite, withinRadius } from './geography.ts';
import type { MetricValues } from './types.ts';
import type { World } from './world.ts';
import { CLINIC, REGION_CODES, SCHOOL } from './world.ts';

export interface BoundaryRule {
  /**
   * 'index': the most deprived areas by a deprivation index; 'hub': the soft catchment of a core
   * resource (a school: the study's Weston hub; clinics have no catchment rule here); 'cells': an
   * explicit list.
   */
  type: 'index' | 'hub' | 'cells';
  /** Domain weights of the index ('index' rules and the 'auto' hub choice); default 'imd2019'. */
  weights?: 'imd2019' | 'ild1998' | DomainWeights;
  /**
   * Population quota: households the target should hold (NDC areas ~ 9,900 people ≈ 4,000
   * households); the rule grows a contiguous area around the most deprived seed until the quota
   * is reached. Default 4,000.
   */
  quotaHouseholds?: number;
  /** Number of separate areas (New Deal for Communities drew 39). Default 1. */
  areas?: number;
  /**
   * true: the area is a union of whole statistical units (aligned, evaluable); false: cells
   * regardless of units (boundaries cutting across units). Default true for 'index' (official
   * data are published for units), false for 'cells' (the list is taken as drawn); a 'cells' rule
   * with true takes every unit the list touches.
   */
  alignToStatUnits?: boolean;
  /**
   * 'hub': resource index or 'auto' (the school in the most deprived catchment: the highest
   * resident-weighted mean index under `weights`, ties to the lower index). Default 'auto'.
   */
  resource?: number | 'auto';
  /** 'hub': catchment radius in cells (distance decay over half of it). Default 3. */
  catchmentRadius?: number;
  /** 'cells': the cells of the target, by index or (a real city) by area code. */
  cells?: (number | string)[];
}

export interface Boundary {
  /** 1 = in the target. */
  target: Uint8Array;
  /** Soft weight of each cell (1 inside a rigid boundary; exp(-d/decay) within a hub catchment, 0 outside). */
  weight: Float32Array;
  /** Within `ringDistance` of the target (via distances between cell coordinates), outside it. */
  ring: Uint8Array;
  /** Matched comparison areas. */
  comparison: Uint8Array;
  /** Cells each area grew from (index rules), the hub's cell (hub rules); empty for 'cells'. */
  seeds: number[];
  /** Hub resource index or -1. */
  resource: number;
}

export interface Selection {
  target: Uint8Array;
  weight: Float32Array;
  seeds: number[];
  resource: number;
}

/** NDC partnership areas held about 9,900 people, about 4,000 households. */
export const DEFAULT_QUOTA_HOUSEHOLDS = 4000;
/**
 * About the radius of an average school's catchment in the default city (1,024 cells, 45 schools:
 * ~23 cells each, a disc of radius ~2.7).
 */
export const DEFAULT_CATCHMENT_RADIUS = 3;
/**
 * Comparison areas keep this distance (cells) from the target and its ring, so that spillovers
 * reaching just beyond the ring do not contaminate the counterfactual.
 */
export const COMPARISON_BUFFER = 1;
/**
 * Tolerance of the comparison group's mean IMD-2019 index against the target's, as a share of the
 * target's mean: beyond it, matched pairs are swapped for closer ones until the means agree or no
 * swap helps. Matching is only as good as the pool: when the target holds the city's most deprived
 * areas the comparison can stay below it.
 */
export const COMPARISON_TOLERANCE = 0.1;

const FIELD = 'policy.boundary';
const TYPES = ['index', 'hub', 'cells'] as const;

function fail(field: string, message: string): never {
  throw new RangeError(`${FIELD}.${field}: ${message}`);
}

/** Resolves and checks the rule's domain weights. */
export function weightsOf(rule: Pick<BoundaryRule, 'weights'>): DomainWeights {
  const w = rule.weights ?? 'imd2019';
  if (w === 'imd2019') return IMD_2019;
  if (w === 'ild1998') return ILD_1998;
  if (typeof w !== 'object' || w === null) {
    fail('weights', `'${String(w)}' is not a weighting; allowed: 'imd2019', 'ild1998' or an object with weights for ${DOMAINS.join(', ')}`);
  }
  for (const key of Object.keys(w)) {
    if (!(DOMAINS as readonly string[]).includes(key)) fail('weights', `unknown domain '${key}'; domains are ${DOMAINS.join(', ')}`);
  }
  let sum = 0;
  for (const d of DOMAINS) {
    const x = (w as Partial<DomainWeights>)[d];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      fail(`weights.${d}`, `must be a finite number ≥ 0 (every domain needs a weight: ${DOMAINS.join(', ')})`);
    }
    sum += x;
  }
  if (sum <= 0) fail('weights', 'at least one domain weight must be positive');
  return w;
}

/** Cells listed in each statistical unit (compressed: cells of unit u at list[start[u]..start[u+1])). */
function unitCells(w: World): { start: Int32Array; list: Int32Array; count: number } {
  const su = w.geo.statUnit;
  const n = w.geo.n;
  let count = 0;
  for (let k = 0; k < n; k++) count = Math.max(count, su[k]! + 1);
  const start = new Int32Array(count + 1);
  for (let k = 0; k < n; k++) start[su[k]! + 1]!++;
  for (let u = 0; u < count; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, count);
  const list = new Int32Array(n);
  for (let k = 0; k < n; k++) list[fill[su[k]!]!++] = k;
  return { start, list, count };
}

/** Selects the target of a rule (no ring, no comparison). */
export function selectTarget(w: World, rule: BoundaryRule): Selection {
  if (!(TYPES as readonly string[]).includes(rule.type)) {
    fail('type', `'${String(rule.type)}' is not a boundary type; allowed: ${TYPES.join(', ')}`);
  }
  if (rule.type === 'index') return selectByIndex(w, rule);
  if (rule.type === 'hub') return selectHub(w, rule);
  return selectCells(w, rule);
}

/**
 * Quota growth. Areas are grown one after another; each starts from the most deprived populated
 * cell (or unit) that is neither in nor adjacent to an earlier area, and repeatedly adds the most
 * deprived cell (or unit) on its frontier until it holds the quota. Ties go to the lower index.
 */
function selectByIndex(w: World, rule: BoundaryRule): Selection {
  const weights = weightsOf(rule);
  const quota = rule.quotaHouseholds ?? DEFAULT_QUOTA_HOUSEHOLDS;
  const areas = rule.areas ?? 1;
  const aligned = rule.alignToStatUnits ?? true;
  if (typeof quota !== 'number' || !Number.isFinite(quota) || quota <= 0) {
    fail('quotaHouseholds', `must be a positive number of households; got ${String(quota)}`);
  }
  if (!Number.isInteger(areas) || areas < 1) fail('areas', `must be a whole number ≥ 1; got ${String(areas)}`);
  const geo = w.geo;
  const n = geo.n;
  const hh = w.cells.households;
  let total = 0;
  for (let k = 0; k < n; k++) total += hh[k]!;
  if (total === 0) fail('quotaHouseholds', 'the city has no populated cell to select');
  if (quota * areas > total) {
    fail('quotaHouseholds', `${areas} area(s) of ${quota} households exceed the city's ${total} households; allowed: up to ${Math.floor(total / areas)}`);
  }
  const cellIndex = deprivationIndex(w, weights);

  // Growth works on "pieces": cells, or whole statistical units when aligned.
  const units = aligned ? unitCells(w) : null;
  const pieces = units ? units.count : n;
  const pieceIndex = units ? deprivationIndexByGroup(w, geo.statUnit, weights).index : cellIndex;
  const pieceHouseholds = new Float64Array(pieces);
  for (let k = 0; k < n; k++) pieceHouseholds[units ? geo.statUnit[k]! : k]! += hh[k]!;
  const cellsOf = (p: number): ArrayLike<number> => (units ? units.list.subarray(units.start[p]!, units.start[p + 1]!) : [p]);
  const pieceOf = (k: number): number => (units ? geo.statUnit[k]! : k);

  // Most deprived populated pieces first.
  const order: number[] = [];
  for (let p = 0; p < pieces; p++) if (pieceHouseholds[p]! > 0) order.push(p);
  order.sort((a, b) => pieceIndex[b]! - pieceIndex[a]! || a - b);

  const target = new Uint8Array(n);
  /** Cells in or adjacent to an area grown so far (seeds must avoid them). */
  const blocked = new Uint8Array(n);
  const seeds: number[] = [];
  for (let a = 0; a < areas; a++) {
    let seed = -1;
    for (const p of order) {
      let free = true;
      const cs = cellsOf(p);
      for (let i = 0; i < cs.length && free; i++) if (blocked[cs[i]!]) free = false;
      if (free) {
        seed = p;
        break;
      }
    }
    if (seed < 0) {
      fail('areas', `room for only ${a} separate area(s) of ${quota} households in this city; allowed: 1..${a}`);
    }
    const inArea = new Uint8Array(pieces);
    const onFrontier = new Uint8Array(pieces);
    const frontier: number[] = [];
    let held = 0;
    const add = (p: number): void => {
      inArea[p] = 1;
      held += pieceHouseholds[p]!;
      const cs = cellsOf(p);
      for (let i = 0; i < cs.length; i++) {
        const k = cs[i]!;
        target[k] = 1;
        for (let e = geo.nbrOffset[k]!; e < geo.nbrOffset[k + 1]!; e++) {
          const q = pieceOf(geo.nbrIndex[e]!);
          if (inArea[q] || onFrontier[q]) continue;
          // Another area's cells are not available; this area grows around them.
          const qc = cellsOf(q);
          let taken = false;
          for (let j = 0; j < qc.length && !taken; j++) if (target[qc[j]!]) taken = true;
          if (taken) continue;
          onFrontier[q] = 1;
          frontier.push(q);
        }
      }
    };
    add(seed);
    while (held < quota) {
      let best = -1;
      let at = -1;
      for (let i = 0; i < frontier.length; i++) {
        const q = frontier[i]!;
        if (best < 0 || pieceIndex[q]! > pieceIndex[best]! || (pieceIndex[q] === pieceIndex[best] && q < best)) {
          best = q;
          at = i;
        }
      }
      if (best < 0) {
        fail('quotaHouseholds', `area ${a + 1} ran out of contiguous cells at ${held} households before reaching ${quota}; lower the quota or the number of areas`);
      }
      frontier[at] = frontier[frontier.length - 1]!;
      frontier.pop();
      onFrontier[best] = 0;
      add(best);
    }
    // The seed cell: the most deprived cell of the seed piece.
    const cs = cellsOf(seed);
    let sc = cs[0]!;
    for (let i = 1; i < cs.length; i++) {
      const k = cs[i]!;
      if (cellIndex[k]! > cellIndex[sc]! || (cellIndex[k] === cellIndex[sc] && k < sc)) sc = k;
    }
    seeds.push(sc);
    for (let k = 0; k < n; k++) {
      if (!target[k]) continue;
      blocked[k] = 1;
      for (let e = geo.nbrOffset[k]!; e < geo.nbrOffset[k + 1]!; e++) blocked[geo.nbrIndex[e]!] = 1;
    }
  }
  const weight = new Float32Array(n);
  for (let k = 0; k < n; k++) weight[k] = target[k]!;
  return { target, weight, seeds, resource: -1 };
}

/** "0..44" for a contiguous run, else the list. */
function describeIds(ids: number[]): string {
  if (ids.length === 0) return 'none';
  const contiguous = ids[ids.length - 1]! - ids[0]! === ids.length - 1;
  return contiguous && ids.length > 2 ? `${ids[0]}..${ids[ids.length - 1]}` : ids.join(', ');
}

/** Each cell's catchment school: the world's own when up to date, recomputed when schools changed. */
function schoolOfCells(w: World): Int32Array {
  if (!w.resourcesDirty) return w.cells.school;
  const r = w.resources;
  const sites: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < r.count; i++) {
    if (r.kind[i] === SCHOOL && r.open[i]) {
      sites.push(r.cell[i]!);
      ids.push(i);
    }
  }
  const near = nearestSite(w.geo, sites);
  const out = new Int32Array(w.geo.n);
  for (let k = 0; k < out.length; k++) out[k] = near.site[k]! >= 0 ? ids[near.site[k]!]! : -1;
  return out;
}

/**
 * The soft boundary of a school: the cells in its catchment (their nearest school) within the
 * radius, weighted exp(-d / (radius / 2)) by distance from the school's cell.
 */
function selectHub(w: World, rule: BoundaryRule): Selection {
  const radius = rule.catchmentRadius ?? DEFAULT_CATCHMENT_RADIUS;
  if (typeof radius !== 'number' || !Number.isFinite(radius) || radius <= 0) {
    fail('catchmentRadius', `must be a positive distance in cells; got ${String(radius)}`);
  }
  const r = w.resources;
  const schools: number[] = [];
  for (let i = 0; i < r.count; i++) if (r.kind[i] === SCHOOL && r.open[i]) schools.push(i);
  if (schools.length === 0) fail('resource', 'the city has no open school to build a hub on');
  const schoolOf = schoolOfCells(w);
  const geo = w.geo;
  const n = geo.n;
  const catchment = (res: number): { target: Uint8Array; weight: Float32Array } => {
    const hub = r.cell[res]!;
    const target = new Uint8Array(n);
    const weight = new Float32Array(n);
    const decay = radius / 2;
    for (let k = 0; k < n; k++) {
      if (schoolOf[k] !== res) continue;
      const d = Math.hypot(geo.x[k]! - geo.x[hub]!, geo.y[k]! - geo.y[hub]!);
      if (d > radius) continue;
      target[k] = 1;
      weight[k] = Math.exp(-d / decay);
    }
    return { target, weight };
  };
  const hh = w.cells.households;
  const resourceRule = rule.resource ?? 'auto';
  let res: number;
  if (resourceRule === 'auto') {
    // The school whose catchment's residents live in the most deprived cells on average.
    const index = deprivationIndex(w, weightsOf(rule));
    res = -1;
    let best = -Infinity;
    for (const s of schools) {
      const { target } = catchment(s);
      let sum = 0, people = 0;
      for (let k = 0; k < n; k++) {
        if (!target[k]) continue;
        sum += index[k]! * hh[k]!;
        people += hh[k]!;
      }
      if (people === 0) continue;
      if (sum / people > best) {
        best = sum / people;
        res = s;
      }
    }
    if (res < 0) fail('resource', `no school has residents in its catchment within ${radius} cells; raise catchmentRadius`);
  } else {
    res = resourceRule;
    const allowed = `schools are at resources ${describeIds(schools)}`;
    if (typeof res !== 'number' || !Number.isInteger(res) || res < 0 || res >= r.count) {
      fail('resource', `${String(resourceRule)} is not a resource; allowed: 'auto' or a school (${allowed})`);
    }
    if (r.kind[res] !== SCHOOL) {
      const what = r.kind[res] === CLINIC ? 'a clinic' : 'another kind of resource';
      fail('resource', `resource ${res} (cell ${r.cell[res]}) is ${what}, not a school; ${allowed}`);
    }
    if (!r.open[res]) fail('resource', `school ${res} (cell ${r.cell[res]}) is closed; open ${allowed}`);
  }
  const { target, weight } = catchment(res);
  let people = 0;
  for (let k = 0; k < n; k++) if (target[k]) people += hh[k]!;
  if (people === 0) {
    fail('resource', `school ${res} (cell ${r.cell[res]}) has no residents in its catchment within ${radius} cells; raise catchmentRadius or choose another school`);
  }
  return { target, weight, seeds: [r.cell[res]!], resource: res };
}

function selectCells(w: World, rule: BoundaryRule): Selection {
  const list = rule.cells;
  const n = w.geo.n;
  if (!Array.isArray(list) || list.length === 0) fail('cells', `a 'cells' rule needs a non-empty list of cells 0..${n - 1}`);
  const target = new Uint8Array(n);
  const codes = w.geo.codes;
  for (const entry of list) {
    let k = entry;
    if (typeof entry === 'string') {
      k = codes ? codes.indexOf(entry) : -1;
      if (k < 0) {
        fail('cells', codes ? `${entry} is not an area code of this city (codes such as ${codes.slice(0, 3).join(', ')})` : `${entry} is a code, but this city's areas have none; allowed: cells 0..${n - 1}`);
      }
    }
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= n) fail('cells', `${String(k)} is not a cell; allowed: 0..${n - 1}`);
    target[k] = 1;
  }
  if (rule.alignToStatUnits ?? false) {
    const units = unitCells(w);
    const su = w.geo.statUnit;
    const touched = new Uint8Array(units.count);
    for (let k = 0; k < n; k++) if (target[k]) touched[su[k]!] = 1;
    for (let k = 0; k < n; k++) if (touched[su[k]!]) target[k] = 1;
  }
  let people = 0;
  for (let k = 0; k < n; k++) if (target[k]) people += w.cells.households[k]!;
  if (people === 0) fail('cells', 'none of the listed cells has residents; allowed: a list with at least one populated cell');
  const weight = new Float32Array(n);
  for (let k = 0; k < n; k++) weight[k] = target[k]!;
  return { target, weight, seeds: [], resource: -1 };
}

/** Cells within `distance` (between cell coordinates) of a target cell, outside the target. */
export function ringOf(w: World, target: Uint8Array, distance: number): Uint8Array {
  if (typeof distance !== 'number' || !Number.isFinite(distance) || distance < 0) {
    throw new RangeError(`ringDistance: must be a distance ≥ 0 in cells; got ${String(distance)}`);
  }
  const n = w.geo.n;
  const ring = new Uint8Array(n);
  if (distance === 0) return ring;
  const near = withinRadius(w.geo, distance);
  for (let k = 0; k < n; k++) {
    if (!target[k]) continue;
    for (let e = near.offset[k]!; e < near.offset[k + 1]!; e++) {
      const j = near.index[e]!;
      if (!target[j]) ring[j] = 1;
    }
  }
  return ring;
}

/** True when every statistical unit the target touches lies wholly inside it. */
function isUnitAligned(w: World, target: Uint8Array): boolean {
  const su = w.geo.statUnit;
  let count = 0;
  for (let k = 0; k < su.length; k++) count = Math.max(count, su[k]! + 1);
  const inside = new Uint8Array(count);
  const outside = new Uint8Array(count);
  for (let k = 0; k < su.length; k++) (target[k] ? inside : outside)[su[k]!] = 1;
  for (let u = 0; u < count; u++) if (inside[u] && outside[u]) return false;
  return true;
}

/**
 * Greedy nearest-neighbour matching without replacement: the most deprived target piece picks
 * first (it is the hardest to match), each taking the unused candidate with the closest index
 * (ties by lower id). Then, while the two means differ by more than the tolerance, the one swap of
 * a matched candidate for an unused one that brings the means closest is made.
 */
function matchPieces(targetIdx: number[], candidates: number[], index: Float64Array, tolerance: number): number[] {
  const tOrder = [...targetIdx].sort((a, b) => index[b]! - index[a]! || a - b);
  const cand = [...candidates].sort((a, b) => index[a]! - index[b]! || a - b);
  const used = new Uint8Array(cand.length);
  const chosen: number[] = [];
  for (const t of tOrder) {
    let best = -1;
    let bestGap = Infinity;
    for (let i = 0; i < cand.length; i++) {
      if (used[i]) continue;
      const gap = Math.abs(index[cand[i]!]! - index[t]!);
      if (gap < bestGap || (gap === bestGap && cand[i]! < cand[best]!)) {
        bestGap = gap;
        best = i;
      }
    }
    if (best < 0) break;
    used[best] = 1;
    chosen.push(best);
  }
  if (chosen.length === 0) return [];
  let tSum = 0;
  for (const t of targetIdx) tSum += index[t]!;
  const tMean = tSum / targetIdx.length;
  let cSum = 0;
  for (const i of chosen) cSum += index[cand[i]!]!;
  const m = chosen.length;
  const tol = tolerance * Math.abs(tMean);
  for (let iter = 0; iter < 4 * m && Math.abs(cSum / m - tMean) > tol; iter++) {
    let bestGap = Math.abs(cSum / m - tMean);
    let swap: [number, number] | null = null;
    // For each matched candidate, the best replacement has the index closest to the one that
    // would make the means equal: a binary search in the sorted pool, then the nearest unused.
    const want = tMean * m - cSum;
    for (let a = 0; a < m; a++) {
      const goal = index[cand[chosen[a]!]!]! + want;
      let lo = 0, hi = cand.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (index[cand[mid]!]! < goal) lo = mid + 1;
        else hi = mid;
      }
      let below = lo - 1;
      while (below >= 0 && used[below]) below--;
      let above = lo;
      while (above < cand.length && used[above]) above++;
      for (const i of [below, above]) {
        if (i < 0 || i >= cand.length) continue;
        const gap = Math.abs((cSum - index[cand[chosen[a]!]!]! + index[cand[i]!]!) / m - tMean);
        if (gap < bestGap - 1e-12) {
          bestGap = gap;
          swap = [a, i];
        }
      }
    }
    if (!swap) break;
    const [a, i] = swap;
    cSum += index[cand[i]!]! - index[cand[chosen[a]!]!]!;
    used[chosen[a]!] = 0;
    used[i] = 1;
    chosen[a] = i;
  }
  return chosen.map((i) => cand[i]!).sort((a, b) => a - b);
}

/**
 * Matched comparison areas: cells outside target and ring (and at least `buffer` cells away from
 * them) whose baseline deprivation index is closest to the target's distribution —
 * nearest-neighbour matching without replacement of each populated target cell (or, when the
 * target is a union of whole statistical units, each unit) on the IMD-2019 index, so that the
 * comparison group's mean index is within `tolerance` (a share of the target's mean) of the
 * target's where the pool allows it. Returns a mask; empty when no candidate is left.
 * Deterministic (ties by cell or unit index).
 */
export function comparisonFor(
  w: World,
  target: Uint8Array,
  ring: Uint8Array,
  opts: { buffer?: number; tolerance?: number } = {},
): Uint8Array {
  const buffer = opts.buffer ?? COMPARISON_BUFFER;
  const tolerance = opts.tolerance ?? COMPARISON_TOLERANCE;
  const geo = w.geo;
  const n = geo.n;
  const hh = w.cells.households;
  const excluded = new Uint8Array(n);
  for (let k = 0; k < n; k++) if (target[k] || ring[k]) excluded[k] = 1;
  if (buffer > 0) {
    const near = withinRadius(geo, buffer);
    for (let k = 0; k < n; k++) {
      if (!target[k] && !ring[k]) continue;
      for (let e = near.offset[k]!; e < near.offset[k + 1]!; e++) excluded[near.index[e]!] = 1;
    }
  }
  const out = new Uint8Array(n);
  if (isUnitAligned(w, target)) {
    const units = unitCells(w);
    const { index, households } = deprivationIndexByGroup(w, geo.statUnit, IMD_2019);
    const tUnits: number[] = [];
    const cUnits: number[] = [];
    for (let u = 0; u < units.count; u++) {
      if (households[u]! === 0) continue;
      const first = units.list[units.start[u]!]!;
      if (target[first]) {
        tUnits.push(u);
        continue;
      }
      let free = true;
      for (let i = units.start[u]!; i < units.start[u + 1]! && free; i++) if (excluded[units.list[i]!]) free = false;
      if (free) cUnits.push(u);
    }
    for (const u of matchPieces(tUnits, cUnits, index, tolerance)) {
      for (let i = units.start[u]!; i < units.start[u + 1]!; i++) out[units.list[i]!] = 1;
    }
    return out;
  }
  const index = deprivationIndex(w, IMD_2019);
  const tCells: number[] = [];
  const cCells: number[] = [];
  for (let k = 0; k < n; k++) {
    if (hh[k]! === 0) continue;
    if (target[k]) tCells.push(k);
    else if (!excluded[k]) cCells.push(k);
  }
  for (const k of matchPieces(tCells, cCells, index, tolerance)) out[k] = 1;
  return out;
}

/** Target, ring and comparison of a rule. */
export function drawBoundary(w: World, rule: BoundaryRule, ringDistance: number): Boundary {
  const sel = selectTarget(w, rule);
  const ring = ringOf(w, sel.target, ringDistance);
  const comparison = comparisonFor(w, sel.target, ring);
  return { target: sel.target, weight: sel.weight, ring, comparison, seeds: sel.seeds, resource: sel.resource };
}

/**
 * Writes region codes into world.region (target 1, ring 2, comparison 3, rest 0), sets hasTarget,
 * and records the original residents: households.startCell = cell and startPoor = poor for
 * households living in the target, startCell = -1 for others; region.startTick = current tick.
 * `exitedPoverty` is cleared too: it counts exits since the programme's start. The ring's households
 * are marked (`startRing`, with their poverty then), for the ring's decomposition.
 */
export function applyBoundary(w: World, b: Boundary): void {
  const code = w.region.code;
  const n = w.geo.n;
  let any = false;
  for (let k = 0; k < n; k++) {
    if (b.target[k]) {
      code[k] = REGION_CODES.target;
      any = true;
    } else if (b.ring[k]) code[k] = REGION_CODES.ring;
    else if (b.comparison[k]) code[k] = REGION_CODES.comparison;
    else code[k] = REGION_CODES.rest;
  }
  w.region.hasTarget = any;
  w.region.startTick = w.city.tick;
  const h = w.households;
  let originals = 0;
  let ringHouseholds = 0, ringPoor = 0;
  for (let s = 0; s < h.count; s++) {
    const k = h.cell[s]!;
    const resident = h.alive[s] === 1 && k >= 0 && b.target[k] === 1;
    h.startCell[s] = resident ? k : -1;
    h.startPoor[s] = resident ? h.poor[s]! : 0;
    h.exitedPoverty[s] = 0;
    if (resident) originals++;
    const inRing = h.alive[s] === 1 && k >= 0 && code[k] === REGION_CODES.ring;
    h.startRing[s] = inRing ? 1 + h.poor[s]! : 0;
    if (inRing) {
      ringHouseholds++;
      ringPoor += h.poor[s]!;
    }
  }
  w.region.originals = originals;
  w.region.ringStartPoverty = ringHouseholds > 0 ? ringPoor / ringHouseholds : 0;
  // The target's state at the start, for the churn decomposition and the outputs since then.
  let poor = 0;
  for (let s = 0; s < h.count; s++) if (h.startCell[s]! >= 0) poor += h.startPoor[s]!;
  w.region.startPoverty = originals > 0 ? poor / originals : 0;
  const c = w.cells;
  w.region.baseJobsCreated = 0;
  w.region.baseJobsRelocated = 0;
  w.region.baseHomesBuilt = 0;
  w.region.baseJobs = 0;
  for (let i = 0; i < w.firms.count; i++) if (w.firms.alive[i] && b.target[w.firms.cell[i]!]) w.region.baseJobs += w.firms.filled[i]!;
  for (let k = 0; k < n; k++) {
    if (!b.target[k]) continue;
    w.region.baseJobsCreated += c.jobsCreated[k]!;
    w.region.baseJobsRelocated += c.jobsRelocatedIn[k]!;
    w.region.baseHomesBuilt += c.homesBuilt[k]!;
  }
  w.region.originalsGone = 0;
  w.region.originalsGoneExited = 0;
  w.region.moveLogAt = w.moves.length;
}

/** Which cells two rules select and their overlap (Jaccard index |A∩B|/|A∪B|), and the households of each. */
export function compareRules(
  w: World,
  a: BoundaryRule,
  b: BoundaryRule,
): { jaccard: number; onlyA: number[]; onlyB: number[]; both: number[]; householdsA: number; householdsB: number } {
  const A = selectTarget(w, a).target;
  const B = selectTarget(w, b).target;
  const hh = w.cells.households;
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  const both: number[] = [];
  let householdsA = 0, householdsB = 0;
  for (let k = 0; k < w.geo.n; k++) {
    if (A[k]) householdsA += hh[k]!;
    if (B[k]) householdsB += hh[k]!;
    if (A[k] && B[k]) both.push(k);
    else if (A[k]) onlyA.push(k);
    else if (B[k]) onlyB.push(k);
  }
  const union = both.length + onlyA.length + onlyB.length;
  return { jaccard: union > 0 ? both.length / union : 1, onlyA, onlyB, both, householdsA, householdsB };
}

/**
 * Statistical units counted as "deprived" in the index-switch report: the most deprived tenth of
 * populated units (English area-based programmes took the most deprived 10% of areas as eligible).
 */
export const DEPRIVED_UNIT_SHARE = 0.1;

/**
 * What switching from rule `a` (the target's) to rule `b` changes, on today's city: the overlap of
 * the two targets; the deprived units (the most deprived tenth of statistical units under each
 * rule's index weights), their overlap and how many change status; and where the deprived units
 * lie — the share in the north, middle and south thirds of the city (by the rows of the units'
 * centres, row 0 north, as a map is drawn) — and the relative change of the count in the north
 * and middle (the study reports +15% there when England switched to the Index of Local
 * Deprivation). Deterministic, like every rule.
 */
export function indexSwitch(w: World, a: BoundaryRule, b: BoundaryRule): MetricValues {
  const rules = compareRules(w, a, b);
  const geo = w.geo;
  const units = unitCells(w);
  const deprivedUnits = (rule: BoundaryRule): { set: Uint8Array; count: number } => {
    const { index, households } = deprivationIndexByGroup(w, geo.statUnit, weightsOf(rule));
    const populated: number[] = [];
    for (let u = 0; u < units.count; u++) if (households[u]! > 0) populated.push(u);
    populated.sort((x, y) => index[y]! - index[x]! || x - y);
    const count = Math.max(1, Math.round(DEPRIVED_UNIT_SHARE * populated.length));
    const set = new Uint8Array(units.count);
    for (let i = 0; i < count; i++) set[populated[i]!] = 1;
    return { set, count };
  };
  const A = deprivedUnits(a);
  const B = deprivedUnits(b);
  let yMin = Infinity, yMax = -Infinity;
  for (let k = 0; k < geo.n; k++) {
    yMin = Math.min(yMin, geo.y[k]!);
    yMax = Math.max(yMax, geo.y[k]!);
  }
  const span = yMax - yMin || 1;
  /** 0 north, 1 middle, 2 south: the third of the city a unit's centre lies in. */
  const third = (u: number): number => {
    let y = 0;
    const from = units.start[u]!, to = units.start[u + 1]!;
    for (let i = from; i < to; i++) y += geo.y[units.list[i]!]!;
    return Math.min(2, Math.floor(((y / Math.max(1, to - from) - yMin) / span) * 3));
  };
  const byThird = (set: Uint8Array): number[] => {
    const c = [0, 0, 0];
    for (let u = 0; u < units.count; u++) if (set[u]) c[third(u)]!++;
    return c;
  };
  const ta = byThird(A.set);
  const tb = byThird(B.set);
  let both = 0, either = 0;
  for (let u = 0; u < units.count; u++) {
    if (A.set[u] && B.set[u]) both++;
    if (A.set[u] || B.set[u]) either++;
  }
  const nmA = ta[0]! + ta[1]!;
  const nmB = tb[0]! + tb[1]!;
  return {
    targetOverlap: rules.jaccard,
    targetCells: rules.both.length + rules.onlyA.length,
    alternativeCells: rules.both.length + rules.onlyB.length,
    sharedCells: rules.both.length,
    targetHouseholds: rules.householdsA,
    alternativeHouseholds: rules.householdsB,
    deprivedUnits: A.count,
    alternativeDeprivedUnits: B.count,
    deprivedOverlap: either > 0 ? both / either : 1,
    unitsChangingStatus: either - both,
    deprivedShareNorth: ta[0]! / A.count,
    deprivedShareMiddle: ta[1]! / A.count,
    deprivedShareSouth: ta[2]! / A.count,
    alternativeDeprivedShareNorth: tb[0]! / B.count,
    alternativeDeprivedShareMiddle: tb[1]! / B.count,
    alternativeDeprivedShareSouth: tb[2]! / B.count,
    northMiddleChange: nmA > 0 ? (nmB - nmA) / nmA : 0,
  };
}
