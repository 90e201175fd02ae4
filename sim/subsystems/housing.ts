/**
 * Housing market (MODEL.md §3.6).
 *
 * - Market rents move with excess demand (vacancy below the natural rate raises them) and toward
 *   an amenity-capitalised level: housing quality, environment, school quality, safety, job access
 *   and the neighbours' incomes (hedonic pricing, Rosen 1974; DiPasquale & Wheaton's stock–flow
 *   adjustment). Social rents are fixed.
 * - Housing allowance pays a poor renter's rent up to a cap (the Local Housing Allowance: the 30th
 *   percentile of market rents), so a rent rise above the cap bites the poor first.
 * - Quality depreciates, and landlords reinvest where rents cover upkeep (filtering).
 * - Redevelopment (a lever): units ordered demolished are cleared, their residents forced out, and
 *   the rebuild (its size, quality and social share set by the order) completes after a delay.
 *
 * Reads: cells, households, city. Writes: cells.rent, quality, units, social, building*,
 * homesBuilt; households.allowance, income (allowance part), seekers (demolition), moves.
 * Random: keyed "demolition" (which residents are cleared).
 */
import type { World } from '../world.ts';
import { DEMOLITION, PRIVATE, SOCIAL, addSeeker, vacate } from '../world.ts';
import { weightedQuantile } from '../stats.ts';

/** Rents stay within these multiples of the base rent (the dearest and cheapest English LSOAs differ ~4×). */
const RENT_MIN = 0.3;
const RENT_MAX = 4;

/** Log of the amenity-capitalised rent of cell k. */
export function amenityLogRent(w: World, k: number): number {
  const c = w.cells;
  const hs = w.config.housing;
  const meanInc = c.households[k]! > 0 ? c.incomeSum[k]! / c.households[k]! : w.city.meanIncome;
  const status = w.city.meanIncome > 0 ? Math.log(Math.max(0.2, meanInc / w.city.meanIncome)) : 0;
  return (
    Math.log(hs.baseRent) +
    hs.qualityWeight * (c.quality[k]! - 0.5) +
    hs.environmentWeight * (c.environment[k]! - 0.5) +
    hs.schoolWeight * (c.schoolQuality[k]! - 0.5) -
    hs.safetyWeight * (c.crime[k]! - 0.3) +
    hs.accessWeight * Math.log(Math.max(0.2, c.jobAccess[k]!)) +
    hs.statusWeight * status
  );
}

/**
 * Recomputes the housing allowance cap once a year: the rent at or below which the chosen share
 * of the city's market homes let (the Local Housing Allowance is the 30th percentile of private
 * rents in the market area, counted over lettings, not over neighbourhoods). Weighting by market
 * units matters: the cheapest areas are the densest, so a per-neighbourhood quantile would set
 * the cap well above what most cheap homes let for, and rent rises in a deprived area would
 * stay covered in full.
 */
export function updateAllowanceCap(w: World): void {
  const c = w.cells;
  const n = c.n;
  let market = marketScratch.get(w);
  if (!market || market.length !== n) marketScratch.set(w, (market = new Float64Array(n)));
  for (let k = 0; k < n; k++) market[k] = Math.max(0, c.units[k]! - c.social[k]!);
  w.city.allowanceCap = weightedQuantile(c.rent, market, n, w.config.economy.housingAllowanceCap);
}

/** Market units per cell for updateAllowanceCap, kept between years. */
const marketScratch = new WeakMap<World, Float64Array>();

/**
 * The allowance's means test: how much of its full allowance a household with this income,
 * allowance and transfer loses. Nothing under the means-test line (income before allowance); over
 * it, with `economy.allowanceTaper`, that much of each pound over the line (Housing Benefit
 * withdraws 65p), and without one all of it (Infinity) — a cliff, where a pound over the line costs
 * the whole allowance, and a gain that lifts a claimant just over it (a pension raised by a
 * programme's training) leaves the household poorer after housing costs. A portable programme
 * transfer is disregarded (as discretionary and charitable payments are in the UK): without the
 * disregard a transfer that lifted a claimant over the line took away a whole allowance several
 * times its size, so the support made its recipients poorer.
 */
export function allowanceWithdrawn(income: number, allowance: number, transfer: number, line: number, taper: number | undefined): number {
  const over = income - allowance - transfer - line;
  return over < 0 ? 0 : taper === undefined ? Infinity : taper * over;
}

/** What is left of a full allowance once `withdrawn` (allowanceWithdrawn) is taken off it. */
export function allowanceKept(full: number, withdrawn: number): number {
  return Math.max(0, full - withdrawn);
}

/** The allowance of an eligible household of tenure t in a cell of market rent `rent`. */
function allowanceFor(t: number, rent: number, socialRent: number, cap: number): number {
  return t === SOCIAL ? socialRent : t === PRIVATE ? Math.min(rent, cap) : 0;
}

/**
 * Housing allowance of one household, and its income with it: for those who pass the means test,
 * rent is met up to the cap (all of a social rent).
 */
export function setAllowance(w: World, s: number): void {
  const h = w.households;
  const k = h.cell[s]!;
  const before = h.income[s]! - h.allowance[s]!;
  const withdrawn = allowanceWithdrawn(h.income[s]!, h.allowance[s]!, h.transfer[s]!, w.city.meansTestLine, w.config.economy.allowanceTaper);
  const a = k >= 0 ? allowanceKept(allowanceFor(h.tenure[s]!, w.cells.rent[k]!, w.city.socialRent, w.city.allowanceCap), withdrawn) : 0;
  h.allowance[s] = a;
  h.income[s] = before + a;
}

/**
 * Housing allowance of every household: setAllowance over the stores held in locals (a pass over
 * every household each quarter), with the same two rules.
 */
