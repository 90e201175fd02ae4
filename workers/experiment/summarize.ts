/**
 * `regensim summarize`: what an experiment's store says, from the final year of its runs.
 *
 * - Per policy × design point, over the replications (seeds): mean, sd and 95% interval (t) of
 *   every kept metric.
 * - Paired differences against `none` at the same design point and seed (common random numbers).
 *   Region metrics are paired only when both runs drew their target by the same rule (the
 *   `target_rule` of the runs table); otherwise only city-wide metrics are compared.
 * - Morris (Campolongo et al. 2007): μ*, μ and σ of the elementary effects of each parameter,
 *   per unit of its range, with the seed noise of an elementary effect beside them.
 * - Sobol: first-order (Saltelli et al. 2010) and total (Jansen 1999) indices with seeded
 *   bootstrap intervals (percentile, over base samples).
 *
 * Outputs of the sensitivity analyses are the design point's mean over replications, so seed noise
 * is averaged down; its remaining share of the variance between points is reported, and every
 * index that cannot be told from zero gets a plain-language note.
 */
import { ConfigError } from '../../sim/config/load.ts';
import { meanInterval } from '../../sim/metrics/evaluation.ts';
import { designRng } from './design.ts';
import type { ExperimentSpec } from './spec.ts';
import { closeStore, countRuns, manifestOf, openStore, type StoreCounts } from './store.ts';

export interface Stat {
  n: number;
  mean: number;
  sd: number | null;
  lo: number;
  hi: number;
}

export interface Cell {
  policy: string;
  point: number;
  values: Record<string, number | string | boolean>;
  runs: number;
  metrics: Record<string, Stat>;
}

export interface PairedCell {
  policy: string;
  point: number;
  pairs: number;
  /** 'all' when both runs drew the same target; 'city' when only city-wide metrics compare. */
  regions: 'all' | 'city';
  metrics: Record<string, Stat>;
}

export interface MorrisRow {
  parameter: string;
  effects: number;
  muStar: number;
  mu: number;
  sigma: number | null;
  /** Typical size of an elementary effect made by seed noise alone (null with one replication). */
  noise: number | null;
  distinguishable: boolean | null;
}

export interface Index {
  estimate: number;
  lo: number;
  hi: number;
}

export interface SobolRow {
  parameter: string;
  first: Index;
  total: Index;
}

export interface Sensitivity {
  policy: string;
  output: string;
  method: 'morris' | 'sobol';
  /** Variance of the point means, and the part of it seed noise explains (null with one replication). */
  variance: number;
  noiseShare: number | null;
  /** Sobol: whether the indices had the seed noise taken out (needs two or more replications). */
  noiseCorrected: boolean;
  samples: number;
  morris?: MorrisRow[];
  sobol?: SobolRow[];
  notes: string[];
}

export interface Summary {
  name: string;
  specHash: string;
  years: number;
  design: string;
  parameters: string[];
  replications: number;
  runs: StoreCounts;
  outputs: string[];
  cells: Cell[];
  vsNone: PairedCell[];
  sensitivity: Sensitivity[];
  notes: string[];
}

function stat(xs: readonly number[]): Stat {
  const { mean, lo, hi } = meanInterval(xs);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : null;
  return { n: xs.length, mean, sd, lo, hi };
}

const variance = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : Number.isInteger(v) || Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(digits);

interface RunRow {
  run: number;
  point: number;
  policy: string;
  replication: number;
  target_rule: string | null;
}

