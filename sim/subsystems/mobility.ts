/**
 * Residential mobility (MODEL.md §3.7).
 *
 * Who moves: private renters whose rent burden stays over the threshold are forced out (unless
 * tenure security protects them that quarter); residents of demolished units are forced out
 * (queued by the housing step); new and arriving households seek a home; everyone else considers
 * a move with a hazard by tenure (English Housing Survey), higher in a quarter with a life event.
 *
 * Where to: social housing is allocated by need (lowest income first; decanted social tenants
 * keep their right to a social home). Everyone else compares a sample of vacant market units,
 * drawn in proportion to vacancies, with "stay" (voluntary movers only: local ties and moving
 * costs favour it) and "leave the city", by multinomial logit (McFadden 1978; the residential
 * choice models of Bruch & Mare 2006) over housing quality, environment, school quality
 * (families), job access, safety, status similarity with the neighbours and rent relative to
 * income, under an affordability constraint. Every move is logged: who, from, to, why, poor then.
 *
 * Reads: households, cells, city. Writes: households (cell, tenure, movedTick, ties,
 * burdenQuarters, lifeEvent), cells.occMarket/occSocial, seekers (emptied), moves.
 * Random: keyed "move" (whether a household considers moving this quarter), keyed "security"
 * (whether tenure security, cells.tenureSecurity, protects a rent-burdened tenant), stream
 * "mobility" (order, samples, taste shocks).
 */
import { createFenwick, fenwickAdd, fenwickBuild, fenwickFind, fenwickTotal } from '../fenwick.ts';
import type { Fenwick } from '../fenwick.ts';
import { keyedDraw, shuffle } from '../rng.ts';
import type { Stream } from '../rng.ts';
import type { World } from '../world.ts';
import { allowanceKept, allowanceWithdrawn, setAllowance } from './housing.ts';
import { isPoor } from './neighbourhood.ts';
import {
  ARRIVED, DEMOLITION, FORMED, LEFT, OUTSIDE, OWNER, PRIVATE, RENT, SOCIAL, VOLUNTARY,
  logMove, occupy, removeHousehold, vacate,
} from '../world.ts';

interface Scratch {
  market: Fenwick;
  social: Fenwick;
  reason: Uint8Array;
  from: Int32Array;
  order: Int32Array;
  /** Movers already housed (or staying) this quarter, by position in the list. */
  housed: Uint8Array;
  /** A mover's options: a cell, STAY or LEAVE, and its utility. */
  optCell: Int32Array;
  optU: Float64Array;
  /** A mover's income before allowance, by position in the list (the social allocation's order). */
  needKey: Float64Array;
  /** The movers in need of a social home, by position in the list, and room for sorting them. */
  needy: Int32Array;
  needyTmp: Int32Array;
  /** The voluntary move hazard by tenure code and life event (see whoMoves). */
  rates: Float64Array;
  /** Per cell: residents' mean log income this quarter. */
  meanLog: Float64Array;
  /** Per cell this quarter: utility terms by kind of household (see cellTerms). */
  base: Float64Array;
  /**
   * Per cell this quarter: the market rent (cells.rent, widened exactly to double), so that the
   * rent a mover pays is read from one kind of array whether or not it claims an allowance.
   */
  rent: Float64Array;
  /**
   * Per mover, by position in the list (see gatherMovers): income before allowance, log income and
   * ties (`moverReal`, MOVER_REAL a mover), and cell, tenure, kind offset and flags (`moverInt`).
   */
  moverReal: Float64Array;
  moverInt: Int32Array;
  /**
   * A mover's city-wide samples while they are looked up: the whole part of each draw, and the
   * position it leads to (two places more than a sample, for the groups of three).
   */
  findRest: Int32Array;
  findPos: Int32Array;
}

/**
 * Entries per mover in Scratch.moverReal: income before allowance, log income, ties, and how much
 * of a full allowance the household would lose (allowanceWithdrawn: 0 under the means-test line,
 * Infinity over it without a taper).
 */
