/**
 * The census: per-neighbourhood aggregates of the households living there, recomputed in one pass
 * over the households. Subsystems read these (rents capitalise neighbours' incomes, crime follows
 * poverty and unemployment, firms' local demand follows residents' spending); metrics use them too.
 *
 * Writes cells.households, poor, unemployed, labourForce, sick, incomeSum, logIncomeSum, residenceSum,
 * tiesSum, and city.meanIncome and city.unemploymentRate.
 */
import type { Cells, World } from './world.ts';

/**
 * Working-age heads out of work in cell k, unemployed or sick: what England's employment
 * deprivation counts (claimants of unemployment and of incapacity benefits), over `workingAge`.
 */
export function outOfWork(c: Cells, k: number): number {
  return c.unemployed[k]! + c.sick[k]!;
}

/** Working-age heads in cell k: the labour force and the sick outside it. */
export function workingAge(c: Cells, k: number): number {
  return c.labourForce[k]! + c.sick[k]!;
}

/** The share of cell k's working-age heads out of work (0 for a cell with none). */
export function outOfWorkRate(c: Cells, k: number): number {
  const all = workingAge(c, k);
  return all > 0 ? outOfWork(c, k) / all : 0;
}

export function census(w: World): void {
  const totals = startCensus(w);
  countResidents(w, totals);
  finishCensus(w, totals);
}

/**
 * The census in three parts, for a pass that counts each household along with other work on the
 * same household (the neighbourhood step's, which reads the household arrays once for both):
 * `startCensus` zeroes the sums and returns the city totals to count into (households, income,
 * labour force, unemployed), the pass adds each housed household's share as `countResidents` does,
 * in slot order, and `finishCensus` sets the city's mean income and unemployment rate.
 */
export function startCensus(w: World): Float64Array {
  const c = w.cells;
  c.households.fill(0);
  c.poor.fill(0);
  c.unemployed.fill(0);
  c.labourForce.fill(0);
  c.sick.fill(0);
  c.incomeSum.fill(0);
  c.logIncomeSum.fill(0);
  c.residenceSum.fill(0);
  c.tiesSum.fill(0);
  return TOTALS.fill(0);
}

export function finishCensus(w: World, totals: Float64Array): void {
  const total = totals[0]!;
  const lf = totals[2]!;
  w.city.meanIncome = total > 0 ? totals[1]! / total : 0;
  w.city.unemploymentRate = lf > 0 ? totals[3]! / lf : 0;
}

/** Households, income, labour force and unemployed of the whole city, as `countResidents` leaves them. */
const TOTALS = new Float64Array(4);

/**
 * The pass over the households. It is a function of its own, with nothing after its loop, because
 * it runs once a quarter: V8 optimises it while the loop runs (on-stack replacement), and code
 * after the loop that had not yet run would throw the optimised code away at every call.
 * The neighbourhood step counts the same shares in a pass of its own (residentsPass in
 * sim/subsystems/neighbourhood.ts): a change here is a change there.
 */
function countResidents(w: World, totals: Float64Array): void {
  const h = w.households;
  const c = w.cells;
  const retire = w.config.labour.retirementAge;
  const tick = w.city.tick;
  for (let s = 0; s < h.count; s++) {
    if (!h.alive[s]) continue;
    const k = h.cell[s]!;
    if (k < 0) continue;
    c.households[k]!++;
    const y = h.income[s]!;
    c.incomeSum[k]! += y;
    c.logIncomeSum[k]! += Math.log(Math.max(y, 1000));
    c.residenceSum[k]! += (tick - h.movedTick[s]!) / 4;
    c.tiesSum[k]! += h.ties[s]!;
    if (h.poor[s]) c.poor[k]!++;
    // The sick (households.sick, sim/subsystems/labour.ts) are out of the labour force, as the ILO
    // counts them: the unemployment rate is of those in work or searching.
    if (h.age[s]! < retire) {
      if (h.sick[s]) c.sick[k]!++;
      else {
        c.labourForce[k]!++;
        totals[2]!++;
        if (h.employer[s]! < 0) {
          c.unemployed[k]!++;
          totals[3]!++;
        }
      }
    }
    totals[0]!++;
    totals[1]! += y;
  }
}
