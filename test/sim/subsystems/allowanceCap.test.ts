/**
 * The allowance cap sorts cells by packed rent keys instead of calling weightedQuantile's
 * comparator; both must give the same cap, bit for bit, ties in rent and empty cells included.
 */
import { describe, expect, it } from 'vitest';
import { weightedQuantile } from '../../../sim/stats.ts';
import { updateAllowanceCap } from '../../../sim/subsystems/housing.ts';
import { smallWorld } from '../helpers.ts';

describe('allowance cap', () => {
  it('equals the weighted quantile of market rents over market units', () => {
    const w = smallWorld(5);
    const c = w.cells;
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < c.n; k++) {
        // Few distinct rents in some rounds, so that many cells tie.
        c.rent[k] = round % 2 === 0 ? 200 + Math.floor(rand() * 6) * 50 : 100 + rand() * 2000;
        c.units[k] = Math.floor(rand() * 300);
        c.social[k] = Math.floor(rand() * 1.2 * c.units[k]!);
      }
      const q = [0, 0.3, 0.5, 1][round % 4]!;
      (w.config.economy as { housingAllowanceCap: number }).housingAllowanceCap = q;
      const market = new Float64Array(c.n);
      for (let k = 0; k < c.n; k++) market[k] = Math.max(0, c.units[k]! - c.social[k]!);
      updateAllowanceCap(w);
      expect(Object.is(w.city.allowanceCap, weightedQuantile(c.rent, market, c.n, q))).toBe(true);
    }
  });

  it('is NaN with no market homes, as the weighted quantile is', () => {
    const w = smallWorld(6);
    w.cells.social.set(w.cells.units);
    updateAllowanceCap(w);
    expect(w.city.allowanceCap).toBeNaN();
  });
});
