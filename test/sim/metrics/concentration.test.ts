import { describe, expect, it } from 'vitest';
import { createGridGeography } from '../../../sim/geography.ts';
import {
  concentratedPovertyShare,
  dissimilarity,
  gini,
  isolation,
  lisaHotspots,
  median,
  moransI,
  quantile,
} from '../../../sim/metrics/concentration.ts';
import { createRng, shuffle } from '../../../sim/rng.ts';
import { weightedQuantile } from '../../../sim/stats.ts';

describe('dissimilarity', () => {
  it('is 0 when every cell has the same poverty rate', () => {
    expect(dissimilarity([2, 4, 6], [10, 20, 30])).toBeCloseTo(0, 12);
  });

  it('is 1 when the poor and the non-poor share no cell', () => {
    expect(dissimilarity([5, 5, 0, 0], [5, 5, 10, 3])).toBeCloseTo(1, 12);
  });

  it('matches a hand-computed 3-cell example', () => {
    // poor (10, 5, 0), non-poor (10, 10, 15): P = 15, T − P = 35.
    // ½ (|2/3 − 2/7| + |1/3 − 2/7| + |0 − 3/7|) = ½ (8/21 + 1/21 + 9/21) = 3/7.
    expect(dissimilarity([10, 5, 0], [20, 15, 15])).toBeCloseTo(3 / 7, 12);
  });

  it('is 0 when nobody or everybody is poor, and accepts typed arrays', () => {
    expect(dissimilarity(new Float32Array([0, 0]), new Float32Array([3, 4]))).toBe(0);
    expect(dissimilarity(new Int32Array([3, 4]), new Int32Array([3, 4]))).toBe(0);
  });

  it('rejects arrays of different lengths', () => {
    expect(() => dissimilarity([1, 2], [3, 4, 5])).toThrow(RangeError);
  });
});

describe('isolation', () => {
  it('equals the overall poverty share when the poor are evenly spread', () => {
    expect(isolation([2, 4, 6], [10, 20, 30])).toBeCloseTo(12 / 60, 12);
  });

  it('is 1 when the poor live only among themselves', () => {
    expect(isolation([5, 5, 0, 0], [5, 5, 10, 3])).toBeCloseTo(1, 12);
  });

  it('matches a hand-computed example and skips empty cells', () => {
    // (10/15)(10/20) + (5/15)(5/15) = 1/3 + 1/9 = 4/9; the empty cell adds nothing.
    expect(isolation([10, 5, 0, 0], [20, 15, 15, 0])).toBeCloseTo(4 / 9, 12);
    expect(isolation([0, 0], [4, 0])).toBe(0);
  });
});

describe('concentratedPovertyShare', () => {
  // Rates 0.4, 0.2, 0.6 and an empty cell; P = 9.
  const poor = [2, 1, 6, 0];
  const total = [5, 5, 10, 0];

  it('counts a cell whose rate equals the threshold', () => {
    expect(concentratedPovertyShare(poor, total)).toBeCloseTo(8 / 9, 12);
    expect(concentratedPovertyShare(poor, total, 0.4)).toBeCloseTo(8 / 9, 12);
  });

  it('drops it just above the threshold', () => {
    expect(concentratedPovertyShare(poor, total, 0.41)).toBeCloseTo(6 / 9, 12);
    expect(concentratedPovertyShare(poor, total, 0.61)).toBe(0);
    expect(concentratedPovertyShare(poor, total, 0)).toBeCloseTo(1, 12);
  });

  it('is 0 without poor', () => {
    expect(concentratedPovertyShare([0, 0], [3, 0])).toBe(0);
  });
});

