/**
 * Parameter designs: which scenario values each design point takes.
 *
 * - factorial: every combination of listed values (BehaviorSpace's "vary variables").
 * - lhs: a Latin hypercube (McKay, Beckman & Conover 1979): each range cut into `samples` equal
 *   strata, one point per stratum of every parameter, strata paired by random permutations.
 * - morris: one-at-a-time trajectories on a p-level grid (Morris 1991, with Campolongo, Cariboni &
 *   Saltelli 2007's μ*): each trajectory moves every parameter once by Δ = p / (2(p − 1)).
 * - sobol: Saltelli's (2010) scheme: two independent sample matrices A and B (N × k) and, for each
 *   parameter i, A with column i taken from B (AB_i); N (k + 2) points. The base samples are
 *   pseudo-random (seeded), not a low-discrepancy sequence.
 *
 * Sampled designs draw from a stream seeded by the master seed, so a spec always expands to the
 * same points. Parameters are taken in sorted order, so the order a file lists them in does not
 * change the points. Values of integer fields are rounded to the nearest integer.
 */
import seedrandom from 'seedrandom';
import { ConfigError } from '../../sim/config/load.ts';
import { isIntegerField, type DesignSpec } from './spec.ts';

export type Scalar = number | string | boolean;

/** A design point: its number, what the design says it is, and the parameter values. */
export interface DesignPoint {
  point: number;
  /** 'base' | 'factorial' | 'lhs' | 'morris' | 'A' | 'B' | 'AB'. */
  role: string;
  /** LHS sample, Morris trajectory or Sobol base sample it belongs to (null for base/factorial). */
  sample: number | null;
  /** Morris: the parameter moved from the previous point; Sobol AB: the column taken from B. */
  parameter: string | null;
  values: Record<string, Scalar>;
}

/** The design's random stream: seedrandom's Alea, keyed by the master seed. */
export function designRng(master: number, what = 'design'): () => number {
  return seedrandom.alea(`${master}:${what}`);
}

function permutation(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Maps u in [0, 1] onto a range, rounding for integer fields. */
function scale([lo, hi]: readonly [number, number], u: number, integer: boolean): number {
  const x = lo + u * (hi - lo);
  return integer ? Math.round(x) : x;
}

export function expandDesign(design: DesignSpec | undefined, master: number, source: string): DesignPoint[] {
  if (!design) return [{ point: 0, role: 'base', sample: null, parameter: null, values: {} }];
  const names = Object.keys(design.parameters).sort();
  const points: DesignPoint[] = [];
  const push = (role: string, sample: number | null, parameter: string | null, values: Record<string, Scalar>) =>
    points.push({ point: points.length, role, sample, parameter, values });

  if (design.type === 'factorial') {
    const lists = names.map((n) => design.parameters[n]!);
    const total = lists.reduce((a, l) => a * l.length, 1);
    if (total > 1_000_000) {
      throw new ConfigError(`${source}: field "design.parameters": the factorial design has ${total} points; at most 1,000,000.`, 'design.parameters');
    }
    // The last parameter varies fastest, as in nested loops over the sorted names.
    for (let i = 0; i < total; i++) {
      const values: Record<string, Scalar> = {};
      let rest = i;
      for (let j = names.length - 1; j >= 0; j--) {
        const l = lists[j]!;
        values[names[j]!] = l[rest % l.length]!;
        rest = Math.floor(rest / l.length);
      }
      push('factorial', null, null, values);
    }
    return points;
  }

  const ranges = names.map((n) => design.parameters[n] as [number, number]);
  const integer = names.map((n) => isIntegerField(n));
  const rand = designRng(master);

  if (design.type === 'lhs') {
    const n = design.samples;
    const perms = names.map(() => permutation(n, rand));
    for (let s = 0; s < n; s++) {
      const values: Record<string, Scalar> = {};
      names.forEach((name, j) => {
        values[name] = scale(ranges[j]!, (perms[j]![s]! + rand()) / n, integer[j]!);
      });
      push('lhs', s, null, values);
    }
    return points;
  }

  if (design.type === 'morris') {
    const p = design.levels;
    const delta = p / (2 * (p - 1));
    // Base levels x such that x + Δ stays in [0, 1].
    const baseLevels = Array.from({ length: p }, (_, i) => i / (p - 1)).filter((x) => x + delta <= 1 + 1e-12);
    for (let t = 0; t < design.trajectories; t++) {
      const x = names.map(() => baseLevels[Math.floor(rand() * baseLevels.length)]!);
      const up = names.map(() => rand() < 0.5);
      // A parameter that moves down starts one step up, so every point stays on the grid.
      const cur = x.map((v, j) => (up[j] ? v : v + delta));
      const values = () => Object.fromEntries(names.map((name, j) => [name, scale(ranges[j]!, cur[j]!, integer[j]!)]));
      push('morris', t, null, values());
      for (const j of permutation(names.length, rand)) {
        cur[j] = up[j] ? cur[j]! + delta : cur[j]! - delta;
        push('morris', t, names[j]!, values());
      }
    }
    return points;
  }

  // sobol
  const n = design.samples;
  const k = names.length;
  for (let s = 0; s < n; s++) {
    const a = names.map(() => rand());
    const b = names.map(() => rand());
    const at = (u: number[]) => Object.fromEntries(names.map((name, j) => [name, scale(ranges[j]!, u[j]!, integer[j]!)]));
    push('A', s, null, at(a));
    push('B', s, null, at(b));
    for (let i = 0; i < k; i++) push('AB', s, names[i]!, at(a.map((v, j) => (j === i ? b[j]! : v))));
  }
  return points;
}