const MOVER_REAL = 4;
/** Entries per mover in Scratch.moverInt: cell, tenure, kind offset, flags (WORKING). */
const MOVER_INT = 4;
const WORKING = 2;

const STAY = -2;
const LEAVE = -1;
const cache = new WeakMap<World, Scratch>();
function scratch(w: World): Scratch {
  let s = cache.get(w);
  const cap = w.households.capacity;
  if (!s || s.reason.length < cap) {
    s = {
      market: createFenwick(w.cells.n),
      social: createFenwick(w.cells.n),
      reason: new Uint8Array(cap),
      from: new Int32Array(cap),
      order: new Int32Array(cap),
      housed: new Uint8Array(cap),
      needKey: new Float64Array(cap),
      needy: new Int32Array(cap),
      needyTmp: new Int32Array(cap),
      rates: new Float64Array(512),
      optCell: new Int32Array(w.config.mobility.sampleSize + 2),
      optU: new Float64Array(w.config.mobility.sampleSize + 2),
      meanLog: new Float64Array(w.cells.n),
      base: new Float64Array(4 * w.cells.n),
      rent: new Float64Array(w.cells.n),
      moverReal: new Float64Array(MOVER_REAL * cap),
      moverInt: new Int32Array(MOVER_INT * cap),
      findRest: new Int32Array(w.config.mobility.sampleSize + 2),
      findPos: new Int32Array(w.config.mobility.sampleSize + 2),
    };
    cache.set(w, s);
  }
  return s;
}

/**
 * Multinomial logit choice among the first n options: option i with probability
 * exp(U_i) / Σ exp(U_j) (the same law as the arg-max of U plus Gumbel shocks, at one exponential
 * per option and one uniform per choice). Returns the chosen index, or -1 when n is 0.
 */
function logitChoice(u: Float64Array, n: number, rs: Stream): number {
  if (n === 0) return -1;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (u[i]! > max) max = u[i]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += u[i] = Math.exp(u[i]! - max);
  let x = rs.next() * sum;
  for (let i = 0; i < n - 1; i++) {
    x -= u[i]!;
    if (x < 0) return i;
  }
  return n - 1;
}

/** Income before housing allowance, floored so that ratios stay finite. */
function baseIncome(w: World, s: number): number {
  return Math.max(1000, w.households.income[s]! - w.households.allowance[s]!);
}

/**
 * Rent a household would pay itself at cell k under tenure t, after what it keeps of its housing
 * allowance (`withdrawn`, see MOVER_REAL): all of a social rent, a private rent up to the cap.
 */
function netRentOf(w: World, k: number, t: number, withdrawn: number): number {
  const rent = t === SOCIAL ? w.city.socialRent : w.cells.rent[k]!;
  if (t === OWNER) return rent;
  return netOfAllowance(rent, t === SOCIAL ? rent : Math.min(rent, w.city.allowanceCap), withdrawn);
}

/** A rent less what is kept of the allowance `full` it would bring (netRentOf's, for the choices' loops too). */
function netOfAllowance(rent: number, full: number, withdrawn: number): number {
  return rent - allowanceKept(full, withdrawn);
}

/** Mean log income of a cell's residents (the city's mean income for an empty cell). */
function meanLogIncome(w: World, k: number): number {
  const c = w.cells;
  return c.households[k]! > 0 ? c.logIncomeSum[k]! / c.households[k]! : Math.log(Math.max(1000, w.city.meanIncome));
}

/**
 * Systematic utility of living at cell k for a household of kind `v0` (an offset into the per-cell
 * terms, see cellTerms) with log income `lnIncome` and income before allowance `inc`, paying
 * `paid` itself: a mover weighs a dozen cells and brings the same to each. In full it is
 *   quality + environment + (kids: school) + jobs × working − safety
 *   − similarity × |lnIncome − residents' mean log income| − rent × paid / inc,
 * summed left to right (the first five per cell once a quarter).
 */
