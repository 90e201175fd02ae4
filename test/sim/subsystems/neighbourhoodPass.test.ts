/**
 * The neighbourhood step counts the census in the same pass as the poverty flags and ties
 * (residentsPass): its sums must be exactly those `census` computes from the households it leaves,
 * its flags those `isPoor` gives, and its year-end exit marks those of every original resident out
 * of poverty, the run's and each tracker's.
 */
import { describe, expect, it } from 'vitest';
import { census } from '../../../sim/census.ts';
import { PIPELINE } from '../../../sim/step.ts';
import { isPoor, neighbourhood, updatePovertyLine } from '../../../sim/subsystems/neighbourhood.ts';
import type { World } from '../../../sim/world.ts';
import { createTracker } from '../../../sim/world.ts';
import { smallWorld } from '../helpers.ts';

const FIELDS = ['households', 'poor', 'unemployed', 'labourForce', 'incomeSum', 'logIncomeSum', 'residenceSum', 'tiesSum'] as const;

function snapshot(w: World): { cells: number[][]; meanIncome: number; unemploymentRate: number } {
  return {
    cells: FIELDS.map((f) => Array.from(w.cells[f])),
    meanIncome: w.city.meanIncome,
    unemploymentRate: w.city.unemploymentRate,
  };
}

describe('neighbourhood: one pass for poverty, ties and the census', () => {
  it('leaves the sums census() computes, the flags isPoor gives, and the exit marks', () => {
    const w = smallWorld(5);
    const h = w.households;
    // A tracker whose originals are every other housed household, marked poor at the start.
    const t = createTracker(w.cells.n, h.capacity);
    for (let s = 0; s < h.count; s += 2) if (h.alive[s] && h.cell[s]! >= 0) t.startPoor[s] = 1;
    w.trackers.push(t);
    // Some of the run's own originals too.
    for (let s = 1; s < h.count; s += 3) if (h.alive[s] && h.cell[s]! >= 0) h.startPoor[s] = 1;
    let yearEnds = 0;
    for (let q = 0; q < 6; q++) {
      // Every step before the neighbourhood's (it is the last), then the neighbourhood step.
      if (w.city.tick % 4 === 0) updatePovertyLine(w);
      for (const sub of PIPELINE) if (sub !== neighbourhood) sub.step(w);
      const exitedBefore = Uint8Array.from(h.exitedPoverty.subarray(0, h.count));
      const trackerBefore = Uint8Array.from(t.exitedPoverty.subarray(0, h.count));
      neighbourhood.step(w);
      const fused = snapshot(w);
      census(w);
      expect(fused).toEqual(snapshot(w));
      const yearEnd = w.city.tick % 4 === 3;
      if (yearEnd) yearEnds++;
      for (let s = 0; s < h.count; s++) {
        if (!h.alive[s]) continue;
        expect(h.poor[s]).toBe(isPoor(w, s));
        const out = yearEnd && !h.poor[s];
        expect(h.exitedPoverty[s]).toBe(out && h.startPoor[s] ? 1 : exitedBefore[s]);
        expect(t.exitedPoverty[s]).toBe(out && t.startPoor[s] ? 1 : trackerBefore[s]);
      }
      w.city.tick++;
    }
    expect(yearEnds).toBeGreaterThan(0);
    expect(t.exitedPoverty.some((x) => x === 1)).toBe(true);
  });
});