export function summarize(dir: string): Summary {
  const db = openStore(dir, true);
  try {
    const manifest = manifestOf(db);
    const spec = JSON.parse(manifest.spec!) as ExperimentSpec;
    const years = Number(manifest.years);
    const counts = countRuns(db);
    if (counts.done === 0) throw new ConfigError(`${dir}: no finished run to summarize (${counts.pending} pending, ${counts.failed} failed).`, dir);
    const runs = db.prepare("SELECT run, point, policy, replication, target_rule FROM runs WHERE status = 'done'").all() as RunRow[];
    const byRun = new Map(runs.map((r) => [r.run, r]));
    // Final-year values, run → "region.metric" → value.
    const values = new Map<number, Map<string, number>>();
    for (const row of db.prepare('SELECT run, region, metric, value FROM metrics WHERE year = ? AND value IS NOT NULL ORDER BY run, region, metric').iterate(years) as Iterable<{
      run: number;
      region: string;
      metric: string;
      value: number;
    }>) {
      if (!byRun.has(row.run)) continue;
      let m = values.get(row.run);
      if (!m) values.set(row.run, (m = new Map()));
      m.set(`${row.region}.${row.metric}`, row.value);
    }
    const pointValues = new Map<number, Record<string, number | string | boolean>>();
    for (const p of db.prepare('SELECT point, parameter, label FROM parameters ORDER BY point, parameter').iterate() as Iterable<{ point: number; parameter: string; label: string }>) {
      let o = pointValues.get(p.point);
      if (!o) pointValues.set(p.point, (o = {}));
      o[p.parameter] = JSON.parse(p.label) as number | string | boolean;
    }
    const points = db.prepare('SELECT point, role, sample, parameter FROM points ORDER BY point').all() as {
      point: number;
      role: string;
      sample: number | null;
      parameter: string | null;
    }[];

    // Group: policy → point → runs (by replication order).
    const groups = new Map<string, Map<number, RunRow[]>>();
    for (const r of [...runs].sort((a, b) => a.run - b.run)) {
      let g = groups.get(r.policy);
      if (!g) groups.set(r.policy, (g = new Map()));
      let l = g.get(r.point);
      if (!l) g.set(r.point, (l = []));
      l.push(r);
    }
    const policies = spec.policies.filter((p) => groups.has(p));

    const cells: Cell[] = [];
    for (const policy of policies) {
      for (const [point, rs] of [...groups.get(policy)!].sort((a, b) => a[0] - b[0])) {
        const keys = new Set<string>();
        for (const r of rs) for (const k of values.get(r.run)?.keys() ?? []) keys.add(k);
        const metrics: Record<string, Stat> = {};
        for (const k of [...keys].sort()) {
          const xs = rs.map((r) => values.get(r.run)?.get(k)).filter((v): v is number => v !== undefined);
          metrics[k] = stat(xs);
        }
        cells.push({ policy, point, values: pointValues.get(point) ?? {}, runs: rs.length, metrics });
      }
    }

    const vsNone: PairedCell[] = [];
    const none = groups.get('none');
    if (none) {
      for (const policy of policies.filter((p) => p !== 'none')) {
        for (const [point, rs] of [...groups.get(policy)!].sort((a, b) => a[0] - b[0])) {
          const counter = new Map((none.get(point) ?? []).map((r) => [r.replication, r]));
          const pairs = rs.filter((r) => counter.has(r.replication)).map((r) => [r, counter.get(r.replication)!] as const);
          if (!pairs.length) continue;
          const same = pairs.every(([a, b]) => a.target_rule === b.target_rule);
          const keys = new Set<string>();
          for (const [a] of pairs) for (const k of values.get(a.run)?.keys() ?? []) if (same || k.startsWith('city.')) keys.add(k);
          const metrics: Record<string, Stat> = {};
          for (const k of [...keys].sort()) {
            const d: number[] = [];
            for (const [a, b] of pairs) {
              const x = values.get(a.run)?.get(k);
              const y = values.get(b.run)?.get(k);
              if (x !== undefined && y !== undefined) d.push(x - y);
            }
            if (d.length) metrics[k] = stat(d);
          }
          vsNone.push({ policy, point, pairs: pairs.length, regions: same ? 'all' : 'city', metrics });
        }
      }
    }

    const sensitivity: Sensitivity[] = [];
    const design = spec.design;
    if (design && (design.type === 'morris' || design.type === 'sobol')) {
      const names = Object.keys(design.parameters).sort();
      for (const policy of policies) {
        for (const output of spec.outputs) {
          const perPoint = new Map<number, number[]>();
          for (const [point, rs] of groups.get(policy)!) {
            const xs = rs.map((r) => values.get(r.run)?.get(output)).filter((v): v is number => v !== undefined);
            if (xs.length) perPoint.set(point, xs);
          }
          if (perPoint.size < 2) continue;
          const f = new Map([...perPoint].map(([p, xs]) => [p, xs.reduce((a, b) => a + b, 0) / xs.length]));
          const within = [...perPoint.values()].filter((xs) => xs.length > 1).map(variance);
          const reps = spec.seeds.replications;
          const noiseVar = within.length ? within.reduce((a, b) => a + b, 0) / within.length / reps : null;
          const all = [...f.values()];
          const v = all.length > 1 ? variance(all) : 0;
          const s: Sensitivity = {
            policy,
            output,
            method: design.type,
            variance: v,
            noiseShare: noiseVar !== null && v > 0 ? Math.min(1, noiseVar / v) : null,
            noiseCorrected: design.type === 'sobol' && noiseVar !== null,
            samples: 0,
            notes: [],
          };
          if (design.type === 'morris') s.morris = morris(points, pointValues, f, names, design.parameters as Record<string, [number, number]>, noiseVar, s);
          else s.sobol = sobol(points, f, names, design.bootstrap, spec.seeds.master, noiseVar, s);
          if (s.noiseShare !== null && s.noiseShare > 0.5) {
            s.notes.push(
              `${policy}, ${output}: seed noise explains about ${(s.noiseShare * 100).toFixed(0)}% of the variance between design points; ` +
                'the indices mostly measure noise: add replications.',
            );
          }
          sensitivity.push(s);
        }
      }
    }

    const notes: string[] = [];
    if (counts.pending) notes.push(`${counts.pending} of ${counts.total} runs have not run yet: the figures cover the finished ones.`);
    if (counts.failed) notes.push(`${counts.failed} runs failed and are left out (see the runs table's error column).`);
    if (spec.seeds.replications < 2) notes.push('One replication per point: no interval over seeds, and seed noise cannot be told from parameter effects.');
    return {
      name: manifest.name ?? '',
      specHash: manifest.specHash ?? '',
      years,
      design: design?.type ?? 'none',
      parameters: design ? Object.keys(design.parameters).sort() : [],
      replications: spec.seeds.replications,
      runs: counts,
      outputs: spec.outputs,
      cells,
      vsNone,
      sensitivity,
      notes: [...notes, ...sensitivity.flatMap((s) => s.notes)],
    };
  } finally {
    closeStore(db);
  }
}