function utilityOf(sc: Scratch, v0: number, k: number, lnIncome: number, paid: number, inc: number, b: Beta): number {
  return sc.base[v0 + k]! - b.similarity * Math.abs(lnIncome - sc.meanLog[k]!) - b.rent * (paid / inc);
}

type Beta = World['config']['mobility']['beta'];

/** Offset of a household's kind in the per-cell terms: with children or not, working or retired. */
function kindOffset(n: number, kids: boolean, working: number): number {
  return ((kids ? 2 : 0) + (working === 1 ? 0 : 1)) * n;
}

export const mobility = {
  name: 'mobility',
  step(w: World): void {
    const c = w.cells;
    const m = w.config.mobility;
    const rs = w.rng.stream('mobility');
    const sc = scratch(w);
    const list = w.scratch;

    // 1. Who moves this quarter.
    let count = whoMoves(w, sc, list);
    const q = w.seekers;
    for (let i = 0; i < q.count; i++) {
      list[count] = q.list[i]!;
      sc.reason[count] = q.reason[i]!;
      sc.from[count] = q.from[i]!;
      count++;
    }
    q.count = 0;
    if (count === 0) return;
    gatherMovers(w, sc, list, count);

    // 2. Vacancies, for sampling in proportion to them.
    fenwickBuild(sc.market, (k) => c.units[k]! - c.social[k]! - c.occMarket[k]!);
    fenwickBuild(sc.social, (k) => c.social[k]! - c.occSocial[k]!);

    // Residents' mean log income per cell (the census does not change while people move), and the
    // parts of the utility that depend on the cell alone (nothing a move changes).
    const meanLog = sc.meanLog;
    for (let k = 0; k < c.n; k++) meanLog[k] = meanLogIncome(w, k);
    cellTerms(w, sc);

    // 3. Random order, then social allocation by need (lowest income first).
    const order = sc.order;
    for (let i = 0; i < count; i++) order[i] = i;
    shuffle(order, count, rs);
    sc.housed.fill(0, 0, count);
    socialAllocation(w, sc, list, count, rs);

    // 4. Market choice for everyone else.
    const ref = cityReference(w);
    marketChoice(w, sc, list, count, m.leaveUtility + ref.utility, ref.rent, rs);
  },
};

/**
 * Who considers a move this quarter (rent-burdened private tenants forced out, and the voluntary
 * hazard): their slots go to `list`, their reason and cell to the scratch. A function of its own,
 * with nothing after its loop (see sim/census.ts).
 */
function whoMoves(w: World, sc: Scratch, list: Int32Array): number {
  const h = w.households;
  const c = w.cells;
  const m = w.config.mobility;
  const tick = w.city.tick;
  const moveKey = w.rng.keyBase('move');
  const securityKey = w.rng.keyBase('security');
  const alive = h.alive;
  const cell = h.cell;
  const tenure = h.tenure;
  const allowance = h.allowance;
  const burdenQuarters = h.burdenQuarters;
  const lifeEvent = h.lifeEvent;
  const id = h.id;
  const rent = c.rent;
  const security = c.tenureSecurity;
  const reasons = sc.reason;
  const froms = sc.from;
  const threshold = m.rentBurdenThreshold;
  const burdenLimit = m.burdenQuarters;
  // The hazard by tenure code, and by tenure code + 256 in a quarter with a life event: a lookup
  // rather than branches on tenure and life event, which differ from one household to the next in
  // no order. Every code but private and social rents is an owner's, as in a chain of tests.
  const rates = sc.rates;
  const lifeMultiplier = m.lifeEventMultiplier;
  rates.fill(m.ownerMoveRate, 0, 256);
  rates[PRIVATE] = m.privateMoveRate;
  rates[SOCIAL] = m.socialMoveRate;
  for (let t = 0; t < 256; t++) rates[256 + t] = rates[t]! * lifeMultiplier;
  let count = 0;
  const n = h.count;
  for (let s = 0; s < n; s++) {
    if (!alive[s] || cell[s]! < 0) continue;
    const k = cell[s]!;
    const t = tenure[s]!;
    let reason = -1;
    if (t === PRIVATE) {
      const burden = Math.max(0, rent[k]! - allowance[s]!) / baseIncome(w, s);
      if (burden > threshold) {
        if (burdenQuarters[s]! < 255) burdenQuarters[s]!++;
        // Tenure security protects a sitting tenant this quarter with probability s (keyed, so
        // the same household has the same luck in a paired run); the burden still counts.
        if (burdenQuarters[s]! >= burdenLimit && (security[k]! <= 0 || keyedDraw(securityKey, id[s]!, tick) >= security[k]!)) {
          reason = RENT;
        }
      } else burdenQuarters[s] = 0;
    }
    if (reason < 0) {
      // (v + 255) & 256 is 256 for a life event (1 to 255) and 0 for none.
      const rate = rates[((lifeEvent[s]! + 255) & 256) + t]!;
      if (keyedDraw(moveKey, id[s]!, tick) < rate) reason = VOLUNTARY;
    }
    lifeEvent[s] = 0;
    if (reason >= 0) {
      list[count] = s;
      reasons[count] = reason;
      froms[count] = k;
      count++;
    }
  }
  return count;
}

