import { describe, expect, it } from 'vitest';
import { exponentialTransform, mostDeprived } from '../../../sim/metrics/deprivation.ts';

/** A small deterministic generator (tests only). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The orders as first written: a number[] sorted with a closure. */
function referenceTransform(scores: Float64Array, include: Uint8Array): Float64Array {
  const idx: number[] = [];
  for (let k = 0; k < scores.length; k++) if (include[k]) idx.push(k);
  idx.sort((a, b) => scores[a]! - scores[b]! || a - b);
  const out = new Float64Array(scores.length);
  const m = idx.length;
  const c = 1 - Math.exp(-100 / 23);
  for (let r = 0; r < m; r++) out[idx[r]!] = -23 * Math.log(1 - ((r + 1) / m) * c);
  return out;
}

function referenceDeprived(index: Float64Array, households: Int32Array, share: number): Uint8Array {
  const idx: number[] = [];
  for (let k = 0; k < index.length; k++) if (households[k]! > 0) idx.push(k);
  idx.sort((a, b) => index[b]! - index[a]! || a - b);
  const mask = new Uint8Array(index.length);
  const take = Math.max(1, Math.round(share * idx.length));
  for (let r = 0; r < take && r < idx.length; r++) mask[idx[r]!] = 1;
  return mask;
}

/** Scores with many ties, signed zeros, sorted and reversed runs. */
function layer(n: number, seed: number, kind: number): { scores: Float64Array; include: Uint8Array; households: Int32Array } {
  const r = lcg(seed);
  const scores = new Float64Array(n);
  const include = new Uint8Array(n);
  const households = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const u = r();
    scores[k] = kind === 0 ? Math.floor(u * 5) / 4 : kind === 1 ? k : kind === 2 ? n - k : kind === 3 ? (u < 0.5 ? -0 : 0) : u;
    include[k] = r() < 0.8 ? 1 : 0;
    households[k] = include[k] ? 1 + Math.floor(r() * 40) : 0;
  }
  return { scores, include, households };
}

describe('exponentialTransform and mostDeprived', () => {
  it('give exactly the values of the closure sort, ties broken by index', () => {
    for (const n of [0, 1, 2, 3, 17, 100, 1024, 3000]) {
      for (let kind = 0; kind < 5; kind++) {
        const { scores, include, households } = layer(n, 7 * n + kind, kind);
        expect(Array.from(exponentialTransform(scores, include))).toEqual(Array.from(referenceTransform(scores, include)));
        expect(Array.from(mostDeprived(scores, households, 0.1))).toEqual(Array.from(referenceDeprived(scores, households, 0.1)));
      }
    }
  });

  it('keep the closure sort when a score is NaN', () => {
    const { scores, include, households } = layer(200, 3, 4);
    scores[10] = NaN;
    scores[50] = NaN;
    expect(Array.from(exponentialTransform(scores, include))).toEqual(Array.from(referenceTransform(scores, include)));
    expect(Array.from(mostDeprived(scores, households, 0.1))).toEqual(Array.from(referenceDeprived(scores, households, 0.1)));
  });
});
