/**
 * Neighbourhood update (MODEL.md §3.8): the census of residents, relative poverty, crime,
 * cohesion, environment upkeep and households' local ties.
 *
 * - Poverty is relative: below `economy.povertyLine` (60%) of the median household income; the
 *   line is recomputed at the start of each year (tick % 4 == 0) and applied every quarter.
 * - Crime approaches a level set by poverty and unemployment, lowered by cohesion, environment and
 *   community activity (social disorganisation theory: Sampson, Raudenbush & Earls 1997).
 * - Cohesion approaches a level set by how long residents have stayed and their ties, lowered by
 *   turnover and poverty, raised by community activity (a lever).
 * - The council maintains each cell's environment at its start level; crime wears it down.
 * - Households' ties grow with the cohesion of their neighbourhood.
 *
 * Reads: households, cells, city. Writes: census fields, cells.crime, cohesion, environment,
 * turnover, lastMoves, unemployedQuarters, labourForceQuarters; households.poor, ties,
 * exitedPoverty (and each tracker's); city.povertyLine, medianIncome.
 */
import { census } from '../census.ts';
import { recordEmploymentQuarter } from '../metrics/deprivation.ts';
import { median } from '../stats.ts';
import type { Tracker, World } from '../world.ts';
import { PRIVATE, SOCIAL } from '../world.ts';

/**
 * Income on which poverty is measured. After housing costs (the default, as DWP's Households
 * Below Average Income reports it): income less rent (social or market) or, for owners, a share of
 * the local market rent standing for mortgage and upkeep (a fifth of that share once retired).
 */
export function povertyIncome(w: World, s: number): number {
  const h = w.households;
  const y = h.income[s]!;
  const eco = w.config.economy;
  const k = h.cell[s]!;
  if (eco.povertyMeasure === 'bhc' || k < 0) return y;
  const t = h.tenure[s];
  if (t === SOCIAL) return y - w.city.socialRent;
  if (t === PRIVATE) return y - w.cells.rent[k]!;
  const owner = eco.ownerCostShare * w.cells.rent[k]!;
  return y - (h.age[s]! >= w.config.labour.retirementAge ? 0.2 * owner : owner);
}

/** 1 if household s is below the poverty line `line` (by default this year's), else 0. */
export function isPoor(w: World, s: number, line = w.city.povertyLine): 0 | 1 {
  return povertyIncome(w, s) < line ? 1 : 0;
}

/** Recomputes the poverty line from the median household income (a yearly step). */
export function updatePovertyLine(w: World): void {
  const h = w.households;
  const incomes = new Float64Array(h.count);
  const measured = new Float64Array(h.count);
  const n = collectIncomes(w, incomes, measured);
  // Each array is its own scratch: the selection reorders it in place, and nothing reads it after.
  w.city.medianIncome = n > 0 ? median(incomes, n, incomes) : 0;
  // Means tests (housing allowance, social housing need) use income before housing costs.
  w.city.meansTestLine = w.config.economy.povertyLine * w.city.medianIncome;
  w.city.povertyLine = n > 0 ? w.config.economy.povertyLine * median(measured, n, measured) : 0;
}

/**
 * Every housed household's income and its income for the poverty measure, in slot order; returns
 * how many. A loop in a function of its own, run once a year (see sim/census.ts).
 */
function collectIncomes(w: World, incomes: Float64Array, measured: Float64Array): number {
  const h = w.households;
  let n = 0;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s] || h.cell[s]! < 0) continue;
    incomes[n] = h.income[s]!;
    measured[n++] = povertyIncome(w, s);
  }
  return n;
}

/**
 * Poverty status of one household against the line; at a year's end, an original resident out of
 * poverty is marked as having exited it.
 */
function markPoverty(w: World, s: number, line: number, yearEnd: boolean): void {
  const h = w.households;
  const poor = isPoor(w, s, line);
  h.poor[s] = poor;
  if (yearEnd && !poor && h.startPoor[s]) h.exitedPoverty[s] = 1;
}