/**
 * Per cell, the utility terms that do not depend on the household beyond whether it has children
 * and works: `base[v × n + k]` for v = 2 × kids + retired, summed in the order of the full sum
 * (utilityOf), so that base − similarity − rent is the same number to the last bit as the sum
 * taken in one go.
 */
function cellTerms(w: World, sc: Scratch): void {
  const c = w.cells;
  const b = w.config.mobility.beta;
  const n = c.n;
  for (let k = 0; k < n; k++) {
    const qe = b.quality * c.quality[k]! + b.environment * c.environment[k]!;
    const school = b.school * c.schoolQuality[k]!;
    const jobs = b.jobs * Math.min(2, c.jobAccess[k]!);
    const safety = b.safety * c.crime[k]!;
    sc.base[k] = qe + 0 + jobs * 1 - safety;
    sc.base[n + k] = qe + 0 + jobs * 0.3 - safety;
    sc.base[2 * n + k] = qe + school + jobs * 1 - safety;
    sc.base[3 * n + k] = qe + school + jobs * 0.3 - safety;
    const rent = c.rent[k]!;
    sc.rent[k] = rent;
  }
}

/**
 * What the choices read of each mover's household, gathered in list order (slot order for most),
 * while the choices take movers in random order: read here, the stores' cache misses do not wait
 * on one another as they do one mover at a time. Each household is in the list once (whoMoves
 * takes housed households, the seekers are not housed) and a choice changes only its own
 * household, so these are the values each choice would read when it comes. The log income is
 * taken once per mover either way: every mover reaches one choice or the other.
 */
function gatherMovers(w: World, sc: Scratch, list: Int32Array, count: number): void {
  const h = w.households;
  const cell = h.cell;
  const tenure = h.tenure;
  const income = h.income;
  const allowance = h.allowance;
  const transfer = h.transfer;
  const age = h.age;
  const kids = h.kids;
  const ties = h.ties;
  const line = w.city.meansTestLine;
  const taper = w.config.economy.allowanceTaper;
  const retire = w.config.labour.retirementAge;
  const n = w.cells.n;
  const real = sc.moverReal;
  const int = sc.moverInt;
  for (let e = 0; e < count; e++) {
    const s = list[e]!;
    const y = income[s]!;
    const a = allowance[s]!;
    const working = age[s]! < retire;
    const r = e * MOVER_REAL;
    const q = e * MOVER_INT;
    real[r] = Math.max(1000, y - a); // baseIncome
    real[r + 1] = Math.log(Math.max(1000, y));
    real[r + 2] = ties[s]!;
    int[q] = cell[s]!;
    int[q + 1] = tenure[s]!;
    int[q + 2] = kindOffset(n, kids[s]! > 0, working ? 1 : 0.3);
    int[q + 3] = working ? WORKING : 0;
    // The allowance's means test (housing.ts): how much of a full allowance it would lose.
    real[r + 3] = allowanceWithdrawn(y, a, transfer[s]!, line, taper);
  }
}