type PointRow = { point: number; role: string; sample: number | null; parameter: string | null };

function morris(
  points: readonly PointRow[],
  pointValues: Map<number, Record<string, number | string | boolean>>,
  f: Map<number, number>,
  names: readonly string[],
  ranges: Record<string, [number, number]>,
  noiseVar: number | null,
  s: Sensitivity,
): MorrisRow[] {
  const effects = new Map<string, { ee: number; dx: number }[]>(names.map((n) => [n, []]));
  for (let i = 1; i < points.length; i++) {
    const cur = points[i]!;
    const prev = points[i - 1]!;
    if (!cur.parameter || prev.sample !== cur.sample) continue;
    const y1 = f.get(cur.point);
    const y0 = f.get(prev.point);
    if (y1 === undefined || y0 === undefined) continue;
    const [lo, hi] = ranges[cur.parameter]!;
    const dx = ((pointValues.get(cur.point)![cur.parameter] as number) - (pointValues.get(prev.point)![cur.parameter] as number)) / (hi - lo);
    // Rounding an integer field can cancel a step; such a pair says nothing.
    if (dx === 0) continue;
    effects.get(cur.parameter)!.push({ ee: (y1 - y0) / dx, dx });
  }
  s.samples = Math.max(0, ...[...effects.values()].map((e) => e.length));
  return names.map((parameter) => {
    const e = effects.get(parameter)!;
    const ees = e.map((x) => x.ee);
    const n = ees.length;
    const mu = n ? ees.reduce((a, b) => a + b, 0) / n : NaN;
    const muStar = n ? ees.reduce((a, b) => a + Math.abs(b), 0) / n : NaN;
    const sigma = n > 1 ? Math.sqrt(variance(ees)) : null;
    // An elementary effect is a difference of two point means over a step: seed noise alone gives it
    // a standard deviation of sqrt(2 · noise variance) / |step|.
    const noise = noiseVar !== null && n ? e.reduce((a, x) => a + Math.sqrt(2 * noiseVar) / Math.abs(x.dx), 0) / n : null;
    const distinguishable = noise === null || !n ? null : muStar > 2 * noise;
    if (distinguishable === false) {
      s.notes.push(
        `${s.policy}, ${s.output}: the effect of ${parameter} (μ* ${fmt(muStar)}) is within twice the seed noise of an elementary effect ` +
          `(${fmt(noise)}): not distinguishable from zero with these trajectories and replications.`,
      );
    }
    return { parameter, effects: n, muStar, mu, sigma, noise, distinguishable };
  });
}