/** Poverty status of every household against the current line. */
export function updatePoverty(w: World): void {
  const h = w.households;
  const line = w.city.povertyLine;
  const yearEnd = w.city.tick % 4 === 3;
  for (let s = 0; s < h.count; s++) if (h.alive[s]) markPoverty(w, s, line, yearEnd);
}

export const neighbourhood = {
  name: 'neighbourhood',
  step(w: World): void {
    const c = w.cells;
    const nb = w.config.neighbourhood;
    povertyAndTies(w);
    for (let i = 0; i < w.trackers.length; i++) markExits(w, w.trackers[i]!);
    census(w);
    // This quarter's unemployed and labour force, for the deprivation index's four-quarter mean.
    recordEmploymentQuarter(w);
    for (let k = 0; k < c.n; k++) {
      const n = c.households[k]!;
      // Yearly turnover: (moves in + out) / 2 per household, from this quarter's moves, smoothed.
      const moves = c.movesIn[k]! + c.movesOut[k]!;
      const quarterly = n > 0 ? (moves - c.lastMoves[k]!) / 2 / n : 0;
      c.lastMoves[k] = moves;
      c.turnover[k] = 0.75 * c.turnover[k]! + 0.25 * 4 * quarterly;
      if (n === 0) continue;
      const pov = c.poor[k]! / n;
      const unemp = c.labourForce[k]! > 0 ? c.unemployed[k]! / c.labourForce[k]! : 0;
      const residence = Math.min(1, c.residenceSum[k]! / n / 10);
      const ties = c.tiesSum[k]! / n;
      const community = c.community[k]!;
      const crimeTarget =
        0.1 + nb.crimePoverty * pov + nb.crimeUnemployment * unemp - nb.crimeCohesion * (c.cohesion[k]! - 0.5) -
        nb.crimeEnvironment * (c.environment[k]! - 0.5) - 0.3 * community;
      const cohesionTarget =
        0.25 + nb.cohesionTenure * residence + 0.2 * ties - nb.cohesionTurnover * c.turnover[k]! - 0.2 * pov + 0.3 * community;
      c.crime[k]! += nb.adjustment * (clamp01(crimeTarget) - c.crime[k]!);
      c.cohesion[k]! += nb.adjustment * (clamp01(cohesionTarget) - c.cohesion[k]!);
      // Upkeep returns the environment toward its maintained level; crime (litter, vandalism) wears it.
      const envTarget = c.environmentBase[k]! - 0.2 * c.crime[k]!;
      c.environment[k]! += nb.environmentDecay * 10 * (envTarget - c.environment[k]!);
      c.environment[k] = clamp01(c.environment[k]!);
    }
  },
};

/**
 * `markPoverty`'s exit mark for a tracker's original residents (sim/world.ts, Tracker): at a year's
 * end, one poor at the start and not poor now has exited poverty.
 */
function markExits(w: World, t: Tracker): void {
  if (w.city.tick % 4 !== 3) return;
  const h = w.households;
  for (let s = 0; s < h.count; s++) if (h.alive[s] && !h.poor[s] && t.startPoor[s]) t.exitedPoverty[s] = 1;
}

/**
 * Poverty flags against the line, and ties that grow with the cohesion the neighbourhood had at
 * the start of this update: one pass, to read the household arrays once. A function of its own,
 * with nothing after its loop (see sim/census.ts).
 */
function povertyAndTies(w: World): void {
  const h = w.households;
  const c = w.cells;
  const growthRate = w.config.neighbourhood.tiesGrowth;
  const line = w.city.povertyLine;
  const yearEnd = w.city.tick % 4 === 3;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    markPoverty(w, s, line, yearEnd);
    const k = h.cell[s]!;
    if (k < 0) continue;
    const growth = growthRate * Math.min(1, c.cohesion[k]! + c.community[k]!);
    h.ties[s]! += growth * (1 - h.ties[s]!);
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