/** Larger than any income under the need line: a medical priority goes before every income. */
const MEDICAL_PRIORITY = 1e9;

/**
 * Social allocation by need: the sick first (households.sick), then the lowest income first (decanted social
 * tenants keep their right).
 */
function socialAllocation(w: World, sc: Scratch, list: Int32Array, count: number, rs: Stream): void {
  const m = w.config.mobility;
  const order = sc.order;
  const housed = sc.housed;
  const real = sc.moverReal;
  const int = sc.moverInt;
  const needLine = m.socialNeedLine * w.city.meansTestLine;
  const needy = sc.needy;
  const key = sc.needKey;
  const sick = w.households.sick;
  let needs = 0;
  for (let i = 0; i < count; i++) {
    const e = order[i]!;
    const tenure = int[e * MOVER_INT + 1]!;
    const decanted = sc.reason[e] === DEMOLITION && tenure === SOCIAL;
    if (decanted || (tenure !== SOCIAL && real[e * MOVER_REAL]! < needLine)) {
      needy[needs++] = e;
      // Sorted by income before allowance, taken once per mover rather than at every comparison;
      // the sick first: allocation schemes give reasonable preference on medical grounds (Housing
      // Act 1996 s.166A(3)(d)), and their sickness element would otherwise put them behind.
      const s = list[e]!;
      key[e] = real[e * MOVER_REAL]! - (sick[s] ? MEDICAL_PRIORITY : 0);
    }
  }
  if (needs === 0) return;
  sortByKey(needy, needs, key, sc.needyTmp);
  for (let i = 0; i < needs; i++) {
    const e = needy[i]!;
    if (fenwickTotal(sc.social) < 0.5) break;
    const s = list[e]!;
    const from = sc.from[e]!;
    const r = e * MOVER_REAL;
    const q = e * MOVER_INT;
    // Offers: a sample of social vacancies; a voluntary mover may also stay put.
    let n = 0;
    const socialTotal = fenwickTotal(sc.social);
    const inc = real[r]!;
    const lnIncome = real[r + 1]!;
    const v0 = int[q + 2]!;
    const paid = netRentOf(w, 0, SOCIAL, real[r + 3]!);
    for (let t = 0; t < m.sampleSize; t++) {
      const k = fenwickFind(sc.social, rs.next() * socialTotal);
      sc.optCell[n] = k;
      sc.optU[n++] = utilityOf(sc, v0, k, lnIncome, paid, inc, m.beta);
    }
    const home = int[q]!;
    if (sc.reason[e] === VOLUNTARY && home >= 0) {
      sc.optCell[n] = STAY;
      sc.optU[n++] = utilityOf(sc, v0, home, lnIncome, netRentOf(w, home, int[q + 1]!, real[r + 3]!), inc, m.beta) + m.moveCost + m.tiesWeight * real[r + 2]!;
    }
    const pick = sc.optCell[logitChoice(sc.optU, n, rs)]!;
    housed[e] = 1;
    if (pick !== STAY) relocate(w, sc, s, from, pick, SOCIAL, sc.reason[e]!);
  }
}

/** Runs sorted by insertion before sortByKey merges them. */
const RUN = 16;

/**
 * Sorts the first n entries of `items` by key[item], ascending, equal keys by item: the order that
 * Array.prototype.sort gives with the comparator key[a] − key[b] || a − b (for finite keys), with
 * no call per comparison. A merge sort, bottom-up from runs of RUN sorted by insertion; `tmp`
 * holds at least n entries.
 */
