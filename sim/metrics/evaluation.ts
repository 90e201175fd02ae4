/**
 * An evaluation in the manner of the New Deal for Communities national evaluation (Batty et al.
 * 2010, "The New Deal for Communities Experience: A final assessment", DCLG): change in the target
 * minus change in matched comparison areas (difference in differences) on core indicators across
 * the domains the study names — economy and worklessness, education, health, crime, community,
 * housing and the physical environment — from the programme's start to its end, replicated over
 * seeds. An indicator is "better" when its mean difference goes the desirable way and
 * "significant" when its 95% interval excludes zero.
 */
import type { YearFrame } from '../types.ts';

export interface Indicator {
  name: string;
  domain: 'economy' | 'education' | 'health' | 'crime' | 'community' | 'housing' | 'environment';
  /** +1 when a rise is an improvement, −1 when a fall is. */
  direction: 1 | -1;
}

/** Fifteen core indicators, each a region metric of the target and comparison areas. */
export const INDICATORS: readonly Indicator[] = [
  { name: 'povertyRate', domain: 'economy', direction: -1 },
  { name: 'unemploymentRate', domain: 'economy', direction: -1 },
  { name: 'medianIncome', domain: 'economy', direction: 1 },
  { name: 'jobs', domain: 'economy', direction: 1 },
  { name: 'firms', domain: 'economy', direction: 1 },
  { name: 'meanSkill', domain: 'education', direction: 1 },
  { name: 'childAttainment', domain: 'education', direction: 1 },
  { name: 'health', domain: 'health', direction: 1 },
  { name: 'crime', domain: 'crime', direction: -1 },
  { name: 'cohesion', domain: 'community', direction: 1 },
  { name: 'turnover', domain: 'community', direction: -1 },
  { name: 'housingQuality', domain: 'housing', direction: 1 },
  { name: 'rentBurden', domain: 'housing', direction: -1 },
  { name: 'forcedMoves', domain: 'housing', direction: -1 },
  { name: 'environment', domain: 'environment', direction: 1 },
];

/** One run's difference in differences per indicator: (target end − start) − (comparison end − start). */
export function runDid(baseline: Omit<YearFrame, 'year'> | null, end: Omit<YearFrame, 'year'>): Record<string, number> | null {
  if (!baseline?.target || !baseline.comparison || !end.target || !end.comparison) return null;
  const out: Record<string, number> = {};
  for (const ind of INDICATORS) {
    // Counts (jobs, firms, forced moves) are compared per household so that areas of different size compare.
    const per = ind.name === 'jobs' || ind.name === 'firms' || ind.name === 'forcedMoves';
    const v = (f: Record<string, number>): number => (per ? (f[ind.name] ?? 0) / Math.max(1, f.households ?? 1) : (f[ind.name] ?? 0));
    out[ind.name] = v(end.target) - v(baseline.target) - (v(end.comparison) - v(baseline.comparison));
  }
  return out;
}

export interface EvaluationRow {
  name: string;
  domain: string;
  did: number;
  lo: number;
  hi: number;
  better: boolean;
  significant: boolean;
}

export interface Evaluation {
  indicators: EvaluationRow[];
  better: number;
  significant: number;
  total: number;
}

/** Student t quantile (two-sided 95%) for df degrees of freedom (normal beyond 30). */
export function t95(df: number): number {
  const table = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.2, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.1, 2.09, 2.09,
    2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04];
  return df <= 0 ? NaN : df <= table.length ? table[df - 1]! : 1.96;
}

/** Mean and 95% interval (t) of a sample. */
export function meanInterval(xs: readonly number[]): { mean: number; lo: number; hi: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lo: mean, hi: mean };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  return { mean, lo: mean - half, hi: mean + half };
}

/** Aggregates runs' differences in differences into "better on X of N, Y significant". */
export function evaluate(runs: readonly Record<string, number>[]): Evaluation {
  const indicators: EvaluationRow[] = INDICATORS.map((ind) => {
    const { mean, lo, hi } = meanInterval(runs.map((r) => r[ind.name] ?? 0));
    const better = mean * ind.direction > 0;
    const significant = better && (lo > 0 || hi < 0);
    return { name: ind.name, domain: ind.domain, did: mean, lo, hi, better, significant };
  });
  return {
    indicators,
    better: indicators.filter((r) => r.better).length,
    significant: indicators.filter((r) => r.significant).length,
    total: indicators.length,
  };
}
