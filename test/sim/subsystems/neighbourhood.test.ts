/**
 * Neighbourhood: crime follows poverty and unemployment, community activity builds cohesion and
 * lowers crime, and the relative poverty line is 60% of the median measured income (after housing
 * costs by default), recomputed each year.
 */
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../../sim/simulation.ts';
import { neighbourhood, povertyIncome } from '../../../sim/subsystems/neighbourhood.ts';
import type { World } from '../../../sim/world.ts';
import { PRIVATE, SOCIAL } from '../../../sim/world.ts';
import { housedSlots, mean, smallConfig, smallWorld } from '../helpers.ts';

function runNeighbourhood(w: World, quarters: number): void {
  for (let q = 0; q < quarters; q++) {
    neighbourhood.step(w);
    w.city.tick++;
  }
}

/** The `count` most populous cells whose crime and cohesion are away from the bounds. */
function busyCells(w: World, count: number): number[] {
  const c = w.cells;
  return Array.from({ length: c.n }, (_, k) => k)
    .filter((k) => c.households[k]! >= 20 && c.crime[k]! > 0.05 && c.crime[k]! < 0.6 && c.cohesion[k]! < 0.8)
    .sort((a, b) => c.households[b]! - c.households[a]! || a - b)
    .slice(0, count);
}

describe('neighbourhood: crime', () => {
  it('rises in cells where poverty and unemployment rise, relative to the control', () => {
    const treated = smallWorld(30);
    const control = smallWorld(30);
    const cells = busyCells(treated, 4);
    expect(cells).toHaveLength(4);
    const target = new Set(cells);
    const h = treated.households;
    const f = treated.firms;
    // Everyone of working age there loses their job and falls to a low income.
    for (const s of housedSlots(treated)) {
      if (!target.has(h.cell[s]!)) continue;
      const e = h.employer[s]!;
      if (e >= 0 && h.age[s]! < treated.config.labour.retirementAge) {
        f.filled[e]!--;
        h.employer[s] = -1;
      }
      h.income[s] = 0.3 * treated.city.povertyLine;
      h.allowance[s] = 0;
    }
    runNeighbourhood(treated, 6);
    runNeighbourhood(control, 6);
    for (const k of cells) {
      expect(treated.cells.poor[k]!).toBe(treated.cells.households[k]!);
      expect(treated.cells.crime[k]!).toBeGreaterThan(control.cells.crime[k]! + 0.02);
      expect(treated.cells.cohesion[k]!).toBeLessThan(control.cells.cohesion[k]!);
    }
  });

  it('community activity raises cohesion and local ties and lowers crime', () => {
    const treated = smallWorld(31);
    const control = smallWorld(31);
    const cells = busyCells(treated, 4);
    expect(cells).toHaveLength(4);
    for (const k of cells) treated.cells.community[k] = 1;
    runNeighbourhood(treated, 6);
    runNeighbourhood(control, 6);
    for (const k of cells) {
      expect(treated.cells.cohesion[k]!).toBeGreaterThan(control.cells.cohesion[k]! + 0.02);
      expect(treated.cells.crime[k]!).toBeLessThan(control.cells.crime[k]! - 0.02);
    }
    const target = new Set(cells);
    const residents = housedSlots(treated).filter((s) => target.has(treated.households.cell[s]!));
    const gain = residents.map((s) => treated.households.ties[s]! - control.households.ties[s]!);
    for (const g of gain) expect(g).toBeGreaterThanOrEqual(-1e-6);
    expect(mean(gain)).toBeGreaterThan(0.01);
  });
});

describe('neighbourhood: the relative poverty line', () => {
  /** Median, averaging the two middle values of an even count. */
  const medianOf = (xs: number[]): number => {
    const a = [...xs].sort((x, y) => x - y);
    const m = a.length >> 1;
    return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
  };

  it.each([{ measure: 'ahc' as const }, { measure: 'bhc' as const }])(
    'is six tenths of the median measured income ($measure), recomputed at the start of each year only',
    ({ measure }) => {
      const sim = createSimulation(smallConfig({ economy: { povertyMeasure: measure } }), { seed: 32 });
      const w = sim.world;
      const h = w.households;
      const share = w.config.economy.povertyLine;
      let changes = 0;
      for (let t = 0; t < 9; t++) {
        const line = w.city.povertyLine;
        const meansTest = w.city.meansTestLine;
        const slots = housedSlots(w);
        const measured = medianOf(slots.map((s) => povertyIncome(w, s)));
        const income = medianOf(slots.map((s) => h.income[s]!));
        if (measure === 'bhc') expect(measured).toBe(income);
        sim.step(1);
        if (t % 4 === 0) {
          // Set from the incomes at the year's start, before the year's first quarter ran.
          expect(w.city.povertyLine).toBeCloseTo(share * measured, 6);
          expect(w.city.medianIncome).toBeCloseTo(income, 6);
          // Means tests use income before housing costs.
          expect(w.city.meansTestLine).toBeCloseTo(share * income, 6);
          if (w.city.povertyLine !== line) changes++;
        } else {
          expect(w.city.povertyLine).toBe(line);
          expect(w.city.meansTestLine).toBe(meansTest);
        }
        // Poverty status follows the line at the end of every quarter.
        for (const s of housedSlots(w)) expect(h.poor[s]).toBe(povertyIncome(w, s) < w.city.povertyLine ? 1 : 0);
      }
      expect(changes).toBeGreaterThan(0);
    },
  );

  it('measures after housing costs: a renter is poorer than the same income with no rent', () => {
    const w = smallWorld(33);
    const h = w.households;
    const renter = housedSlots(w).find((s) => h.tenure[s] === PRIVATE)!;
    expect(povertyIncome(w, renter)).toBeCloseTo(h.income[renter]! - w.cells.rent[h.cell[renter]!]!, 3);
    const tenant = housedSlots(w).find((s) => h.tenure[s] === SOCIAL)!;
    expect(povertyIncome(w, tenant)).toBeCloseTo(h.income[tenant]! - w.city.socialRent, 3);
  });

  it('follows the configured share of the median', () => {
    const sim = createSimulation(smallConfig({ economy: { povertyLine: 0.5, povertyMeasure: 'bhc' } }), { seed: 32 });
    sim.step(1);
    expect(sim.world.city.medianIncome).toBeGreaterThan(0);
    expect(sim.world.city.povertyLine).toBeCloseTo(0.5 * sim.world.city.medianIncome, 6);
  });
});