export function sortByKey(items: Int32Array, n: number, key: Float64Array, tmp: Int32Array): void {
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const x = items[i]!;
      const kx = key[x]!;
      let j = i - 1;
      for (; j >= lo; j--) {
        const y = items[j]!;
        const ky = key[y]!;
        if (ky < kx || (ky === kx && y < x)) break;
        items[j + 1] = y;
      }
      items[j + 1] = x;
    }
  }
  let src = items;
  let dst = tmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        const a = src[i]!;
        const b = src[j]!;
        const ka = key[a]!;
        const kb = key[b]!;
        if (kb < ka || (kb === ka && b < a)) {
          dst[o++] = b;
          j++;
        } else {
          dst[o++] = a;
          i++;
        }
      }
      while (i < mid) dst[o++] = src[i++]!;
      while (j < hi) dst[o++] = src[j++]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== items) for (let i = 0; i < n; i++) items[i] = src[i]!;
}

/**
 * Market choice of every mover not housed socially: a sample of vacant market units near home and
 * city-wide, against leaving the city and (voluntary movers) staying, by logit. The utility of a
 * sampled cell is utilityOf's, from the per-cell terms of `cellTerms`.
 */
function marketChoice(w: World, sc: Scratch, list: Int32Array, count: number, leaveBase: number, refRent: number, rs: Stream): void {
  const c = w.cells;
  const m = w.config.mobility;
  const b = m.beta;
  const buyLine = m.buyIncome * w.city.medianIncome;
  const sampleSize = m.sampleSize;
  const local = Math.min(sampleSize, Math.round(m.localSearchShare * sampleSize));
  const affordability = m.affordability;
  const moveCost = m.moveCost;
  const tiesWeight = m.tiesWeight;
  const real = sc.moverReal;
  const int = sc.moverInt;
  const order = sc.order;
  const housed = sc.housed;
  const reasons = sc.reason;
  const froms = sc.from;
  const optCell = sc.optCell;
  const optU = sc.optU;
  const marketRent = sc.rent;
  const base = sc.base;
  const meanLog = sc.meanLog;
  const units = c.units;
  const socialUnits = c.social;
  const occMarket = c.occMarket;
  const nbOffset = w.nearby.offset;
  const nbIndex = w.nearby.index;
  const nbDist = nearbyDistances(w);
  const geoX = w.geo.x;
  const geoY = w.geo.y;
  const market = sc.market;
  const tree = market.tree;
  const findFirst = market.first;
  const lastCell = market.n - 1;
  const findRest = sc.findRest;
  const findPos = sc.findPos;
  const bSimilarity = b.similarity;
  const bRent = b.rent;
  const bDistance = b.distance;
  const allowanceCap = w.city.allowanceCap;
  for (let i = 0; i < count; i++) {
    const e = order[i]!;
    if (housed[e]) continue;
    const s = list[e]!;
    const reason = reasons[e]!;
    const from = froms[e]!;
    const r = e * MOVER_REAL;
    const q = e * MOVER_INT;
    const inc = real[r]!;
    const lnIncome = real[r + 1]!;
    const current = int[q]!;
    const ownTenure = int[q + 1]!;
    const v0 = int[q + 2]!;
    const flags = int[q + 3]!;
    // Owners buy again. Renters of working age who earn enough buy their next home (first-time
    // buyers: a deposit and a mortgage of `buyIncome` × the median income); the rest rent privately.
    const buyer = (flags & WORKING) !== 0 && inc >= buyLine;
    const tenure = ownTenure === OWNER || buyer ? OWNER : PRIVATE;
    const limit = affordability * inc;
    // What this mover pays itself at a cell (netRentOf): the market rent less what a private renter
    // keeps of its allowance there — all of it under the means-test line, part of it over the line
    // with a taper, none over it without one (an owner, as if it had lost all of it).
    const withdrawn = tenure === PRIVATE ? real[r + 3]! : Infinity;
    let n = 0;
    const total = fenwickTotal(market);
    if (total >= 0.5) {
      // Movers with a home in the city look near it first, then city-wide (vacancy-weighted).
      // The sum for a cell is utilityOf's, written out, less the distance from home.
      let t = 0;
      if (from >= 0) {
        const a = nbOffset[from]!;
        const span = nbOffset[from + 1]! - a;
        for (; t < local; t++) {
          const near = a + Math.floor(rs.next() * span);
          const k = nbIndex[near]!;
          if (units[k]! - socialUnits[k]! - occMarket[k]! <= 0) continue;
          // A move within the same neighbourhood changes nothing the model sees: look elsewhere.
          const rent = netOfAllowance(marketRent[k]!, Math.min(marketRent[k]!, allowanceCap), withdrawn);
          if (k === current || rent > limit) continue;
          optCell[n] = k;
          const u = base[v0 + k]! - bSimilarity * Math.abs(lnIncome - meanLog[k]!) - bRent * (rent / inc);
          optU[n++] = u - bDistance * nbDist[near]!;
        }
      }
      // The city-wide samples: all their draws first (each takes one whatever it finds), then the
      // descents of fenwickFind three at a time, a level at a time, in locals. One descent is a
      // chain of dependent loads; side by side they overlap, where one after another they could
      // not. A group's unused places descend on stale draws (any whole number below a total
      // descends within the tree) and are never read.
      const g = sampleSize - t;
      for (let j = 0; j < g; j++) findRest[j] = Math.floor(rs.next() * total);
      for (let j = 0; j < g; j += 3) {
        let p0 = 0, p1 = 0, p2 = 0;
        let r0 = findRest[j]!, r1 = findRest[j + 1]!, r2 = findRest[j + 2]!;
        for (let step = findFirst; step > 0; step >>= 1) {
          const t0 = tree[p0 + step]!;
          const t1 = tree[p1 + step]!;
          const t2 = tree[p2 + step]!;
          const k0 = (t0 - r0 - 1) >> 31;
          const k1 = (t1 - r1 - 1) >> 31;
          const k2 = (t2 - r2 - 1) >> 31;
          p0 += step & k0;
          r0 -= t0 & k0;
          p1 += step & k1;
          r1 -= t1 & k1;
          p2 += step & k2;
          r2 -= t2 & k2;
        }
        findPos[j] = p0;
        findPos[j + 1] = p1;
        findPos[j + 2] = p2;
      }
      for (let j = 0; j < g; j++) {
        const k = Math.min(findPos[j]!, lastCell);
        const rent = netOfAllowance(marketRent[k]!, Math.min(marketRent[k]!, allowanceCap), withdrawn);
        if (k === current || rent > limit) continue;
        optCell[n] = k;
        const u = base[v0 + k]! - bSimilarity * Math.abs(lnIncome - meanLog[k]!) - bRent * (rent / inc);
        if (from >= 0) {
          const dx = geoX[from]! - geoX[k]!;
          const dy = geoY[from]! - geoY[k]!;
          optU[n++] = u - bDistance * Math.sqrt(dx * dx + dy * dy); // distance(w, from, k)
        } else optU[n++] = u;
      }
    }
    optCell[n] = LEAVE;
    optU[n++] = leaveBase - bRent * (refRent / inc);
    if (reason === VOLUNTARY && current >= 0) {
      optCell[n] = STAY;
      optU[n++] = utilityOf(sc, v0, current, lnIncome, netRentOf(w, current, ownTenure, real[r + 3]!), inc, b) + moveCost + tiesWeight * real[r + 2]!;
    }
    const pick = optCell[logitChoice(optU, n, rs)]!;
    if (pick === STAY) continue;
    if (pick >= 0) {
      relocate(w, sc, s, from, pick, tenure, reason);
    } else if (reason === ARRIVED) {
      // Nothing affordable or attractive: the household never comes.
      removeHousehold(w, s);
    } else {
      // A household formed this quarter is assessed as it leaves (assessNewcomer). Its poverty is
      // taken for every leaver and kept for a new one only, so that every leaver makes the call: a
      // grown child's household leaving is rare, and the first one to (a year in) threw this
      // function's optimised code away, to be compiled again while the choices ran unoptimised.
      const poorNow = isPoor(w, s);
      w.households.poor[s] = reason === FORMED ? poorNow : w.households.poor[s]!;
      logMove(w, s, from, OUTSIDE, reason === VOLUNTARY ? LEFT : reason);
      if (current >= 0) releaseVacancy(w, sc, s, current);
      removeHousehold(w, s);
      if (reason !== FORMED) w.city.departures++;
    }
  }
}