describe("moransI on a 4×4 rook grid", () => {
  const geo = createGridGeography(4, 4);
  const layer = (f: (r: number, c: number) => number): Float64Array => {
    const v = new Float64Array(16);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) v[r * 4 + c] = f(r, c);
    return v;
  };

  it('is −1 for a checkerboard', () => {
    // Every one of the W = 48 directed links joins z = +½ to z = −½: Σ w z z = −12, Σ z² = 4,
    // I = (16/48)(−12/4) = −1.
    expect(moransI(layer((r, c) => (r + c) % 2), geo)).toBeCloseTo(-1, 12);
  });

  it('is 2/3 for two halves', () => {
    // Left two columns 0, right two 1: z = ±½, Σ z² = 16 × ¼ = 4. Of the 24 rook adjacencies
    // (12 horizontal, 12 vertical) only the 4 between columns 1 and 2 join unlike cells, so over
    // the 48 directed links Σ w z z = 2 × (20 − 4) × ¼ = 8 and I = (16/48)(8/4) = 2/3.
    expect(moransI(layer((_r, c) => (c < 2 ? 0 : 1)), geo)).toBeCloseTo(2 / 3, 12);
  });

  it('is 0 for a constant layer, despite the rounding of its mean', () => {
    expect(moransI(new Float64Array(16).fill(0.3), geo)).toBe(0);
    expect(moransI(new Float32Array(16).fill(0.1), geo)).toBe(0);
  });

  it('averages −1/(n − 1) over random placements of the values', () => {
    const s = createRng(11).stream('t');
    const base = new Float64Array(16);
    for (let i = 0; i < 16; i++) base[i] = s.normal();
    const order = new Int32Array(16);
    for (let i = 0; i < 16; i++) order[i] = i;
    const v = new Float64Array(16);
    const reps = 4000;
    let sum = 0;
    for (let r = 0; r < reps; r++) {
      shuffle(order, 16, s);
      for (let i = 0; i < 16; i++) v[i] = base[order[i]!]!;
      sum += moransI(v, geo);
    }
    // Standard error of the mean is about 0.003 here.
    expect(Math.abs(sum / reps - -1 / 15)).toBeLessThan(0.015);
  });

  it('drops masked cells and their links', () => {
    // Masking the last column of a 4×4 grid leaves exactly a 3-wide, 4-high grid.
    const s = createRng(5).stream('t');
    const v = new Float64Array(16);
    for (let i = 0; i < 16; i++) v[i] = s.next();
    const mask = new Uint8Array(16).fill(1);
    const small = new Float64Array(12);
    for (let r = 0; r < 4; r++) {
      mask[r * 4 + 3] = 0;
      v[r * 4 + 3] = 1000; // must not matter
      for (let c = 0; c < 3; c++) small[r * 3 + c] = v[r * 4 + c]!;
    }
    expect(moransI(v, geo, mask)).toBeCloseTo(moransI(small, createGridGeography(3, 4)), 12);
  });

  it('checks lengths', () => {
    expect(() => moransI(new Float64Array(15), geo)).toThrow(RangeError);
    expect(() => moransI(new Float64Array(16), geo, new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('lisaHotspots', () => {
  const geo = createGridGeography(10, 10);
  // A 3×3 block of 1s (rows and columns 3–5) in a field of 0s.
  const block = new Float64Array(100);
  for (let r = 3; r <= 5; r++) for (let c = 3; c <= 5; c++) block[r * 10 + c] = 1;
  const inBlock = (i: number): boolean => {
    const r = Math.floor(i / 10);
    const c = i % 10;
    return r >= 3 && r <= 5 && c >= 3 && c <= 5;
  };

  it('flags the centre of a high block and nothing far from it', () => {
    const { count, hotspot } = lisaHotspots(block, geo, createRng(3).stream('lisa'));
    // Centre: all 4 neighbours high; a random draw of 4 of the other 99 cells (8 high) is all
    // high with probability C(8,4)/C(99,4) ≈ 2e-5, so p is almost surely 1/200.
    expect(hotspot[44]).toBe(1);
    expect(hotspot[0]).toBe(0);
    expect(hotspot[99]).toBe(0);
    expect(hotspot[9]).toBe(0);
    for (let i = 0; i < 100; i++) if (hotspot[i]) expect(inBlock(i)).toBe(true);
    let flagged = 0;
    for (let i = 0; i < 100; i++) flagged += hotspot[i]!;
    expect(count).toBe(flagged);
    // The four edge-centres (3 of 4 neighbours high, exact tail p ≈ 0.0014) are flagged too.
    for (const i of [34, 43, 45, 54]) expect(hotspot[i]).toBe(1);
    expect(count).toBeGreaterThanOrEqual(5);
    expect(count).toBeLessThanOrEqual(9);
  });

  it('is deterministic for a seed', () => {
    const a = lisaHotspots(block, geo, createRng(42).stream('lisa'));
    const b = lisaHotspots(block, geo, createRng(42).stream('lisa'));
    expect(b.count).toBe(a.count);
    expect(Array.from(b.hotspot)).toEqual(Array.from(a.hotspot));

    const s = createRng(9).stream('field');
    const noisy = new Float64Array(100);
    for (let i = 0; i < 100; i++) noisy[i] = block[i]! + 0.5 * s.normal();
    const c = lisaHotspots(noisy, geo, createRng(42).stream('lisa'));
    const d = lisaHotspots(noisy, geo, createRng(42).stream('lisa'));
    expect(d.count).toBe(c.count);
    expect(Array.from(d.hotspot)).toEqual(Array.from(c.hotspot));
  });

  it('finds few hotspots in a field without spatial structure', () => {
    const g = createGridGeography(20, 20);
    const s = createRng(1).stream('field');
    const v = new Float64Array(400);
    for (let i = 0; i < 400; i++) v[i] = s.normal();
    // Under the null about alpha/2 of cells are significant in the upper tail, and only part of
    // those are high-high; 10% leaves a wide margin.
    expect(lisaHotspots(v, g, createRng(1).stream('lisa')).count).toBeLessThan(40);
  });

  it('is 0 for a constant layer', () => {
    expect(lisaHotspots(new Float64Array(100).fill(2), geo, createRng(1).stream('lisa')).count).toBe(0);
    expect(lisaHotspots(new Float64Array(100).fill(0.3), geo, createRng(1).stream('lisa')).count).toBe(0);
  });

  it('never flags, tests or draws masked cells', () => {
    const mask = new Uint8Array(100).fill(1);
    mask[44] = 0;
    const v = block.slice();
    const { hotspot } = lisaHotspots(v, geo, createRng(3).stream('lisa'), 199, 0.05, mask);
    expect(hotspot[44]).toBe(0);
    // Masking everything but one cell leaves nothing to compare with.
    const one = new Uint8Array(100);
    one[44] = 1;
    expect(lisaHotspots(v, geo, createRng(3).stream('lisa'), 199, 0.05, one).count).toBe(0);
  });

  it('checks its arguments', () => {
    const s = createRng(1).stream('lisa');
    expect(() => lisaHotspots(new Float64Array(99), geo, s)).toThrow(RangeError);
    expect(() => lisaHotspots(block, geo, s, 0)).toThrow(RangeError);
    expect(() => lisaHotspots(block, geo, s, 99, 0)).toThrow(RangeError);
  });
});

describe('gini', () => {
  it('is 0 for equal values and 0.75 for (0, 0, 0, 1)', () => {
    expect(gini([3, 3, 3, 3])).toBeCloseTo(0, 12);
    // (2·4 − 4 − 1) × 1 / (4 × 1) = 3/4.
    expect(gini([0, 0, 0, 1])).toBeCloseTo(0.75, 12);
    expect(gini(new Float64Array([1, 0, 0, 0]))).toBeCloseTo(0.75, 12);
  });

  it('clamps negative incomes to 0 and reads only the first count values', () => {
    expect(gini([-5, 0, 0, 1])).toBeCloseTo(0.75, 12);
    expect(gini([0, 0, 0, 1, 100, 100], 4)).toBeCloseTo(0.75, 12);
    expect(() => gini([1, 2], 3)).toThrow(RangeError);
  });

  it('is 0 for fewer than two values or a zero total', () => {
    expect(gini([5])).toBe(0);
    expect(gini([])).toBe(0);
    expect(gini([0, 0, -1])).toBe(0);
  });

  it('matches the mean absolute difference on random data', () => {
    const s = createRng(2).stream('t');
    for (const n of [2, 7, 200, 501]) {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = Math.exp(s.normal());
      let mad = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += x[i]!;
        for (let j = 0; j < n; j++) mad += Math.abs(x[i]! - x[j]!);
      }
      const brute = mad / (2 * n * n * (sum / n));
      expect(Math.abs(gini(x) - brute)).toBeLessThan(1e-9);
    }
  });
});

describe('median and quantile', () => {
  const s = createRng(4).stream('t');
  const sortedCopy = (v: Float64Array | Float32Array, count: number): Float64Array =>
    Float64Array.from(v.subarray(0, count)).sort();
  const cases = (): Array<Float64Array | Float32Array> => {
    const out: Array<Float64Array | Float32Array> = [];
    for (const n of [1, 2, 3, 10, 1000, 1001]) {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = s.normal() * 1000;
      out.push(a);
      const ties = new Float32Array(n);
      for (let i = 0; i < n; i++) ties[i] = Math.floor(s.next() * 5);
      out.push(ties);
    }
    const up = new Float64Array(999);
    for (let i = 0; i < up.length; i++) up[i] = i;
    out.push(up, up.slice().reverse(), new Float64Array(500).fill(7));
    return out;
  };

  it('median matches a sorted copy for odd and even counts', () => {
    for (const v of cases()) {
      const before = Array.from(v);
      const sorted = sortedCopy(v, v.length);
      const n = v.length;
      const expected = n % 2 ? sorted[(n - 1) / 2]! : 0.5 * (sorted[n / 2 - 1]! + sorted[n / 2]!);
      expect(median(v)).toBe(expected);
      // The input keeps its order.
      expect(Array.from(v)).toEqual(before);
    }
  });

  it('median of the first count values, reusing a scratch array', () => {
    const scratch = new Float64Array(2000);
    for (const v of cases()) {
      const count = Math.max(1, v.length - 3);
      const sorted = sortedCopy(v, count);
      const expected = count % 2 ? sorted[(count - 1) / 2]! : 0.5 * (sorted[count / 2 - 1]! + sorted[count / 2]!);
      expect(median(v, count, scratch)).toBe(expected);
    }
    // A scratch that is too small is not used, not overrun.
    const tiny = new Float64Array(2);
    expect(median(new Float64Array([5, 1, 3, 2, 4]), 5, tiny)).toBe(3);
    expect(Array.from(tiny)).toEqual([0, 0]);
  });

  it('quantile is the order statistic of rank floor(q (n − 1))', () => {
    const scratch = new Float64Array(2000);
    for (const v of cases()) {
      for (const count of [v.length, Math.max(1, v.length - 1)]) {
        const sorted = sortedCopy(v, count);
        for (const q of [0, 0.1, 0.25, 0.5, 0.9, 0.99, 1]) {
          expect(quantile(v, count, q, scratch)).toBe(sorted[Math.floor(q * (count - 1))]!);
        }
        expect(quantile(v, count, -1)).toBe(sorted[0]!);
        expect(quantile(v, count, 2)).toBe(sorted[count - 1]!);
      }
    }
  });

  it('weighted quantile: the value below which a share q of the weight lies', () => {
    // Cheap areas with many homes pull the homes' 30th percentile below the areas' own.
    const rents = new Float64Array([3000, 9000, 4000, 12000, 10000]);
    const homes = new Float64Array([400, 50, 300, 50, 200]);
    expect(weightedQuantile(rents, homes, 5, 0.3)).toBe(3000); // 400 of 1,000 homes let at 3,000
    expect(weightedQuantile(rents, homes, 5, 0.5)).toBe(4000);
    expect(weightedQuantile(rents, homes, 5, 0.95)).toBe(10000);
    expect(weightedQuantile(rents, homes, 5, 1)).toBe(12000);
    expect(quantile(rents, 5, 0.3)).toBe(4000);
    // Equal weights give the order statistic of rank ceil(q n) − 1; zero weights are skipped.
    const ones = new Float64Array(5).fill(1);
    expect(weightedQuantile(rents, ones, 5, 0.4)).toBe(4000);
    expect(weightedQuantile(rents, new Float64Array([0, 0, 0, 0, 1]), 5, 0.1)).toBe(10000);
    expect(weightedQuantile(rents, new Float64Array(5), 5, 0.5)).toBeNaN();
    expect(() => weightedQuantile(rents, homes, 5, NaN)).toThrow(RangeError);
  });

  it('handles empty input and bad counts', () => {
    expect(median(new Float64Array(0))).toBeNaN();
    expect(quantile(new Float64Array(3), 0, 0.5)).toBeNaN();
    expect(() => median(new Float64Array(3), 4)).toThrow(RangeError);
    expect(() => quantile(new Float64Array(3), 2, NaN)).toThrow(RangeError);
  });
});