/**
 * Saltelli's first-order and Jansen's total estimators. A point's output is a mean over seeds, so
 * it carries seed noise of variance `noiseVar` (within-point variance / replications). Noise
 * inflates the variance between points and adds 2 · noiseVar to every (f(A) − f(AB_i))², so
 * without a correction a parameter that does nothing would show a total index of about the noise
 * share. With two or more replications both are corrected: V − noiseVar in the denominators and
 * noiseVar taken off the total estimator's mean square; with one replication they cannot be.
 */
function sobol(
  points: readonly PointRow[],
  f: Map<number, number>,
  names: readonly string[],
  bootstrap: number,
  master: number,
  noiseVar: number | null,
  s: Sensitivity,
): SobolRow[] {
  const noise = noiseVar ?? 0;
  // Base samples with every point present: A, B and each AB_i.
  const bySample = new Map<number, { a?: number; b?: number; ab: Map<string, number> }>();
  for (const p of points) {
    if (p.sample === null) continue;
    let e = bySample.get(p.sample);
    if (!e) bySample.set(p.sample, (e = { ab: new Map() }));
    const y = f.get(p.point);
    if (y === undefined) continue;
    if (p.role === 'A') e.a = y;
    else if (p.role === 'B') e.b = y;
    else if (p.role === 'AB' && p.parameter) e.ab.set(p.parameter, y);
  }
  const rows = [...bySample.values()].filter((e) => e.a !== undefined && e.b !== undefined && names.every((n) => e.ab.has(n)));
  s.samples = rows.length;
  const indices = (idx: readonly number[]) => {
    // Centred on the mean of A and B (as SALib does): the first-order estimator multiplies f(B)
    // by a difference, and an uncentred f(B) only adds variance to it.
    const raw = idx.flatMap((j) => [rows[j]!.a!, rows[j]!.b!]);
    const centre = raw.reduce((a, b) => a + b, 0) / raw.length;
    const fa = idx.map((j) => rows[j]!.a! - centre);
    const fb = idx.map((j) => rows[j]!.b! - centre);
    const v = variance([...fa, ...fb]) - noise;
    return names.map((name) => {
      let first = 0;
      let total = 0;
      idx.forEach((j, t) => {
        const fab = rows[j]!.ab.get(name)! - centre;
        first += fb[t]! * (fab - fa[t]!);
        total += (fa[t]! - fab) ** 2;
      });
      const n = idx.length;
      return v > 0 ? { first: first / n / v, total: (total / (2 * n) - noise) / v } : { first: NaN, total: NaN };
    });
  };
  const n = rows.length;
  if (n < 2) {
    s.notes.push(`${s.policy}, ${s.output}: fewer than two complete base samples; no Sobol indices.`);
    return [];
  }
  const point = indices(rows.map((_, j) => j));
  const rand = designRng(master, 'bootstrap');
  const boots = names.map(() => ({ first: [] as number[], total: [] as number[] }));
  for (let b = 0; b < bootstrap; b++) {
    const idx = Array.from({ length: n }, () => Math.floor(rand() * n));
    indices(idx).forEach((r, i) => {
      if (Number.isFinite(r.first)) boots[i]!.first.push(r.first);
      if (Number.isFinite(r.total)) boots[i]!.total.push(r.total);
    });
  }
  const pct = (xs: number[], q: number) => {
    if (!xs.length) return NaN;
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
  };
  return names.map((parameter, i) => {
    const first: Index = { estimate: point[i]!.first, lo: pct(boots[i]!.first, 0.025), hi: pct(boots[i]!.first, 0.975) };
    const total: Index = { estimate: point[i]!.total, lo: pct(boots[i]!.total, 0.025), hi: pct(boots[i]!.total, 0.975) };
    if (!(total.lo > 0)) {
      s.notes.push(
        `${s.policy}, ${s.output}: ${parameter} has a total index of ${fmt(total.estimate)} [${fmt(total.lo)}, ${fmt(total.hi)}]: ` +
          `not distinguishable from zero with ${n} base samples; it may not matter for this output, or the design is too small to tell.`,
      );
    } else if (!(first.lo > 0)) {
      s.notes.push(
        `${s.policy}, ${s.output}: ${parameter}'s first-order index ${fmt(first.estimate)} [${fmt(first.lo)}, ${fmt(first.hi)}] ` +
          'is not distinguishable from zero: what it does, it does through interactions (its total index is above zero).',
      );
    }
    return { parameter, first, total };
  });
}