/**
 * Straight-line distance from each cell to each cell of its local-search list (w.nearby), as the
 * mover's utility computes it (the list's own distances are single precision). The geography is
 * fixed, so it is computed once per list.
 */
const nearbyDist = new WeakMap<Int32Array, Float64Array>();
function nearbyDistances(w: World): Float64Array {
  const { offset, index } = w.nearby;
  let d = nearbyDist.get(index);
  if (d) return d;
  d = new Float64Array(index.length);
  for (let from = 0; from + 1 < offset.length; from++) {
    for (let e = offset[from]!; e < offset[from + 1]!; e++) d[e] = distance(w, from, index[e]!);
  }
  nearbyDist.set(index, d);
  return d;
}

/** Straight-line distance between two cells. */
function distance(w: World, a: number, b: number): number {
  const dx = w.geo.x[a]! - w.geo.x[b]!;
  const dy = w.geo.y[a]! - w.geo.y[b]!;
  return Math.sqrt(dx * dx + dy * dy);
}

/**
 * The outside option: an average cell of this city (resident-weighted amenities, mean market rent),
 * as a household expects to find elsewhere; `leaveUtility` shifts it.
 */
function cityReference(w: World): { utility: number; rent: number } {
  const c = w.cells;
  const b = w.config.mobility.beta;
  let q = 0, e = 0, s = 0, cr = 0, r = 0, n = 0;
  for (let k = 0; k < c.n; k++) {
    const wt = c.households[k]!;
    q += wt * c.quality[k]!;
    e += wt * c.environment[k]!;
    s += wt * c.schoolQuality[k]!;
    cr += wt * c.crime[k]!;
    r += wt * c.rent[k]!;
    n += wt;
  }
  if (n === 0) return { utility: 0, rent: w.config.housing.baseRent };
  return {
    utility: b.quality * (q / n) + b.environment * (e / n) + 0.3 * b.school * (s / n) + b.jobs - b.safety * (cr / n),
    rent: r / n,
  };
}

