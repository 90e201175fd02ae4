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
 * turnover, lastMoves, outOfWorkQuarters, workingAgeQuarters; households.poor, ties,
 * exitedPoverty (and each tracker's); city.povertyLine, medianIncome.
 */
import { finishCensus, startCensus } from '../census.ts';
import { recordEmploymentQuarter } from '../metrics/deprivation.ts';
import { median } from '../stats.ts';
import type { World } from '../world.ts';
import { OWNER, PRIVATE, SOCIAL } from '../world.ts';

/**
 * Income on which poverty is measured. After housing costs (the default, as DWP's Households
 * Below Average Income reports it): income less rent (social or market) or, for owners, a share of
 * the local market rent standing for mortgage and upkeep (a fifth of that share once retired).
 */
export function povertyIncome(w: World, s: number): number {
  const h = w.households;
  const eco = w.config.economy;
  return measuredIncome(
    h.income[s]!, h.cell[s]!, h.tenure[s]!, h.age[s]!, w.cells.rent,
    eco.povertyMeasure !== 'bhc', w.city.socialRent, eco.ownerCostShare, w.config.labour.retirementAge,
  );
}

/**
 * povertyIncome from a household's income, cell, tenure and age and the settings, read once by
 * the passes over every household instead of once per household (small enough that V8 inlines it).
 */
function measuredIncome(
  y: number, k: number, tenure: number, age: number, rent: Float32Array,
  afterHousing: boolean, socialRent: number, ownerCostShare: number, retire: number,
): number {
  if (k < 0) return y;
  return y - housingCost(k, tenure, age >= retire, rent, afterHousing, socialRent, ownerCostShare);
}

/**
 * The housing cost the poverty measure takes off the income of a household in cell k: nothing
 * before housing costs; else the social rent, the market rent, or an owner's share of the market
 * rent (a fifth of it once retired). The one rule, for measuredIncome and the residents pass's
 * per-cell table.
 */
function housingCost(
  k: number, tenure: number, retired: boolean, rent: Float32Array,
  afterHousing: boolean, socialRent: number, ownerCostShare: number,
): number {
  if (!afterHousing) return 0;
  if (tenure === SOCIAL) return socialRent;
  if (tenure === PRIVATE) return rent[k]!;
  const owner = ownerCostShare * rent[k]!;
  return retired ? 0.2 * owner : owner;
}

/** 1 if household s is below the poverty line `line` (by default this year's), else 0. */
export function isPoor(w: World, s: number, line = w.city.povertyLine): 0 | 1 {
  return povertyIncome(w, s) < line ? 1 : 0;
}

/** Recomputes the poverty line from the median household income (a yearly step). */
export function updatePovertyLine(w: World): void {
  const h = w.households;
  if (incomeScratch.length < h.count) {
    incomeScratch = new Float64Array(h.count);
    measuredScratch = new Float64Array(h.count);
  }
  const incomes = incomeScratch;
  const measured = measuredScratch;
  const n = collectIncomes(w, incomes, measured);
  // Each array is its own scratch: the selection reorders it in place, and nothing reads it after.
  w.city.medianIncome = n > 0 ? median(incomes, n, incomes) : 0;
  // Means tests (housing allowance, social housing need) use income before housing costs.
  w.city.meansTestLine = w.config.economy.povertyLine * w.city.medianIncome;
  w.city.povertyLine = n > 0 ? w.config.economy.povertyLine * median(measured, n, measured) : 0;
}

/**
 * updatePovertyLine's working arrays, kept from one year to the next (and from one world to the
 * next: only their first n entries, written afresh each time, are read), so that a year does not
 * allocate two arrays the size of the city.
 */
let incomeScratch = new Float64Array(0);
let measuredScratch = new Float64Array(0);

/**
 * Every housed household's income and its income for the poverty measure, in slot order; returns
 * how many. A loop in a function of its own, run once a year (see sim/census.ts).
 */
function collectIncomes(w: World, incomes: Float64Array, measured: Float64Array): number {
  const h = w.households;
  const eco = w.config.economy;
  const afterHousing = eco.povertyMeasure !== 'bhc';
  const ownerCostShare = eco.ownerCostShare;
  const socialRent = w.city.socialRent;
  const retire = w.config.labour.retirementAge;
  const alive = h.alive;
  const cell = h.cell;
  const income = h.income;
  const tenure = h.tenure;
  const ages = h.age;
  const rent = w.cells.rent;
  const count = h.count;
  let n = 0;
  for (let s = 0; s < count; s++) {
    const k = cell[s]!;
    if (!alive[s] || k < 0) continue;
    const y = income[s]!;
    incomes[n] = y;
    measured[n++] = measuredIncome(y, k, tenure[s]!, ages[s]!, rent, afterHousing, socialRent, ownerCostShare, retire);
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
    const totals = startCensus(w);
    cellTables(w);
    residentsPass(w, totals);
    finishCensus(w, totals);
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
 * The quarter's one pass over the households: each one's poverty flag against the line (and, at a
 * year's end, the exit marks of the original residents out of poverty, the run's and each
 * tracker's: sim/world.ts, Tracker), its ties, which grow with the cohesion its neighbourhood had
 * at the start of this update, and then its share of the census (sim/census.ts, countResidents).
 * The census reads the flag and the ties just written for the same household, and nothing else
 * here reads or writes what the census counts, so counting in the same pass gives the sums
 * `census` gives after the other two, and the household arrays are read once instead of twice.
 * The census part is countResidents's, over the stores held in locals, operation for operation
 * (test/sim/subsystems/neighbourhoodPass.test.ts holds the two to the same sums). A function of its
 * own, with nothing after its loop (see sim/census.ts).
 */
function residentsPass(w: World, totals: Float64Array): void {
  const h = w.households;
  const costs = housingCosts;
  const growth = tiesGrowth;
  const c = w.cells;
  const retire = w.config.labour.retirementAge;
  const line = w.city.povertyLine;
  const tick = w.city.tick;
  const yearEnd = tick % 4 === 3;
  const alive = h.alive;
  const cell = h.cell;
  const income = h.income;
  const tenure = h.tenure;
  const ages = h.age;
  const poor = h.poor;
  const ties = h.ties;
  const movedTick = h.movedTick;
  const employer = h.employer;
  const households = c.households;
  const poorCount = c.poor;
  const unemployed = c.unemployed;
  const labourForce = c.labourForce;
  const sick = c.sick;
  const sickOf = h.sick;
  const incomeSum = c.incomeSum;
  const logIncomeSum = c.logIncomeSum;
  const residenceSum = c.residenceSum;
  const tiesSum = c.tiesSum;
  const n = h.count;
  for (let s = 0; s < n; s++) {
    if (!alive[s]) continue;
    const k = cell[s]!;
    const y = income[s]!;
    const age = ages[s]!;
    // measuredIncome's cost, read from the cell's table by tenure and retirement rather than
    // chosen by branches that households in slot order take in no pattern.
    const measured = k < 0 ? y : y - costs[COST_COLUMNS * k + COST_COLUMN[(age >= retire ? 256 : 0) + tenure[s]!]!]!;
    const p = measured < line ? 1 : 0;
    poor[s] = p;
    if (yearEnd && p === 0) markExited(w, s);
    if (k < 0) continue;
    const tie = ties[s]!;
    ties[s] = tie + growth[k]! * (1 - tie);
    households[k]!++;
    incomeSum[k]! += y;
    logIncomeSum[k]! += Math.log(Math.max(y, 1000));
    residenceSum[k]! += (tick - movedTick[s]!) / 4;
    // The ties as stored (single precision), as the census reads them.
    tiesSum[k]! += ties[s]!;
    poorCount[k]! += p;
    if (age < retire) {
      if (sickOf[s]) sick[k]!++;
      else {
        labourForce[k]!++;
        totals[2]!++;
        if (employer[s]! < 0) {
          unemployed[k]!++;
          totals[3]!++;
        }
      }
    }
    totals[0]!++;
    totals[1]! += y;
  }
}

/**
 * Per cell this quarter, what residentsPass reads of the cell for each household (kept from one
 * quarter and world to the next; the first n or 4n entries are written afresh before the pass):
 * the housing cost housingCost gives, by COST_COLUMN (0 for every column when
 * poverty is measured before housing costs: y − 0 is y), and the ties' growth factor,
 * tiesGrowth × min(1, cohesion + community). Each is the same number the pass computed for every
 * household, so the results are the same to the last bit.
 */
let housingCosts = new Float64Array(0);
let tiesGrowth = new Float64Array(0);
const COST_COLUMNS = 4;
const OWNER_COST = 0, PRIVATE_COST = 1, SOCIAL_COST = 2, RETIRED_OWNER_COST = 3;
/**
 * The cost column of a tenure code (retired heads at 256 + code): as in housingCost, every code
 * but private and social rent is an owner's.
 */
const COST_COLUMN = new Uint8Array(512);
COST_COLUMN.fill(OWNER_COST, 0, 256);
COST_COLUMN.fill(RETIRED_OWNER_COST, 256, 512);
COST_COLUMN[PRIVATE] = COST_COLUMN[256 + PRIVATE] = PRIVATE_COST;
COST_COLUMN[SOCIAL] = COST_COLUMN[256 + SOCIAL] = SOCIAL_COST;

function cellTables(w: World): void {
  const c = w.cells;
  const n = c.n;
  if (tiesGrowth.length < n) {
    housingCosts = new Float64Array(COST_COLUMNS * n);
    tiesGrowth = new Float64Array(n);
  }
  const eco = w.config.economy;
  const afterHousing = eco.povertyMeasure !== 'bhc';
  const ownerCostShare = eco.ownerCostShare;
  const socialRent = w.city.socialRent;
  const growthRate = w.config.neighbourhood.tiesGrowth;
  const rent = c.rent;
  const cohesion = c.cohesion;
  const community = c.community;
  const costs = housingCosts;
  for (let k = 0; k < n; k++) {
    const b = COST_COLUMNS * k;
    costs[b + OWNER_COST] = housingCost(k, OWNER, false, rent, afterHousing, socialRent, ownerCostShare);
    costs[b + PRIVATE_COST] = housingCost(k, PRIVATE, false, rent, afterHousing, socialRent, ownerCostShare);
    costs[b + SOCIAL_COST] = housingCost(k, SOCIAL, false, rent, afterHousing, socialRent, ownerCostShare);
    costs[b + RETIRED_OWNER_COST] = housingCost(k, OWNER, true, rent, afterHousing, socialRent, ownerCostShare);
    tiesGrowth[k] = growthRate * Math.min(1, cohesion[k]! + community[k]!);
  }
}

/**
 * A household out of poverty at a year's end: as an original resident poor at the start (the
 * run's, a tracker's), it has exited poverty. The mark is written back unchanged for the others:
 * no one is poor at the start before a programme starts, and a store first reached then (year 2 by
 * default) threw the residents pass's optimised code away in the middle of its loop.
 */
function markExited(w: World, s: number): void {
  const h = w.households;
  h.exitedPoverty[s] = h.startPoor[s] ? 1 : h.exitedPoverty[s]!;
  const trackers = w.trackers;
  for (let i = 0; i < trackers.length; i++) {
    const t = trackers[i]!;
    t.exitedPoverty[s] = t.startPoor[s] ? 1 : t.exitedPoverty[s]!;
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