// ---------------------------------------------------------------------------------------------
// readable output

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => `  ${r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')}`.trimEnd()).join('\n');
}

const MAX_ROWS = 20;
const interval = (s: Stat | undefined) => (s ? `${fmt(s.mean)} [${fmt(s.lo)}, ${fmt(s.hi)}]` : '–');
const pointLabel = (c: { point: number; values?: Record<string, unknown> }, params: readonly string[]) =>
  params.length && c.values ? params.map((p) => `${p.split('.').at(-1)}=${typeof c.values![p] === 'number' ? fmt(c.values![p] as number) : String(c.values![p])}`).join(' ') : `point ${c.point}`;

export function formatSummary(s: Summary): string {
  const lines: string[] = [];
  lines.push(
    `${s.name}: ${s.runs.done} of ${s.runs.total} runs done (${s.runs.failed} failed, ${s.runs.pending} pending), ` +
      `${s.years} years, design ${s.design}${s.parameters.length ? ` over ${s.parameters.join(', ')}` : ''}, ${s.replications} replications`,
    '',
  );
  const outs = s.outputs;
  const params = s.parameters;
  const byPolicy = (xs: { policy: string }[]) => [...new Set(xs.map((x) => x.policy))];
  for (const policy of byPolicy(s.cells)) {
    const cs = s.cells.filter((c) => c.policy === policy);
    lines.push(`${policy}: final year, mean [95% interval] over seeds`);
    lines.push(table([['point', ...outs], ...cs.slice(0, MAX_ROWS).map((c) => [`${c.point} ${pointLabel(c, params)}`.trim(), ...outs.map((o) => interval(c.metrics[o]))])]));
    if (cs.length > MAX_ROWS) lines.push(`  … ${cs.length - MAX_ROWS} more points (--json has all)`);
    lines.push('');
  }
  for (const policy of byPolicy(s.vsNone)) {
    const cs = s.vsNone.filter((c) => c.policy === policy);
    lines.push(`${policy} − none, same seeds: mean [95% interval] of the paired difference`);
    lines.push(table([['point', ...outs], ...cs.slice(0, MAX_ROWS).map((c) => [`${c.point}${c.regions === 'city' ? ' (city only)' : ''}`, ...outs.map((o) => interval(c.metrics[o]))])]));
    if (cs.length > MAX_ROWS) lines.push(`  … ${cs.length - MAX_ROWS} more points (--json has all)`);
    lines.push('');
  }
  for (const x of s.sensitivity) {
    const noise = x.noiseShare === null ? '' : `, seed noise ${(x.noiseShare * 100).toFixed(0)}% of the variance between points`;
    if (x.morris) {
      lines.push(`${x.policy}, ${x.output}: Morris elementary effects per unit of range (${x.samples} trajectories${noise})`);
      lines.push(table([['parameter', 'μ*', 'μ', 'σ', 'noise'], ...x.morris.map((r) => [r.parameter, fmt(r.muStar), fmt(r.mu), fmt(r.sigma), fmt(r.noise)])]));
    } else if (x.sobol) {
      lines.push(
        `${x.policy}, ${x.output}: Sobol indices [95% bootstrap interval] (${x.samples} base samples${noise}` +
          `${x.noiseCorrected ? '; seed noise taken out' : ''})`,
      );
      lines.push(
        table([
          ['parameter', 'first order', 'total'],
          ...x.sobol.map((r) => [r.parameter, `${fmt(r.first.estimate)} [${fmt(r.first.lo)}, ${fmt(r.first.hi)}]`, `${fmt(r.total.estimate)} [${fmt(r.total.lo)}, ${fmt(r.total.hi)}]`]),
        ]),
      );
    }
    lines.push('');
  }
  if (s.notes.length) lines.push('Notes:', ...s.notes.map((n) => `  - ${n}`), '');
  return `${lines.join('\n')}\n`;
}