/** The vacancy a household leaves behind becomes available to later movers this quarter. */
function releaseVacancy(w: World, sc: Scratch, s: number, k: number): void {
  if (w.households.tenure[s] === SOCIAL) fenwickAdd(sc.social, k, 1);
  else fenwickAdd(sc.market, k, 1);
}

function relocate(w: World, sc: Scratch, s: number, from: number, to: number, tenure: number, reason: number): void {
  const h = w.households;
  const current = h.cell[s]!;
  if (current >= 0) {
    releaseVacancy(w, sc, s, current);
    vacate(w, s);
  }
  occupy(w, s, to, tenure);
  // The new home's allowance applies from the day of the move, not from next quarter.
  setAllowance(w, s);
  if (reason === FORMED || reason === ARRIVED) assessNewcomer(w, s);
  logMove(w, s, from, to, reason);
  if (tenure === SOCIAL) fenwickAdd(sc.social, to, -1);
  else fenwickAdd(sc.market, to, -1);
  if (reason === ARRIVED) w.city.arrivals++;
}

/**
 * A household new to the housing market (a grown child's, an arrival's) has not been through a
 * poverty count yet: it is assessed as it takes its first home (or leaves without one), so that the
 * move log's "poor then" is true of it too. The neighbourhood step recounts everyone this quarter,
 * so this changes nothing but the log.
 */
function assessNewcomer(w: World, s: number): void {
  w.households.poor[s] = isPoor(w, s);
}
