/**
 * The social allocation's sort (sortByKey): the same order as Array.prototype.sort with the
 * comparator it replaces, key[a] − key[b] || a − b, on sizes around its run length and with many
 * equal keys.
 */
import { describe, expect, it } from 'vitest';
import { sortByKey } from '../../../sim/subsystems/mobility.ts';

/** A small deterministic generator (mulberry32), so that the cases are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sortByKey', () => {
  for (const n of [0, 1, 2, 15, 16, 17, 31, 33, 100, 257, 1000, 4099]) {
    for (const distinct of [3, 1e9]) {
      it(`orders ${n} items (${distinct === 3 ? 'few' : 'distinct'} keys) as the comparator sort does`, () => {
        const next = generator(n * 7 + distinct);
        const universe = n * 3 + 5;
        const key = new Float64Array(universe);
        for (let i = 0; i < universe; i++) key[i] = 1000 + Math.floor(next() * distinct) * 0.37;
        // Distinct items in no order, drawn from the universe.
        const pool = Array.from({ length: universe }, (_, i) => i);
        for (let i = universe - 1; i > 0; i--) {
          const j = Math.floor(next() * (i + 1));
          [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        }
        const chosen = pool.slice(0, n);
        const expected = [...chosen].sort((a, b) => key[a]! - key[b]! || a - b);
        const items = new Int32Array(n + 3).fill(-7);
        items.set(chosen);
        sortByKey(items, n, key, new Int32Array(n));
        expect(Array.from(items.subarray(0, n))).toEqual(expected);
        expect(Array.from(items.subarray(n))).toEqual([-7, -7, -7]);
      });
    }
  }
});