export function updateAllowances(w: World): void {
  const h = w.households;
  const alive = h.alive;
  const cell = h.cell;
  const income = h.income;
  const allowance = h.allowance;
  const transfer = h.transfer;
  const tenure = h.tenure;
  const rent = w.cells.rent;
  const line = w.city.meansTestLine;
  const socialRent = w.city.socialRent;
  const cap = w.city.allowanceCap;
  const taper = w.config.economy.allowanceTaper;
  const n = h.count;
  for (let s = 0; s < n; s++) {
    if (!alive[s]) continue;
    const k = cell[s]!;
    const before = income[s]! - allowance[s]!;
    const a = k >= 0 ? allowanceKept(allowanceFor(tenure[s]!, rent[k]!, socialRent, cap), allowanceWithdrawn(income[s]!, allowance[s]!, transfer[s]!, line, taper)) : 0;
    allowance[s] = a;
    income[s] = before + a;
  }
}

/** Clears the units ordered demolished and starts the rebuilds. */
function redevelop(w: World): void {
  const c = w.cells;
  const h = w.households;
  const tick = w.city.tick;
  let any = false;
  for (let k = 0; k < c.n; k++) if (c.demolish[k]! > 0) any = true;
  if (!any) return;
  for (let k = 0; k < c.n; k++) {
    const d = Math.min(c.demolish[k]!, c.units[k]!);
    if (d <= 0) {
      // Nothing left to clear: the order lapses (a rebuild needs something demolished first).
      c.demolish[k] = 0;
      c.rebuildUnits[k] = 0;
      c.rebuildSocial[k] = 0;
      continue;
    }
    const share = d / c.units[k]!;
    const socialLost = Math.round(c.social[k]! * share);
    c.units[k]! -= d;
    c.social[k]! -= socialLost;
    // Residents of the cleared units must go: the same share of each tenure, at least the overflow.
    const clearMarket = Math.max(Math.round(c.occMarket[k]! * share), c.occMarket[k]! - (c.units[k]! - c.social[k]!));
    const clearSocial = Math.max(Math.round(c.occSocial[k]! * share), c.occSocial[k]! - c.social[k]!);
    let leftMarket = clearMarket;
    let leftSocial = clearSocial;
    // Two passes: first a keyed lottery, then anyone still needed in slot order.
    for (let pass = 0; pass < 2 && (leftMarket > 0 || leftSocial > 0); pass++) {
      for (let s = 0; s < h.count && (leftMarket > 0 || leftSocial > 0); s++) {
        if (!h.alive[s] || h.cell[s] !== k) continue;
        if (pass === 0 && w.rng.keyed('demolition', h.id[s]!, tick) >= share) continue;
        const social = h.tenure[s] === SOCIAL;
        if (social ? leftSocial <= 0 : leftMarket <= 0) continue;
        if (social) leftSocial--;
        else leftMarket--;
        vacate(w, s);
        addSeeker(w, s, DEMOLITION, k);
      }
    }
    if (c.rebuildUnits[k]! > 0) {
      c.building[k]! += c.rebuildUnits[k]!;
      c.buildingSocial[k]! += Math.min(c.rebuildSocial[k]!, c.rebuildUnits[k]!);
      c.buildingQuality[k] = c.rebuildQuality[k]!;
      c.buildingDone[k] = tick + w.config.housing.constructionQuarters;
    }
    c.demolish[k] = 0;
    c.rebuildUnits[k] = 0;
    c.rebuildSocial[k] = 0;
  }
}

/** Completes rebuilds whose time has come. */
function complete(w: World): void {
  const c = w.cells;
  for (let k = 0; k < c.n; k++) {
    if (c.building[k]! <= 0 || c.buildingDone[k]! > w.city.tick) continue;
    const add = c.building[k]!;
    c.quality[k] = (c.quality[k]! * c.units[k]! + c.buildingQuality[k]! * add) / (c.units[k]! + add);
    c.units[k]! += add;
    c.social[k]! += c.buildingSocial[k]!;
    c.homesBuilt[k]! += add;
    c.building[k] = 0;
    c.buildingSocial[k] = 0;
  }
}

export const housing = {
  name: 'housing',
  step(w: World): void {
    complete(w);
    redevelop(w);
    adjustRents(w);
    if (w.city.tick % 4 === 0) updateAllowanceCap(w);
    updateAllowances(w);
  },
};

/**
 * Market rents follow vacancy and amenity; quality drifts with what the rent pays. The loop is a
 * function of its own with nothing after it: inside the step, V8 optimised it while it ran and
 * reused that code at later calls, which then stopped at the yearly allowance cap (not yet run
 * when it was compiled) and threw the code away — once a simulated year.
 */
function adjustRents(w: World): void {
  const c = w.cells;
  const hs = w.config.housing;
  for (let k = 0; k < c.n; k++) {
    const market = c.units[k]! - c.social[k]!;
    if (market > 0) {
      const vacancy = (market - c.occMarket[k]!) / market;
      const lr = Math.log(c.rent[k]!);
      const next = lr + hs.vacancyElasticity * (hs.naturalVacancy - vacancy) + hs.amenityAdjustment * (amenityLogRent(w, k) - lr);
      c.rent[k] = Math.min(RENT_MAX * hs.baseRent, Math.max(RENT_MIN * hs.baseRent, Math.exp(next)));
    }
    // Filtering: quality drifts toward what the rent pays to keep up, so cheap areas decay slowly.
    const sustained = Math.min(1, Math.max(0.05, 0.5 + hs.reinvestment * Math.log(c.rent[k]! / hs.baseRent)));
    c.quality[k]! += hs.depreciation * (sustained - c.quality[k]!);
  }
}
