/**
 * The census: per-neighbourhood aggregates of the households living there, recomputed in one pass
 * over the households. Subsystems read these (rents capitalise neighbours' incomes, crime follows
 * poverty and unemployment, firms' local demand follows residents' spending); metrics use them too.
 *
 * Writes cells.households, poor, unemployed, labourForce, incomeSum, logIncomeSum, residenceSum,
 * tiesSum, and city.meanIncome and city.unemploymentRate.
 */
import type { World } from './world.ts';

export function census(w: World): void {
  const h = w.households;
  const c = w.cells;
  const retire = w.config.labour.retirementAge;
  c.households.fill(0);
  c.poor.fill(0);
  c.unemployed.fill(0);
  c.labourForce.fill(0);
  c.incomeSum.fill(0);
  c.logIncomeSum.fill(0);
  c.residenceSum.fill(0);
  c.tiesSum.fill(0);
  const tick = w.city.tick;
  let total = 0;
  let income = 0;
  let lf = 0;
  let unemp = 0;
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
    if (h.age[s]! < retire) {
      c.labourForce[k]!++;
      lf++;
      if (h.employer[s]! < 0) {
        c.unemployed[k]!++;
        unemp++;
      }
    }
    total++;
    income += y;
  }
  w.city.meanIncome = total > 0 ? income / total : 0;
  w.city.unemploymentRate = lf > 0 ? unemp / lf : 0;
}
